/* SPDX-License-Identifier: GPL-2.0 */
/* kstand.h stands in for the kernel's <net/netfilter/nf_conntrack.h>. */
#include "kstand.h"
