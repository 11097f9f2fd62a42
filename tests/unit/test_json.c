// SPDX-License-Identifier: GPL-2.0
/*
 * sfwctl's JSON strings (tools/json.c over jansson), and a rule set's
 * -j output as a JSON reader sees it. Each case dumps a value, parses the
 * text back with jansson's reader and compares the bytes: valid UTF-8
 * ("é") comes back unchanged; a byte that is not UTF-8 (0xff) comes back
 * as its Latin-1 character (U+00FF, "ÿ"), and the text is valid JSON;
 * quotes, backslashes and control characters are escaped; a monitor
 * event and a resync (EXISTING) line have one flat shape. TAP on stdout.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/sfw.h>

#include "rules_parse.h"
#include "sfwctl.h"
#include "ct.h"
#include "json.h"
#include "tap.h"

/* @in (of @len bytes) as a JSON string, dumped and read back. */
static void string_case(const char *name, const char *in, size_t len, const char *want,
			const char *want_text)
{
	char *text = NULL, why[512] = "";
	size_t tlen = 0;
	FILE *m = open_memstream(&text, &tlen);
	json_error_t err;
	json_t *back;

	if (!m)
		abort();
	sfw_json_dump(m, sfw_json_string(in, len));
	fclose(m);
	back = json_loads(text, JSON_DECODE_ANY, &err);
	if (!back)
		snprintf(why, sizeof(why), "invalid JSON <%s>: %s", text, err.text);
	else if (!json_is_string(back) || strcmp(json_string_value(back), want))
		snprintf(why, sizeof(why), "read back <%s> want <%s> (text <%s>)",
			 json_is_string(back) ? json_string_value(back) : "?", want, text);
	else if (want_text && strcmp(text, want_text))
		snprintf(why, sizeof(why), "text <%s> want <%s>", text, want_text);
	tap_result(!why[0], name, why);
	json_decref(back);
	free(text);
}

static void test_strings(void)
{
	string_case("e-acute round-trips", "\xc3\xa9", 2, "\xc3\xa9", "\"\xc3\xa9\"");
	string_case("0xff is U+00FF", "a\xff" "b", 3, "a\xc3\xbf" "b", NULL);
	string_case("lone continuation byte", "\x80", 1, "\xc2\x80", NULL);
	string_case("truncated sequence", "x\xc3", 2, "x\xc3\x83", NULL);
	string_case("overlong slash", "\xc0\xaf", 2, "\xc3\x80\xc2\xaf", NULL);
	string_case("UTF-16 surrogate", "\xed\xa0\x80", 3, "\xc3\xad\xc2\xa0\xc2\x80", NULL);
	string_case("four-byte UTF-8 kept", "\xf0\x9f\x94\xa5", 4, "\xf0\x9f\x94\xa5", NULL);
	string_case("control characters", "a\x01\n\tb", 5, "a\x01\n\tb",
		    "\"a\\u0001\\n\\tb\"");
	string_case("quotes and backslash", "\"x\\y\"", 5, "\"x\\y\"", "\"\\\"x\\\\y\\\"\"");
	string_case("stops at NUL", "ab\0cd", 5, "ab", NULL);
	string_case("stops at max", "abcd", 2, "ab", NULL);
}

/* A log prefix in ruleset show -j: the field and the rule's text. */
static void prefix_case(const char *name, const char *prefix, const char *want,
			const char *want_in_text)
{
	char in[256], err[SFW_RULES_ERR_LEN] = "", why[1024] = "", *text = NULL, want_rule[256];
	struct rules_file *rf;
	json_t *root = NULL, *rule;
	json_error_t jerr;
	size_t tlen = 0;
	FILE *m;

	snprintf(in, sizeof(in), "chain input\n  log prefix \"%s\" accept\n", prefix);
	rf = sfw_rules_parse("t.sfw", in, strlen(in), err);
	if (!rf) {
		tap_result(0, name, err);
		return;
	}
	m = open_memstream(&text, &tlen);
	if (!m)
		abort();
	sfw_rules_print_json(m, rf, 0);
	fclose(m);
	root = json_loads(text, 0, &jerr);
	rule = json_object_get(json_array_get(json_object_get(json_array_get(
		json_object_get(root, "chains"), 0), "rules"), 0), "log");
	snprintf(want_rule, sizeof(want_rule), "log prefix \"%s\" accept", want_in_text);
	if (!root)
		snprintf(why, sizeof(why), "invalid JSON <%s>: %s", text, jerr.text);
	else if (!json_is_string(json_object_get(rule, "prefix")) ||
		 strcmp(json_string_value(json_object_get(rule, "prefix")), want))
		snprintf(why, sizeof(why), "log.prefix wrong in <%s>, want <%s>", text, want);
	else if (strcmp(json_string_value(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(root, "chains"), 0), "rules"), 0), "text")),
		want_rule))
		snprintf(why, sizeof(why), "text wrong in <%s>, want <%s>", text, want_rule);
	tap_result(!why[0], name, why);
	json_decref(root);
	free(text);
	sfw_rules_free(rf);
}

