/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container without a mount namespace of its own (no "mount" in
 * linux.namespaces): its mounts are made in the runtime's mount namespace,
 * all of them on one mount the runtime makes first, a private bind of the
 * rootfs onto itself. Its id is recorded in the state directory, so that
 * delete, a failed create and run's exit detach that mount, and with it
 * everything mounted beneath it, and nothing else.
 */
#pragma once

#include "oci/config.h"
#include "util/error.h"
#include "util/fs-util.h"

/* Does the container use the runtime's mount namespace? */
bool host_rootfs_wanted(const struct oci_config *cfg);
/* Bind the rootfs onto itself (recursively, made private: nothing mounted
 * beneath it propagates anywhere) and record the new mount in the state
 * directory; *ret_id is that mount, for the init to check it mounts on it. */
int host_rootfs_bind(const char *rootfs, int state_dir_fd, struct fs_mount_id *ret_id, struct modrun_error **reterr);
/* Detach the recorded mount (MNT_DETACH: all that is beneath it goes too),
 * then forget it; 0 also when nothing is recorded or the mount is gone.
 * Unmounted through an fd checked to be it; found by its id wherever it
 * is mounted when not at the rootfs path (a renamed directory above it).
 * A mount on top of it (another container's on the same rootfs) is not
 * touched: EBUSY naming where, the record stays. */
int host_rootfs_release(int state_dir_fd, const char *rootfs, struct modrun_error **reterr);
