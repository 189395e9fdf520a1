/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include "error.h"
/* "SIGKILL", "KILL", "kill", "9", "RTMIN+3", "SIGRTMAX-1" -> signal number. */
int signal_parse(const char *s, struct modrun_error **reterr);
/* SIGTERM, SIGINT, SIGHUP or SIGQUIT when one is pending (blocked, as
 * `run` and `exec` block them to forward them later), else 0: a bounded
 * wait gives up on it instead of ignoring the request to stop. */
int signal_stop_pending(void);
/* SIGCHLD back to its default when the caller left it ignored (an ignored
 * disposition survives execve): the kernel would reap the runtime's
 * children by itself, and `run`, `exec` or a hook would wait forever for
 * an exit status that never comes (runc's Go runtime gets it back too). */
void signal_child_default(void);
