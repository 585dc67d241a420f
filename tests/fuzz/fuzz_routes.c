/* This file is the libFuzzer harness of the route snapshot: the input's lines are --route
 * specifications (a line starting with '{' or '[' is written to a file and read as an
 * `ip -j route`/`ip -j rule` dump instead), then every lookup of a few addresses taken
 * from the input's last 64 bytes runs on eth0, eth1 and a name nothing uses, strict and
 * loose. The result must be one of enum rpf_result. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify/routes.h"
#include "classify/routes_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add_line(struct rtsnap *s, const char *line)
{
	char err[256], path[] = "/tmp/fuzz_routes_XXXXXX";
	FILE *f;
	int fd;

	if (line[0] != '[' && line[0] != '{') {
		(void)rtsnap_parse_spec(s, line, err, sizeof(err));
		return;
	}
	fd = mkstemp(path);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	if (f) {
		fputs(line, f);
		fclose(f);
		(void)rtsnap_load_json(s, path, err, sizeof(err));
	} else {
		close(fd);
	}
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const devs[] = { "eth0", "eth1", "nosuch" };
	struct rtsnap *s;
	char *text, *line, *save = NULL;
	size_t i, tail = size < 64 ? size : 64;

	if (size > 65536)
		return 0;
	s = rtsnap_new();
	text = malloc(size + 1);
	if (!s || !text)
		goto out;
	memcpy(text, data, size);
	text[size] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		add_line(s, line);
	if (rtsnap_finish(s) < 0)
		goto out;
	for (i = 0; i + 32 <= tail; i += 16) {
		const uint8_t *p = data + size - tail + i;

		for (size_t d = 0; d < 3; d++)
			for (int loose = 0; loose < 2; loose++)
				for (int fam = 4; fam <= 6; fam += 2)
					if ((unsigned)rtsnap_rpf(s, fam, p, p + 16, devs[d], loose) >
					    RPF_UNKNOWN)
						abort();
	}
out:
	free(text);
	rtsnap_free(s);
	return 0;
}
