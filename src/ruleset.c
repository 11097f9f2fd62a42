// SPDX-License-Identifier: GPL-2.0
/*
 * ruleset.c - building, compiling and matching rule sets; see ruleset.h.
 *
 * The builder checks each rule as it arrives, so an error names the rule;
 * compiling resolves set names, builds the sets and the per-chain index.
 * Nothing here locks or sleeps except the allocations of building and
 * compiling, which happen in process context. Matching reads the
 * immutable rule set and the sets' current versions (under RCU in the
 * kernel).
 */
#include "ruleset.h"

const char *const sfw_chain_names[SFW_CHAIN_COUNT] = {
	[SFW_CHAIN_INPUT] = "input",
	[SFW_CHAIN_FORWARD] = "forward",
	[SFW_CHAIN_OUTPUT] = "output",
	[SFW_CHAIN_PREROUTING] = "prerouting",
	[SFW_CHAIN_POSTROUTING] = "postrouting",
};

const char *const sfw_action_names[SFW_ACT_COUNT] = {
	[SFW_ACT_ACCEPT] = "accept",
	[SFW_ACT_DROP] = "drop",
	[SFW_ACT_REJECT] = "reject",
	[SFW_ACT_SNAT] = "snat",
	[SFW_ACT_DNAT] = "dnat",
	[SFW_ACT_MASQUERADE] = "masquerade",
};

/* One (proto, port) of the index: key 0 marks an empty slot. */
struct sfw_index_key {
	u32 key;		/* l4proto << 16 | port */
	u32 start, count;	/* into the chain's lists */
};

struct builder_rule {
	struct sfw_rule r;
	char set_name[3][SFW_SET_NAME_LEN];	/* source, destination, add @set */
	char flow_table[SFW_SET_NAME_LEN];	/* flow add @ft */
};

struct builder_set {
	char name[SFW_SET_NAME_LEN];
	u32 timeout;
	u32 n;
	struct sfw_prefix *elems;
};

struct sfw_ruleset_builder {
	u8 policy[SFW_CHAIN_COUNT];
	u32 n[SFW_CHAIN_COUNT], cap[SFW_CHAIN_COUNT];
	struct builder_rule *rules[SFW_CHAIN_COUNT];
	u32 nports, cap_ports;
	struct sfw_port_range *ports;
	u32 nnat, cap_nat;
	struct sfw_nat_range *nat;	/* the rules' NAT targets */
	u32 nsets;
	struct builder_set sets[SFW_SETS_MAX];
	u32 nflowtables;
	struct sfw_ruleset_flowtable flowtables[SFW_FLOWTABLES_MAX];
};

/* Grow @*arr of @size-byte items to hold @want; 0 or -ENOMEM. */
static int grow(void **arr, u32 *cap, u32 want, size_t size)
{
	u32 ncap = *cap ? *cap : 16;
	void *p;

	if (want <= *cap)
		return 0;
	while (ncap < want)
		ncap *= 2;
	p = sfw_zalloc_acct((size_t)ncap * size);
	if (!p)
		return -ENOMEM;
	if (*arr)
		memcpy(p, *arr, (size_t)*cap * size);
	sfw_free(*arr);
	*arr = p;
	*cap = ncap;
	return 0;
}

struct sfw_ruleset_builder *sfw_ruleset_builder_new(void)
{
	return sfw_zalloc_acct(sizeof(struct sfw_ruleset_builder));
}

void sfw_ruleset_builder_free(struct sfw_ruleset_builder *b)
{
	unsigned int i;

	if (!b)
		return;
	for (i = 0; i < SFW_CHAIN_COUNT; i++)
		sfw_free(b->rules[i]);
	for (i = 0; i < b->nsets; i++)
		sfw_free(b->sets[i].elems);
	sfw_free(b->ports);
	sfw_free(b->nat);
	sfw_free(b);
}

void sfw_ruleset_builder_policy(struct sfw_ruleset_builder *b, enum sfw_chain chain, u8 policy)
{
	b->policy[chain] = policy;
}

