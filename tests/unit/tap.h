/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP output for the unit tests: one "ok N name" or
 * "not ok N name # why" line per test case on stdout, diagnostics as
 * "# ..." lines.  tap_done() gives the exit status.
 */
#ifndef _SFW_TAP_H
#define _SFW_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

static inline void tap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

/* Report one test case; @why (may be NULL) explains a failure. */
static inline int tap_result(int ok, const char *name, const char *why)
{
	tap_n++;
	if (ok) {
		printf("ok %d %s\n", tap_n, name);
	} else {
		tap_failed++;
		printf("not ok %d %s # %s\n", tap_n, name, why ? why : "failed");
	}
	fflush(stdout);
	return ok;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* _SFW_TAP_H */
