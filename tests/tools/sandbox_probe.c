/* This file is the seccomp sandbox's test probe: it opens an AF_PACKET socket bound to an
 * interface (root, in a throw-away network namespace), checks that it can send a frame,
 * then calls the collector's own sandbox_enter() with that socket as the packet socket and
 * checks what the filter refuses: writes and sends on it (EPERM, and the interface's
 * transmit counter in /proc/net/dev does not move), duplicating or re-binding it, new
 * sockets (but NETLINK_ROUTE, which getifaddrs needs); execve
 * and ptrace in a sandboxed child kill it with SIGSYS (ptrace: not in an AddressSanitizer
 * build, whose leak check at exit ptraces the process); fork() is refused; a thread still
 * starts; stdout still works.
 * Usage: sandbox_probe IFACE. Prints "ok: ...", "FAIL: ..." or "skip: ..." per check; exits 0 when all
 * pass, 1 otherwise, 2 on a usage or set-up error. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "collect/sandbox.h"

static int failures;

static void check(int cond, const char *what)
{
	printf("%s: %s\n", cond ? "ok" : "FAIL", what);
	fflush(stdout);
	if (!cond)
		failures++;
}

/* The interface's transmitted packets from /proc/net/dev (this namespace's), or -1. */
static long long tx_packets(const char *ifname)
{
	char line[512], name[64];
	long long v[16];
	FILE *f = fopen("/proc/net/dev", "r");
	long long ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = ' ';
		if (sscanf(line, " %63s %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", name,
			   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
			   &v[9]) == 11 && !strcmp(name, ifname))
			ret = v[9];	/* the 10th counter: transmitted packets */
	}
	fclose(f);
	return ret;
}

/* Forks a child that enters the sandbox and makes one hostile call; returns its status. */
static int hostile_child(int fd, int which)
{
	char err[256];
	int status = 0;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };

		if (sandbox_enter(&fd, 1, err, sizeof(err)) < 0)
			_exit(3);
		if (which == 0)
			execve(argv[0], argv, envp);
		else
			ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		_exit(4);	/* survived */
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

static void *thread_main(void *arg)
{
	*(int *)arg = 1;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th;
	int th_ran = 0;
	unsigned char frame[60];
	struct sockaddr_ll sll;
	struct iovec iov;
	struct msghdr msg;
	char err[512];
	long long tx0, tx1;
	int fd, st;

	if (argc != 2) {
		fprintf(stderr, "usage: sandbox_probe IFACE\n");
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	if (fd < 0 || !sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "sandbox_probe: AF_PACKET socket on %s: %s\n", argv[1],
			strerror(errno));
		return 2;
	}
	memset(frame, 0, sizeof(frame));
	memset(frame, 0xff, 6);				/* broadcast */
	frame[12] = 0x88, frame[13] = 0xb5;		/* local experimental ethertype */

	/* Before the sandbox: the socket sends, and the counter sees it. */
	tx0 = tx_packets(argv[1]);
	check(send(fd, frame, sizeof(frame), 0) == (ssize_t)sizeof(frame),
	      "before the sandbox, send() on the packet socket works");
	tx1 = tx_packets(argv[1]);
	check(tx0 >= 0 && tx1 == tx0 + 1, "before the sandbox, the tx counter counts the frame");

	/* The hostile calls, each in a sandboxed child. */
	st = hostile_child(fd, 0);
	check(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "execve kills with SIGSYS");
#if defined(__SANITIZE_ADDRESS__)
	/* LeakSanitizer's exit check ptraces the process: such builds allow ptrace */
	printf("skip: ptrace kills with SIGSYS (not in an AddressSanitizer build)\n");
#else
	st = hostile_child(fd, 1);
	check(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "ptrace kills with SIGSYS");
#endif

	if (sandbox_enter(&fd, 1, err, sizeof(err)) < 0) {
		printf("FAIL: sandbox_enter: %s\n", err);
		return 1;
	}
	tx0 = tx_packets(argv[1]);
	errno = 0;
	check(send(fd, frame, sizeof(frame), 0) < 0 && errno == EPERM, "send() refused (EPERM)");
	errno = 0;
	check(write(fd, frame, sizeof(frame)) < 0 && errno == EPERM, "write() refused (EPERM)");
	errno = 0;
	check(sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&sll, sizeof(sll)) < 0 &&
	      errno == EPERM, "sendto() refused (EPERM)");
	iov.iov_base = frame;
	iov.iov_len = sizeof(frame);
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	errno = 0;
	check(sendmsg(fd, &msg, 0) < 0 && errno == EPERM, "sendmsg() refused (EPERM)");
	errno = 0;
	check(writev(fd, &iov, 1) < 0 && errno == EPERM, "writev() refused (EPERM)");
	errno = 0;
	check(dup(fd) < 0 && errno == EPERM, "dup() refused (EPERM)");
	errno = 0;
	check(dup2(fd, 100) < 0 && errno == EPERM, "dup2() refused (EPERM)");
	errno = 0;
	check(fcntl(fd, F_DUPFD_CLOEXEC, 100) < 0 && errno == EPERM, "F_DUPFD refused (EPERM)");
	errno = 0;
	check(socket(AF_PACKET, SOCK_RAW, 0) < 0 && errno == EPERM,
	      "a new packet socket refused (EPERM)");
	errno = 0;
	check(socket(AF_INET, SOCK_DGRAM, 0) < 0 && errno == EPERM, "a new socket refused (EPERM)");
	errno = 0;
	check(socket(AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER) < 0 && errno == EPERM,
	      "a new netfilter netlink socket refused (EPERM)");
	errno = 0;
	check(bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0 && errno == EPERM,
	      "bind() (re-binding) refused (EPERM)");
	errno = 0;
	check(setsockopt(fd, SOL_SOCKET, SO_MARK, &fd, sizeof(fd)) < 0 && errno == EPERM,
	      "setsockopt refused (EPERM)");
	tx1 = tx_packets(argv[1]);
	check(tx1 == tx0, "the tx counter did not move after the sandbox");
	check(pthread_create(&th, NULL, thread_main, &th_ran) == 0 && pthread_join(th, NULL) == 0 &&
	      th_ran == 1, "a thread still starts (clone with CLONE_THREAD)");
#if defined(__SANITIZE_ADDRESS__)
	printf("skip: fork() refused (not in an AddressSanitizer build, which allows clone)\n");
#else
	errno = 0;
	check(fork() < 0 && errno == EPERM, "fork() refused (EPERM)");
#endif
	check(write(STDOUT_FILENO, "", 0) == 0, "write() on stdout still works");
	return failures ? 1 : 0;
}
