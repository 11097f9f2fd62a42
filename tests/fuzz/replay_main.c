// SPDX-License-Identifier: GPL-2.0
/*
 * replay_main - a plain driver for the fuzz targets, for machines without
 * libFuzzer: it feeds each file named on the command line (or found in a
 * directory named there, one level deep) to LLVMFuzzerTestOneInput() once,
 * as `-runs=0` does. Built by cc with ASan and UBSan (no recovery), so a
 * regression input that crashes, leaks or trips an invariant still fails
 * `make check` when clang is missing; it only cannot find new ones.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long replayed;

static int replay_file(const char *path)
{
	uint8_t *buf = NULL;
	long len;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		goto err;
	/* An exactly-sized heap copy, as libFuzzer gives: ASan sees overreads. */
	buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != (size_t)len)
		goto err;
	fclose(f);
	fprintf(stderr, "replay: %s (%ld bytes)\n", path, len);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	replayed++;
	return 0;
err:
	fprintf(stderr, "replay: %s: cannot read\n", path);
	free(buf);
	fclose(f);
	return -1;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A directory's regular files, in name order so that runs repeat. */
static int replay_dir(const char *dir)
{
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *e;
	int ret = 0;
	DIR *d;

	d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			return -1;
		if (stat(p, &st) || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names)
			return -1;
		names[n++] = p;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		if (replay_file(names[i]))
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

int main(int argc, char **argv)
{
	struct stat st;
	int i, ret = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st)) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			ret = 1;
		} else if (S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i])) {
			ret = 1;
		}
	}
	printf("replay: %lu inputs\n", replayed);
	return ret;
}
