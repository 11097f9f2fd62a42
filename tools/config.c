// SPDX-License-Identifier: GPL-2.0
/*
 * config.c: sfwctl config get/set, the net.sfw.* settings over netlink
 * under their sysctl names.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"


struct setting {
	const char *name;
	uint32_t value, min, max;
	bool readonly;
};

static int setting_cb(const struct nlattr *attr, void *data)
{
	struct setting *s = data;
	int type = mnl_attr_get_type(attr);

	switch (type) {
	case SFW_CONFIG_A_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		s->name = mnl_attr_get_str(attr);
		break;
	case SFW_CONFIG_A_VALUE:
	case SFW_CONFIG_A_RANGE_MIN:
	case SFW_CONFIG_A_RANGE_MAX:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		*(type == SFW_CONFIG_A_VALUE ? &s->value : type == SFW_CONFIG_A_RANGE_MIN ?
		  &s->min : &s->max) = mnl_attr_get_u32(attr);
		break;
	case SFW_CONFIG_A_READONLY:
		s->readonly = true;
		break;
	}
	return MNL_CB_OK;
}

static int config_attr_cb(const struct nlattr *attr, void *data)
{
	struct setting s = { "?", 0, 0, 0, false };
	int *n = data;

	if (mnl_attr_get_type(attr) != SFW_A_CONFIG)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, setting_cb, &s) < 0)
		return MNL_CB_ERROR;
	if (json)
		printf("%s\"%s\":{\"value\":%u,\"min\":%u,\"max\":%u,\"readonly\":%s}",
		       (*n)++ ? "," : "", s.name, s.value, s.min, s.max,
		       s.readonly ? "true" : "false");
	else
		printf("%s = %u\n", s.name, s.value);
	return MNL_CB_OK;
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), config_attr_cb, data);
}

static void config_help(void)
{
	puts("usage: sfwctl config get [NAME] [-j]\n"
	     "       sfwctl config set NAME VALUE\n"
	     "the net.sfw.* settings, by the same names (e.g. tcp_loose, udp_timeout)");
}

int cmd_config(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	const char *name = NULL;
	int i, n = 0;

	if (argc < 1)
		usage_error("config: get or set?");
	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		config_help();
		return 0;
	}
	if (!strcmp(argv[0], "get")) {
		for (i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "-j"))
				json = true;
			else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
				return config_help(), 0;
			else if (argv[i][0] == '-' || name)
				usage_error("config get: unknown argument '%s'", argv[i]);
			else
				name = argv[i];
		}
		nl_ready(nl);
		nlh = msg_start(nl, nl->family, SFW_CMD_CONFIG_GET, NLM_F_ACK);
		if (name) {
			if (strlen(name) >= SFW_CONFIG_NAME_MAX)
				usage_error("config get: no setting '%s'", name);
			nest = mnl_attr_nest_start(nlh, SFW_A_CONFIG);
			mnl_attr_put_strz(nlh, SFW_CONFIG_A_NAME, name);
			mnl_attr_nest_end(nlh, nest);
		}
		if (json)
			printf("{");
		if (request(nl, nlh, config_cb, &n) < 0)
			kernel_error(nl, "config get");
		if (json)
			printf("}\n");
		return 0;
	}
	if (!strcmp(argv[0], "set")) {
		char *end;
		unsigned long v;

		if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
			return config_help(), 0;
		if (argc != 3)
			usage_error("config set: give NAME VALUE");
		if (strlen(argv[1]) >= SFW_CONFIG_NAME_MAX)
			usage_error("config set: no setting '%s'", argv[1]);
		errno = 0;
		v = strtoul(argv[2], &end, 0);
		if (errno || *end || end == argv[2] || argv[2][0] == '-' || v > UINT32_MAX)
			usage_error("config set: '%s' is not a number", argv[2]);
		nl_ready(nl);
		nlh = msg_start(nl, nl->family, SFW_CMD_CONFIG_SET, NLM_F_ACK);
		nest = mnl_attr_nest_start(nlh, SFW_A_CONFIG);
		mnl_attr_put_strz(nlh, SFW_CONFIG_A_NAME, argv[1]);
		mnl_attr_put_u32(nlh, SFW_CONFIG_A_VALUE, v);
		mnl_attr_nest_end(nlh, nest);
		if (request(nl, nlh, NULL, NULL) < 0)
			kernel_error(nl, "config set");
		return 0;
	}
	usage_error("config: unknown argument '%s'", argv[0]);
	return 2;
}

