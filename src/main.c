/* This file is the entry point: it dispatches a table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "store/store.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} subcommands[] = {
	{ "collect", cmd_collect, "Capture (pcap files, live interfaces), classify and store in SQLite" },
	{ "check", cmd_check, "Test iptables rulesets against recorded flows: holes, breakage, diff" },
	{ "report", cmd_report, "Report a day or period: spoofed traffic, completeness, loopback use" },
	{ "export", cmd_export, "Write the kept evidence packets as pcap or pcapng" },
	{ "prune", cmd_prune, "Delete data older than N days and reclaim the space" },
};

static void show_usage(FILE *f, const char *prog)
{
	size_t i;

	fprintf(f, "Usage: %s <subcommand> [options]\n"
		   "       %s --help | --version\n\n"
		   "spoofaudit records what arrives that cannot be real, what talks over loopback,\n"
		   "and checks iptables policy against the traffic a host really gets.\n\n"
		   "Subcommands:\n", prog, prog);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-9s %s\n", subcommands[i].name, subcommands[i].help);
	fprintf(f, "\n'%s <subcommand> --help' shows a subcommand's options.\n", prog);
}

int main(int argc, char **argv)
{
	const char *prog = "spoofaudit";
	size_t i;

	store_library_init();	/* one thread yet, no connection */
	if (argc < 2) {
		show_usage(stderr, prog);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		show_usage(stdout, prog);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("spoofaudit %s\n", SPOOFAUDIT_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown subcommand `%s'\n", prog, argv[1]);
	show_usage(stderr, prog);
	return 2;
}
