/* A test helper shared by the nftables unit tests: loads a JSON ruleset written with
 * single quotes (readable in C strings) as nft_load_json() reads it. Include after
 * cmocka.h and policy/nft.h. */
#ifndef SPOOFAUDIT_TEST_NFT_QUOTED_H
#define SPOOFAUDIT_TEST_NFT_QUOTED_H

static struct nft_ruleset *nft_load_quoted(const char *js)
{
	char *buf = strdup(js), *p;
	struct nft_error err;
	struct nft_ruleset *rs;

	assert_non_null(buf);
	for (p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	rs = nft_load_json(buf, strlen(buf), "t.json", &err);
	free(buf);
	if (!rs)
		fail_msg("load: %s", err.msg);
	return rs;
}

#endif
