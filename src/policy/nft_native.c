/* This file turns nft's native syntax into the model: libnftables cannot print a file as
 * JSON without loading it, so a forked child enters a private network namespace
 * (unshare(CLONE_NEWNET), root only), loads the file there with libnftables (include,
 * define and flush ruleset act on that namespace only, never on the host's ruleset),
 * lists the ruleset as JSON and writes it back over a pipe. Also the by-content front
 * door nft_load_file(). */
#include "policy/nft_int.h"

#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The child: 'J' + JSON, or 'E' + nft's error text, on fd. Never returns. */
static void child(const char *path, int fd)
{
	struct nft_ctx *nft;
	const char *out;

	if (unshare(CLONE_NEWNET) < 0) {
		dprintf(fd, "Ecannot enter a private network namespace: %s", strerror(errno));
		_exit(1);
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft || nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
		dprintf(fd, "Elibnftables: out of memory");
		_exit(1);
	}
	if (nft_run_cmd_from_filename(nft, path) != 0) {
		out = nft_ctx_get_error_buffer(nft);
		(void)write_all(fd, "E", 1);
		(void)write_all(fd, out ? out : "nft failed", out ? strlen(out) : 10);
		_exit(1);
	}
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON);
	if (nft_run_cmd_from_buffer(nft, "list ruleset") != 0) {
		dprintf(fd, "Elibnftables: list ruleset failed");
		_exit(1);
	}
	out = nft_ctx_get_output_buffer(nft);
	if (write_all(fd, "J", 1) < 0 || write_all(fd, out, strlen(out)) < 0)
		_exit(1);
	_exit(0);
}

/* Reads fd to EOF into a new buffer of at most NFT_MAX_INPUT bytes. */
static char *read_fd(int fd, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1), *p;
	ssize_t r;

	while (buf) {
		if (n == cap) {
			if (cap >= NFT_MAX_INPUT + 1)
				break;
			cap *= 2;
			p = realloc(buf, cap + 1);
			if (!p)
				break;
			buf = p;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			buf[n] = '\0';
			*len = n;
			return buf;
		}
		n += (size_t)r;
	}
	free(buf);
	return NULL;
}

static char *read_fd(int fd, size_t *len);

/* The rules' source lines, where the file shows them (nft_lines.c). */
static void map_lines(struct nft_ruleset *rs, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	char *text;

	if (fd < 0)
		return;
	text = read_fd(fd, &len);
	close(fd);
	if (text)
		nft_map_lines(rs, text, len);
	free(text);
}

struct nft_ruleset *nft_load_native(const char *path, struct nft_error *err)
{
	struct nft_ruleset *rs = NULL;
	int fds[2], st = 0;
	size_t len = 0;
	char *buf;
	pid_t pid;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	if (geteuid() != 0) {
		snprintf(err->msg, sizeof(err->msg),
			 "nft native syntax is read by loading it in a private network namespace, "
			 "which needs root; run `nft -j list ruleset > FILE` (or `nft -j -f` a copy) "
			 "and pass the JSON");
		errno = EPERM;
		return NULL;
	}
	if (pipe2(fds, O_CLOEXEC) < 0)
		goto sys;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		goto sys;
	}
	if (pid == 0) {
		close(fds[0]);
		child(path, fds[1]);
	}
	close(fds[1]);
	buf = read_fd(fds[0], &len);
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!buf || len == 0) {
		free(buf);
		snprintf(err->msg, sizeof(err->msg), "libnftables helper gave no output");
		errno = EIO;
		return NULL;
	}
	if (buf[0] == 'J' && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		rs = nft_load_json(buf + 1, len - 1, path, err);
		if (rs)
			map_lines(rs, path);
	} else {
		char *nl;

		char *m = buf + 1, *end;
		size_t pl = strlen(path);
		unsigned long line;

		/* nft's first error line ("file:line:col-col: Error: ..."): the file and line
		 * go to their fields when the file is ours (an include names its own) */
		if ((nl = strchr(m, '\n')))
			*nl = '\0';
		if (buf[0] == 'E' && strncmp(m, path, pl) == 0 && m[pl] == ':') {
			line = strtoul(m + pl + 1, &end, 10);
			if (end != m + pl + 1 && *end == ':' && line <= UINT32_MAX) {
				err->line = (unsigned)line;
				m = strchr(end + 1, ' ') ? strchr(end + 1, ' ') + 1 : end + 1;
			}
		}
		snprintf(err->msg, sizeof(err->msg), "%s", buf[0] == 'E' ? m : "nft failed");
		errno = EINVAL;
	}
	free(buf);
	return rs;
sys:
	if (errno == EPERM || errno == EACCES || errno == ENOSYS)	/* a sandbox (seccomp) */
		snprintf(err->msg, sizeof(err->msg), "nft native syntax is loaded in a private "
			 "network namespace, which this process may no longer create (sandboxed: "
			 "%.40s); give the ruleset as JSON (`nft -j list ruleset > FILE')",
			 strerror(errno));
	else
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
	return NULL;
}

struct nft_ruleset *nft_load_file(const char *path, struct nft_error *err)
{
	struct nft_ruleset *rs = NULL;
	size_t len = 0;
	char *buf;
	int fd;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(errno));
		return NULL;
	}
	buf = read_fd(fd, &len);
	close(fd);
	if (!buf) {
		snprintf(err->msg, sizeof(err->msg), "cannot read (or larger than %u bytes)",
			 NFT_MAX_INPUT);
		errno = EFBIG;
		return NULL;
	}
	if (nft_looks_json(buf, len))
		rs = nft_load_json(buf, len, path, err);
	else
		rs = nft_load_native(path, err);
	free(buf);
	return rs;
}
