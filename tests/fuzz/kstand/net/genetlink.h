/* SPDX-License-Identifier: GPL-2.0 */
/* kstand.h stands in for the kernel's <net/genetlink.h>. */
#include "kstand.h"
