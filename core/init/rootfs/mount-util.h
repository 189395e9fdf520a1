/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to core/init/rootfs: the context of rootfs_prepare() and the
 * helpers its topic files share. */
#pragma once

#include <stdbool.h>
#include <string.h>

#include "init/rootfs.h"
#include "mount-options.h"

/* Read-only tmpfs mounts are made writable and remounted read-only only
 * after every later mount and /dev's nodes (runc issues 2246, 3248): a
 * mount point below one, a /dev/null, a tmpcopyup copy need to be created
 * in it. (A read-only bind is read-only at once: what would be created in
 * it would land in the host's source directory.) */
struct mount_ro_later {
        int fd; /* O_PATH of the mount, so a later mount on the same path cannot hide it */
        const struct oci_mount *m;
        unsigned long flags, cleared;
};

struct mount_ctx {
        const struct oci_config *cfg;
        const char *rootfs; /* host path, for messages */
        int rootfs_fd;      /* O_PATH of the rootfs bind mount */
        bool in_userns;
        const int *mount_fds; /* rootfs_params.mount_fds */
        const struct rootfs_cgroups *cgroups; /* rootfs_params.cgroups */
        struct mount_ro_later *ro_later;      /* cfg->n_mounts slots, or NULL: no deferral */
        size_t *n_ro_later;
        /* no mount namespace (container/host-rootfs.h): every bind is made
         * a slave (mount_fd_leave_peers()) before anything goes beneath it */
        bool host_rootfs;
};

/* "/proc/self/fd/N": what mount(2) gets instead of a path inside the rootfs
 * (the fd was resolved safely, so a symlink swap cannot redirect). */
#define PROC_FD_PATH_MAX 32
const char *proc_fd_path(int fd, char buf[static PROC_FD_PATH_MAX]);

/* "/dev/sub/loopx" -> "/dev/sub" and "loopx" (trailing slashes dropped);
 * -EINVAL for a relative path or a last component "", "." or "..". */
int mount_split_path(const char *path, char **ret_dir, char **ret_base);

/* O_PATH fd of dest beneath the rootfs, created (directory, or empty file
 * when !dir) when missing, and refused when it lands inside /proc
 * (mount_check_proc_dest). */
int mount_open_target(const struct mount_ctx *ctx, const char *dest, bool dir, struct modrun_error **reterr);
/* The same; proc_root_ok: a bind of a procfs may land on /proc itself;
 * nofollow: a symlink at the last component is the mount point (dest-nofollow). */
int mount_open_target_as(const struct mount_ctx *ctx, const char *dest, bool dir, bool proc_root_ok, bool nofollow,
                         struct modrun_error **reterr);

/* In mount-proc.c. Why a mount may not land at inner (its path inside the
 * rootfs, symlinks resolved), or NULL when it may: inside /proc only /proc
 * itself (proc_root_ok: type proc, or a bind of a procfs) and runc's list of
 * files lxcfs binds over. */
const char *mount_proc_dest_refusal(const char *inner, bool proc_root_ok);
/* "cgroup" or "cgroup2" */
bool mount_type_is_cgroup(const char *type);
/* Refuse (EPERM, naming dest, where it resolved and why) the mount point
 * fd when mount_proc_dest_refusal() says so. */
int mount_check_proc_dest(const struct mount_ctx *ctx, int fd, const char *dest, bool proc_root_ok,
                          struct modrun_error **reterr);
/* O_PATH fd of the directory dest for a proc or sysfs mount: reached
 * without any symlink (created when missing), a directory, and not inside
 * /proc (except /proc for proc); else "must be mounted on ordinary
 * directory". */
int mount_open_ordinary_dir(const struct mount_ctx *ctx, const char *type, const char *dest,
                            struct modrun_error **reterr);

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

/* In mount-fd.c, for use after the root switch (no path through /proc):
 * bind the tree at src_fd onto dst_fd (open_tree clone + move_mount), made
 * read-only (the top mount) before it is attached when readonly... */
/* In mount-fd.c. With ctx->host_rootfs: the tree (a clone of a host
 * mount, detached or just attached) leaves its source's peer group,
 * recursively (MS_SLAVE: it still receives the host's mounts, none of the
 * container's reaches the host). *ret_later set: the kernel has no
 * mount_setattr (before 5.12), call mount_fd_leave_peers_attached() once
 * the tree is attached. */
int mount_fd_leave_peers(const struct mount_ctx *ctx, int tree, const char *dest, bool *ret_later,
                         struct modrun_error **reterr);
int mount_fd_leave_peers_attached(const struct mount_ctx *ctx, int tree, const char *dest,
                                  struct modrun_error **reterr);
int mount_fd_bind(const struct mount_ctx *ctx, int src_fd, const char *source, int dst_fd, const char *dest,
                  bool recursive, bool readonly, struct modrun_error **reterr);
/* ... and attach an empty read-only tmpfs (size=0k) onto dst_fd; with
 * ret_mnt, *ret_mnt takes the attached mount's fd (a source for
 * mount_fd_bind() of the same tmpfs elsewhere). */
int mount_fd_empty_tmpfs(const struct mount_ctx *ctx, int dst_fd, const char *dest, int *ret_mnt,
                         struct modrun_error **reterr);

/* One config.json mount, in mount-config.c. */
int mount_config_entry(const struct mount_ctx *ctx, const struct oci_mount *m, struct modrun_error **reterr);
/* A destination that is the rootfs itself ("/", "//"): what is mounted
 * there covers ctx->rootfs_fd, and is reached by the rootfs's host path. */
static inline bool mount_dest_is_root(const char *dest)
{
        return dest && dest[0] == '/' && dest[strspn(dest, "/")] == '\0';
}
/* Make the mounts mount_config_entry() left writable read-only, in
 * reverse order; closes their fds (also on error). */
int mount_ro_later_apply(const struct mount_ctx *ctx, struct modrun_error **reterr);
void mount_ro_later_close(const struct mount_ctx *ctx);
/* type cgroup/cgroup2, in mount-cgroup.c; tfd is the mount point. */
int mount_cgroup(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o, int tfd,
                 struct modrun_error **reterr);
/* tmpcopyup: copy the tree of src_dirfd (the directory under the new
 * tmpfs) into dst_dirfd, keeping modes and owners. */
int mount_copy_tree(int src_dirfd, int dst_dirfd, struct modrun_error **reterr);
