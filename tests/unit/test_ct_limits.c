// SPDX-License-Identifier: GPL-2.0
/*
 * The table's limits as arithmetic (src/ct_limits.h): the forwarded share
 * the gateway's reserve leaves, and adaptive timeouts. One row per case:
 * the inputs and the value expected.
 */
#include <stdio.h>
#include "ct_limits.h"
#include "tap.h"

static const struct {
	const char *what;
	u32 max, reserve;
	bool local;
	u32 want;
} share[] = {
	{ "default 5% of 100 held back", 100, 5, false, 95 },
	{ "the gateway's own may use it all", 100, 5, true, 100 },
	{ "reserve 0: no share", 100, 0, false, 100 },
	{ "reserve 20 of 100", 100, 20, false, 80 },
	{ "rounds the reserve down", 64, 5, false, 61 },
	{ "the most a reserve may be", 100, 50, false, 50 },
	{ "out of range: no reserve", 100, 51, false, 100 },
	{ "a huge table does not overflow", 0xffffffffu, 50, false, 0x80000000u },
};

static const struct {
	const char *what;
	u32 timeout, count, max, start, end;
	u32 want;
} scale[] = {
	{ "off (0, 0)", 120, 99, 100, 0, 0, 120 },
	{ "off: start 0", 120, 99, 100, 0, 80, 120 },
	{ "off: start = end", 120, 99, 100, 60, 60, 120 },
	{ "off: start > end", 120, 99, 100, 80, 60, 120 },
	{ "off: no limit", 120, 99, 0, 60, 120, 120 },
	{ "below start", 120, 59, 100, 60, 120, 120 },
	{ "at start", 120, 60, 100, 60, 120, 120 },
	{ "a quarter in", 120, 75, 100, 60, 120, 90 },
	{ "half way", 120, 90, 100, 60, 120, 60 },
	{ "at the limit, end 120%", 120, 100, 100, 60, 120, 40 },
	{ "at end", 120, 120, 100, 60, 120, 0 },
	{ "past end", 120, 500, 100, 60, 120, 0 },
	{ "issue's test: 90 of 100, 50..100", 120, 90, 100, 50, 100, 24 },
	{ "jiffies of 5 days, half way", 432000000, 75, 100, 50, 100, 216000000 },
	{ "small table, fractional start", 100, 3, 5, 50, 100, 80 },
	{ "20 days of jiffies, a huge table", 1728000000, 0x7fffffff, 0x7fffffff, 1, 200, 868341708 },
};

int main(void)
{
	char name[128], why[128];
	unsigned int i;

	for (i = 0; i < sizeof(share) / sizeof(share[0]); i++) {
		u32 got = sfw_ct_limits_share(share[i].max, share[i].reserve, share[i].local);

		snprintf(name, sizeof(name), "share: %s", share[i].what);
		snprintf(why, sizeof(why), "got %u, want %u", got, share[i].want);
		tap_result(got == share[i].want, name, why);
	}
	for (i = 0; i < sizeof(scale) / sizeof(scale[0]); i++) {
		u32 got = sfw_ct_limits_scale(scale[i].timeout, scale[i].count, scale[i].max,
					      scale[i].start, scale[i].end);

		snprintf(name, sizeof(name), "scale: %s", scale[i].what);
		snprintf(why, sizeof(why), "got %u, want %u", got, scale[i].want);
		tap_result(got == scale[i].want, name, why);
	}
	tap_result(sfw_ct_limits_adaptive_ok(0, 0) && sfw_ct_limits_adaptive_ok(60, 0) &&
		   sfw_ct_limits_adaptive_ok(0, 60) && sfw_ct_limits_adaptive_ok(60, 120),
		   "adaptive pair: off or start < end is fine", NULL);
	tap_result(!sfw_ct_limits_adaptive_ok(60, 60) && !sfw_ct_limits_adaptive_ok(120, 60),
		   "adaptive pair: start >= end with both set is refused", NULL);
	return tap_done();
}
