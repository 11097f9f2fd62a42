// SPDX-License-Identifier: GPL-2.0
/*
 * config.c: sfwctl config get/set, the net.sfw.* settings over netlink
 * under their sysctl names.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/sfw.h>

#include "sfwctl.h"
#include "json.h"


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
	json_t *all = data, *o;

	if (mnl_attr_get_type(attr) != SFW_A_CONFIG)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, setting_cb, &s) < 0)
		return MNL_CB_ERROR;
	if (!json) {
		printf("%s = %u\n", s.name, s.value);
		return MNL_CB_OK;
	}
	/* {"NAME":{"value","min","max","readonly"}, ...} */
	o = sfw_json_object();
	sfw_json_set(o, "value", json_integer(s.value));
	sfw_json_set(o, "min", json_integer(s.min));
	sfw_json_set(o, "max", json_integer(s.max));
	sfw_json_set(o, "readonly", json_boolean(s.readonly));
	sfw_json_set_name(all, s.name, o);
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

static int config_get(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	json_t *all;
	struct nlattr *nest;
	struct args a;
	char **rest;
	int n;

	rest = args_plain(&a, "config get", argc, argv, config_help, 1, &n);
	if (n && strlen(rest[0]) >= SFW_CONFIG_NAME_MAX)
		usage_error("config get: no setting '%s'", rest[0]);
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CONFIG_GET, NLM_F_ACK);
	if (n) {
		nest = mnl_attr_nest_start(nlh, SFW_A_CONFIG);
		mnl_attr_put_strz(nlh, SFW_CONFIG_A_NAME, rest[0]);
		mnl_attr_nest_end(nlh, nest);
	}
	free(a.av);
	all = json ? sfw_json_object() : NULL;
	if (request(nl, nlh, config_cb, all) < 0)
		kernel_error(nl, "config get");
	if (all)
		sfw_json_print(stdout, all);
	return 0;
}

static int config_set(struct nl *nl, int argc, char **argv)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned long v;
	struct args a;
	char **rest;
	int n;

	rest = args_plain(&a, "config set", argc, argv, config_help, 2, &n);
	if (n != 2)
		usage_error("config set: give NAME VALUE");
	if (strlen(rest[0]) >= SFW_CONFIG_NAME_MAX)
		usage_error("config set: no setting '%s'", rest[0]);
	v = arg_number("config set VALUE", rest[1], UINT32_MAX);
	nl_ready(nl);
	nlh = msg_start(nl, nl->family, SFW_CMD_CONFIG_SET, NLM_F_ACK);
	nest = mnl_attr_nest_start(nlh, SFW_A_CONFIG);
	mnl_attr_put_strz(nlh, SFW_CONFIG_A_NAME, rest[0]);
	mnl_attr_put_u32(nlh, SFW_CONFIG_A_VALUE, v);
	mnl_attr_nest_end(nlh, nest);
	free(a.av);
	if (request(nl, nlh, NULL, NULL) < 0)
		kernel_error(nl, "config set");
	return 0;
}

int cmd_config(struct nl *nl, int argc, char **argv)
{
	if (argc < 1)
		usage_error("config: get or set?");
	if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		config_help();
		return 0;
	}
	if (!strcmp(argv[0], "get"))
		return config_get(nl, argc - 1, argv + 1);
	if (!strcmp(argv[0], "set"))
		return config_set(nl, argc - 1, argv + 1);
	usage_error("config: unknown argument '%s'", argv[0]);
}