static bool str_ok(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static int check_ports(const struct sfw_port_range *p, u16 n, const char *what, char *err)
{
	u16 i;

	if (n > SFW_PORT_RANGES_MAX) {
		snprintf(err, SFW_ERR_LEN, "too many %s ranges (%u > %u)", what, n,
			 SFW_PORT_RANGES_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (p[i].lo > p[i].hi) {
			snprintf(err, SFW_ERR_LEN, "%s range %u-%u is backwards", what,
				 p[i].lo, p[i].hi);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_prefix(const struct sfw_prefix *p, u8 family, const char *what, char *err)
{
	struct sfw_prefix q = *p;

	if (!p->l3num && !p->len)
		return 0;
	if (sfw_prefix_normalize(&q)) {
		snprintf(err, SFW_ERR_LEN, "%s: bad prefix length /%u", what, p->len);
		return -EINVAL;
	}
	if (family && family != p->l3num) {
		snprintf(err, SFW_ERR_LEN, "%s is %s but the rule is %s", what,
			 p->l3num == SFW_AF_INET ? "IPv4" : "IPv6",
			 family == SFW_AF_INET ? "ip" : "ip6");
		return -EINVAL;
	}
	return 0;
}


static bool is_nat_chain(enum sfw_chain chain)
{
	return chain == SFW_CHAIN_PREROUTING || chain == SFW_CHAIN_POSTROUTING;
}

static bool is_nat_action(u8 action)
{
	return action == SFW_ACT_SNAT || action == SFW_ACT_DNAT || action == SFW_ACT_MASQUERADE;
}

/*
 * The NAT chains decide translation only: dnat in prerouting, snat and
 * masquerade in postrouting, accept (translate nothing, stop here) and
 * drop in both; reject has no place there. Prerouting runs before the
 * route, so the output device is not known yet.
 */
static int check_chain_action(enum sfw_chain chain, const struct sfw_rule *r, char *err)
{
	u8 a = r->action;

	if (is_nat_action(a)) {
		enum sfw_chain want = a == SFW_ACT_DNAT ? SFW_CHAIN_PREROUTING :
				      SFW_CHAIN_POSTROUTING;

		if (chain != want) {
			snprintf(err, SFW_ERR_LEN, "%s is only valid in chain %s",
				 sfw_action_names[a], sfw_chain_names[want]);
			return -EINVAL;
		}
	}
	if (!is_nat_chain(chain))
		return 0;
	if (a != SFW_ACT_ACCEPT && a != SFW_ACT_DROP && !is_nat_action(a)) {
		snprintf(err, SFW_ERR_LEN, "%s is not valid in chain %s (accept, drop, %s)",
			 sfw_action_names[a], sfw_chain_names[chain],
			 chain == SFW_CHAIN_PREROUTING ? "dnat" : "snat, masquerade");
		return -EINVAL;
	}
	if (chain == SFW_CHAIN_PREROUTING && r->oif[0]) {
		snprintf(err, SFW_ERR_LEN,
			 "prerouting cannot match oif (there is no route yet)");
		return -EINVAL;
	}
	return 0;
}

/*
 * `reason` narrows `ct state invalid`, and only it: with other states the
 * rule would say nothing of them. `ct loose` answers a window the packet
 * missed, so its reasons are those of the TCP window, and it accepts.
 */
static int check_ct_invalid(enum sfw_chain chain, const struct sfw_rule *r, char *err)
{
	if (r->reasons & ~SFW_INVALID_REASONS_ALL) {
		snprintf(err, SFW_ERR_LEN, "unknown invalid reason bits 0x%x",
			 r->reasons & ~SFW_INVALID_REASONS_ALL);
		return -EINVAL;
	}
	if (r->reasons && r->ctstate != 1U << SFW_CT_INVALID) {
		snprintf(err, SFW_ERR_LEN, "reason needs ct state invalid (and no other state)");
		return -EINVAL;
	}
	if (!(r->flags & SFW_RULE_F_CT_LOOSE))
		return 0;
	if (!r->reasons || (r->reasons & ~SFW_INVALID_REASONS_WINDOW) ||
	    r->action != SFW_ACT_ACCEPT || is_nat_chain(chain)) {
		snprintf(err, SFW_ERR_LEN,
			 "ct loose needs accept, chain input, forward or output, and TCP window reasons only");
		return -EINVAL;
	}
	return 0;
}

/*
 * `ct count over N [by ip saddr/L]` counts the connections a rule lets
 * through, so it belongs where connections are made: input, forward and
 * output; by a prefix of the rule's family.
 */
/* `by ip saddr/L` of a per-source limit: its family and length, against the rule's. */
static int check_by(const char *what, u8 fam, u8 len, u8 family, char *err)
{
	if (!fam)
		return 0;
	if ((fam != SFW_AF_INET && fam != SFW_AF_INET6) ||
	    len > (fam == SFW_AF_INET ? 32 : 128)) {
		snprintf(err, SFW_ERR_LEN, "%s by: bad prefix /%u", what, len);
		return -EINVAL;
	}
	if (family && family != fam) {
		snprintf(err, SFW_ERR_LEN, "%s by %s saddr in a rule for %s", what,
			 fam == SFW_AF_INET ? "ip" : "ip6", family == SFW_AF_INET ? "ip" : "ip6");
		return -EINVAL;
	}
	return 0;
}

/* `ct rate over N/unit [burst M]`: new connections, where they are made. */
static int check_ct_rate(enum sfw_chain chain, const struct sfw_rule *r, char *err)
{
	if (!(r->flags & SFW_RULE_F_CT_RATE))
		return 0;
	if (is_nat_chain(chain)) {
		snprintf(err, SFW_ERR_LEN, "ct rate is valid in chains input, forward and output");
		return -EINVAL;
	}
	if (!r->rate || r->rate > SFW_CT_RATE_MAX || r->rate_burst > SFW_CT_RATE_MAX ||
	    (r->rate_unit != 1 && r->rate_unit != 60 && r->rate_unit != 3600)) {
		snprintf(err, SFW_ERR_LEN,
			 "ct rate over 1..%u per second, minute or hour, burst up to %u",
			 SFW_CT_RATE_MAX, SFW_CT_RATE_MAX);
		return -EINVAL;
	}
	return check_by("ct rate", r->rate_l3num, r->rate_len, r->family, err);
}

static int check_ct_count(enum sfw_chain chain, const struct sfw_rule *r, char *err)
{
	int ret = check_ct_rate(chain, r, err);

	if (ret || !(r->flags & SFW_RULE_F_CT_COUNT))
		return ret;
	if (is_nat_chain(chain)) {
		snprintf(err, SFW_ERR_LEN, "ct count is valid in chains input, forward and output");
		return -EINVAL;
	}
	if (r->count_max > SFW_CT_COUNT_MAX) {
		snprintf(err, SFW_ERR_LEN, "ct count over %u: at most %u", r->count_max,
			 SFW_CT_COUNT_MAX);
		return -EINVAL;
	}
	return check_by("ct count", r->count_l3num, r->count_len, r->family, err);
}

int sfw_ruleset_builder_rule(struct sfw_ruleset_builder *b, enum sfw_chain chain,
			     const struct sfw_rule *r,
			     const struct sfw_port_range *sports,
			     const struct sfw_port_range *dports,
			     const char *saddr_set, const char *daddr_set, char *err)
{
	struct builder_rule *br;
	int ret;

	if (chain >= SFW_CHAIN_COUNT || b->n[chain] >= SFW_RULES_MAX) {
		snprintf(err, SFW_ERR_LEN, "too many rules in a chain (max %u)", SFW_RULES_MAX);
		return -E2BIG;
	}
	if (r->action >= SFW_ACT_COUNT) {
		snprintf(err, SFW_ERR_LEN, "unknown action %u", r->action);
		return -EINVAL;
	}
	ret = check_chain_action(chain, r, err);
	if (ret)
		return ret;
	if (r->family && r->family != SFW_AF_INET && r->family != SFW_AF_INET6) {
		snprintf(err, SFW_ERR_LEN, "unknown family %u", r->family);
		return -EINVAL;
	}
	if ((r->nsport || r->ndport) &&
	    r->l4proto != SFW_IPPROTO_TCP && r->l4proto != SFW_IPPROTO_UDP) {
		snprintf(err, SFW_ERR_LEN, "ports need tcp or udp");
		return -EINVAL;
	}
	if ((r->flags & SFW_RULE_F_ICMP_TYPE) &&
	    r->l4proto != SFW_IPPROTO_ICMP && r->l4proto != SFW_IPPROTO_ICMPV6) {
		snprintf(err, SFW_ERR_LEN, "an icmp type needs icmp or icmpv6");
		return -EINVAL;
	}
	if ((r->flags & SFW_RULE_F_HELPER_FTP) &&
	    (r->l4proto != SFW_IPPROTO_TCP || r->action != SFW_ACT_ACCEPT ||
	     chain == SFW_CHAIN_PREROUTING || chain == SFW_CHAIN_POSTROUTING)) {
		snprintf(err, SFW_ERR_LEN,
			 "ct helper set ftp needs tcp and accept, in input, forward or output");
		return -EINVAL;
	}
	if (r->ctstate >= (1U << SFW_CT_COUNT)) {
		snprintf(err, SFW_ERR_LEN, "unknown ct state bits 0x%x", r->ctstate);
		return -EINVAL;
	}
	ret = check_ct_invalid(chain, r, err);
	if (!ret)
		ret = check_ct_count(chain, r, err);
	if (ret)
		return ret;
	if (!str_ok(r->iif, sizeof(r->iif)) || !str_ok(r->oif, sizeof(r->oif)) ||
	    !str_ok(r->log_prefix, sizeof(r->log_prefix))) {
		snprintf(err, SFW_ERR_LEN, "interface name or log prefix too long");
		return -EINVAL;
	}
	if ((saddr_set && r->saddr.l3num) || (daddr_set && r->daddr.l3num)) {
		snprintf(err, SFW_ERR_LEN, "an address and a set for the same side");
		return -EINVAL;
	}
	if ((saddr_set && strlen(saddr_set) >= SFW_SET_NAME_LEN) ||
	    (daddr_set && strlen(daddr_set) >= SFW_SET_NAME_LEN)) {
		snprintf(err, SFW_ERR_LEN, "set name too long (max %u)", SFW_SET_NAME_LEN - 1);
		return -EINVAL;
	}
	ret = check_ports(sports, r->nsport, "sport", err);
	if (!ret)
		ret = check_ports(dports, r->ndport, "dport", err);
	if (!ret)
		ret = check_prefix(&r->saddr, r->family, "saddr", err);
	if (!ret)
		ret = check_prefix(&r->daddr, r->family, "daddr", err);
	if (!ret && r->saddr.l3num && r->daddr.l3num && r->saddr.l3num != r->daddr.l3num) {
		snprintf(err, SFW_ERR_LEN, "saddr and daddr of different families");
		ret = -EINVAL;
	}
	if (ret)
		return ret;

	ret = grow((void **)&b->rules[chain], &b->cap[chain], b->n[chain] + 1, sizeof(*br));
	if (!ret)
		ret = grow((void **)&b->ports, &b->cap_ports,
			   b->nports + r->nsport + r->ndport, sizeof(*b->ports));
	if (ret) {
		snprintf(err, SFW_ERR_LEN, "out of memory");
		return ret;
	}

	br = &b->rules[chain][b->n[chain]++];
	br->r = *r;
	sfw_prefix_normalize(&br->r.saddr);
	sfw_prefix_normalize(&br->r.daddr);
	if (!r->saddr.l3num)
		memset(&br->r.saddr, 0, sizeof(br->r.saddr));
	if (!r->daddr.l3num)
		memset(&br->r.daddr, 0, sizeof(br->r.daddr));
	br->r.sport_off = b->nports;
	if (r->nsport)
		memcpy(b->ports + b->nports, sports, r->nsport * sizeof(*sports));
	b->nports += r->nsport;
	br->r.dport_off = b->nports;
	if (r->ndport)
		memcpy(b->ports + b->nports, dports, r->ndport * sizeof(*dports));
	b->nports += r->ndport;
	br->r.saddr_set = -1;
	br->r.daddr_set = -1;
	br->r.add_set = -1;
	br->r.flow_table = -1;
	/* NAT targets come with sfw_ruleset_builder_nat(), never from @r. */
	br->r.nat_off = 0;
	br->r.nnat = 0;
	br->r.nat_lb = SFW_LB_NONE;
	br->r.nat_sticky = 0;
	br->r.count_slot = 0;
	if (!(r->flags & SFW_RULE_F_CT_COUNT)) {
		br->r.count_max = 0;
		br->r.count_l3num = 0;
	}
	if (!br->r.count_l3num)
		br->r.count_len = 0;
	if (!(r->flags & SFW_RULE_F_CT_RATE)) {
		br->r.rate = 0;
		br->r.rate_unit = 0;
		br->r.rate_burst = 0;
		br->r.rate_l3num = 0;
	}
	if (!br->r.rate_l3num)
		br->r.rate_len = 0;
	memset(br->set_name, 0, sizeof(br->set_name));
	if (saddr_set)
		strcpy(br->set_name[0], saddr_set);
	if (daddr_set)
		strcpy(br->set_name[1], daddr_set);
	return 0;
}

#define SFW_NAT_STICKY_MAX	86400	/* seconds: a day */

static const char *af_name(u8 l3num)
{
	return l3num == SFW_AF_INET ? "IPv4" : "IPv6";
}

/* One target: its family, address range and port range. */
static int check_target(const struct sfw_rule *r, const struct sfw_nat_range *t, u16 i,
			char *err)
{
	const char *act = sfw_action_names[r->action];
	size_t alen = t->l3num == SFW_AF_INET ? 4 : 16;

	if (t->l3num && t->l3num != SFW_AF_INET && t->l3num != SFW_AF_INET6) {
		snprintf(err, SFW_ERR_LEN, "%s target %u: unknown family %u", act, i + 1, t->l3num);
		return -EINVAL;
	}
	if (r->action == SFW_ACT_MASQUERADE && t->l3num) {
		snprintf(err, SFW_ERR_LEN, "masquerade takes ports only, not an address");
		return -EINVAL;
	}
	if (r->action != SFW_ACT_MASQUERADE && !t->l3num) {
		snprintf(err, SFW_ERR_LEN, "%s target %u needs an address", act, i + 1);
		return -EINVAL;
	}
	if (t->l3num && memcmp(&t->lo, &t->hi, alen) > 0) {
		snprintf(err, SFW_ERR_LEN, "%s target %u: address range is backwards", act, i + 1);
		return -EINVAL;
	}
	/*
	 * A range is a span of the address's last 32 bits (that is what the
	 * datapath picks from), and never all 2^32 of them.
	 */
	if (t->l3num == SFW_AF_INET6 && memcmp(&t->lo, &t->hi, 12)) {
		snprintf(err, SFW_ERR_LEN, "%s target %u: an IPv6 range may vary in its last 32 bits only",
			 act, i + 1);
		return -EINVAL;
	}
	if (t->l3num && !t->lo.ip6[alen / 4 - 1] && t->hi.ip6[alen / 4 - 1] == htonl(0xffffffff)) {
		snprintf(err, SFW_ERR_LEN, "%s target %u: address range too wide", act, i + 1);
		return -EINVAL;
	}
	if (r->action == SFW_ACT_DNAT && memcmp(&t->lo, &t->hi, alen)) {
		snprintf(err, SFW_ERR_LEN,
			 "dnat target %u: one address, not a range (list backends in { })", i + 1);
		return -EINVAL;
	}
	if (t->port_lo || t->port_hi) {
		if (!t->port_lo || t->port_lo > t->port_hi) {
			snprintf(err, SFW_ERR_LEN, "%s target %u: bad port range %u-%u", act, i + 1,
				 t->port_lo, t->port_hi);
			return -EINVAL;
		}
		/* Ports apply to a rule's TCP and UDP flows; it need not name one. */
		if (r->l4proto && r->l4proto != SFW_IPPROTO_TCP && r->l4proto != SFW_IPPROTO_UDP) {
			snprintf(err, SFW_ERR_LEN,
				 "%s to a port in a rule for a protocol without ports", act);
			return -EINVAL;
		}
	}
	return 0;
}

/* How many targets @r's action takes, and which load balancing. */
static int check_targets(const struct sfw_rule *r, u16 n, u8 lb, u32 sticky, char *err)
{
	switch (r->action) {
	case SFW_ACT_SNAT:
		if (n != 1) {
			snprintf(err, SFW_ERR_LEN, "snat needs exactly one target (an address or range)");
			return -EINVAL;
		}
		break;
	case SFW_ACT_DNAT:
		if (!n || n > SFW_NAT_TARGETS_MAX) {
			snprintf(err, SFW_ERR_LEN, "dnat needs 1 to %u targets (it has %u)",
				 SFW_NAT_TARGETS_MAX, n);
			return -EINVAL;
		}
		if (n > 1 && lb == SFW_LB_NONE) {
			snprintf(err, SFW_ERR_LEN, "dnat to %u targets needs lb hash or lb rr", n);
			return -EINVAL;
		}
		if (n == 1 && lb != SFW_LB_NONE) {
			snprintf(err, SFW_ERR_LEN, "lb needs more than one dnat target");
			return -EINVAL;
		}
		break;
	case SFW_ACT_MASQUERADE:
		if (n > 1) {
			snprintf(err, SFW_ERR_LEN, "masquerade takes at most one port range");
			return -EINVAL;
		}
		break;
	default:
		snprintf(err, SFW_ERR_LEN, "%s takes no NAT targets", sfw_action_names[r->action]);
		return -EINVAL;
	}
	if (lb >= SFW_LB_COUNT) {
		snprintf(err, SFW_ERR_LEN, "unknown lb mode %u", lb);
		return -EINVAL;
	}
	if (lb != SFW_LB_NONE && r->action != SFW_ACT_DNAT) {
		snprintf(err, SFW_ERR_LEN, "lb is for dnat only");
		return -EINVAL;
	}
	if (sticky > SFW_NAT_STICKY_MAX) {
		snprintf(err, SFW_ERR_LEN, "sticky timeout over %u seconds", SFW_NAT_STICKY_MAX);
		return -EINVAL;
	}
	if (sticky && lb == SFW_LB_NONE) {
		snprintf(err, SFW_ERR_LEN, "sticky needs lb hash or lb rr");
		return -EINVAL;
	}
	return 0;
}

int sfw_ruleset_builder_nat(struct sfw_ruleset_builder *b, enum sfw_chain chain,
			    const struct sfw_nat_range *t, u16 n, u8 lb, u32 sticky,
			    char *err)
{
	struct sfw_rule *r;
	u8 fam = 0;
	u16 i;
	int ret;

	if (chain >= SFW_CHAIN_COUNT || !b->n[chain]) {
		snprintf(err, SFW_ERR_LEN, "NAT targets without a rule");
		return -EINVAL;
	}
	r = &b->rules[chain][b->n[chain] - 1].r;
	if (r->nnat) {
		snprintf(err, SFW_ERR_LEN, "NAT targets given twice");
		return -EINVAL;
	}
	ret = check_targets(r, n, lb, sticky, err);
	for (i = 0; !ret && i < n; i++) {
		ret = check_target(r, &t[i], i, err);
		if (ret)
			break;
		if (fam && t[i].l3num != fam) {
			snprintf(err, SFW_ERR_LEN, "%s targets of both IPv4 and IPv6",
				 sfw_action_names[r->action]);
			ret = -EINVAL;
		}
		fam = t[i].l3num;
	}
	if (ret)
		return ret;
	/*
	 * The targets' family is the rule's: a rule that names none matches
	 * that family only (an IPv6 flow cannot take an IPv4 address).
	 */
	if (fam && ((r->family && r->family != fam) ||
		    (r->saddr.l3num && r->saddr.l3num != fam) ||
		    (r->daddr.l3num && r->daddr.l3num != fam))) {
		snprintf(err, SFW_ERR_LEN, "%s to an %s address in a rule for %s",
			 sfw_action_names[r->action], af_name(fam),
			 af_name(fam == SFW_AF_INET ? SFW_AF_INET6 : SFW_AF_INET));
		return -EINVAL;
	}
	if (grow((void **)&b->nat, &b->cap_nat, b->nnat + n, sizeof(*b->nat))) {
		snprintf(err, SFW_ERR_LEN, "out of memory");
		return -ENOMEM;
	}
	if (fam)
		r->family = fam;
	r->nat_off = b->nnat;
	r->nnat = n;
	r->nat_lb = lb;
	r->nat_sticky = sticky;
	for (i = 0; i < n; i++) {
		struct sfw_nat_range *d = &b->nat[b->nnat++];

		memset(d, 0, sizeof(*d));
		d->l3num = t[i].l3num;
		if (d->l3num == SFW_AF_INET) {
			d->lo.ip = t[i].lo.ip;
			d->hi.ip = t[i].hi.ip;
		} else if (d->l3num == SFW_AF_INET6) {
			d->lo = t[i].lo;
			d->hi = t[i].hi;
		}
		d->port_lo = t[i].port_lo;
		d->port_hi = t[i].port_hi;
	}
	return 0;
}

int sfw_ruleset_builder_set(struct sfw_ruleset_builder *b, const char *name,
			    const struct sfw_prefix *elems, u32 n, char *err)
{
	struct builder_set *s;
	u32 i;

	if (!name[0] || strlen(name) >= SFW_SET_NAME_LEN) {
		snprintf(err, SFW_ERR_LEN, "bad set name");
		return -EINVAL;
	}
	for (i = 0; i < b->nsets; i++) {
		if (!strcmp(b->sets[i].name, name)) {
			snprintf(err, SFW_ERR_LEN, "set @%s defined twice", name);
			return -EEXIST;
		}
	}
	if (b->nsets >= SFW_SETS_MAX) {
		snprintf(err, SFW_ERR_LEN, "too many sets (max %u)", SFW_SETS_MAX);
		return -E2BIG;
	}
	s = &b->sets[b->nsets];
	s->elems = sfw_zalloc_acct((n ? n : 1) * sizeof(*elems));
	if (!s->elems) {
		snprintf(err, SFW_ERR_LEN, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		s->elems[i] = elems[i];
		if (sfw_prefix_normalize(&s->elems[i])) {
			snprintf(err, SFW_ERR_LEN, "set @%s: element %u has a bad prefix", name, i + 1);
			sfw_free(s->elems);
			s->elems = NULL;
			return -EINVAL;
		}
	}
	strcpy(s->name, name);
	s->n = n;
	b->nsets++;
	return 0;
}

static int find_set(const struct sfw_ruleset_builder *b, const char *name)
{
	u32 i;

	for (i = 0; i < b->nsets; i++)
		if (!strcmp(b->sets[i].name, name))
			return i;
	return -1;
}

int sfw_ruleset_builder_set_timeout(struct sfw_ruleset_builder *b, const char *name,
				    u32 seconds, char *err)
{
	int i = find_set(b, name);

	if (i < 0) {
		snprintf(err, SFW_ERR_LEN, "timeout for no set @%s", name);
		return -ENOENT;
	}
	if (seconds > SFW_SET_TIMEOUT_MAX) {
		snprintf(err, SFW_ERR_LEN, "set @%s: timeout over %u seconds", name,
			 SFW_SET_TIMEOUT_MAX);
		return -EINVAL;
	}
	b->sets[i].timeout = seconds;
	return 0;
}

int sfw_ruleset_builder_add_set(struct sfw_ruleset_builder *b, enum sfw_chain chain,
				const char *name, char *err)
{
	struct builder_rule *br;

	if (chain >= SFW_CHAIN_COUNT || !b->n[chain]) {
		snprintf(err, SFW_ERR_LEN, "add @set without a rule");
		return -EINVAL;
	}
	br = &b->rules[chain][b->n[chain] - 1];
	if (br->set_name[2][0]) {
		snprintf(err, SFW_ERR_LEN, "add @set given twice");
		return -EINVAL;
	}
	if (!name[0] || strlen(name) >= SFW_SET_NAME_LEN) {
		snprintf(err, SFW_ERR_LEN, "bad set name");
		return -EINVAL;
	}
	/* Only where packets are judged for good (NAT chains translate). */
	if (is_nat_chain(chain)) {
		snprintf(err, SFW_ERR_LEN, "add @set is valid in chains input, forward and output");
		return -EINVAL;
	}
	strcpy(br->set_name[2], name);
	return 0;
}

bool sfw_ruleset_flowtable_has(const struct sfw_ruleset_flowtable *ft, const char *dev)
{
	u32 i;

	for (i = 0; i < ft->ndevs; i++)
		if (!strncmp(ft->devs[i], dev, SFW_IFNAMSIZ))
			return true;
	return false;
}

static int find_flowtable(const struct sfw_ruleset_flowtable *ft, u32 n, const char *name)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (!strcmp(ft[i].name, name))
			return i;
	return -1;
}

const struct sfw_ruleset_flowtable *sfw_ruleset_flowtable(const struct sfw_ruleset *rs,
							  const char *name)
{
	int i = find_flowtable(rs->flowtables, rs->nflowtables, name);

	return i < 0 ? NULL : &rs->flowtables[i];
}

int sfw_ruleset_flowtable_of(const struct sfw_ruleset *rs, const char *dev)
{
	u32 i;

	for (i = 0; i < rs->nflowtables; i++)
		if (sfw_ruleset_flowtable_has(&rs->flowtables[i], dev))
			return i;
	return -1;
}

int sfw_ruleset_builder_flowtable(struct sfw_ruleset_builder *b, const char *name,
				  const char *devs, u32 n, char *err)
{
	struct sfw_ruleset_flowtable *ft;
	u32 i, k;

	if (!name[0] || strlen(name) >= SFW_SET_NAME_LEN) {
		snprintf(err, SFW_ERR_LEN, "bad flowtable name");
		return -EINVAL;
	}
	if (find_flowtable(b->flowtables, b->nflowtables, name) >= 0) {
		snprintf(err, SFW_ERR_LEN, "flowtable %s defined twice", name);
		return -EEXIST;
	}
	if (b->nflowtables >= SFW_FLOWTABLES_MAX) {
		snprintf(err, SFW_ERR_LEN, "more than %u flowtables", SFW_FLOWTABLES_MAX);
		return -ENOSPC;
	}
	if (!n || n > SFW_FLOWTABLE_DEVS_MAX) {
		snprintf(err, SFW_ERR_LEN, "flowtable %s: 1 to %u devices, not %u", name,
			 SFW_FLOWTABLE_DEVS_MAX, n);
		return -EINVAL;
	}
	ft = &b->flowtables[b->nflowtables];
	memset(ft, 0, sizeof(*ft));
	for (i = 0; i < n; i++) {
		const char *dev = devs + (size_t)i * SFW_IFNAMSIZ;

		if (!dev[0] || strnlen(dev, SFW_IFNAMSIZ) >= SFW_IFNAMSIZ) {
			snprintf(err, SFW_ERR_LEN, "flowtable %s: bad device name", name);
			return -EINVAL;
		}
		for (k = 0; k < b->nflowtables; k++)
			if (sfw_ruleset_flowtable_has(&b->flowtables[k], dev)) {
				snprintf(err, SFW_ERR_LEN, "flowtable %s: device %s is in flowtable %s",
					 name, dev, b->flowtables[k].name);
				return -EBUSY;
			}
		if (sfw_ruleset_flowtable_has(ft, dev)) {
			snprintf(err, SFW_ERR_LEN, "flowtable %s: device %s given twice",
				 name, dev);
			return -EINVAL;
		}
		strcpy(ft->devs[ft->ndevs++], dev);
	}
	strcpy(ft->name, name);
	b->nflowtables++;
	return 0;
}

int sfw_ruleset_builder_flow_add(struct sfw_ruleset_builder *b, enum sfw_chain chain,
				 const char *name, char *err)
{
	struct builder_rule *br;

	if (chain >= SFW_CHAIN_COUNT || !b->n[chain]) {
		snprintf(err, SFW_ERR_LEN, "flow add without a rule");
		return -EINVAL;
	}
	br = &b->rules[chain][b->n[chain] - 1];
	if (br->flow_table[0]) {
		snprintf(err, SFW_ERR_LEN, "flow add given twice");
		return -EINVAL;
	}
	if (!name[0] || strlen(name) >= SFW_SET_NAME_LEN) {
		snprintf(err, SFW_ERR_LEN, "bad flowtable name");
		return -EINVAL;
	}
	/* Only forwarded packets have a way out the fast path can take. */
	if (chain != SFW_CHAIN_FORWARD) {
		snprintf(err, SFW_ERR_LEN, "flow add is valid in chain forward only");
		return -EINVAL;
	}
	if (br->r.action != SFW_ACT_ACCEPT) {
		snprintf(err, SFW_ERR_LEN, "flow add needs accept, not %s",
			 sfw_action_names[br->r.action]);
		return -EINVAL;
	}
	strcpy(br->flow_table, name);
	return 0;
}

static u32 key_hash(u32 key)
{
	key ^= key >> 16;
	key *= 0x7feb352d;
	key ^= key >> 15;
	key *= 0x846ca68b;
	return key ^ (key >> 16);
}

struct index_pair {
	u32 key, rule;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct index_pair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Ports a rule's dport match covers, or 0 if it cannot go in the index. */
static u32 index_ports(const struct sfw_ruleset *rs, const struct sfw_rule *r)
{
	u32 i, n = 0;

	if ((r->l4proto != SFW_IPPROTO_TCP && r->l4proto != SFW_IPPROTO_UDP) || !r->ndport)
		return 0;
	for (i = 0; i < r->ndport; i++) {
		const struct sfw_port_range *p = &rs->ports[r->dport_off + i];

		n += p->hi - p->lo + 1;
		if (n > SFW_INDEX_PORTS_MAX)
			return 0;
	}
	return n;
}

static int build_index(struct sfw_ruleset *rs, struct sfw_chain_rules *c)
{
	struct sfw_chain_index *x = &c->idx;
	struct index_pair *pairs = NULL;
	u32 npairs = 0, nany = 0, nkeys = 0, size = 16, i, j;

	for (i = 0; i < c->n; i++) {
		u32 n = index_ports(rs, &c->rules[i]);

		if (n)
			npairs += n;
		else
			nany++;
	}
	x->any = sfw_zalloc_acct((nany ? nany : 1) * sizeof(u32));
	pairs = sfw_zalloc_acct((npairs ? npairs : 1) * sizeof(*pairs));
	if (!x->any || !pairs)
		goto err;

	npairs = 0;
	for (i = 0; i < c->n; i++) {
		const struct sfw_rule *r = &c->rules[i];
		u32 k, p;

		if (!index_ports(rs, r)) {
			x->any[x->nany++] = i;
			continue;
		}
		for (k = 0; k < r->ndport; k++) {
			const struct sfw_port_range *pr = &rs->ports[r->dport_off + k];

			for (p = pr->lo; p <= pr->hi; p++) {
				pairs[npairs].key = (u32)r->l4proto << 16 | p;
				pairs[npairs++].rule = i;
			}
		}
	}
	sfw_sort(pairs, npairs, sizeof(*pairs), pair_cmp);

	for (i = 0; i < npairs; i++)
		if (!i || pairs[i].key != pairs[i - 1].key)
			nkeys++;
	while (size < 2 * nkeys)
		size <<= 1;
	x->mask = size - 1;
	x->keys = sfw_zalloc_acct(size * sizeof(*x->keys));
	x->lists = sfw_zalloc_acct((npairs ? npairs : 1) * sizeof(u32));
	if (!x->keys || !x->lists)
		goto err;

	for (i = 0, j = 0; i < npairs; i++) {
		struct sfw_index_key *k;
		u32 h;

		/* A port a rule names twice is listed once. */
		if (i && pairs[i].key == pairs[i - 1].key && pairs[i].rule == pairs[i - 1].rule)
			continue;
		x->lists[j] = pairs[i].rule;
		if (!i || pairs[i].key != pairs[i - 1].key) {
			h = key_hash(pairs[i].key) & x->mask;
			while (x->keys[h].key)
				h = (h + 1) & x->mask;
			k = &x->keys[h];
			k->key = pairs[i].key;
			k->start = j;
		} else {
			h = key_hash(pairs[i].key) & x->mask;
			while (x->keys[h].key != pairs[i].key)
				h = (h + 1) & x->mask;
			k = &x->keys[h];
		}
		k->count++;
		j++;
	}
	sfw_free(pairs);
	return 0;

err:
	sfw_free(pairs);
	return -ENOMEM;
}

struct sfw_ruleset *sfw_ruleset_compile(struct sfw_ruleset_builder *b, u64 seed, char *err)
{
	struct sfw_addrset *set;
	struct sfw_ruleset *rs;
	unsigned int c;
	u32 i;

	rs = sfw_zalloc_acct(sizeof(*rs));
	if (!rs)
		goto nomem;
	rs->nports = b->nports;
	rs->ports = sfw_zalloc_acct((b->nports ? b->nports : 1) * sizeof(*rs->ports));
	rs->nsets = b->nsets;
	rs->sets = sfw_zalloc_acct((b->nsets ? b->nsets : 1) * sizeof(*rs->sets));
	if (!rs->ports || !rs->sets)
		goto nomem;
	if (b->nports)
		memcpy(rs->ports, b->ports, b->nports * sizeof(*rs->ports));
	rs->nnat = b->nnat;
	rs->nat = sfw_zalloc_acct((b->nnat ? b->nnat : 1) * sizeof(*rs->nat));
	if (!rs->nat)
		goto nomem;
	if (b->nnat)
		memcpy(rs->nat, b->nat, b->nnat * sizeof(*rs->nat));
	rs->nflowtables = b->nflowtables;
	rs->flowtables = sfw_zalloc_acct((b->nflowtables ? b->nflowtables : 1) *
					 sizeof(*rs->flowtables));
	if (!rs->flowtables)
		goto nomem;
	if (b->nflowtables)
		memcpy(rs->flowtables, b->flowtables, b->nflowtables * sizeof(*rs->flowtables));

	for (i = 0; i < b->nsets; i++) {
		struct sfw_ruleset_set *s = &rs->sets[i];
		u32 k;

		strcpy(s->name, b->sets[i].name);
		s->timeout = b->sets[i].timeout;
		for (k = 0; k < b->sets[i].n; k++) {
			if (s->family && s->family != b->sets[i].elems[k].l3num)
				s->family = 0xff;	/* both families */
			else
				s->family = b->sets[i].elems[k].l3num;
		}
		set = sfw_addrset_build(b->sets[i].elems, b->sets[i].n, seed);
		if (!set)
			goto nomem;
		sfw_rcu_init_pointer(s->cur, set);
	}

	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		struct sfw_chain_rules *ch = &rs->chain[c];

		ch->policy = b->policy[c];
		if (is_nat_chain(c) && ch->policy != SFW_ACT_ACCEPT) {
			snprintf(err, SFW_ERR_LEN, "chain %s: the policy must be accept",
				 sfw_chain_names[c]);
			goto err;
		}
		ch->n = b->n[c];
		ch->rules = sfw_zalloc_acct((ch->n ? ch->n : 1) * sizeof(*ch->rules));
		if (!ch->rules)
			goto nomem;
		for (i = 0; i < ch->n; i++) {
			const struct builder_rule *br = &b->rules[c][i];
			struct sfw_rule *r = &ch->rules[i];
			int k;

			*r = br->r;
			/* A NAT rule whose targets never came (masquerade needs none). */
			if ((r->action == SFW_ACT_SNAT || r->action == SFW_ACT_DNAT) && !r->nnat) {
				snprintf(err, SFW_ERR_LEN, "%s rule %u: %s without a target",
					 sfw_chain_names[c], i + 1, sfw_action_names[r->action]);
				goto err;
			}
			for (k = 0; k < 3; k++) {
				int idx;

				if (!br->set_name[k][0])
					continue;
				idx = find_set(b, br->set_name[k]);
				if (idx < 0) {
					snprintf(err, SFW_ERR_LEN, "%s rule %u: no set @%s",
						 sfw_chain_names[c], i + 1, br->set_name[k]);
					goto err;
				}
				if (k == 2)
					r->add_set = idx;
				else if (k)
					r->daddr_set = idx;
				else
					r->saddr_set = idx;
			}
			if (br->flow_table[0]) {
				int idx = find_flowtable(b->flowtables, b->nflowtables,
							 br->flow_table);

				if (idx < 0) {
					snprintf(err, SFW_ERR_LEN, "%s rule %u: no flowtable @%s",
						 sfw_chain_names[c], i + 1, br->flow_table);
					goto err;
				}
				r->flow_table = idx;
			}
		}
		if (build_index(rs, ch))
			goto nomem;
	}
	return rs;

nomem:
	snprintf(err, SFW_ERR_LEN, "out of memory");
err:
	sfw_ruleset_free(rs);
	return NULL;
}

void sfw_ruleset_free(struct sfw_ruleset *rs)
{
	unsigned int c;
	u32 i;

	if (!rs)
		return;
	for (c = 0; c < SFW_CHAIN_COUNT; c++) {
		sfw_free(rs->chain[c].rules);
		sfw_free(rs->chain[c].idx.any);
		sfw_free(rs->chain[c].idx.keys);
		sfw_free(rs->chain[c].idx.lists);
	}
	for (i = 0; rs->sets && i < rs->nsets; i++) {
		sfw_addrset_free((struct sfw_addrset __force *)rs->sets[i].cur);
		sfw_free(rs->sets[i].dl);
	}
	sfw_free(rs->sets);
	sfw_free(rs->ports);
	sfw_free(rs->nat);
	sfw_free(rs->flowtables);
	sfw_free(rs);
}

static bool ports_match(const struct sfw_port_range *p, u16 n, u16 port)
{
	u16 i;

	for (i = 0; i < n; i++)
		if (port >= p[i].lo && port <= p[i].hi)
			return true;
	return false;
}

static bool is_icmp(u8 l4proto)
{
	return l4proto == SFW_IPPROTO_ICMP || l4proto == SFW_IPPROTO_ICMPV6;
}

enum sfw_explain_fail sfw_rule_mismatch(const struct sfw_ruleset *rs, const struct sfw_rule *r,
				       const struct sfw_match_pkt *m)
{
	const struct sfw_tuple *t = m->t;

	if (r->ctstate && !(r->ctstate & (1U << m->ctinfo)))
		return SFW_EXPLAIN_CT_STATE;
	if (r->reasons && !(r->reasons & (1U << (m->reason & 31))))
		return SFW_EXPLAIN_CT_REASON;
	if (r->iif[0] && (!m->iif || strncmp(r->iif, m->iif, SFW_IFNAMSIZ)))
		return SFW_EXPLAIN_IIF;
	if (r->oif[0] && (!m->oif || strncmp(r->oif, m->oif, SFW_IFNAMSIZ)))
		return SFW_EXPLAIN_OIF;
	if (!t)
		return !r->family && !r->l4proto && !r->saddr.l3num && !r->daddr.l3num &&
		       r->saddr_set < 0 && r->daddr_set < 0 &&
		       !(r->flags & (SFW_RULE_F_CT_COUNT | SFW_RULE_F_CT_RATE)) ?
		       SFW_EXPLAIN_MATCHED :
		       SFW_EXPLAIN_NO_TUPLE;
	if (r->family && t->l3num != r->family)
		return SFW_EXPLAIN_FAMILY;
	if (r->l4proto && t->l4proto != r->l4proto)
		return SFW_EXPLAIN_L4;
	if (r->saddr.l3num && !sfw_prefix_match(&r->saddr, t->l3num, &t->src))
		return SFW_EXPLAIN_SADDR;
	if (r->daddr.l3num && !sfw_prefix_match(&r->daddr, t->l3num, &t->dst))
		return SFW_EXPLAIN_DADDR;
	if (r->nsport && !ports_match(rs->ports + r->sport_off, r->nsport, ntohs(t->sport)))
		return SFW_EXPLAIN_SPORT;
	if (r->ndport && !ports_match(rs->ports + r->dport_off, r->ndport, ntohs(t->dport)))
		return SFW_EXPLAIN_DPORT;
	if ((r->flags & SFW_RULE_F_ICMP_TYPE) &&
	    (!is_icmp(t->l4proto) || ntohs(t->dport) >> 8 != r->icmp_type))
		return SFW_EXPLAIN_ICMP_TYPE;
	if (r->saddr_set >= 0) {
		const struct sfw_addrset *s = sfw_rcu_dereference(rs->sets[r->saddr_set].cur);

		if (!s || !sfw_addrset_lookup(s, t->l3num, &t->src))
			return SFW_EXPLAIN_SADDR_SET;
	}
	if (r->daddr_set >= 0) {
		const struct sfw_addrset *s = sfw_rcu_dereference(rs->sets[r->daddr_set].cur);

		if (!s || !sfw_addrset_lookup(s, t->l3num, &t->dst))
			return SFW_EXPLAIN_DADDR_SET;
	}
	/* Last: it may count the packet (srclimit.c). */
	if ((r->flags & SFW_RULE_F_CT_COUNT) &&
	    ((r->count_l3num && t->l3num != r->count_l3num) || !m->over ||
	     !m->over(m->over_arg, r, SFW_RULE_F_CT_COUNT)))
		return SFW_EXPLAIN_CT_COUNT;
	if ((r->flags & SFW_RULE_F_CT_RATE) &&
	    ((r->rate_l3num && t->l3num != r->rate_l3num) || !m->over ||
	     !m->over(m->over_arg, r, SFW_RULE_F_CT_RATE)))
		return SFW_EXPLAIN_CT_RATE;
	return SFW_EXPLAIN_MATCHED;
}

static const struct sfw_index_key *index_find(const struct sfw_chain_index *x, u32 key)
{
	u32 h = key_hash(key) & x->mask;

	while (x->keys[h].key) {
		if (x->keys[h].key == key)
			return &x->keys[h];
		h = (h + 1) & x->mask;
	}
	return NULL;
}

/*
 * The rules of @chain the index lets @m reach, in rule order, until one
 * matches: its number, or -1. With @step, each one reached is reported
 * with the first test it failed (sfw_ruleset_trace, for explain); the
 * packet path's sfw_ruleset_match() is the same walk without it.
 */
static inline s32 ruleset_walk(const struct sfw_ruleset *rs, enum sfw_chain chain,
			       const struct sfw_match_pkt *m,
			       void (*step)(void *arg, u32 rule, enum sfw_explain_fail fail),
			       void *arg)
{
	const struct sfw_chain_rules *c = &rs->chain[chain];
	const struct sfw_chain_index *x = &c->idx;
	const u32 *any = x->any, *list = NULL;
	u32 na = x->nany, nl = 0, i = 0, j = 0;

	if (m->t && (m->t->l4proto == SFW_IPPROTO_TCP || m->t->l4proto == SFW_IPPROTO_UDP)) {
		const struct sfw_index_key *k =
			index_find(x, (u32)m->t->l4proto << 16 | ntohs(m->t->dport));

		if (k) {
			list = x->lists + k->start;
			nl = k->count;
		}
	}
	/* The two lists merged in rule order: first match wins. */
	while (i < na || j < nl) {
		u32 r = (j >= nl || (i < na && any[i] < list[j])) ? any[i++] : list[j++];
		enum sfw_explain_fail fail = sfw_rule_mismatch(rs, &c->rules[r], m);

		if (step)
			step(arg, r, fail);
		if (fail == SFW_EXPLAIN_MATCHED)
			return r;
	}
	return -1;
}

s32 sfw_ruleset_match(const struct sfw_ruleset *rs, enum sfw_chain chain,
		      const struct sfw_match_pkt *m)
{
	return ruleset_walk(rs, chain, m, NULL, NULL);
}

s32 sfw_ruleset_trace(const struct sfw_ruleset *rs, enum sfw_chain chain,
		      const struct sfw_match_pkt *m,
		      void (*step)(void *arg, u32 rule, enum sfw_explain_fail fail), void *arg)
{
	return ruleset_walk(rs, chain, m, step, arg);
}
