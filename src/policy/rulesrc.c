/* This file implements the privileged ruleset reader (see rulesrc.h). Wire format of a
 * reply, per family (IPv4 then IPv6): a 12-byte header {u8 family, u8 status, u8 legacy,
 * u8 both, u32 length, u32 magic}, then `length` bytes of text; then the same header with
 * family 0 and the nftables ruleset as `nft -j list ruleset` prints it (or, with status
 * RULESRC_FAILED, why it could not be listed). */
#include "policy/rulesrc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <nftables/libnftables.h>

#define RULESRC_MAGIC 0x52534c53u	/* "RSLS" */
#define HDR_LEN 12
/* Header byte 3: bit 0 "both", bit 1 native nftables tables, named by the text's last
 * line, which starts with NATIVE_TAG (a comment to the iptables-save parser). */
#define HDR_BOTH 1u
#define HDR_NATIVE 2u
#define NATIVE_TAG "# spoofaudit: native nftables: "

/* ---- the helper (root) ---- */

static const char *const save_dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin", NULL };

/* Reads the child's stdout (into *buf, at most RULESRC_MAX_TEXT bytes) and stderr (into
 * errbuf) until both reach their end (closing each then), or kills it after 30 s of silence. */
static void pump(pid_t pid, int po[2], int pe[2], char **bufp, size_t *usedp, size_t *capp,
		 char *errbuf, size_t errlen)
{
	char *buf = *bufp;
	size_t used = *usedp, cap = *capp, eused = 0;

	for (;;) {
		struct pollfd pf[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
		ssize_t n;

		if (po[0] < 0 && pe[0] < 0)
			break;
		if (poll(pf, 2, 30000) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (po[0] >= 0 && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			if (used + 4097 > cap && cap < RULESRC_MAX_TEXT + 4097) {
				char *nb = realloc(buf, cap * 2);

				if (!nb) {
					kill(pid, SIGKILL);
					break;
				}
				buf = nb;
				cap *= 2;
			}
			n = used + 4097 <= cap ? read(po[0], buf + used, 4096) : 0;
			if (n <= 0) {
				close(po[0]);
				po[0] = -1;
			} else {
				used += (size_t)n;
			}
		}
		if (pe[0] >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			char tmp[1024];

			n = read(pe[0], tmp, sizeof(tmp));
			if (n <= 0) {
				close(pe[0]);
				pe[0] = -1;
			} else if (eused + 1 < errlen) {
				size_t k = (size_t)n < errlen - eused - 1 ? (size_t)n : errlen - eused - 1;

				memcpy(errbuf + eused, tmp, k);
				eused += k;
				errbuf[eused] = '\0';
			}
		}
	}
	*bufp = buf;
	*usedp = used;
	*capp = cap;
}

/* Runs prog (searched in save_dirs) with stdout and stderr captured, at most
 * RULESRC_MAX_TEXT bytes of stdout. Returns the exit status (0 ok), -1 when it could not
 * run. *out is malloc'd (NUL-terminated). */
static int run_save(const char *prog, char **out, size_t *outlen, char *errbuf, size_t errlen)
{
	char path[256];
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = 0, i;
	size_t used = 0, cap = 65536;
	char *buf = malloc(cap);
	pid_t pid;

	*out = NULL;
	*outlen = 0;
	errbuf[0] = '\0';
	path[0] = '\0';
	for (i = 0; save_dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", save_dirs[i], prog);
		if (access(path, X_OK) == 0)
			break;
		path[0] = '\0';
	}
	if (!buf || !path[0] || pipe(po) < 0 || pipe(pe) < 0) {
		snprintf(errbuf, errlen, "%s: %s", prog, !buf ? "out of memory" : !path[0] ?
			 "not found" : strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		char *const argv[] = { (char *)prog, NULL };
		char *const envp[] = { "PATH=/usr/sbin:/sbin:/usr/bin:/bin", "LC_ALL=C", NULL };
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		if (close_range(3, ~0u, 0) < 0)	/* not even the socket to the collector */
			for (i = 3; i < 1024; i++)
				close(i);
		execve(path, argv, envp);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	pump(pid, po, pe, &buf, &used, &cap, errbuf, errlen);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	buf[used] = '\0';
	*out = buf;
	*outlen = used;
	if (po[0] >= 0)
		close(po[0]);
	if (pe[0] >= 0)
		close(pe[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
fail:
	for (i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	free(buf);
	return -1;
}

/* A ruleset text with rules or a non-ACCEPT policy (an nft table created by a mere
 * `iptables -L` has neither). */
static int has_rules(const char *t)
{
	const char *p;

	for (p = t; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, "-A ", 3) || !strncmp(p, "[", 1))
			return 1;
		if (*p == ':') {
			const char *sp = strchr(p, ' ');

			if (sp && (!strncmp(sp, " DROP", 5)))
				return 1;
		}
	}
	return 0;
}

/* Whether nft table fam/name is one iptables(-nft)-save prints for family f (4 or 6). */
static int ipt_table(int f, const char *fam, const char *name)
{
	static const char *const t[] = { "filter", "nat", "mangle", "raw", "security", NULL };

	if (strcmp(fam, f == 4 ? "ip" : "ip6"))
		return 0;
	for (int i = 0; t[i]; i++)
		if (!strcmp(name, t[i]))
			return 1;
	return 0;
}

/* `list ruleset' through libnftables with output flags, into *out (malloc'd, *len bytes).
 * 0, or -1 with *out a message (malloc'd, may be NULL). */
static int nft_list_as(unsigned flags, char **out, size_t *len)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	const char *o, *e;
	int ret = -1;

	*out = NULL;
	*len = 0;
	if (!nft) {
		*out = strdup("libnftables: cannot create a context");
		goto done;
	}
	nft_ctx_output_set_flags(nft, flags);
	if (nft_ctx_buffer_output(nft) || nft_ctx_buffer_error(nft)) {
		*out = strdup("libnftables: cannot buffer its output");
	} else if (nft_run_cmd_from_buffer(nft, "list ruleset") != 0) {
		e = nft_ctx_get_error_buffer(nft);
		*out = strdup(e && *e ? e : "nft list ruleset failed");
	} else if (strlen(o = nft_ctx_get_output_buffer(nft)) > RULESRC_MAX_NFT) {
		*out = strdup("the nftables ruleset is larger than this version reads");
	} else {
		*out = strdup(o);
		ret = *out ? 0 : -1;
	}
	nft_ctx_free(nft);
done:
	*len = *out ? strlen(*out) : 0;
	return ret;
}

/* The whole nftables ruleset as JSON text (`nft -j list ruleset') into *out, and as nft
 * prints it without counter values (`nft -s list ruleset': each rule's text, for the
 * messages) into *txt (NULL when it could not be listed or both would not fit). 0, or -1
 * with *out a message (malloc'd, may be NULL). */
static int nft_list(char **out, size_t *len, char **txt, size_t *tlen)
{
	*txt = NULL;
	*tlen = 0;
	if (nft_list_as(NFT_CTX_OUTPUT_JSON, out, len) < 0)
		return -1;
	if (nft_list_as(NFT_CTX_OUTPUT_STATELESS, txt, tlen) < 0 ||
	    *len + 1 + *tlen > RULESRC_MAX_NFT) {
		free(*txt);
		*txt = NULL;
		*tlen = 0;
	}
	return 0;
}

/* The native nftables tables of root (nft_list()) holding rules that see family f's
 * packets (ip or ip6, inet, netdev), other than iptables' own: "inet filter (12 rules),
 * ..." into out; their count. 0 when nothing is listed. */
static unsigned nft_native(const json_t *root, int f, char *out, size_t len)
{
	struct { char fam[8], name[64]; unsigned rules; } tab[32];
	unsigned nt = 0, ntab = 0;
	json_t *arr, *el;
	size_t i, used = 0;

	out[0] = '\0';
	arr = json_object_get(root, "nftables");
	json_array_foreach(arr, i, el) {
		json_t *r = json_object_get(el, "rule");
		const char *fam = json_string_value(json_object_get(r, "family"));
		const char *name = json_string_value(json_object_get(r, "table"));
		unsigned k;

		if (!fam || !name || ipt_table(f, fam, name) ||
		    (strcmp(fam, f == 4 ? "ip" : "ip6") && strcmp(fam, "inet") && strcmp(fam, "netdev")))
			continue;
		for (k = 0; k < ntab; k++)
			if (!strcmp(tab[k].fam, fam) && !strcmp(tab[k].name, name))
				break;
		if (k == ntab && ntab < sizeof(tab) / sizeof(tab[0])) {
			snprintf(tab[k].fam, sizeof(tab[k].fam), "%s", fam);
			snprintf(tab[k].name, sizeof(tab[k].name), "%s", name);
			tab[k].rules = 0;
			ntab++;
		}
		if (k < ntab) {
			tab[k].rules++;
			nt++;
		}
	}
	for (unsigned k = 0; k < ntab && used < len; k++) {
		int n = snprintf(out + used, len - used, "%s%s %s (%u rule%s)", k ? ", " : "",
				 tab[k].fam, tab[k].name, tab[k].rules, tab[k].rules == 1 ? "" : "s");

		used += n > 0 ? (size_t)n : 0;
	}
	return nt;
}

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Answers one request for family fam; nft is the nftables ruleset listed once for the
 * request (nft_list(), NULL when unlisted). */
static int answer_family(int fd, int fam, const json_t *nft_rs)
{
	const char *nft = fam == 4 ? "iptables-save" : "ip6tables-save";
	const char *leg = fam == 4 ? "iptables-legacy-save" : "ip6tables-legacy-save";
	char *out = NULL, *lout = NULL, err[2048], lerr[512];
	size_t len = 0, llen = 0;
	uint8_t hdr[HDR_LEN] = { (uint8_t)fam, RULESRC_OK, 0, 0 };
	uint32_t v;
	int rc = run_save(nft, &out, &len, err, sizeof(err)), ret;
	char native[400];

	/* iptables-nft says on stderr when the legacy tables hold rules too */
	if (rc == 0 && strstr(err, "legacy tables present") &&
	    run_save(leg, &lout, &llen, lerr, sizeof(lerr)) == 0) {
		if (!has_rules(out)) {
			free(out);
			out = lout;
			len = llen;
			lout = NULL;
			hdr[2] = 1;
		} else if (has_rules(lout)) {
			hdr[3] = HDR_BOTH;
		}
	}
	free(lout);
	if (rc != 0) {
		char msg[2300];

		snprintf(msg, sizeof(msg), "%s %s: %s", nft, rc < 0 ? "could not run" : "failed",
			 err[0] ? err : "(no message)");
		free(out);
		out = strdup(msg);
		len = out ? strlen(out) : 0;
		hdr[1] = RULESRC_FAILED;
	}
	if (nft_native(nft_rs, fam, native, sizeof(native)) && out && len + 2 * sizeof(native) < RULESRC_MAX_TEXT) {
		char *grown = realloc(out, len + sizeof(NATIVE_TAG) + sizeof(native) + 2);

		if (grown) {
			out = grown;
			len += (size_t)sprintf(out + len, "%s" NATIVE_TAG "%s\n",
					       len && out[len - 1] != '\n' ? "\n" : "", native);
			hdr[3] |= HDR_NATIVE;
		}
	}
	if (len > RULESRC_MAX_TEXT)
		len = RULESRC_MAX_TEXT;
	v = (uint32_t)len;
	memcpy(hdr + 4, &v, 4);
	v = RULESRC_MAGIC;
	memcpy(hdr + 8, &v, 4);
	ret = write_all(fd, hdr, HDR_LEN) < 0 || (len && write_all(fd, out, len) < 0) ? -1 : 0;
	free(out);
	return ret;
}

/* The nftables part of a reply: text (len bytes) is the JSON when rc is 0, else why not;
 * then, when txt is not NULL, a NUL byte and txt (tlen bytes: nft's own listing). */
static int answer_nft(int fd, int rc, const char *text, size_t len, const char *txt,
		      size_t tlen)
{
	uint8_t hdr[HDR_LEN] = { 0, rc ? RULESRC_FAILED : RULESRC_OK, 0, 0 };
	uint32_t v = (uint32_t)(len + (txt ? 1 + tlen : 0));

	memcpy(hdr + 4, &v, 4);
	v = RULESRC_MAGIC;
	memcpy(hdr + 8, &v, 4);
	return write_all(fd, hdr, HDR_LEN) < 0 || (len && write_all(fd, text, len) < 0) ||
	       (txt && (write_all(fd, "", 1) < 0 || (tlen && write_all(fd, txt, tlen) < 0))) ?
	       -1 : 0;
}

/* What iptables-save and ip6tables-save need: CAP_NET_ADMIN (the nft netlink dump) and
 * CAP_NET_RAW (the legacy tables' raw socket): iptables-legacy-save fails without either,
 * iptables-save (nft) without CAP_NET_ADMIN (checked with setpriv --bounding-set). */
#define KEEP_CAPS ((1u << CAP_NET_ADMIN) | (1u << CAP_NET_RAW))

/* Reduces the helper to KEEP_CAPS: every other capability dropped from the bounding set
 * (so the root programs it execs get no more), from the permitted, effective and
 * inheritable sets, and no new privileges on exec. Returns 0, or -1 when a capability
 * outside KEEP_CAPS remains. */
static int helper_drop_caps(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int c;

	for (c = 0; c < 64; c++) {
		int in = prctl(PR_CAPBSET_READ, c, 0, 0, 0);

		if (in < 0)
			break;	/* past the kernel's last capability */
		/* without CAP_SETPCAP (not root: a collector given file capabilities) the
		 * bounding set cannot shrink; it grants nothing on exec to a non-root uid */
		if (in == 1 && !(c < 32 && (KEEP_CAPS & (1u << c))) &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && (errno != EPERM || geteuid() == 0))
			return -1;
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	data[0].permitted &= KEEP_CAPS;
	data[0].effective = data[0].permitted;
	data[0].inheritable = 0;
	data[1].permitted = data[1].effective = data[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -1;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0 || (data[0].permitted & ~KEEP_CAPS) ||
	    data[1].permitted || (data[0].effective & ~KEEP_CAPS) || data[1].effective)
		return -1;
	return 0;
}

static void helper_main(int fd)
{
	struct sigaction sa;
	uint8_t req;
	json_t *nft_rs;
	char *js, *txt;
	size_t jlen, tlen;
	int rc, jrc;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);	/* a reload is the collector's business */
	sigaction(SIGINT, &sa, NULL);	/* Ctrl-C: the collector closes the socket */
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "spoofaudit-ipt");
	if (helper_drop_caps() < 0)
		_exit(1);	/* fail closed: the collector reports the reader gone */
	for (;;) {
		ssize_t n = read(fd, &req, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n != 1 || req != 'R')
			break;	/* closed, or a request we do not know */
		/* nftables listed once per request, for both families and as its own part */
		jrc = nft_list(&js, &jlen, &txt, &tlen);
		nft_rs = jrc == 0 ? json_loadb(js, jlen, 0, NULL) : NULL;
		rc = answer_family(fd, 4, nft_rs) < 0 || answer_family(fd, 6, nft_rs) < 0 ||
		     answer_nft(fd, jrc, js, jlen, txt, tlen) < 0;
		json_decref(nft_rs);
		free(js);
		free(txt);
		if (rc)
			break;
	}
	_exit(0);
}

int rulesrc_can_read(void)
{
	return geteuid() == 0;
}

int rulesrc_start(struct rulesrc *r, char *err, size_t errlen)
{
	int sv[2];
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* keep only the socket: no capture handle, NFLOG socket or database */
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		if (close_range(4, ~0u, 0) < 0) {
			int fd;

			for (fd = 4; fd < 1024; fd++)
				close(fd);
		}
		helper_main(3);
	}
	close(sv[1]);
	r->fd = sv[0];
	r->pid = pid;
	fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

int rulesrc_request(struct rulesrc *r)
{
	uint8_t req = 'R';

	if (r->fd < 0)
		return -1;
	if (r->pending)
		return 0;
	if (write(r->fd, &req, 1) != 1)
		return -1;
	r->pending = 1;
	r->used = 0;
	return 0;
}

void rulesrc_reply_free(struct rulesrc_reply *x)
{
	free(x->text[0]);
	free(x->text[1]);
	free(x->native[0]);
	free(x->native[1]);
	free(x->nft_json);
	free(x->nft_text);
	memset(x, 0, sizeof(*x));
}

/* Checks the header of part k (0, 1: the families, 2: nftables) at off of r->buf: 1 with
 * *len set when the whole part is in, 0 incomplete, -1 malformed. */
static int part_in(const struct rulesrc *r, size_t off, int k, uint32_t *len)
{
	uint32_t magic;

	if (r->used - off < HDR_LEN)
		return 0;
	memcpy(len, r->buf + off + 4, 4);
	memcpy(&magic, r->buf + off + 8, 4);
	if (magic != RULESRC_MAGIC || r->buf[off] != (k == 2 ? 0 : k ? 6 : 4) ||
	    *len > (k == 2 ? RULESRC_MAX_NFT : RULESRC_MAX_TEXT) || r->buf[off + 1] > RULESRC_FAILED)
		return -1;
	return r->used - off - HDR_LEN >= *len;
}

/* Parses a complete reply out of r->buf: 1 done, 0 incomplete, -1 malformed. */
static int parse_reply(struct rulesrc *r, struct rulesrc_reply *out)
{
	size_t off = 0;
	uint32_t len;
	int f, rc;

	for (f = 0; f < 3; f++) {
		if ((rc = part_in(r, off, f, &len)) <= 0)
			return rc;
		off += HDR_LEN + len;
	}
	memset(out, 0, sizeof(*out));
	for (off = 0, f = 0; f < 2; f++) {
		memcpy(&len, r->buf + off + 4, 4);
		out->status[f] = r->buf[off + 1];
		out->legacy[f] = r->buf[off + 2];
		out->both[f] = r->buf[off + 3] & HDR_BOTH;
		out->text[f] = strndup((const char *)r->buf + off + HDR_LEN, len);
		if (!out->text[f]) {
			rulesrc_reply_free(out);
			return -1;
		}
		out->len[f] = strlen(out->text[f]);
		if (r->buf[off + 3] & HDR_NATIVE) {
			char *tag = strstr(out->text[f], NATIVE_TAG);

			if (tag && !(out->native[f] = strndup(tag + strlen(NATIVE_TAG),
							      strcspn(tag + strlen(NATIVE_TAG), "\n")))) {
				rulesrc_reply_free(out);
				return -1;
			}
		}
		off += HDR_LEN + len;
	}
	memcpy(&len, r->buf + off + 4, 4);
	out->nft_status = r->buf[off + 1];
	out->nft_json = strndup((const char *)r->buf + off + HDR_LEN, len);
	if (!out->nft_json) {
		rulesrc_reply_free(out);
		return -1;
	}
	out->nft_len = strlen(out->nft_json);
	if (out->nft_len < len && out->nft_status == RULESRC_OK) {	/* then nft's listing */
		out->nft_text = strndup((const char *)r->buf + off + HDR_LEN + out->nft_len + 1,
					len - out->nft_len - 1);
		if (!out->nft_text) {
			rulesrc_reply_free(out);
			return -1;
		}
		out->nft_text_len = strlen(out->nft_text);
	}
	r->pending = 0;
	r->used = 0;
	return 1;
}

int rulesrc_poll(struct rulesrc *r, struct rulesrc_reply *out)
{
	if (r->fd < 0)
		return -1;
	if (!r->pending)
		return 0;
	for (;;) {
		ssize_t n;

		if (r->cap - r->used < 65536) {
			const size_t most = 2 * (RULESRC_MAX_TEXT + HDR_LEN) + RULESRC_MAX_NFT + HDR_LEN +
					    65536;
			size_t nc = r->cap ? r->cap * 2 : 262144;
			uint8_t *nb;

			if (nc > most)
				nc = most;
			if (nc <= r->cap)
				return -1;	/* more than a whole reply can be */
			nb = realloc(r->buf, nc);
			if (!nb)
				return -1;
			r->buf = nb;
			r->cap = nc;
		}
		n = read(r->fd, r->buf + r->used, r->cap - r->used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return -1;
		r->used += (size_t)n;
	}
	return parse_reply(r, out);
}

int rulesrc_wait(struct rulesrc *r, int timeout_ms, struct rulesrc_reply *out)
{
	struct timespec t0, t1;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pf = { r->fd, POLLIN, 0 };
		long el;

		rc = rulesrc_poll(r, out);
		if (rc != 0)
			return rc;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		el = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= timeout_ms)
			return 0;
		poll(&pf, 1, (int)(timeout_ms - el));
	}
}

void rulesrc_stop(struct rulesrc *r)
{
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	if (r->pid > 0) {
		int st;

		while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
			;
		r->pid = 0;
	}
	free(r->buf);
	r->buf = NULL;
	r->used = r->cap = 0;
	r->pending = 0;
}
