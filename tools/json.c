// SPDX-License-Identifier: GPL-2.0
/*
 * json.c: the few helpers every -j output of sfwctl goes through. The
 * values are jansson's; these only make a byte string valid UTF-8 first
 * (jansson refuses anything else) and turn allocation failures into the
 * tool's exit instead of a NULL each caller would have to test.
 */
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void *need(void *p)
{
	if (!p) {
		fputs("sfwctl: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

/* The length of the valid UTF-8 sequence at @s (of @n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;	/* a continuation byte, 0xc0, 0xc1 or 0xf5.. */
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and beyond U+10FFFF are not UTF-8. */
	if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
		return 0;
	if (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
		return 0;
	return len;
}

json_t *sfw_json_string(const char *s, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strnlen(s, max), i, o = 0, k;
	char *buf = need(malloc(2 * n + 1));
	json_t *v;

	for (i = 0; i < n; ) {
		k = utf8_seq(u + i, n - i);
		if (k) {
			memcpy(buf + o, u + i, k);
			o += k;
			i += k;
			continue;
		}
		/* Not UTF-8: the byte as Latin-1, U+0080..U+00FF in two bytes. */
		buf[o++] = 0xc0 | u[i] >> 6;
		buf[o++] = 0x80 | (u[i] & 0x3f);
		i++;
	}
	v = need(json_stringn(buf, o));
	free(buf);
	return v;
}

json_t *sfw_json_str(const char *s)
{
	return sfw_json_string(s, strlen(s));
}

json_t *sfw_json_u64(uint64_t v)
{
	/* json_int_t is signed 64-bit: counters do not reach 2^63. */
	return need(json_integer((json_int_t)v));
}

json_t *sfw_json_object(void)
{
	return need(json_object());
}

json_t *sfw_json_array(void)
{
	return need(json_array());
}

void sfw_json_set(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, need(v)))
		need(NULL);
}

void sfw_json_set_name(json_t *obj, const char *name, json_t *v)
{
	json_t *key = sfw_json_str(name);

	sfw_json_set(obj, json_string_value(key), v);
	json_decref(key);
}

void sfw_json_append(json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, need(v)))
		need(NULL);
}

void sfw_json_dump(FILE *f, json_t *v)
{
	if (json_dumpf(v, f, JSON_COMPACT | JSON_ENCODE_ANY)) {
		fputs("sfwctl: writing JSON failed\n", stderr);
		exit(1);
	}
	json_decref(v);
}

void sfw_json_print(FILE *f, json_t *v)
{
	sfw_json_dump(f, v);
	fputc('\n', f);
}
