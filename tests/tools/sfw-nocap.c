// SPDX-License-Identifier: GPL-2.0
/*
 * sfw-nocap CMD [ARGS]: run CMD as root but without CAP_NET_ADMIN.
 *
 * The guest's busybox has no capsh or full setpriv. Dropping the
 * capability from the bounding set and the inheritable and ambient sets
 * keeps execve() from granting it back to uid 0, so CMD is an ordinary
 * caller as far as GENL_UNS_ADMIN_PERM is concerned.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (argc < 2) {
		fprintf(stderr, "usage: sfw-nocap CMD [ARGS]\n");
		return 2;
	}
	if (prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)) {
		perror("sfw-nocap: prctl");
		return 1;
	}
	if (syscall(SYS_capget, &hdr, data)) {
		perror("sfw-nocap: capget");
		return 1;
	}
	data[0].effective &= ~(1U << CAP_NET_ADMIN);
	data[0].permitted &= ~(1U << CAP_NET_ADMIN);
	data[0].inheritable &= ~(1U << CAP_NET_ADMIN);
	if (syscall(SYS_capset, &hdr, data)) {
		perror("sfw-nocap: capset");
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "sfw-nocap: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
