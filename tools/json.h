/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - sfwctl's -j output, built with libjansson (as nft -j is).
 * Strings from the kernel or a rule file are bytes, not always UTF-8:
 * sfw_json_string() keeps valid UTF-8 as it is and reads every other byte
 * as Latin-1 (0xff becomes U+00FF, "\u00ff" to a JSON reader), so that any
 * input gives valid JSON and nothing is silently dropped. jansson escapes
 * quotes, backslashes and control characters.
 */
#ifndef _SFWCTL_JSON_H
#define _SFWCTL_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

/* A JSON string of @s: at most @max bytes, up to its NUL. */
json_t *sfw_json_string(const char *s, size_t max);
/* The same, for the NUL-terminated @s. */
json_t *sfw_json_str(const char *s);
json_t *sfw_json_u64(uint64_t v);
/* A new object or array; exits on allocation failure, as the tool does. */
json_t *sfw_json_object(void);
json_t *sfw_json_array(void);
/* Set @key of @obj to @v, or append @v to @arr; both take @v over. */
void sfw_json_set(json_t *obj, const char *key, json_t *v);
/* sfw_json_set() with a key from the kernel, made UTF-8 as strings are. */
void sfw_json_set_name(json_t *obj, const char *name, json_t *v);
void sfw_json_append(json_t *arr, json_t *v);
/* @v on @f as one compact line (no newline), then released. */
void sfw_json_dump(FILE *f, json_t *v);
/* The same, followed by a newline. */
void sfw_json_print(FILE *f, json_t *v);

/* rules_print.c: a rule set as {"chains":[...],"sets":[...]}. */
struct rules_file;
json_t *sfw_rules_json(const struct rules_file *rf, unsigned int flags);

#endif /* _SFWCTL_JSON_H */
