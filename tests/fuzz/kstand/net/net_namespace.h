/* SPDX-License-Identifier: GPL-2.0 */
/* kstand.h stands in for the kernel's <net/net_namespace.h>. */
#include "kstand.h"
