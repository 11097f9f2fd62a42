// SPDX-License-Identifier: GPL-2.0
/*
 * rules_names.c - the names the rule language shares with its printers:
 * ICMP and ICMPv6 types (nft's), protocols. The ct states are the
 * module's own table, sfw_ctinfo_names[] (src/names.c).
 */
#include "rules_parse.h"

/* nft's names (nft describe icmp_type), so that rules read the same. */
const struct sfw_rules_name sfw_rules_icmp_types[] = {
	{ "echo-reply", 0 },
	{ "destination-unreachable", 3 },
	{ "source-quench", 4 },
	{ "redirect", 5 },
	{ "echo-request", 8 },
	{ "router-advertisement", 9 },
	{ "router-solicitation", 10 },
	{ "time-exceeded", 11 },
	{ "parameter-problem", 12 },
	{ "timestamp-request", 13 },
	{ "timestamp-reply", 14 },
	{ "info-request", 15 },
	{ "info-reply", 16 },
	{ "address-mask-request", 17 },
	{ "address-mask-reply", 18 },
	{ NULL, 0 }
};

const struct sfw_rules_name sfw_rules_icmpv6_types[] = {
	{ "destination-unreachable", 1 },
	{ "packet-too-big", 2 },
	{ "time-exceeded", 3 },
	{ "parameter-problem", 4 },
	{ "echo-request", 128 },
	{ "echo-reply", 129 },
	{ "mld-listener-query", 130 },
	{ "mld-listener-report", 131 },
	{ "mld-listener-done", 132 },
	{ "nd-router-solicit", 133 },
	{ "nd-router-advert", 134 },
	{ "nd-neighbor-solicit", 135 },
	{ "nd-neighbor-advert", 136 },
	{ "nd-redirect", 137 },
	{ "router-renumbering", 138 },
	{ "ind-neighbor-solicit", 141 },
	{ "ind-neighbor-advert", 142 },
	{ "mld2-listener-report", 143 },
	{ NULL, 0 }
};

const struct sfw_rules_name sfw_rules_protos[] = {
	{ "icmp", SFW_IPPROTO_ICMP },
	{ "tcp", SFW_IPPROTO_TCP },
	{ "udp", SFW_IPPROTO_UDP },
	{ "icmpv6", SFW_IPPROTO_ICMPV6 },
	{ NULL, 0 }
};

const char *sfw_rules_name_of(const struct sfw_rules_name *tab, unsigned int val)
{
	for (; tab->name; tab++)
		if (tab->val == val)
			return tab->name;
	return NULL;
}
