/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared bits of the libFuzzer targets: an invariant check that says what
 * failed before it traps (the first line `make check` reports), and
 * parsing from an exactly-sized heap copy, so that ASan sees a read one
 * byte past the packet.
 */
#ifndef _SFW_FUZZ_H
#define _SFW_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include "proto.h"

/* One line on stderr naming the broken invariant, then trap. */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "sfw-fuzz: invariant failed: %s "	\
				"(%s:%d)\n", #cond, __FILE__, __LINE__);	\
			__builtin_trap();				\
		}							\
	} while (0)

/* The same with a message of its own, for checks whose expression says little. */
#define FUZZ_CHECK_MSG(cond, fmt, ...)					\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "sfw-fuzz: " fmt " (%s:%d)\n",	\
				##__VA_ARGS__, __FILE__, __LINE__);	\
			__builtin_trap();				\
		}							\
	} while (0)

/* The input, read a byte at a time; past its end, zeros. */
struct fuzz_input {
	const u8 *d;
	size_t n;
};

static inline u8 fuzz_take(struct fuzz_input *in)
{
	u8 b;

	if (!in->n)
		return 0;
	b = *in->d++;
	in->n--;
	return b;
}

static inline bool fuzz_zero(const void *p, size_t n)
{
	const u8 *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* The tuple as the tracker hashes it: pad zero, IPv4 without stray bytes. */
static inline void fuzz_check_tuple(const struct sfw_tuple *t, u8 l3num)
{
	FUZZ_CHECK(t->pad[0] == 0 && t->pad[1] == 0);
	FUZZ_CHECK(t->l3num == l3num);
	if (l3num == SFW_AF_INET) {
		FUZZ_CHECK(fuzz_zero(&t->src.ip6[1], 12));
		FUZZ_CHECK(fuzz_zero(&t->dst.ip6[1], 12));
	}
}

/* Parse @len bytes from a heap copy of exactly that size. */
static inline int fuzz_parse(struct sfw_pkt *pkt, u8 l3num, const u8 *b, size_t len)
{
	u8 *copy = malloc(len ? len : 1);
	struct sfw_flat f = { .data = copy, .len = len };
	int ret;

	memcpy(copy, b, len);
	ret = sfw_packet_parse(pkt, l3num, sfw_packet_read_flat, &f, len);
	free(copy);
	return ret;
}

#endif /* _SFW_FUZZ_H */
