/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ct_file.h - the text format of `sfwctl ct save` and `ct restore`: one
 * line per connection, after a version line. libc only (no netlink), so
 * the fuzz target (tests/fuzz/fuzz_ct_file.c) drives it as sfwctl does.
 */
#ifndef _SFWCTL_CT_FILE_H
#define _SFWCTL_CT_FILE_H

#include <stddef.h>

#include "ct_record.h"

/* The format's version: a file says "sfw-conntrack 1" before any connection. */
#define CT_FILE_VERSION	1

struct ct_file_error {
	unsigned int line, col;		/* from 1; col 0: the whole line */
	char msg[200];
};

/* The first lines of a save. */
int ct_file_header(char *buf, size_t size);
/* One connection as a line, with its '\n'; the length, as snprintf. */
int ct_file_format(const struct sfw_ct_record *r, char *buf, size_t size);
/*
 * Every connection of @text (@len bytes, need not end in NUL) into *@recs
 * (malloc'd, *@n of them) and the line each began on into *@lines; each
 * is checked by sfw_ct_record_check(). 0; -1 on the first error, which
 * @err describes, and then nothing is returned: a file is taken whole or
 * not at all.
 */
int ct_file_parse(const char *text, size_t len, struct sfw_ct_record **recs,
		  unsigned int **lines, size_t *n, struct ct_file_error *err);

#endif /* _SFWCTL_CT_FILE_H */
