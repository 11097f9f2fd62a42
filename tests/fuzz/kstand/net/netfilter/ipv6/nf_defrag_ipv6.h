/* SPDX-License-Identifier: GPL-2.0 */
/* kstand.h stands in for the kernel's <net/netfilter/ipv6/nf_defrag_ipv6.h>. */
#include "kstand.h"
