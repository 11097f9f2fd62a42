/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sfw: the generic netlink API shared by the sfw module and sfwctl.
 *
 * Family "sfw" (SFW_GENL_NAME), version SFW_GENL_VERSION. Every command
 * acts on the caller's network namespace and needs CAP_NET_ADMIN in the
 * namespace's user namespace, dumps included: the table shows who talks
 * to whom. The multicast group "events" (SFW_GENL_MCGRP_EVENTS) needs the
 * same capability to join.
 *
 * Every request attribute is checked against a policy before a command
 * runs: an attribute the command does not take, a wrong length or a value
 * out of range is refused with EINVAL (or ERANGE) and an extended ACK
 * message that names it. A request either does all it says or nothing.
 * nlmsg_flags may carry NLM_F_REQUEST, NLM_F_ACK, NLM_F_ECHO and NLM_F_DUMP
 * (where a dump is listed); genlmsghdr.reserved must be 0.
 *
 * Byte order: addresses and ports are in network order (as on the wire);
 * every other integer is in host order.
 *
 * A connection is named by a tuple, its original direction as a packet
 * carries it, or its reply direction (a lookup finds either):
 *
 *	SFW_A_TUPLE: nest
 *		SFW_TUPLE_A_L3: u8, AF_INET (2) or AF_INET6 (10)
 *		SFW_TUPLE_A_L4: u8, IPPROTO_*
 *		SFW_TUPLE_A_SRC_V4 / SFW_TUPLE_A_DST_V4: 4 bytes (AF_INET)
 *		SFW_TUPLE_A_SRC_V6 / SFW_TUPLE_A_DST_V6: 16 bytes (AF_INET6)
 *		SFW_TUPLE_A_SPORT, SFW_TUPLE_A_DPORT: be16 (TCP, UDP)
 *		SFW_TUPLE_A_ICMP_TYPE, SFW_TUPLE_A_ICMP_CODE: u8,
 *		SFW_TUPLE_A_ICMP_ID: be16 (ICMP, ICMPv6)
 *
 * and described, in replies, dumps and events, by:
 *
 *	SFW_A_CT: nest
 *		SFW_CT_A_ORIG: nest, the original tuple (as above)
 *		SFW_CT_A_REPLY: nest, the reply tuple
 *		SFW_CT_A_STATUS: u32, SFW_CT_S_* bits
 *		SFW_CT_A_TIMEOUT: u32, seconds until it expires
 *		SFW_CT_A_TCP_STATE: u8, enum sfw_ct_tcp_state (TCP only)
 *		SFW_CT_A_PACKETS_ORIG, SFW_CT_A_BYTES_ORIG,
 *		SFW_CT_A_PACKETS_REPLY, SFW_CT_A_BYTES_REPLY: u64
 *
 * A filter selects connections by their original tuple; every attribute
 * given must match, none given matches all:
 *
 *	SFW_A_FILTER: nest
 *		SFW_FILTER_A_L3: u8, AF_INET or AF_INET6
 *		SFW_FILTER_A_L4: u8, IPPROTO_*
 *		SFW_FILTER_A_TCP_STATE: u8, enum sfw_ct_tcp_state (implies TCP)
 *		SFW_FILTER_A_SRC_V4 | SFW_FILTER_A_SRC_V6: address (implies L3)
 *		SFW_FILTER_A_SRC_PREFIX: u8, 0..32 or 0..128 (default: all bits)
 *		SFW_FILTER_A_DST_V4 | SFW_FILTER_A_DST_V6, SFW_FILTER_A_DST_PREFIX
 *		SFW_FILTER_A_SPORT, SFW_FILTER_A_DPORT: be16
 *		SFW_FILTER_A_PORT: be16, either port
 *
 * Commands:
 *
 * SFW_CMD_CT_GET
 *	do:   SFW_A_TUPLE (required). Reply: SFW_CMD_CT_GET with SFW_A_CT, or
 *	      ENOENT.
 *	dump: SFW_A_FILTER (optional). One SFW_CMD_CT_GET message with
 *	      SFW_A_CT per connection. A dump that spans several messages
 *	      shows each connection at most once, even while the table
 *	      changes: one that lives through the whole dump is shown
 *	      exactly once, one added or removed meanwhile may or may not be.
 *
 * SFW_CMD_CT_DEL
 *	do:   SFW_A_TUPLE (that connection; ENOENT if there is none) or
 *	      SFW_A_FILTER (every match; none is not an error), not both.
 *	      Reply: SFW_CMD_CT_DEL with SFW_A_COUNT (u32), how many were
 *	      deleted. Each deletion sends a DESTROY event.
 *
 * SFW_CMD_CT_FLUSH
 *	do:   no attributes. Deletes every connection of the namespace.
 *	      Reply: SFW_CMD_CT_FLUSH with SFW_A_COUNT.
 *
 * SFW_CMD_EXPECT_GET
 *	dump: SFW_A_FILTER (optional), matched against the expected
 *	      connection's tuple (its source port is 0, any;
 *	      SFW_FILTER_A_TCP_STATE is refused). One SFW_CMD_EXPECT_GET
 *	      message with SFW_A_EXPECT per expectation: a data connection a
 *	      helper saw announced on its master (`ct helper set ftp`), not
 *	      yet opened, as in conntrack -L expect and
 *	      /proc/net/sfw/expect:
 *		SFW_A_EXPECT: nest
 *			SFW_EXPECT_A_TUPLE: nest, the connection expected
 *			      (as SFW_A_TUPLE; SFW_TUPLE_A_SPORT 0: any)
 *			SFW_EXPECT_A_MASTER: nest, the master's original tuple
 *			SFW_EXPECT_A_NAT_TUPLE: nest, present when the
 *			      announcement was rewritten (NAT): the tuple the
 *			      data connection will arrive with, which is then
 *			      translated to SFW_EXPECT_A_TUPLE
 *			SFW_EXPECT_A_TIMEOUT: u32, seconds until it expires
 *			SFW_EXPECT_A_HELPER: string, the helper ("ftp")
 *	      An expectation that lives through the whole dump is shown
 *	      once (a dump resumes at a bucket's start, unless that bucket's
 *	      expectations alone fill a message), one added or removed
 *	      meanwhile may or may not be. do: none (EOPNOTSUPP).
 *
 * SFW_CMD_STATS_GET
 *	do:   no attributes. Reply: SFW_CMD_STATS_GET with
 *		SFW_A_STATS_TOTAL: nest, enum sfw_stats_attr (without CPU)
 *		SFW_A_STATS_CPU: nest, one per possible CPU, with
 *			SFW_STATS_A_CPU: u32, the CPU number
 *			and the counters, u64 each (SFW_STATS_A_RESERVE,
 *			SFW_STATS_A_OFFLOAD and SFW_STATS_A_FASTPATH came
 *			after SFW_STATS_A_PAD)
 *		SFW_A_INVALID: nest, one per reason
 *			SFW_INVALID_A_ID: u32, SFW_INVALID_A_NAME: string,
 *			SFW_INVALID_A_COUNT: u64 (summed over CPUs)
 *	      The values are those of /proc/net/sfw/stat and
 *	      /proc/net/sfw/invalid.
 *
 * SFW_CMD_CONFIG_GET
 *	do:   SFW_A_CONFIG (optional) with SFW_CONFIG_A_NAME: that setting
 *	      only (ENOENT if unknown); none: every setting. Reply:
 *	      SFW_CMD_CONFIG_GET with one SFW_A_CONFIG nest per setting:
 *		SFW_CONFIG_A_NAME: string, as under net.sfw.
 *		SFW_CONFIG_A_VALUE: u32
 *		SFW_CONFIG_A_RANGE_MIN, SFW_CONFIG_A_RANGE_MAX: u32, the range a set takes
 *		SFW_CONFIG_A_READONLY: flag, present if it cannot be set
 *
 * SFW_CMD_CONFIG_SET
 *	do:   one or more SFW_A_CONFIG nests, each with SFW_CONFIG_A_NAME and
 *	      SFW_CONFIG_A_VALUE. Every one is checked (ENOENT for an unknown
 *	      name, EPERM for a read-only one, ERANGE out of range) before
 *	      any is applied. The settings are the net.sfw.* sysctls
 *	      themselves: a set shows there and a sysctl write shows here.
 *
 * Events (multicast group "events"), SFW_CMD_CT_EVENT messages with
 *	SFW_A_EVENT_TYPE: u8, enum sfw_event_type
 *	SFW_A_EVENT_SEQ: u32, per namespace, one more than the namespace's
 *	                 previous event: a listener that sees a gap lost
 *	                 events (or got ENOBUFS) and should dump again
 *	SFW_A_CT: the connection as it is after the change
 *	SFW_A_EVENT_REASON: string, DESTROY only: why it went, one of
 *	    expired, deleted (sfwctl ct delete or flush), recheck, reopened (a
 *	    new SYN), early_drop (table full), refused (translated at
 *	    PRE_ROUTING, then dropped by the filter), backend_gone (a reload
 *	    dropped its DNAT backend), address_gone (its masquerade address
 *	    went), namespace (the namespace or module went)
 * NEW when a connection is confirmed (its first packet made it through),
 * UPDATE when its TCP state changes or it becomes assured, DESTROY when
 * it goes.
 * Events of a namespace are sent in SFW_A_EVENT_SEQ order.
 *
 * Rules. A namespace runs at most one rule set: three chains (input,
 * forward, output), each an ordered list of rules and a policy, and named
 * address sets the rules refer to. It is replaced whole, atomically: a
 * packet is judged by the old set or the new one, never a mix. Each rule
 * set has a generation number, one more than the namespace's previous.
 * With none loaded every packet is accepted.
 *
 * A chain is named by SFW_CHAIN_A_ID (enum sfw_chain_id) and described by:
 *
 *	SFW_A_CHAIN: nest
 *		SFW_CHAIN_A_ID: u8, enum sfw_chain_id
 *		SFW_CHAIN_A_POLICY: u8, SFW_RULE_ACT_ACCEPT or SFW_RULE_ACT_DROP
 *		SFW_CHAIN_A_RULES: u32, how many rules (replies only)
 *		SFW_CHAIN_A_PACKETS, SFW_CHAIN_A_BYTES: u64, what the policy
 *		                   judged (replies only)
 *
 * A rule (every match is optional; one not given matches anything):
 *
 *	SFW_A_RULE: nest
 *		SFW_RULE_A_CHAIN: u8, enum sfw_chain_id
 *		SFW_RULE_A_POS: u32, its place in the chain, from 1
 *		SFW_RULE_A_FAMILY: u8, AF_INET or AF_INET6 (none: both)
 *		SFW_RULE_A_L4: u8, IPPROTO_*
 *		SFW_RULE_A_IIF, SFW_RULE_A_OIF: string, interface name (< 16)
 *		SFW_RULE_A_SADDR, SFW_RULE_A_DADDR: nest, an address or prefix
 *			SFW_ADDR_A_V4: 4 bytes | SFW_ADDR_A_V6: 16 bytes
 *			SFW_ADDR_A_LEN: u8, prefix length (default: all bits)
 *		SFW_RULE_A_SADDR_SET, SFW_RULE_A_DADDR_SET: string, a set's
 *		                   name (< 32), instead of an address
 *		SFW_RULE_A_SPORTS, SFW_RULE_A_DPORTS: nest, any of (max 256)
 *			SFW_PORTS_A_RANGE: nest
 *				SFW_RANGE_A_LO: be16
 *				SFW_RANGE_A_HI: be16 (default: LO)
 *		                   (ports need L4 TCP or UDP)
 *		SFW_RULE_A_ICMP_TYPE: u8 (needs L4 ICMP or ICMPv6)
 *		SFW_RULE_A_CT_STATE: u8, SFW_CT_STATE_F_* bits, any of them
 *		SFW_RULE_A_CT_REASONS: u32, 1 << enum sfw_invalid_reason,
 *		                   any of them (SFW_INVALID_REASONS_ALL): an
 *		                   INVALID packet matches only if the tracker
 *		                   judged it so for one of these reasons
 *		                   (`ct state invalid reason X`; needs
 *		                   SFW_RULE_A_CT_STATE SFW_CT_STATE_F_INVALID
 *		                   alone)
 *		SFW_RULE_A_ACTION: u8, enum sfw_rule_action (required)
 *		SFW_RULE_A_LOG: flag, log matching packets (rate-limited)
 *		SFW_RULE_A_LOG_PREFIX: string (< 32), implies SFW_RULE_A_LOG
 *		SFW_RULE_A_CT_HELPER: u8, enum sfw_ct_helper (`ct helper set
 *		                   ftp`): the connection this rule accepts is
 *		                   watched by that helper for its life, and
 *		                   the data connections it announces are
 *		                   RELATED (needs L4 TCP, ACCEPT, and chain
 *		                   input, forward or output)
 *		SFW_RULE_A_CT_LOOSE: flag (`ct loose`): the connection whose
 *		                   window the packet missed stops checking
 *		                   windows from then on (tcp_be_liberal for
 *		                   it alone), and the packet goes through it
 *		                   as if in window (needs ACCEPT, chain input,
 *		                   forward or output, and SFW_RULE_A_CT_REASONS
 *		                   within SFW_INVALID_REASONS_WINDOW)
 *		SFW_RULE_A_CT_COUNT: nest (`ct count over N [by ip saddr/L]`):
 *		                   the rule matches when the source address
 *		                   (or its prefix) has N connections counted
 *		                   already; a new connection the rule lets
 *		                   through is counted until it ends (chains
 *		                   input, forward and output)
 *			SFW_CT_COUNT_A_OVER: u32, N (required, at most 2^24)
 *			SFW_CT_COUNT_A_FAMILY: u8, AF_INET or AF_INET6: count
 *			                   by prefix (none: by whole address)
 *			SFW_CT_COUNT_A_LEN: u8, that prefix's length (with _FAMILY)
 *		SFW_RULE_A_CT_RATE: nest (`ct rate over N/UNIT [burst M]
 *		                   [by ip saddr/L]`): on a new connection's
 *		                   first packet, the rule matches when its
 *		                   source (or prefix) opened more than N per
 *		                   UNIT, beyond a burst of M (a token bucket
 *		                   per source; chains input, forward, output)
 *			SFW_CT_RATE_A_OVER: u32, N (required, 1..10^6)
 *			SFW_CT_RATE_A_UNIT: u32, seconds: 1, 60 or 3600 (required)
 *			SFW_CT_RATE_A_BURST: u32, M (none: N)
 *			SFW_CT_RATE_A_FAMILY, SFW_CT_RATE_A_LEN: u8, by prefix,
 *			                   as SFW_CT_COUNT_A_*
 *		SFW_RULE_A_ADD_SET: string, a set's name (`add @NAME`): when
 *		                   the rule matches, the packet's source
 *		                   address goes into that set, soon after (a
 *		                   work item adds it; chains input, forward
 *		                   and output)
 *		SFW_RULE_A_FLOW_ADD: string, a flowtable's name (`flow add
 *		                   @NAME`): the rule accepts, and the
 *		                   connection of the packet, if it came in
 *		                   and goes out by devices of that
 *		                   flowtable, goes onto the fast path in the
 *		                   packet's direction (needs ACCEPT and chain
 *		                   forward; see SFW_A_FLOWTABLE)
 *		SFW_RULE_A_PACKETS, SFW_RULE_A_BYTES: u64 (replies only)
 *
 * A flowtable (`flowtable NAME { devices = { DEV, ... } }`): the devices
 * on whose ingress sfw's fast path runs. A packet of a connection a
 * `flow add` rule put there, arriving by one of them, is looked up by its
 * tuple, counted and timed by its connection's state machine, translated
 * (NAT), its TTL or hop limit decremented, and handed to the output
 * device's neighbour, skipping routing and the netfilter hooks. It goes
 * the slow way when the rule set changed since (the generation; the slow
 * way may put it back), for TCP FIN, RST and SYN, a packet bigger than
 * the output MTU, a TTL of 1, IP options or a fragment. A device is in
 * one flowtable at most; each must exist when the rule set is loaded
 * (ENODEV) and leaves the flowtable when it goes.
 *
 *	SFW_A_FLOWTABLE: nest
 *		SFW_FLOWTABLE_A_NAME: string (< 32)
 *		SFW_FLOWTABLE_A_DEVS: nest, 1..SFW_FLOWTABLE_DEVS_MAX of
 *			SFW_FLOWTABLE_A_DEV: string, interface name (< 16)
 *
 * An address set (its elements are addresses or prefixes of either family):
 *
 *	SFW_A_SET: nest
 *		SFW_SET_A_NAME: string (< 32)
 *		SFW_SET_A_ELEMS: nest, any number of
 *			SFW_ELEMS_A_ADDR: nest, an address or prefix (as above)
 *		SFW_SET_A_COUNT: u32, elements in the set (replies only)
 *		SFW_SET_A_TIMEOUT: u32, seconds an element `add @NAME` put
 *		                   there stays (at most a week; none: for
 *		                   ever); elements loaded or added by
 *		                   SFW_CMD_SET_ADD have none
 *
 * Errors in rules and sets name the rule: the extack message reads
 * "input rule 3: ports need tcp or udp" (or "set @name: ..."), and the
 * offending attribute is pointed at when it is in the request.
 *
 * A rule set is loaded as one transaction, which may span messages:
 *
 * SFW_CMD_RULESET_BEGIN
 *	do:   SFW_A_CHAIN (optional, any number: the chains' policies;
 *	      default accept). Opens the namespace's transaction, owned by
 *	      the sending socket. EBUSY if the namespace has one open (from
 *	      another socket or this one). It ends with COMMIT or ABORT, at
 *	      the first error of an ADD or COMMIT, or when its socket closes
 *	      or the namespace goes.
 *
 * SFW_CMD_RULESET_ADD
 *	do:   any number of SFW_A_CHAIN (policies), SFW_A_RULE (each appended
 *	      to its SFW_RULE_A_CHAIN; SFW_RULE_A_POS not allowed), SFW_A_SET
 *	      (with SFW_SET_A_NAME and SFW_SET_A_ELEMS; a name seen before in
 *	      the transaction appends to that set, so a large set spans
 *	      messages) and SFW_A_FLOWTABLE (each name once), in order.
 *	      ENOENT without an open transaction of this socket. Any error
 *	      ends the transaction (nothing changes) and the extack names
 *	      the rule, set or flowtable.
 *
 * SFW_CMD_RULESET_COMMIT
 *	do:   SFW_A_COMMIT_FLAGS (optional): u32, SFW_COMMIT_F_* bits.
 *	      Compiles what the transaction gathered (set references are
 *	      resolved here) and, unless SFW_COMMIT_F_CHECK, swaps it in as
 *	      one step. The transaction ends either way. With
 *	      SFW_COMMIT_F_RECHECK every existing connection is judged again
 *	      by the new rules as if its first packet came now, and those
 *	      they would not admit are deleted. Reply: SFW_CMD_RULESET_COMMIT
 *	      with SFW_A_GENERATION (the new set's; with CHECK the running
 *	      one's) and, with RECHECK, SFW_A_COUNT (connections deleted).
 *
 * SFW_CMD_RULESET_ABORT
 *	do:   no attributes. Drops this socket's transaction (ENOENT if none).
 *
 * SFW_CMD_RULESET_PREVIEW
 *	dump: no attributes. Ends this socket's transaction (ENOENT if none)
 *	      and compiles it as COMMIT would, then changes nothing: one
 *	      SFW_CMD_CT_GET message (as CT_GET's dump) for each connection
 *	      that the compiled set, committed with SFW_COMMIT_F_RECHECK,
 *	      would delete now (sfwctl ruleset load --recheck --dry-run).
 *
 * SFW_CMD_RULESET_GET
 *	dump: no attributes. The running rule set: one message per chain
 *	      (SFW_A_CHAIN, all three, in order), then one per rule
 *	      (SFW_A_RULE with every field, SFW_RULE_A_CHAIN, _POS and the
 *	      counters), then each set (SFW_A_SET with SFW_SET_A_NAME,
 *	      SFW_SET_A_COUNT and SFW_SET_A_ELEMS; a large set spans several
 *	      messages, each with a part of the elements in order), then
 *	      each flowtable (SFW_A_FLOWTABLE, one message each). Every
 *	      message carries SFW_A_GENERATION. Nothing when no rule set is
 *	      loaded. A dump during which the rules or a set changed is
 *	      flagged NLM_F_DUMP_INTR: dump again.
 *
 * SFW_CMD_RULESET_FLUSH
 *	do:   no attributes. Unloads the rule set: every packet is accepted.
 *
 * SFW_CMD_RULE_ADD, SFW_CMD_RULE_INSERT
 *	do:   SFW_A_RULE with SFW_RULE_A_CHAIN; SFW_A_GENERATION (optional).
 *	      ADD puts the rule after rule SFW_RULE_A_POS, or at the end of
 *	      the chain without it; INSERT puts it before rule
 *	      SFW_RULE_A_POS, or at the start. The running rule set is
 *	      rebuilt with the change and replaced atomically, as a load is
 *	      (counters start from zero). ENOENT if no rule set is loaded or
 *	      no such position; ESTALE if SFW_A_GENERATION is given and is
 *	      not the running generation. SFW_A_COMMIT_FLAGS (optional,
 *	      SFW_COMMIT_F_RECHECK only): then recheck, as COMMIT does.
 *	      Reply: SFW_CMD_RULE_ADD (or INSERT) with SFW_A_GENERATION, the
 *	      new one, and with RECHECK SFW_A_COUNT (connections deleted).
 *
 * SFW_CMD_RULE_DEL
 *	do:   SFW_A_RULE with SFW_RULE_A_CHAIN and SFW_RULE_A_POS (no other
 *	      field); SFW_A_GENERATION and SFW_A_COMMIT_FLAGS (optional).
 *	      Deletes that rule, as above. Reply: SFW_CMD_RULE_DEL with
 *	      SFW_A_GENERATION (and SFW_A_COUNT with RECHECK).
 *
 * SFW_CMD_SET_ADD, SFW_CMD_SET_DEL
 *	do:   SFW_A_SET with SFW_SET_A_NAME and SFW_SET_A_ELEMS. Adds the
 *	      elements to the running set of that name (present ones are
 *	      kept once), or removes them (absent ones are ignored). The
 *	      set's new version is swapped in whole: a packet sees the set
 *	      before or after. ENOENT if there is no such set.
 *	      SFW_A_COMMIT_FLAGS (optional, SFW_COMMIT_F_RECHECK only): then
 *	      recheck every connection against the rules with the changed
 *	      set; reply SFW_CMD_SET_ADD (or DEL) with SFW_A_GENERATION (the
 *	      running one) and SFW_A_COUNT (connections deleted). Without it,
 *	      no reply but the ack.
 *
 * SFW_CMD_SET_GET
 *	dump: SFW_A_SET with SFW_SET_A_NAME (optional; ENOENT if there is no
 *	      such set): that set, else every set, as RULESET_GET gives them.
 *
 * SFW_CMD_COUNTERS_RESET
 *	do:   no attributes. Zeroes the running rule set's counters.
 *
 * SFW_CMD_EXPLAIN
 *	do:   SFW_A_TUPLE (required, as CT_GET's: a packet's tuple) and
 *	      SFW_A_EXPLAIN (optional) with SFW_EXPLAIN_A_CT_STATE (the
 *	      tracker's verdict to assume; default NEW), SFW_EXPLAIN_A_REASON
 *	      (with INVALID: the reason to assume; default none),
 *	      SFW_EXPLAIN_A_IIF,
 *	      SFW_EXPLAIN_A_OIF (default: from the routes, as a recheck
 *	      finds them) and SFW_EXPLAIN_A_CHAIN (default: input if the
 *	      destination is this host's, output if the source is, else
 *	      forward). Judges that packet by the running rule set with the
 *	      classifier packets go through, and changes nothing: no counter,
 *	      no connection. ENOENT without a rule set. Reply: SFW_CMD_EXPLAIN
 *	      with SFW_A_GENERATION, SFW_A_EXPLAIN (what was assumed, then
 *	      SFW_EXPLAIN_A_VERDICT, SFW_EXPLAIN_A_RULE unless the policy
 *	      decided, and one SFW_EXPLAIN_A_STEP per rule the index let the
 *	      packet reach, in order, each with the first test it failed), and
 *	      SFW_A_CT when a tracked connection has that tuple (either
 *	      direction).
 * SFW_CMD_DROP_GET
 *	dump: no attributes. The drop log: the last net.sfw.drop_log_size
 *	      packets sfw dropped in the namespace, oldest first, one
 *	      SFW_CMD_DROP_GET message with SFW_A_DROP each:
 *		SFW_A_DROP: nest
 *			SFW_DROP_A_ID: u64, the drop's number in the namespace
 *			      (one more than the previous drop's; a gap is
 *			      drops the log no longer holds, or did not take)
 *			SFW_DROP_A_TIME: u64, wall clock, ns since the epoch
 *			SFW_DROP_A_HOOK: u8, NF_INET_LOCAL_IN, _FORWARD or
 *			      _LOCAL_OUT
 *			SFW_DROP_A_IIF, SFW_DROP_A_OIF: string, the devices
 *			      (absent where the hook has none)
 *			SFW_DROP_A_TUPLE: nest, the packet's tuple (as
 *			      SFW_A_TUPLE; absent if it could not be parsed)
 *			SFW_DROP_A_REASON: u8, enum sfw_drop_reason
 *			SFW_DROP_A_CHAIN: u8, enum sfw_chain_id, the chain
 *			      that judged it
 *			SFW_DROP_A_RULE_POS: u32, from 1 (REASON RULE only)
 *			SFW_DROP_A_GENERATION: u64, the rule set's generation
 *			      (RULE and POLICY): a rule's text is that of the
 *			      running set only while its generation is this
 *			SFW_DROP_A_CT_STATE: u8, one SFW_CT_STATE_F_* bit, the
 *			      tracker's verdict the rules saw
 *			SFW_DROP_A_INVALID: u32, why the packet was INVALID
 *			      (the ids and names of SFW_A_INVALID), present
 *			      when a reason is known
 *			SFW_DROP_A_CONN: flag, a tracked connection existed
 *			SFW_DROP_A_TCP_STATE: u8, enum sfw_ct_tcp_state, its
 *			      state (TCP connections only)
 *	      A drop recorded during the dump may or may not be shown; each
 *	      is shown at most once. A slot being overwritten at that moment
 *	      is skipped. Needs CAP_NET_ADMIN, as CT_GET does: the log shows
 *	      who talks to whom. do: none (EOPNOTSUPP).
 *
 * Saving and restoring the table (sfwctl ct save, ct restore):
 *	SFW_CMD_CT_GET's dump with SFW_A_CT_FULL (flag) adds to each
 *	SFW_A_CT what a restore needs:
 *		SFW_CT_A_AGE: u32, seconds since the connection began
 *		SFW_CT_A_TCP: nest (TCP only), enum sfw_ct_tcp_attr:
 *			SFW_CT_TCP_A_FLAGS: u8, SFW_CT_TCPF_*
 *			SFW_CT_TCP_A_RETRANS: u8
 *			SFW_CT_TCP_A_ORIG, SFW_CT_TCP_A_REPLY: nest, each
 *			      direction's window data, enum
 *			      sfw_ct_tcp_dir_attr (END, MAXEND, MAXWIN: u32;
 *			      WSCALE, FLAGS: u8, SFW_CT_TCPD_*)
 *		SFW_CT_A_MASQ_DEV: string, masqueraded: the output device
 *		SFW_CT_A_IN_DEV: string, DNATed: the device it came in by
 *		SFW_CT_A_LOCAL: flag, a connection of the gateway itself
 *	      A translated connection is told by its tuples: SFW_CT_A_ORIG
 *	      as its first packet arrived, SFW_CT_A_REPLY as a reply
 *	      arrives (nf_conntrack's convention). A helper's state (FTP)
 *	      is not saved.
 *
 * SFW_CMD_CT_RESTORE
 *	do:   SFW_A_CT with SFW_CT_A_ORIG, SFW_CT_A_REPLY, SFW_CT_A_TIMEOUT
 *	      (1 or more) and, for TCP, SFW_CT_A_TCP_STATE and SFW_CT_A_TCP;
 *	      optional: SFW_CT_A_STATUS, SFW_CT_A_AGE, the four counters,
 *	      SFW_CT_A_MASQ_DEV, SFW_CT_A_IN_DEV, SFW_CT_A_LOCAL. Creates the
 *	      connection as if its packets had been seen, without consulting
 *	      the rule set, and sends a NEW event. The entry is checked as a
 *	      packet would be: tuples that no packet could carry (a reply
 *	      that does not answer the original except by NAT, an ICMP type
 *	      that opens no connection, ports on a protocol without them), a
 *	      state that does not exist, window data out of range: EINVAL
 *	      with a message. Its timeout is capped at the namespace's
 *	      timeout for its state. EEXIST if a connection with either
 *	      tuple (or NAT binding) is tracked; ENODEV if a named device is
 *	      not in the namespace; ENOSPC if the table is full.
 *
 * Drop events (multicast group "drops", SFW_GENL_MCGRP_DROPS, the same
 *	capability to join): each drop the log records is also sent as an
 *	SFW_CMD_DROP_GET message with SFW_A_DROP, at most
 *	SFW_DROP_EVENTS_PER_SEC per second per namespace (the rest are in
 *	the log only: SFW_DROP_A_ID shows the gap). With drop_log_size 0
 *	neither the log nor the events record anything.
 */
#ifndef _UAPI_LINUX_SFW_H
#define _UAPI_LINUX_SFW_H

#define SFW_GENL_NAME		"sfw"
#define SFW_GENL_VERSION	1
#define SFW_GENL_MCGRP_EVENTS	"events"
#define SFW_GENL_MCGRP_DROPS	"drops"
#define SFW_DROP_EVENTS_PER_SEC	1000

/* The version sfwctl and the module report. */
#define SFW_VERSION_STRING	"0.1.0"

enum sfw_cmd {
	SFW_CMD_UNSPEC,
	SFW_CMD_CT_GET,
	SFW_CMD_CT_DEL,
	SFW_CMD_CT_FLUSH,
	SFW_CMD_STATS_GET,
	SFW_CMD_CONFIG_GET,
	SFW_CMD_CONFIG_SET,
	SFW_CMD_CT_EVENT,	/* kernel to user only */
	SFW_CMD_RULESET_BEGIN,
	SFW_CMD_RULESET_ADD,
	SFW_CMD_RULESET_COMMIT,
	SFW_CMD_RULESET_ABORT,
	SFW_CMD_RULESET_GET,
	SFW_CMD_RULESET_FLUSH,
	SFW_CMD_RULE_ADD,
	SFW_CMD_RULE_INSERT,
	SFW_CMD_RULE_DEL,
	SFW_CMD_SET_ADD,
	SFW_CMD_SET_DEL,
	SFW_CMD_SET_GET,
	SFW_CMD_COUNTERS_RESET,
	SFW_CMD_EXPECT_GET,
	SFW_CMD_RULESET_PREVIEW,
	SFW_CMD_EXPLAIN,
	SFW_CMD_DROP_GET,
	SFW_CMD_CT_RESTORE,
	__SFW_CMD_LAST
};
#define SFW_CMD_MAX (__SFW_CMD_LAST - 1)

enum sfw_attr {
	SFW_A_UNSPEC,
	SFW_A_TUPLE,		/* nest: enum sfw_tuple_attr */
	SFW_A_CT,		/* nest: enum sfw_ct_attr */
	SFW_A_FILTER,		/* nest: enum sfw_filter_attr */
	SFW_A_COUNT,		/* u32 */
	SFW_A_STATS_TOTAL,	/* nest: enum sfw_stats_attr */
	SFW_A_STATS_CPU,	/* nest: enum sfw_stats_attr */
	SFW_A_INVALID,		/* nest: enum sfw_invalid_attr */
	SFW_A_CONFIG,		/* nest: enum sfw_config_attr */
	SFW_A_EVENT_TYPE,	/* u8: enum sfw_event_type */
	SFW_A_EVENT_SEQ,	/* u32 */
	SFW_A_CHAIN,		/* nest: enum sfw_chain_attr */
	SFW_A_RULE,		/* nest: enum sfw_rule_attr */
	SFW_A_SET,		/* nest: enum sfw_set_attr */
	SFW_A_GENERATION,	/* u64 */
	SFW_A_COMMIT_FLAGS,	/* u32: SFW_COMMIT_F_* */
	SFW_A_PAD,
	SFW_A_EVENT_REASON,	/* string: why a connection went (DESTROY) */
	SFW_A_EXPECT,		/* nest: enum sfw_expect_attr */
	SFW_A_EXPLAIN,		/* nest: enum sfw_explain_attr */
	SFW_A_DROP,		/* nest: enum sfw_drop_attr */
	SFW_A_CT_FULL,		/* flag: a CT_GET dump for a save */
	SFW_A_FLOWTABLE,	/* nest: enum sfw_flowtable_attr */
	__SFW_A_LAST
};
#define SFW_A_MAX (__SFW_A_LAST - 1)

enum sfw_tuple_attr {
	SFW_TUPLE_A_UNSPEC,
	SFW_TUPLE_A_L3,		/* u8 */
	SFW_TUPLE_A_L4,		/* u8 */
	SFW_TUPLE_A_SRC_V4,	/* 4 bytes */
	SFW_TUPLE_A_DST_V4,	/* 4 bytes */
	SFW_TUPLE_A_SRC_V6,	/* 16 bytes */
	SFW_TUPLE_A_DST_V6,	/* 16 bytes */
	SFW_TUPLE_A_SPORT,	/* be16 */
	SFW_TUPLE_A_DPORT,	/* be16 */
	SFW_TUPLE_A_ICMP_TYPE,	/* u8 */
	SFW_TUPLE_A_ICMP_CODE,	/* u8 */
	SFW_TUPLE_A_ICMP_ID,	/* be16 */
	__SFW_TUPLE_A_LAST
};
#define SFW_TUPLE_A_MAX (__SFW_TUPLE_A_LAST - 1)

enum sfw_ct_attr {
	SFW_CT_A_UNSPEC,
	SFW_CT_A_ORIG,		/* nest: enum sfw_tuple_attr */
	SFW_CT_A_REPLY,		/* nest: enum sfw_tuple_attr */
	SFW_CT_A_STATUS,	/* u32: SFW_CT_S_* */
	SFW_CT_A_TIMEOUT,	/* u32: seconds */
	SFW_CT_A_TCP_STATE,	/* u8: enum sfw_ct_tcp_state */
	SFW_CT_A_PACKETS_ORIG,	/* u64 */
	SFW_CT_A_BYTES_ORIG,	/* u64 */
	SFW_CT_A_PACKETS_REPLY,	/* u64 */
	SFW_CT_A_BYTES_REPLY,	/* u64 */
	SFW_CT_A_PAD,
	/* With SFW_A_CT_FULL, and for SFW_CMD_CT_RESTORE: */
	SFW_CT_A_AGE,		/* u32: seconds since it began */
	SFW_CT_A_TCP,		/* nest: enum sfw_ct_tcp_attr */
	SFW_CT_A_MASQ_DEV,	/* string: the masquerading device */
	SFW_CT_A_IN_DEV,	/* string: the device a DNATed first packet came in by */
	SFW_CT_A_LOCAL,		/* flag: the gateway's own (input or output chain) */
	__SFW_CT_A_LAST
};
#define SFW_CT_A_MAX (__SFW_CT_A_LAST - 1)

/* SFW_CT_A_TCP: the tracker's TCP data, as nf_conntrack's CTA_PROTOINFO_TCP. */
enum sfw_ct_tcp_attr {
	SFW_CT_TCP_A_UNSPEC,
	SFW_CT_TCP_A_FLAGS,	/* u8: SFW_CT_TCPF_* */
	SFW_CT_TCP_A_RETRANS,	/* u8: retransmissions seen in a row, 0..31 */
	SFW_CT_TCP_A_ORIG,	/* nest: enum sfw_ct_tcp_dir_attr */
	SFW_CT_TCP_A_REPLY,	/* nest: enum sfw_ct_tcp_dir_attr */
	__SFW_CT_TCP_A_LAST
};
#define SFW_CT_TCP_A_MAX (__SFW_CT_TCP_A_LAST - 1)

/* SFW_CT_TCP_A_FLAGS */
#define SFW_CT_TCPF_PICKUP	(1U << 0)	/* picked up mid-stream */
#define SFW_CT_TCPF_SIMOPEN	(1U << 1)	/* simultaneous open seen */
#define SFW_CT_TCPF_LIBERAL	(1U << 2)	/* `ct loose`: no window checks */
#define SFW_CT_TCPF_ALL		(SFW_CT_TCPF_PICKUP | SFW_CT_TCPF_SIMOPEN | SFW_CT_TCPF_LIBERAL)

/* One direction's window tracking data (van Rooij). */
enum sfw_ct_tcp_dir_attr {
	SFW_CT_TCPD_A_UNSPEC,
	SFW_CT_TCPD_A_END,	/* u32: highest sequence number sent, + len */
	SFW_CT_TCPD_A_MAXEND,	/* u32: highest the peer allowed (ack + window) */
	SFW_CT_TCPD_A_MAXWIN,	/* u32: largest window seen, scaled */
	SFW_CT_TCPD_A_WSCALE,	/* u8: its window scale, 0..14 */
	SFW_CT_TCPD_A_FLAGS,	/* u8: SFW_CT_TCPD_* */
	__SFW_CT_TCPD_A_LAST
};
#define SFW_CT_TCPD_A_MAX (__SFW_CT_TCPD_A_LAST - 1)

/* SFW_CT_TCPD_A_FLAGS */
#define SFW_CT_TCPD_WSCALE	(1U << 0)	/* sent the window scale option */
#define SFW_CT_TCPD_SACK_PERM	(1U << 1)
#define SFW_CT_TCPD_CLOSE_INIT	(1U << 2)	/* sent the first FIN */
#define SFW_CT_TCPD_BE_LIBERAL	(1U << 3)	/* no window checks (picked up) */
#define SFW_CT_TCPD_DATA_UNACK	(1U << 4)	/* sent data not yet acked */
#define SFW_CT_TCPD_ALL		((1U << 5) - 1)

/* Longest device name in SFW_CT_A_MASQ_DEV and SFW_CT_A_IN_DEV, with its NUL (IFNAMSIZ). */
#define SFW_CT_DEV_LEN		16

enum sfw_expect_attr {
	SFW_EXPECT_A_UNSPEC,
	SFW_EXPECT_A_TUPLE,	/* nest: enum sfw_tuple_attr */
	SFW_EXPECT_A_MASTER,	/* nest: enum sfw_tuple_attr */
	SFW_EXPECT_A_NAT_TUPLE,	/* nest: enum sfw_tuple_attr */
	SFW_EXPECT_A_TIMEOUT,	/* u32: seconds */
	SFW_EXPECT_A_HELPER,	/* string */
	__SFW_EXPECT_A_LAST
};
#define SFW_EXPECT_A_MAX (__SFW_EXPECT_A_LAST - 1)

/* SFW_CT_A_STATUS */
#define SFW_CT_S_SEEN_REPLY	(1U << 1)	/* not [UNREPLIED] */
#define SFW_CT_S_ASSURED	(1U << 2)

/* nf_conntrack's TCP states, in its (ctnetlink's) numbering. */
enum sfw_ct_tcp_state {
	SFW_CT_TCP_NONE,
	SFW_CT_TCP_SYN_SENT,
	SFW_CT_TCP_SYN_RECV,
	SFW_CT_TCP_ESTABLISHED,
	SFW_CT_TCP_FIN_WAIT,
	SFW_CT_TCP_CLOSE_WAIT,
	SFW_CT_TCP_LAST_ACK,
	SFW_CT_TCP_TIME_WAIT,
	SFW_CT_TCP_CLOSE,
	SFW_CT_TCP_SYN_SENT2,
	__SFW_CT_TCP_LAST
};
#define SFW_CT_TCP_MAX (__SFW_CT_TCP_LAST - 1)

enum sfw_filter_attr {
	SFW_FILTER_A_UNSPEC,
	SFW_FILTER_A_L3,	/* u8 */
	SFW_FILTER_A_L4,	/* u8 */
	SFW_FILTER_A_TCP_STATE,	/* u8 */
	SFW_FILTER_A_SRC_V4,	/* 4 bytes */
	SFW_FILTER_A_SRC_V6,	/* 16 bytes */
	SFW_FILTER_A_SRC_PREFIX, /* u8 */
	SFW_FILTER_A_DST_V4,	/* 4 bytes */
	SFW_FILTER_A_DST_V6,	/* 16 bytes */
	SFW_FILTER_A_DST_PREFIX, /* u8 */
	SFW_FILTER_A_SPORT,	/* be16 */
	SFW_FILTER_A_DPORT,	/* be16 */
	SFW_FILTER_A_PORT,	/* be16 */
	__SFW_FILTER_A_LAST
};
#define SFW_FILTER_A_MAX (__SFW_FILTER_A_LAST - 1)

/*
 * The counters of /proc/net/sfw/stat, with the same names (nf_conntrack's
 * columns, then sfw's). All u64 but SFW_STATS_A_CPU and _ENTRIES (u32).
 */
enum sfw_stats_attr {
	SFW_STATS_A_UNSPEC,
	SFW_STATS_A_CPU,		/* u32 */
	SFW_STATS_A_ENTRIES,		/* u32: the namespace's count */
	SFW_STATS_A_CLASHRES,
	SFW_STATS_A_FOUND,
	SFW_STATS_A_NEW,
	SFW_STATS_A_INVALID,
	SFW_STATS_A_IGNORE,
	SFW_STATS_A_DELETE,
	SFW_STATS_A_CHAINLENGTH,
	SFW_STATS_A_INSERT,
	SFW_STATS_A_INSERT_FAILED,
	SFW_STATS_A_DROP,
	SFW_STATS_A_EARLY_DROP,
	SFW_STATS_A_ICMP_ERROR,
	SFW_STATS_A_EXPECT_NEW,
	SFW_STATS_A_EXPECT_CREATE,
	SFW_STATS_A_EXPECT_DELETE,
	SFW_STATS_A_SEARCH_RESTART,
	SFW_STATS_A_RELATED,
	SFW_STATS_A_PRE_ROUTING,
	SFW_STATS_A_LOCAL_IN,
	SFW_STATS_A_FORWARD,
	SFW_STATS_A_LOCAL_OUT,
	SFW_STATS_A_POST_ROUTING,
	SFW_STATS_A_REAPED,
	SFW_STATS_A_PAD,
	/*
	 * Added after PAD, so the numbers above stay: connections of the
	 * gateway itself made while forwarded ones filled their share,
	 * that fit only because of net.sfw.conntrack_reserve.
	 */
	SFW_STATS_A_RESERVE,
	/* The fast path: flows put on it, packets it forwarded. */
	SFW_STATS_A_OFFLOAD,
	SFW_STATS_A_FASTPATH,
	__SFW_STATS_A_LAST
};
#define SFW_STATS_A_MAX (__SFW_STATS_A_LAST - 1)

enum sfw_invalid_attr {
	SFW_INVALID_A_UNSPEC,
	SFW_INVALID_A_ID,	/* u32 */
	SFW_INVALID_A_NAME,	/* string */
	SFW_INVALID_A_COUNT,	/* u64 */
	SFW_INVALID_A_PAD,
	__SFW_INVALID_A_LAST
};
#define SFW_INVALID_A_MAX (__SFW_INVALID_A_LAST - 1)

#define SFW_CONFIG_NAME_MAX	64	/* with the NUL */

enum sfw_config_attr {
	SFW_CONFIG_A_UNSPEC,
	SFW_CONFIG_A_NAME,	/* string */
	SFW_CONFIG_A_VALUE,	/* u32 */
	SFW_CONFIG_A_RANGE_MIN,	/* u32 */
	SFW_CONFIG_A_RANGE_MAX,	/* u32 */
	SFW_CONFIG_A_READONLY,	/* flag */
	__SFW_CONFIG_A_LAST
};
#define SFW_CONFIG_A_MAX (__SFW_CONFIG_A_LAST - 1)

enum sfw_event_type {
	SFW_EVENT_NONE,
	SFW_EVENT_NEW,
	SFW_EVENT_UPDATE,
	SFW_EVENT_DESTROY,
	__SFW_EVENT_LAST
};
#define SFW_EVENT_MAX (__SFW_EVENT_LAST - 1)

/* SFW_A_COMMIT_FLAGS */
#define SFW_COMMIT_F_CHECK	(1U << 0)	/* compile and check only; change nothing */
#define SFW_COMMIT_F_RECHECK	(1U << 1)	/* then delete connections the new rules refuse */
#define SFW_COMMIT_F_ALL	(SFW_COMMIT_F_CHECK | SFW_COMMIT_F_RECHECK)

enum sfw_chain_id {
	SFW_CHAIN_ID_INPUT,	/* LOCAL_IN: to this host */
	SFW_CHAIN_ID_FORWARD,	/* FORWARD: through it */
	SFW_CHAIN_ID_OUTPUT,	/* LOCAL_OUT: from it */
	SFW_CHAIN_ID_PREROUTING,	/* PRE_ROUTING: a new flow's DNAT; policy accept */
	SFW_CHAIN_ID_POSTROUTING,	/* POST_ROUTING: a new flow's SNAT; policy accept */
	__SFW_CHAIN_ID_LAST
};
#define SFW_CHAIN_ID_MAX (__SFW_CHAIN_ID_LAST - 1)

enum sfw_rule_action {
	SFW_RULE_ACT_ACCEPT,
	SFW_RULE_ACT_DROP,
	SFW_RULE_ACT_REJECT,	/* TCP RST, else ICMP unreachable; rules only */
	SFW_RULE_ACT_SNAT,	/* postrouting: SFW_RULE_A_NAT, one target */
	SFW_RULE_ACT_DNAT,	/* prerouting: SFW_RULE_A_NAT, 1..SFW_NAT_TARGETS_MAX targets */
	SFW_RULE_ACT_MASQUERADE, /* postrouting: the output device's primary address */
	__SFW_RULE_ACT_LAST
};
#define SFW_RULE_ACT_MAX (__SFW_RULE_ACT_LAST - 1)

/* SFW_RULE_A_CT_HELPER: the helper an accepting rule gives its connection. */
enum sfw_ct_helper {
	SFW_CT_HELPER_NONE,
	SFW_CT_HELPER_FTP,	/* PORT, EPRT, 227, 229 on the control connection */
	__SFW_CT_HELPER_MAX
};
#define SFW_CT_HELPER_MAX (__SFW_CT_HELPER_MAX - 1)

/*
 * Why the tracker judged a packet INVALID: the rows of
 * /proc/net/sfw/invalid (names in that order), SFW_INVALID_A_ID, and the
 * bits of SFW_RULE_A_CT_REASONS (1 << reason). 0 is "not invalid".
 */
enum sfw_invalid_reason {
	SFW_INVALID_NONE = 0,
	SFW_INVALID_TRUNCATED_L3,	/* shorter than the L3 header or its length */
	SFW_INVALID_BAD_L3_HEADER,	/* version, ihl, tot_len, ext header chain */
	SFW_INVALID_TRUNCATED_L4,	/* shorter than the L4 header */
	SFW_INVALID_BAD_TCP_DOFF,	/* doff < 5 or beyond the segment */
	SFW_INVALID_BAD_UDP_LEN,	/* UDP length field < 8 or beyond the packet */
	SFW_INVALID_BAD_CHECKSUM,
	SFW_INVALID_BAD_TCP_FLAGS,	/* SYN+FIN, SYN+RST, no flags, FIN without ACK */
	SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW, /* seq below or above the receive window */
	SFW_INVALID_TCP_ACK_BEYOND_END,	/* acks data the peer never sent */
	SFW_INVALID_TCP_ACK_TOO_OLD,	/* ack more than MAXACKWINDOW behind */
	SFW_INVALID_TCP_RST_OUT_OF_WINDOW,
	SFW_INVALID_TCP_BAD_TRANSITION,	/* the state table says INVALID */
	SFW_INVALID_TCP_NOT_SYN,	/* may not create: not a SYN (and no pickup) */
	SFW_INVALID_ICMP_ERROR_NO_MATCH,
	SFW_INVALID_ICMP_ERROR_MALFORMED,
	SFW_INVALID_ICMP_UNTRACKED_TYPE,
	SFW_INVALID_FRAGMENT,		/* non-first fragment: no L4 header */
	SFW_INVALID_TABLE_FULL,
	SFW_INVALID_COUNT
};

/* SFW_RULE_A_CT_REASONS: every reason; those `ct loose` can answer (TCP windows). */
#define SFW_INVALID_REASONS_ALL		(((1U << SFW_INVALID_COUNT) - 1) & ~1U)
#define SFW_INVALID_REASONS_WINDOW	((1U << SFW_INVALID_TCP_SEQ_OUT_OF_WINDOW) | \
					 (1U << SFW_INVALID_TCP_ACK_BEYOND_END) | \
					 (1U << SFW_INVALID_TCP_ACK_TOO_OLD) | \
					 (1U << SFW_INVALID_TCP_RST_OUT_OF_WINDOW))

/* SFW_RULE_A_CT_STATE: the tracker's verdict on the packet. */
#define SFW_CT_STATE_F_NEW		(1U << 0)
#define SFW_CT_STATE_F_ESTABLISHED	(1U << 1)
#define SFW_CT_STATE_F_RELATED		(1U << 2)
#define SFW_CT_STATE_F_INVALID		(1U << 3)
#define SFW_CT_STATE_F_UNTRACKED	(1U << 4)	/* ICMPv6 ND, MLD */
#define SFW_CT_STATE_F_ALL		0x1f

#define SFW_RULE_IFNAME_MAX	16	/* with the NUL */
#define SFW_RULE_LOG_PREFIX_MAX	32	/* with the NUL */
#define SFW_SET_NAME_MAX	32	/* with the NUL */
#define SFW_RULE_PORTS_MAX	256	/* ranges per SFW_RULE_A_SPORTS/DPORTS */

enum sfw_chain_attr {
	SFW_CHAIN_A_UNSPEC,
	SFW_CHAIN_A_ID,		/* u8: enum sfw_chain_id */
	SFW_CHAIN_A_POLICY,	/* u8: SFW_RULE_ACT_ACCEPT or _DROP */
	SFW_CHAIN_A_RULES,	/* u32 */
	SFW_CHAIN_A_PACKETS,	/* u64 */
	SFW_CHAIN_A_BYTES,	/* u64 */
	SFW_CHAIN_A_PAD,
	__SFW_CHAIN_A_LAST
};
#define SFW_CHAIN_A_MAX (__SFW_CHAIN_A_LAST - 1)

enum sfw_rule_attr {
	SFW_RULE_A_UNSPEC,
	SFW_RULE_A_CHAIN,	/* u8: enum sfw_chain_id */
	SFW_RULE_A_POS,		/* u32, from 1 */
	SFW_RULE_A_FAMILY,	/* u8: AF_INET, AF_INET6 */
	SFW_RULE_A_L4,		/* u8: IPPROTO_* */
	SFW_RULE_A_IIF,		/* string */
	SFW_RULE_A_OIF,		/* string */
	SFW_RULE_A_SADDR,	/* nest: enum sfw_addr_attr */
	SFW_RULE_A_DADDR,	/* nest: enum sfw_addr_attr */
	SFW_RULE_A_SADDR_SET,	/* string */
	SFW_RULE_A_DADDR_SET,	/* string */
	SFW_RULE_A_SPORTS,	/* nest: enum sfw_ports_attr */
	SFW_RULE_A_DPORTS,	/* nest: enum sfw_ports_attr */
	SFW_RULE_A_ICMP_TYPE,	/* u8 */
	SFW_RULE_A_CT_STATE,	/* u8: SFW_CT_STATE_F_* */
	SFW_RULE_A_ACTION,	/* u8: enum sfw_rule_action */
	SFW_RULE_A_LOG,		/* flag */
	SFW_RULE_A_LOG_PREFIX,	/* string */
	SFW_RULE_A_PACKETS,	/* u64 */
	SFW_RULE_A_BYTES,	/* u64 */
	SFW_RULE_A_PAD,
	SFW_RULE_A_NAT,		/* nest: enum sfw_nat_attr; with SNAT, DNAT, MASQUERADE */
	SFW_RULE_A_CT_HELPER,	/* u8: enum sfw_ct_helper */
	SFW_RULE_A_CT_REASONS,	/* u32: 1 << enum sfw_invalid_reason */
	SFW_RULE_A_CT_LOOSE,	/* flag */
	SFW_RULE_A_CT_COUNT,	/* nest: enum sfw_ct_count_attr */
	SFW_RULE_A_ADD_SET,	/* string: a set's name */
	SFW_RULE_A_CT_RATE,	/* nest: enum sfw_ct_rate_attr */
	SFW_RULE_A_FLOW_ADD,	/* string: a flowtable's name */
	__SFW_RULE_A_LAST
};
#define SFW_RULE_A_MAX (__SFW_RULE_A_LAST - 1)

/* SFW_RULE_A_CT_COUNT */
enum sfw_ct_count_attr {
	SFW_CT_COUNT_A_UNSPEC,
	SFW_CT_COUNT_A_OVER,	/* u32 */
	SFW_CT_COUNT_A_FAMILY,	/* u8: AF_INET, AF_INET6 */
	SFW_CT_COUNT_A_LEN,	/* u8: prefix length */
	__SFW_CT_COUNT_A_LAST
};
#define SFW_CT_COUNT_A_MAX (__SFW_CT_COUNT_A_LAST - 1)
#define SFW_CT_COUNT_OVER_MAX	(1U << 24)

/* SFW_RULE_A_CT_RATE */
enum sfw_ct_rate_attr {
	SFW_CT_RATE_A_UNSPEC,
	SFW_CT_RATE_A_OVER,	/* u32: connections per unit */
	SFW_CT_RATE_A_UNIT,	/* u32: seconds, 1, 60 or 3600 */
	SFW_CT_RATE_A_BURST,	/* u32: 0 or none: OVER */
	SFW_CT_RATE_A_FAMILY,	/* u8: AF_INET, AF_INET6 */
	SFW_CT_RATE_A_LEN,	/* u8: prefix length */
	__SFW_CT_RATE_A_LAST
};
#define SFW_CT_RATE_A_MAX (__SFW_CT_RATE_A_LAST - 1)

enum sfw_addr_attr {
	SFW_ADDR_A_UNSPEC,
	SFW_ADDR_A_V4,		/* 4 bytes */
	SFW_ADDR_A_V6,		/* 16 bytes */
	SFW_ADDR_A_LEN,		/* u8: prefix length */
	__SFW_ADDR_A_LAST
};
#define SFW_ADDR_A_MAX (__SFW_ADDR_A_LAST - 1)

enum sfw_ports_attr {
	SFW_PORTS_A_UNSPEC,
	SFW_PORTS_A_RANGE,	/* nest: enum sfw_range_attr */
	__SFW_PORTS_A_LAST
};
#define SFW_PORTS_A_MAX (__SFW_PORTS_A_LAST - 1)

enum sfw_range_attr {
	SFW_RANGE_A_UNSPEC,
	SFW_RANGE_A_LO,		/* be16 */
	SFW_RANGE_A_HI,		/* be16 */
	__SFW_RANGE_A_LAST
};
#define SFW_RANGE_A_MAX (__SFW_RANGE_A_LAST - 1)

enum sfw_set_attr {
	SFW_SET_A_UNSPEC,
	SFW_SET_A_NAME,		/* string */
	SFW_SET_A_ELEMS,	/* nest: enum sfw_elems_attr */
	SFW_SET_A_COUNT,	/* u32 */
	SFW_SET_A_TIMEOUT,	/* u32: seconds */
	__SFW_SET_A_LAST
};
#define SFW_SET_A_MAX (__SFW_SET_A_LAST - 1)

#define SFW_FLOWTABLES_MAX	8	/* per rule set */
#define SFW_FLOWTABLE_DEVS_MAX	32	/* per flowtable */

enum sfw_flowtable_attr {
	SFW_FLOWTABLE_A_UNSPEC,
	SFW_FLOWTABLE_A_NAME,	/* string */
	SFW_FLOWTABLE_A_DEVS,	/* nest: SFW_FLOWTABLE_A_DEV, any number */
	SFW_FLOWTABLE_A_DEV,	/* string: an interface name */
	__SFW_FLOWTABLE_A_LAST
};
#define SFW_FLOWTABLE_A_MAX (__SFW_FLOWTABLE_A_LAST - 1)

enum sfw_elems_attr {
	SFW_ELEMS_A_UNSPEC,
	SFW_ELEMS_A_ADDR,	/* nest: enum sfw_addr_attr */
	__SFW_ELEMS_A_LAST
};
#define SFW_ELEMS_A_MAX (__SFW_ELEMS_A_LAST - 1)

/*
 * Address translation, in the prerouting and postrouting chains. It is
 * decided on a flow's first packet and kept in its connection.
 *
 *	SFW_RULE_A_NAT: nest
 *		SFW_NAT_A_TARGET: nest, enum sfw_target_attr; SNAT exactly one,
 *			DNAT 1..SFW_NAT_TARGETS_MAX (a backend each), MASQUERADE
 *			none or one (ports only)
 *		SFW_NAT_A_LB: u8, enum sfw_nat_lb (DNAT with several targets)
 *		SFW_NAT_A_STICKY: u32, seconds a client keeps its backend (lb)
 *
 *	SFW_TARGET_A_ADDR_LO, _HI: nest, enum sfw_addr_attr without _LEN; HI
 *		(SNAT only) makes a range, LO <= HI, same family
 *	SFW_TARGET_A_PORT_LO, _HI: be16; none: keep the port (SNAT: if free)
 */
#define SFW_NAT_TARGETS_MAX	256

enum sfw_nat_attr {
	SFW_NAT_A_UNSPEC,
	SFW_NAT_A_TARGET,	/* nest: enum sfw_target_attr */
	SFW_NAT_A_LB,		/* u8: enum sfw_nat_lb */
	SFW_NAT_A_STICKY,	/* u32: seconds */
	__SFW_NAT_A_LAST
};
#define SFW_NAT_A_MAX (__SFW_NAT_A_LAST - 1)

enum sfw_nat_lb {
	SFW_NAT_LB_NONE,	/* one target */
	SFW_NAT_LB_HASH,	/* client address and port, keyed per load */
	SFW_NAT_LB_RR,		/* round robin */
	__SFW_NAT_LB_LAST
};
#define SFW_NAT_LB_MAX (__SFW_NAT_LB_LAST - 1)

enum sfw_target_attr {
	SFW_TARGET_A_UNSPEC,
	SFW_TARGET_A_ADDR_LO,	/* nest: enum sfw_addr_attr */
	SFW_TARGET_A_ADDR_HI,	/* nest: enum sfw_addr_attr */
	SFW_TARGET_A_PORT_LO,	/* be16 */
	SFW_TARGET_A_PORT_HI,	/* be16 */
	__SFW_TARGET_A_LAST
};
#define SFW_TARGET_A_MAX (__SFW_TARGET_A_LAST - 1)

/* SFW_CMD_EXPLAIN. */
enum sfw_explain_attr {
	SFW_EXPLAIN_A_UNSPEC,
	SFW_EXPLAIN_A_CHAIN,	/* u8: enum sfw_chain_id */
	SFW_EXPLAIN_A_CT_STATE,	/* u8: the bit number of one SFW_CT_STATE_F_* */
	SFW_EXPLAIN_A_IIF,	/* string (< SFW_RULE_IFNAME_MAX) */
	SFW_EXPLAIN_A_OIF,	/* string */
	SFW_EXPLAIN_A_VERDICT,	/* u8: enum sfw_rule_action (reply) */
	SFW_EXPLAIN_A_RULE,	/* u32: the deciding rule, from 1 (reply; none: the policy) */
	SFW_EXPLAIN_A_STEP,	/* nest, repeated: enum sfw_explain_step_attr (reply) */
	SFW_EXPLAIN_A_TRUNCATED,	/* flag: more than SFW_EXPLAIN_STEPS_MAX rules reached */
	SFW_EXPLAIN_A_REASON,	/* u8: enum sfw_invalid_reason (with CT_STATE invalid) */
	__SFW_EXPLAIN_A_LAST
};
#define SFW_EXPLAIN_A_MAX (__SFW_EXPLAIN_A_LAST - 1)
#define SFW_EXPLAIN_STEPS_MAX	1024

enum sfw_explain_step_attr {
	SFW_EXPLAIN_STEP_A_UNSPEC,
	SFW_EXPLAIN_STEP_A_POS,		/* u32: the rule, from 1 */
	SFW_EXPLAIN_STEP_A_FAIL,	/* u8: enum sfw_explain_fail */
	__SFW_EXPLAIN_STEP_A_LAST
};
#define SFW_EXPLAIN_STEP_A_MAX (__SFW_EXPLAIN_STEP_A_LAST - 1)

/* The first test of a rule a packet failed, in the order they are tested. */
enum sfw_explain_fail {
	SFW_EXPLAIN_MATCHED,	/* none: the rule matched */
	SFW_EXPLAIN_CT_STATE,
	SFW_EXPLAIN_IIF,
	SFW_EXPLAIN_OIF,
	SFW_EXPLAIN_NO_TUPLE,	/* the rule needs addresses or ports; the packet has none */
	SFW_EXPLAIN_FAMILY,
	SFW_EXPLAIN_L4,
	SFW_EXPLAIN_SADDR,
	SFW_EXPLAIN_DADDR,
	SFW_EXPLAIN_SPORT,
	SFW_EXPLAIN_DPORT,
	SFW_EXPLAIN_ICMP_TYPE,
	SFW_EXPLAIN_SADDR_SET,
	SFW_EXPLAIN_DADDR_SET,
	SFW_EXPLAIN_CT_REASON,	/* tested right after CT_STATE: an INVALID packet's reason */
	SFW_EXPLAIN_CT_COUNT,	/* tested last: the source's count is not over N */
	SFW_EXPLAIN_CT_RATE,	/* after CT_COUNT: the source's new connections are within the rate */
	__SFW_EXPLAIN_FAIL_LAST
};
#define SFW_EXPLAIN_FAIL_MAX (__SFW_EXPLAIN_FAIL_LAST - 1)
/* The drop log (SFW_CMD_DROP_GET). */
enum sfw_drop_attr {
	SFW_DROP_A_UNSPEC,
	SFW_DROP_A_ID,		/* u64 */
	SFW_DROP_A_TIME,	/* u64: ns since the epoch */
	SFW_DROP_A_HOOK,	/* u8: NF_INET_* */
	SFW_DROP_A_IIF,		/* string */
	SFW_DROP_A_OIF,		/* string */
	SFW_DROP_A_TUPLE,	/* nest: enum sfw_tuple_attr */
	SFW_DROP_A_REASON,	/* u8: enum sfw_drop_reason */
	SFW_DROP_A_CHAIN,	/* u8: enum sfw_chain_id */
	SFW_DROP_A_RULE_POS,	/* u32, from 1 */
	SFW_DROP_A_GENERATION,	/* u64 */
	SFW_DROP_A_CT_STATE,	/* u8: one SFW_CT_STATE_F_* bit */
	SFW_DROP_A_INVALID,	/* u32: an INVALID reason's id */
	SFW_DROP_A_CONN,	/* flag */
	SFW_DROP_A_TCP_STATE,	/* u8: enum sfw_ct_tcp_state */
	SFW_DROP_A_PAD,
	__SFW_DROP_A_LAST
};
#define SFW_DROP_A_MAX (__SFW_DROP_A_LAST - 1)

/* SFW_DROP_A_REASON: what dropped the packet. */
enum sfw_drop_reason {
	SFW_DROP_R_UNSPEC,
	SFW_DROP_R_RULE,	/* a rule (drop or reject): chain, position, generation */
	SFW_DROP_R_POLICY,	/* the chain's policy: chain, generation */
	SFW_DROP_R_INVALID,	/* the tracker alone, for SFW_DROP_A_INVALID */
	SFW_DROP_R_TABLE_FULL,	/* a new connection found no room (conntrack_max) */
	SFW_DROP_R_SOURCE_LIMIT, /* a per-source limit's rule (ct count, ct rate): rule, generation */
	SFW_DROP_R_INSERT_FAILED, /* its entry could not be hashed (chain too long, a race) */
	SFW_DROP_R_NAT,		/* no source translation could be bound */
	SFW_DROP_R_HELPER,	/* a helper (ftp) refused the payload */
	__SFW_DROP_R_LAST
};
#define SFW_DROP_R_MAX (__SFW_DROP_R_LAST - 1)

/* net.sfw.drop_log_size: the default and the largest. */
#define SFW_DROP_LOG_DEFAULT	256
#define SFW_DROP_LOG_MAX	65536

#endif /* _UAPI_LINUX_SFW_H */
