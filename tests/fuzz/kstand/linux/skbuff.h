/* SPDX-License-Identifier: GPL-2.0 */
/* kstand.h stands in for the kernel's <linux/skbuff.h>. */
#include "kstand.h"
