// SPDX-License-Identifier: GPL-2.0
/*
 * sfw-jsoncheck: is stdin JSON (RFC 8259)? The guest has no python3 or jq,
 * so the VM tests check sfwctl -j with this. Exit 0 if valid, 1 if not
 * (with the offset of the first error); --lines: every non-empty line is
 * one JSON text (sfwctl monitor -j).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *p, *start;
static int depth;

static void ws(void)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
}

static int value(void);

static int string(void)
{
	if (*p++ != '"')
		return -1;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return -1;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				int i;

				for (i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
						return -1;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return -1;
			}
		}
		p++;
	}
	p++;
	return 0;
}

static int number(void)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return p > s ? 0 : -1;
}

static int container(char open, char close)
{
	if (++depth > 512)
		return -1;
	p++;
	ws();
	if (*p == close) {
		p++;
		depth--;
		return 0;
	}
	for (;;) {
		ws();
		if (open == '{') {
			if (string())
				return -1;
			ws();
			if (*p++ != ':')
				return -1;
		}
		if (value())
			return -1;
		ws();
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p++ != close)
			return -1;
		depth--;
		return 0;
	}
}

static int value(void)
{
	ws();
	switch (*p) {
	case '{': return container('{', '}');
	case '[': return container('[', ']');
	case '"': return string();
	case 't': return strncmp(p, "true", 4) ? -1 : (p += 4, 0);
	case 'f': return strncmp(p, "false", 5) ? -1 : (p += 5, 0);
	case 'n': return strncmp(p, "null", 4) ? -1 : (p += 4, 0);
	default: return number();
	}
}

static int text(const char *s)
{
	p = s;
	depth = 0;
	if (value())
		return -1;
	ws();
	return *p ? -1 : 0;
}

int main(int argc, char **argv)
{
	size_t len = 0, cap = 1 << 16, n;
	char *buf = malloc(cap), *line, *save;
	int lines = argc > 1 && !strcmp(argv[1], "--lines"), count = 0;

	if (!buf)
		return 2;
	while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (len + 1 == cap) {
			buf = realloc(buf, cap *= 2);
			if (!buf)
				return 2;
		}
	}
	buf[len] = 0;
	start = buf;
	if (strlen(buf) != len) {
		fprintf(stderr, "sfw-jsoncheck: NUL byte in the input\n");
		return 1;
	}
	if (!lines) {
		if (text(buf)) {
			fprintf(stderr, "sfw-jsoncheck: not JSON at byte %ld\n", (long)(p - start));
			return 1;
		}
		return 0;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		count++;
		if (text(line)) {
			fprintf(stderr, "sfw-jsoncheck: line %d is not JSON: %s\n", count, line);
			return 1;
		}
	}
	return 0;
}
