/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

/* The annotation that mounts the rootfs id-mapped through the container's
 * user namespace (its index in the init's mount fds is n_mounts). */
#define IDMAP_ROOTFS_ANNOTATION "org.modrun.rootfs-idmap"

/* Would mount_fds_send() send anything? (no: the init needs nothing of
 * the runtime's after its clone for its mounts) */
bool mount_fds_wanted(const struct oci_config *cfg);
/* Clone every id-mapped bind mount of cfg (option idmap/ridmap, or mount
 * uidMappings/gidMappings), every other bind source when the container has
 * a user namespace, and the rootfs when the annotation asks, and send each
 * to the init over sock (SYNC_MOUNTFD). */
int mount_fds_send(const struct oci_config *cfg, const char *rootfs, pid_t init, int sock,
                   struct modrun_error **reterr);
