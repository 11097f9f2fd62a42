/* SPDX-License-Identifier: GPL-2.0 */
/* kstand.h stands in for the kernel's <linux/rhashtable-types.h>. */
#include "kstand.h"
