/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

/* Hand notify_fd and the process state to the listener at path. */
int seccomp_send_to_listener(const struct oci_config *cfg, const char *path, int notify_fd, pid_t pid,
                             const char *state_json, struct modrun_error **reterr);
