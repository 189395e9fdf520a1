/* SPDX-License-Identifier: Apache-2.0 */
/* linux.intelRdt: the init in a resctrl CLOS group (and a monitoring
 * group), as runc. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

/* Is resctrl mounted? (before any process exists) */
int intelrdt_check(const struct oci_config *cfg, struct modrun_error **reterr);
/* Make or join the CLOS group, write the schemata, put pid in it (and in
 * its monitoring group); exec_join: only put pid in the existing groups. */
int intelrdt_enter(const struct oci_config *cfg, const char *id, pid_t pid, bool exec_join, int state_dir_fd,
                   struct modrun_error **reterr);
/* delete: the monitoring group, and the CLOS group when modrun made it. */
void intelrdt_remove(const struct oci_config *cfg, const char *id, int state_dir_fd);
