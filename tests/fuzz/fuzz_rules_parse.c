// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_rules_parse - bytes -> sfw_rules_parse() -> invariants.
 *
 * The input is a rule file, parsed from an exactly-sized heap copy (no
 * NUL at the end, so ASan sees any read past it). Then:
 *
 *  - a rejected file gives one "t.rules:LINE:COL: message 'word'" line
 *    and leaves nothing allocated (LeakSanitizer);
 *  - an accepted file prints, and what it prints parses again and prints
 *    the same (the round trip `sfwctl ruleset show` relies on), with
 *    counters too; the JSON printer runs over it;
 *  - an accepted file always builds and compiles: the parser checks
 *    everything sfw_ruleset_builder_rule() and _set() check.
 *
 * The parser lives in tools/ and needs the rule set units, which the
 * Makefile's UNITS (the tracker's) do not hold: they are included here,
 * so that the target builds with the pattern rule as it is.
 */
#include "fuzz.h"
#include "addrset.c"
#include "ruleset.c"
#include "../../tools/rules_parse.c"
#include "../../tools/rules_lex.c"
#include "../../tools/rules_rule.c"
#include "../../tools/rules_nat.c"
#include "../../tools/rules_names.c"
#include "../../tools/rules_print.c"
#include "../../tools/json.c"

#define FNAME "t.rules"

static char *print_mem(const struct rules_file *rf, unsigned int flags, bool json, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	FUZZ_CHECK(m);
	if (json)
		sfw_rules_print_json(m, rf, flags);
	else
		sfw_rules_print(m, rf, flags);
	fclose(m);
	return buf;
}

/* "t.rules:N:N: text 'word'", or an out-of-memory report. */
static bool err_ok(const char *err)
{
	const char *s = err + strlen(FNAME);
	size_t n = strlen(err);
	int i;

	if (!strcmp(err, FNAME ": out of memory"))
		return true;
	if (strncmp(err, FNAME ":", strlen(FNAME) + 1))
		return false;
	for (i = 0; i < 2; i++) {
		if (*s++ != ':' || *s < '1' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return s[0] == ':' && s[1] == ' ' && n >= 2 && err[n - 1] == '\'' && strstr(s, " '");
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	char err[SFW_RULES_ERR_LEN], err2[SFW_RULES_ERR_LEN];
	struct sfw_ruleset_builder *b;
	struct rules_file *rf, *rf2;
	struct sfw_ruleset *rs;
	char *copy, *out, *out2, *json;
	size_t len, len2, jlen;

	if (size > 1 << 20)
		return 0;
	copy = malloc(size ? size : 1);
	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	rf = sfw_rules_parse(FNAME, copy, size, err);
	if (!rf) {
		FUZZ_CHECK_MSG(err_ok(err), "bad error message <%s>", err);
		free(copy);
		return 0;
	}

	out = print_mem(rf, 0, false, &len);
	rf2 = sfw_rules_parse(FNAME, out, len, err2);
	FUZZ_CHECK_MSG(rf2, "printed form does not parse: %s\n%s", err2, out);
	out2 = print_mem(rf2, 0, false, &len2);
	FUZZ_CHECK_MSG(len == len2 && !memcmp(out, out2, len),
		       "round trip changed the text:\n%s\n---\n%s", out, out2);
	sfw_rules_free(rf2);
	free(out2);

	out2 = print_mem(rf, SFW_RULES_PRINT_COUNTERS, false, &len2);
	rf2 = sfw_rules_parse(FNAME, out2, len2, err2);
	FUZZ_CHECK_MSG(rf2, "printed form with counters does not parse: %s", err2);
	sfw_rules_free(rf2);
	free(out2);

	json = print_mem(rf, SFW_RULES_PRINT_COUNTERS, true, &jlen);
	FUZZ_CHECK(jlen >= 2 && json[0] == '{' && json[jlen - 1] == '\n');
	free(json);

	b = sfw_ruleset_builder_new();
	FUZZ_CHECK(b);
	FUZZ_CHECK_MSG(!sfw_rules_file_to_builder(rf, b, err), "builder refused a parsed file: %s",
		       err);
	rs = sfw_ruleset_compile(b, 1, err);
	FUZZ_CHECK_MSG(rs, "compile refused a parsed file: %s", err);
	sfw_ruleset_free(rs);
	sfw_ruleset_builder_free(b);

	free(out);
	sfw_rules_free(rf);
	free(copy);
	return 0;
}
