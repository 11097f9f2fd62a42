/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel headers that sfw_core.h pulls in when
 * __KERNEL__ is defined, so the portable units (packet.c, proto_*.c,
 * ruleset.c, addrset.c) build unchanged in userspace: for sfwctl, and for
 * the unit tests and fuzz targets under ASan/UBSan.  Kbuild never sees it
 * (sfw_core.h includes it only without __KERNEL__).  Only what those
 * units use is mapped; anything else should fail to compile rather than
 * silently differ from the kernel.
 */
#ifndef _SFW_SHIM_H
#define _SFW_SHIM_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <assert.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
/* Userspace has no sparse: byte-order types are plain integers here. */
typedef uint16_t __be16;
typedef uint32_t __be32;

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BIT(n)		(1UL << (n))

#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define min_t(t, a, b)	((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b)	((t)(a) > (t)(b) ? (t)(a) : (t)(b))

#define BUILD_BUG_ON(c)	((void)sizeof(char[1 - 2 * !!(c)]))
#undef static_assert
#define static_assert(expr, ...) _Static_assert(expr, #expr)

#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif

#define fallthrough	__attribute__((__fallthrough__))
#define __maybe_unused	__attribute__((__unused__))
#define READ_ONCE(x)	(x)
#define __force

#include <stdlib.h>
#define sfw_zalloc(size)	calloc(1, size)
#define sfw_free(p)		free(p)
#define sfw_sort(base, n, size, cmp)	qsort(base, n, size, cmp)

#endif /* _SFW_SHIM_H */
