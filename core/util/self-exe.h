/* SPDX-License-Identifier: Apache-2.0 */
/* Running from a sealed memfd copy of ourselves (CVE-2019-5736). */
#pragma once

#include <stdbool.h>

#include "error.h"

/* Is /proc/self/exe a memfd sealed against writes? */
bool self_exe_is_sealed(void);
/* Unless sealed already, copy /proc/self/exe into a sealed memfd and
 * fexecve() it with argv: returns only on failure. */
int self_exe_reexec_sealed(char **argv, struct modrun_error **reterr);
