/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table's limits as arithmetic: the gateway's reserve and adaptive
 * timeouts (net.sfw.conntrack_reserve, adaptive_start, adaptive_end).
 * Plain functions of their inputs, shared with tests/unit; conntrack.c
 * and path.c apply them.
 *
 * Reserve: conntrack_reserve percent of conntrack_max is held back for
 * connections of the gateway itself (created at LOCAL_IN or LOCAL_OUT);
 * forwarded ones may fill the rest only.
 *
 * Adaptive timeouts, as pf's adaptive.start and adaptive.end, in percent
 * of conntrack_max: below start entries (count) every timeout is as set;
 * from start to end it is scaled by (end - count) / (end - start), down
 * to 0 at end. Active only when 0 < start < end: a setter that would
 * make both nonzero with start >= end is refused (sysctl.c), and a pair
 * that is not active in that form is simply off.
 */
#ifndef _SFW_CT_LIMITS_H
#define _SFW_CT_LIMITS_H

#include "sfw_core.h"

#ifdef __KERNEL__
#include <linux/math64.h>
#define sfw_div64_u64(a, b)	div64_u64(a, b)
#define sfw_mul_div_u64(a, b, c)	mul_u64_u64_div_u64(a, b, c)
#else
#define sfw_div64_u64(a, b)	((a) / (b))
#define sfw_mul_div_u64(a, b, c)	((u64)((__uint128_t)(a) * (b) / (c)))
#endif

#define SFW_CT_RESERVE_DEFAULT	5	/* percent */
#define SFW_CT_RESERVE_MAX	50
#define SFW_CT_ADAPTIVE_MAX	200	/* pf's own default end is 120 */

/* The entries a new connection may find before it: @local one or forwarded. */
static inline u32 sfw_ct_limits_share(u32 max, u32 reserve_pct, bool local)
{
	if (local || reserve_pct > SFW_CT_RESERVE_MAX)
		return max;
	return max - (u32)sfw_div64_u64((u64)max * reserve_pct, 100);
}

/* May adaptive_start and adaptive_end be @start and @end together? */
static inline bool sfw_ct_limits_adaptive_ok(u32 start, u32 end)
{
	return !start || !end || start < end;
}

/*
 * @timeout (any unit) scaled for a table of @max entries holding @count,
 * by adaptive_start @start_pct and adaptive_end @end_pct.
 */
static inline u32 sfw_ct_limits_scale(u32 timeout, u32 count, u32 max,
				      u32 start_pct, u32 end_pct)
{
	u64 start, end;

	if (!max || !start_pct || start_pct >= end_pct)
		return timeout;
	start = (u64)max * start_pct;
	end = (u64)max * end_pct;
	/* In hundredths of an entry, so that a small table scales smoothly. */
	if ((u64)count * 100 <= start)
		return timeout;
	if ((u64)count * 100 >= end)
		return 0;
	/* The product may pass 64 bits: a wide multiply, then the division. */
	return (u32)sfw_mul_div_u64(timeout, end - (u64)count * 100, end - start);
}

#endif /* _SFW_CT_LIMITS_H */