static void test_rules(void)
{
	prefix_case("ruleset -j: log prefix e-acute", "caf\xc3\xa9", "caf\xc3\xa9", "caf\xc3\xa9");
	prefix_case("ruleset -j: log prefix a\\xffb", "a\xff" "b", "a\xc3\xbf" "b", "a\xc3\xbf" "b");
	prefix_case("ruleset -j: log prefix with quotes", "a\\\"b", "a\"b", "a\\\"b");
}

/* Issue 16: ct_reasons (in the enum's order, as /proc lists them) and ct_loose. */
static void test_reasons(void)
{
	static const char in[] = "chain forward\n"
		"  ct state invalid reason { tcp_ack_too_old, tcp_seq_out_of_window } ct loose\n";
	static const char want_text[] =
		"ct state invalid reason { tcp_seq_out_of_window, tcp_ack_too_old } ct loose";
	char err[SFW_RULES_ERR_LEN] = "", why[1024] = "", *text = NULL;
	struct rules_file *rf = sfw_rules_parse("t.sfw", in, strlen(in), err);
	json_t *root = NULL, *rule, *rs;
	json_error_t jerr;
	size_t tlen = 0;
	FILE *m;

	if (!rf) {
		tap_result(0, "ruleset -j: ct_reasons and ct_loose", err);
		return;
	}
	m = open_memstream(&text, &tlen);
	if (!m)
		abort();
	sfw_rules_print_json(m, rf, 0);
	fclose(m);
	root = json_loads(text, 0, &jerr);
	rule = json_array_get(json_object_get(json_array_get(json_object_get(root, "chains"), 0),
					      "rules"), 0);
	rs = json_object_get(rule, "ct_reasons");
	if (!root)
		snprintf(why, sizeof(why), "invalid JSON <%s>: %s", text, jerr.text);
	else if (json_array_size(rs) != 2 ||
		 strcmp(json_string_value(json_array_get(rs, 0)), "tcp_seq_out_of_window") ||
		 strcmp(json_string_value(json_array_get(rs, 1)), "tcp_ack_too_old"))
		snprintf(why, sizeof(why), "ct_reasons wrong in <%s>", text);
	else if (!json_is_true(json_object_get(rule, "ct_loose")) ||
		 strcmp(json_string_value(json_object_get(rule, "action")), "accept"))
		snprintf(why, sizeof(why), "ct_loose or action wrong in <%s>", text);
	else if (strcmp(json_string_value(json_object_get(rule, "text")), want_text))
		snprintf(why, sizeof(why), "text wrong in <%s>, want <%s>", text, want_text);
	tap_result(!why[0], "ruleset -j: ct_reasons and ct_loose", why);
	json_decref(root);
	free(text);
	sfw_rules_free(rf);
}

/* The keys of @o, in order, as "a,b,c". */
static void keys_of(json_t *o, char *buf, size_t size)
{
	const char *k;
	json_t *v;

	buf[0] = 0;
	json_object_foreach(o, k, v)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? "," : "", k);
}

/* monitor -j: an event and an EXISTING line differ only by "seq". */
static void test_monitor_shape(void)
{
	static const char want_ev[] = "event,seq,l3,l4,l4num,timeout,state,orig,reply,unreplied,assured";
	static const char want_ex[] = "event,l3,l4,l4num,timeout,state,orig,reply,unreplied,assured";
	struct conn c = { .timeout = 5, .state = 3, .event = SFW_EVENT_NEW, .seq = 9 };
	char ev[256], ex[256], why[768] = "";
	json_t *a, *b;

	c.t[0] = (struct tuple){ .l3 = AF_INET, .l4 = 6, .sport = 1, .dport = 2 };
	c.t[1] = c.t[0];
	a = conn_json(&c, event_name(c.event));
	c.event = 0;	/* a dump's connection, as resync reads it */
	b = conn_json(&c, "EXISTING");
	keys_of(a, ev, sizeof(ev));
	keys_of(b, ex, sizeof(ex));
	if (strcmp(ev, want_ev) || strcmp(ex, want_ex))
		snprintf(why, sizeof(why), "event <%s> want <%s>; EXISTING <%s> want <%s>",
			 ev, want_ev, ex, want_ex);
	else if (strcmp(json_string_value(json_object_get(b, "event")), "EXISTING") ||
		 json_integer_value(json_object_get(json_object_get(b, "orig"), "dport")) != 2)
		snprintf(why, sizeof(why), "EXISTING line's values wrong");
	tap_result(!why[0], "monitor -j: event and EXISTING lines, one flat shape", why);
	json_decref(a);
	json_decref(b);
}

int main(void)
{
	test_strings();
	test_rules();
	test_reasons();
	test_monitor_shape();
	return tap_done();
}
