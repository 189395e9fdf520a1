/* SPDX-License-Identifier: Apache-2.0 */
/* Running from a sealed memfd copy of ourselves (CVE-2019-5736): every
 * command that starts a process in a container does, see self-exe.c. */
#pragma once

#include <stdbool.h>

#include "error.h"

/* Is /proc/self/exe a memfd sealed against writes? */
bool self_exe_is_sealed(void);
/* The command line to re-execute with (main's argv, kept as it is), and
 * the index of the command in it (the global options come before). */
void self_exe_set_argv(char **argv, int command_at);
/* A command line for another command with the same global options:
 * argv[0] and the global options, then the NULL-terminated cmd; NULL
 * without memory or a saved command line. Free it with free(). */
char **self_exe_argv_for(const char *const *cmd);
/* Unless sealed already, copy /proc/self/exe into a sealed memfd and
 * fexecve() it with the saved argv: returns only on failure. Call it before
 * any side effect: the command starts again from main(). */
int self_exe_reexec_sealed(struct modrun_error **reterr);
