/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's filesystem, set up by its init process inside its new
 * mount namespace: everything before and after the mount strategy plugin
 * makes the rootfs the root.
 */
#pragma once

#include <stdbool.h>

#include "oci/config.h"
#include "util/error.h"

struct rootfs_params {
        const struct oci_config *cfg;
        const char *rootfs; /* absolute, resolved */
        bool in_userns;     /* devices are bind-mounted instead of mknod */
        const int *mount_fds; /* by config mount index, then the rootfs: a detached id-mapped mount, or -1; may be NULL */
};

/* Before entering: make / private (or rootfsPropagation), bind the rootfs
 * onto itself, perform every config.json mount beneath it (safe path
 * resolution, all options, recursive attributes via mount_setattr,
 * propagation), set up /dev (default devices, linux.devices, /dev/pts,
 * /dev/shm, /dev/fd links). Returns an O_PATH|O_DIRECTORY fd of the rootfs
 * mount for the mount strategy's enter_rootfs(). */
int rootfs_prepare(const struct rootfs_params *p, int *ret_rootfs_fd, struct modrun_error **reterr);

/* After entering (cwd and root are the rootfs): maskedPaths, readonlyPaths,
 * root.readonly, rootfsPropagation of the new /. */
int rootfs_finalize(const struct rootfs_params *p, struct modrun_error **reterr);
