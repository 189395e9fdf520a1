/* SPDX-License-Identifier: Apache-2.0 */
/* linux.netDevices: host interfaces moved into the container's network
 * namespace and back (rtnetlink). */
#pragma once

#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

/* Interfaces need a new network namespace of the container's own. */
int netdev_check(const struct oci_config *cfg, struct modrun_error **reterr);
/* Move each into the namespace of pid (renamed), pinning that namespace on
 * <state dir>/netns; on failure the ones moved are moved back. */
int netdev_move_in(const struct oci_config *cfg, pid_t pid, int state_dir_fd, struct modrun_error **reterr);
/* delete: move each back under its host name and unpin the namespace; a
 * device that cannot move is named in a warning and the rest go on. */
int netdev_move_out(const struct oci_config *cfg, int state_dir_fd, struct modrun_error **reterr);
