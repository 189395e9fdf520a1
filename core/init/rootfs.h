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
#include "util/fs-util.h"

/* The container's own cgroup directory in each hierarchy mounted at the
 * runtime's /sys/fs/cgroup, opened O_PATH (mount-cgroup.c): a "cgroup"
 * mount binds these and nothing else. The init takes it once it is in its
 * cgroups and BEFORE it unshares a cgroup namespace, in which
 * /proc/self/cgroup would read "/" for every hierarchy. */
struct rootfs_cgroups;
/* *ret = NULL when config.json has no cgroup mount. copy_of_runtime: the
 * init's mount namespace is a new one, a copy of the runtime's it has not
 * changed yet, and its cgroup namespace still the runtime's, so the
 * runtime's mount table, read before the clone and inherited, describes
 * it (mountinfo_self_text) and is not read again. */
int rootfs_cgroups_open(const struct oci_config *cfg, bool copy_of_runtime, struct rootfs_cgroups **ret,
                        struct modrun_error **reterr);
struct rootfs_cgroups *rootfs_cgroups_free(struct rootfs_cgroups *c);
void rootfs_cgroups_freep(struct rootfs_cgroups **c);

struct rootfs_params {
        const struct oci_config *cfg;
        const char *rootfs; /* absolute, resolved */
        bool in_userns;     /* devices are bind-mounted instead of mknod */
        /* by config mount index, then the rootfs: a detached mount the runtime
         * made (id-mapped, or a bind source opened with its credentials), or
         * -1; may be NULL */
        const int *mount_fds;
        const struct rootfs_cgroups *cgroups; /* rootfs_cgroups_open(); NULL without a cgroup mount */
        /* no mount namespace: the bind of the rootfs onto itself the runtime
         * made in its mount namespace (container/host-rootfs.h); else NULL */
        const struct fs_mount_id *host_rootfs;
};

/* Before entering: make / private (or rootfsPropagation), bind the rootfs
 * onto itself (with host_rootfs: neither, the runtime's bind is checked to
 * be there and used), perform every config.json mount beneath it (safe path
 * resolution, all options, recursive attributes via mount_setattr,
 * propagation), set up /dev (default devices, linux.devices, /dev/pts,
 * /dev/shm, /dev/fd links). Returns an O_PATH|O_DIRECTORY fd of the rootfs
 * mount for the mount strategy's enter_rootfs(). */
int rootfs_prepare(const struct rootfs_params *p, int *ret_rootfs_fd, struct modrun_error **reterr);

/* No mount namespace: the root switch is chroot(2) into rootfs_fd
 * (pivot_root or a move of the rootfs would change the root of the
 * runtime's mount namespace, the host's). */
int rootfs_enter_chroot(const struct rootfs_params *p, int rootfs_fd, struct modrun_error **reterr);

/* After entering (cwd and root are the rootfs): maskedPaths, readonlyPaths,
 * root.readonly, rootfsPropagation of the new /. */
int rootfs_finalize(const struct rootfs_params *p, struct modrun_error **reterr);
