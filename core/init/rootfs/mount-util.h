/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to core/init/rootfs: the context of rootfs_prepare() and the
 * helpers its topic files share. */
#pragma once

#include <stdbool.h>

#include "init/rootfs.h"
#include "mount-options.h"

struct mount_ctx {
        const struct oci_config *cfg;
        const char *rootfs; /* host path, for messages */
        int rootfs_fd;      /* O_PATH of the rootfs bind mount */
        bool in_userns;
        const int *mount_fds; /* rootfs_params.mount_fds */
};

/* "/proc/self/fd/N": what mount(2) gets instead of a path inside the rootfs
 * (the fd was resolved safely, so a symlink swap cannot redirect). */
#define PROC_FD_PATH_MAX 32
const char *proc_fd_path(int fd, char buf[static PROC_FD_PATH_MAX]);

/* "/dev/sub/loopx" -> "/dev/sub" and "loopx" (trailing slashes dropped);
 * -EINVAL for a relative path or a last component "", "." or "..". */
int mount_split_path(const char *path, char **ret_dir, char **ret_base);

/* O_PATH fd of dest beneath the rootfs, created (directory, or empty file
 * when !dir) when missing. */
int mount_open_target(const struct mount_ctx *ctx, const char *dest, bool dir, struct modrun_error **reterr);

/* Bind src_fd onto dst_fd (MS_BIND, MS_REC when recursive). */
int mount_bind_fd(const struct mount_ctx *ctx, int src_fd, const char *source, int dst_fd, const char *dest,
                  bool recursive, struct modrun_error **reterr);
/* Remount the bind mount at fd with MS_REMOUNT|MS_BIND|flags, keeping the
 * per-mount flags of the source that the options did not mention
 * ("cleared" = explicitly cleared ones): without that a locked nosuid/nodev/
 * noexec/ro/atime makes the remount fail with EPERM. */
int mount_bind_remount(const struct mount_ctx *ctx, int fd, const char *source, const char *dest,
                       unsigned long flags, unsigned long cleared, struct modrun_error **reterr);
/* MS_SHARED|MS_REC ... on the mount at fd. */
int mount_set_propagation(const struct mount_ctx *ctx, int fd, const char *dest, unsigned long prop,
                          struct modrun_error **reterr);

/* One config.json mount, in mount-config.c. */
int mount_config_entry(const struct mount_ctx *ctx, const struct oci_mount *m, struct modrun_error **reterr);
/* type cgroup/cgroup2, in mount-cgroup.c; tfd is the mount point. */
int mount_cgroup(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o, int tfd,
                 struct modrun_error **reterr);
/* tmpcopyup: copy the tree of src_dirfd (the directory under the new
 * tmpfs) into dst_dirfd, keeping modes and owners. */
int mount_copy_tree(int src_dirfd, int dst_dirfd, struct modrun_error **reterr);
