/* SPDX-License-Identifier: GPL-2.0 */
/* kstand.h stands in for the kernel's <net/netfilter/ipv4/nf_defrag_ipv4.h>. */
#include "kstand.h"
