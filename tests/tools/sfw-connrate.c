// SPDX-License-Identifier: GPL-2.0
/*
 * sfw-connrate: open and close TCP connections as fast as one thread can,
 * for the connection-rate benchmark (make bench).
 *
 *   sfw-connrate server PORT            accept and close, forever
 *   sfw-connrate client ADDR PORT SECS  connect, send a byte, close; repeat
 *
 * The client prints "connections=N seconds=S rate=R" and exits 0, or 1 if
 * a connection failed. IPv6 addresses work too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int server(const char *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	int fd, one = 1, zero = 0;

	sa.sin6_port = htons(atoi(port));
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1024)) {
		perror("sfw-connrate: server");
		return 1;
	}
	for (;;) {
		char buf[16];
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		/* Read the client's byte and its FIN, then close: a full exchange. */
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}

static int client(const char *addr, const char *port, double secs)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	unsigned long n = 0;
	double start, end;
	int err;

	err = getaddrinfo(addr, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "sfw-connrate: %s: %s\n", addr, gai_strerror(err));
		return 2;
	}
	start = now();
	end = start + secs;
	while (now() < end) {
		int fd = socket(ai->ai_family, SOCK_STREAM, 0);
		char buf[16];

		if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) || write(fd, "x", 1) != 1) {
			fprintf(stderr, "sfw-connrate: connection %lu: %s\n", n + 1, strerror(errno));
			return 1;
		}
		shutdown(fd, SHUT_WR);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		n++;
	}
	secs = now() - start;
	printf("connections=%lu seconds=%.2f rate=%.0f\n", n, secs, n / secs);
	freeaddrinfo(ai);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return server(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], atof(argv[4]));
	fprintf(stderr, "usage: sfw-connrate server PORT | client ADDR PORT SECONDS\n");
	return 2;
}
