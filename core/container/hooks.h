/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks, run where and when the runtime-spec says:
 *   prestart, createRuntime   the runtime, after the init's mounts are
 *                             prepared, before it changes root
 *   createContainer           the init, right after those, before the root
 *                             switch (host paths still resolve)
 *   startContainer            the init, after `start`, before execve()
 *   poststart                 the runtime, after `start` released the init
 *   poststop                  the runtime, at `delete`
 */
#pragma once

#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

/* Bound of a hook without "timeout" (seconds): no wait is unbounded. */
#define HOOK_DEFAULT_TIMEOUT_S 30

/* Run every hook of kind in order, state_json on each one's stdin, in dir
 * (the bundle for those the runtime runs, as runc's create and run work
 * there; NULL: the caller's); stop at the first that fails (exit status
 * != 0, signal, timeout). */
int hooks_run(const struct oci_config *cfg, enum oci_hook_kind kind, const char *state_json, const char *dir,
              struct modrun_error **reterr);

/* Run hook i of kind (i < cfg->n_hooks[kind]); for poststop, whose
 * failures are warnings and do not stop the next ones. */
int hooks_run_nth(const struct oci_config *cfg, enum oci_hook_kind kind, size_t i, const char *state_json,
                  const char *dir, struct modrun_error **reterr);

/* The sum of the time bounds of kind's hooks, in milliseconds. */
int hooks_time_bound_ms(const struct oci_config *cfg, enum oci_hook_kind kind);

/* The state object a hook reads (ociVersion, id, status, pid, bundle,
 * annotations), as JSON text; malloc()ed, NULL on ENOMEM. */
char *hooks_state_json(const struct oci_config *cfg, const char *id, const char *status, pid_t pid,
                       const char *bundle);
