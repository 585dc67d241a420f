/* This file declares the privileged ruleset reader: a helper process forked before the
 * collector drops root that answers one request, "give me the live rulesets", by running
 * iptables-save and ip6tables-save (nft or legacy, whichever holds the rules) and sending
 * their output back over a socketpair. The pflogd privsep pattern: the helper reads one
 * request byte, takes no argument from the unprivileged side, runs fixed programs from
 * fixed directories, and exits when the collector closes its end. */
#ifndef SPOOFAUDIT_RULESRC_H
#define SPOOFAUDIT_RULESRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RULESRC_MAX_TEXT (16u << 20)	/* bytes of one family's ruleset text */
#define RULESRC_MAX_NFT (64u << 20)	/* bytes of the nftables ruleset's JSON and listing */

/* Status of one family's answer. */
enum rulesrc_status {
	RULESRC_OK = 0,
	RULESRC_FAILED,		/* the program could not run or exited non-zero */
};

struct rulesrc_reply {
	uint8_t status[2];	/* enum rulesrc_status, [0] IPv4, [1] IPv6 */
	uint8_t legacy[2];	/* 1: the text is iptables-legacy-save's */
	uint8_t both[2];	/* 1: nft and legacy tables both hold rules (nft text kept) */
	/* native nftables tables with rules that see this family's packets and that the
	 * iptables text does not hold ("inet filter (12 rules), ..."), malloc'd; NULL: none */
	char *native[2];
	char *text[2];		/* NUL-terminated (malloc'd), or an error message */
	size_t len[2];
	/* the whole nftables ruleset (native tables and iptables-nft's), as `nft -j list
	 * ruleset` prints it, NUL-terminated (malloc'd); with nft_status RULESRC_FAILED, why
	 * it could not be listed */
	uint8_t nft_status;
	char *nft_json;
	size_t nft_len;
	/* the same ruleset as `nft -s list ruleset' prints it (rule text, counters left out),
	 * NUL-terminated (malloc'd), or NULL */
	char *nft_text;
	size_t nft_text_len;
};

struct rulesrc {
	int fd;			/* the collector's end, non-blocking; -1 when closed */
	pid_t pid;
	int pending;		/* a request is outstanding */
	uint8_t *buf;		/* the reply being assembled */
	size_t used, cap;
};

/* 1 when this process can read the live rulesets, 0 when not: iptables-save and
 * ip6tables-save need CAP_NET_ADMIN (and the legacy ones CAP_NET_RAW), and the helper
 * passes no capability across exec, so the programs must run as root (euid 0, in this
 * process's user namespace). */
int rulesrc_can_read(void);
/* Forks the helper (call while still root). Returns 0, or -1 with a message in err. */
int rulesrc_start(struct rulesrc *r, char *err, size_t errlen);
/* Asks for the rulesets unless a request is outstanding. Returns 0, or -1 (helper gone). */
int rulesrc_request(struct rulesrc *r);
/* Reads what has arrived without blocking. Returns 1 with *out filled (free it with
 * rulesrc_reply_free) when a whole reply is in, 0 when not yet, -1 when the helper is
 * gone or sent something malformed. */
int rulesrc_poll(struct rulesrc *r, struct rulesrc_reply *out);
/* Waits up to timeout_ms for a whole reply (at start). Same returns as rulesrc_poll. */
int rulesrc_wait(struct rulesrc *r, int timeout_ms, struct rulesrc_reply *out);
void rulesrc_reply_free(struct rulesrc_reply *x);
/* Closes the socket and reaps the helper. NULL-safe, idempotent. */
void rulesrc_stop(struct rulesrc *r);

#endif
