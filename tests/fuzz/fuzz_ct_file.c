// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_ct_file - bytes -> a save file (tools/ct_file.c) -> invariants.
 *
 * The input is what `sfwctl ct restore` reads. Then:
 *
 *  - a refused file gives a message and its line, and nothing allocated
 *    is left (LeakSanitizer): a file is taken whole or not at all;
 *  - every connection of an accepted file passes sfw_ct_record_check(),
 *    the module's own check, so nothing the kernel would refuse is sent;
 *  - what the save format prints of each reads back the same;
 *  - a TCP record survives the trip into the tracker's state
 *    (union sfw_proto_state) and back: what a restore builds is what the
 *    file said.
 */
#include "fuzz.h"
#include "ct_record.h"
#include "../../tools/ct_file.c"
#include "../../tools/rules_lex.c"

static void roundtrip(const struct sfw_ct_record *recs, size_t n)
{
	struct sfw_ct_record *again = NULL;
	struct ct_file_error err;
	unsigned int *lines = NULL;
	size_t size = 256 + n * 1024, len, m = 0, i;
	char *text = malloc(size);

	FUZZ_CHECK(text);
	len = (size_t)ct_file_header(text, size);
	FUZZ_CHECK(len < size);
	for (i = 0; i < n; i++) {
		int l = ct_file_format(&recs[i], text + len, size - len);

		FUZZ_CHECK(l > 0 && (size_t)l < size - len);
		len += (size_t)l;
	}
	FUZZ_CHECK_MSG(!ct_file_parse(text, len, &again, &lines, &m, &err),
		       "a printed save does not read back: %u:%u: %s", err.line, err.col, err.msg);
	FUZZ_CHECK(m == n);
	for (i = 0; i < n; i++)
		FUZZ_CHECK_MSG(!memcmp(&recs[i], &again[i], sizeof(recs[i])),
			       "connection %zu reads back differently", i);
	free(again);
	free(lines);
	free(text);
}

static void state_roundtrip(const struct sfw_ct_record *r)
{
	struct sfw_ct_record back = *r;
	union sfw_proto_state ps;

	sfw_ct_record_to_state(r, &ps);
	memset(back.win, 0, sizeof(back.win));
	back.tcp_state = back.tcp_flags = back.tcp_retrans = 0;
	sfw_ct_record_from_state(&back, &ps);
	FUZZ_CHECK(!memcmp(&back, r, sizeof(back)));
	FUZZ_CHECK(!!(ps.generic.flags & SFW_PS_SEEN_REPLY) == !!(r->status & SFW_CT_S_SEEN_REPLY));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sfw_ct_record *recs = NULL;
	struct ct_file_error err;
	unsigned int *lines = NULL;
	char *copy = malloc(size ? size : 1);
	size_t n = 0, i;

	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	if (ct_file_parse(copy, size, &recs, &lines, &n, &err)) {
		FUZZ_CHECK(!recs && !lines && err.msg[0]);
		free(copy);
		return 0;
	}
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(!sfw_ct_record_check(&recs[i]));
		FUZZ_CHECK(lines[i] >= 2 && (i == 0 || lines[i] > lines[i - 1]));
		state_roundtrip(&recs[i]);
	}
	roundtrip(recs, n);
	free(recs);
	free(lines);
	free(copy);
	return 0;
}
