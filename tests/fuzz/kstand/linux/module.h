/* SPDX-License-Identifier: GPL-2.0 */
/* kstand.h stands in for the kernel's <linux/module.h>. */
#include "kstand.h"
