/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mounts made on an fd with the new mount API (open_tree, fsmount,
 * mount_setattr, move_mount), for rootfs_finalize(): after the root switch
 * /proc is the container's, so "/proc/self/fd/N" handed to mount(2) would be
 * resolved through a procfs the container controls (a mount over
 * /proc/self/fd, or a /proc that is not procfs at all: the CVE-2025-52881
 * class). Here no path is resolved at all: the mount point is the fd.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/mount.h>

#include "mount-diag.h"
#include "mount-util.h"
#include "sys-mount.h"

/* mount_error() for a call whose target is the fd c.target_fd: the host
 * path it names is looked up for the message. */
static int fd_mount_error(struct modrun_error **reterr, int err, struct mount_call c)
{
        _cleanup_free_ char *host = mount_diag_fd_path(c.target_fd);
        c.host_target = host;
        return mount_error(reterr, err, &c);
}

static int attach(const struct mount_ctx *ctx, int tree, const char *source, int dst_fd, const char *dest,
                  unsigned long flags, struct modrun_error **reterr)
{
        int r = sys_move_mount(tree, "", dst_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        if (r < 0) {
                (void)fd_mount_error(reterr, -r, (struct mount_call){ .source = source, .target = dest, .flags = flags,
                                                                      .target_fd = dst_fd, .in_userns = ctx->in_userns });
                return error_wrap(reterr, "move_mount onto the fd of %s", dest);
        }
        return 0;
}

static int set_readonly(const struct mount_ctx *ctx, int tree, const char *dest, struct modrun_error **reterr)
{
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
        int r = sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr));
        if (r < 0) {
                struct mount_call c = { .target = dest, .target_fd = -1, .in_userns = ctx->in_userns };
                return mount_setattr_error(reterr, -r, &c, attr.attr_set, 0, 0, false);
        }
        return 0;
}

/* Linux 5.6 to 5.11 (open_tree and move_mount, no mount_setattr): the
 * attached tree is made read-only with mount(2) on ".", with tree as the
 * working directory for the call: no path through /proc. Before the
 * container's process runs, so no one sees it writable. */
static int remount_readonly_here(const struct mount_ctx *ctx, int tree, const char *dest,
                                 struct modrun_error **reterr)
{
        _cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cwd < 0 || fchdir(tree) < 0)
                return error_new(reterr, errno, NULL, "make %s read-only: enter the new mount", dest);
        const unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
        int r = sys_mount(NULL, ".", NULL, flags, NULL);
        int back = fchdir(cwd) < 0 ? -errno : 0;
        if (r < 0) {
                struct mount_call c = { .target = dest, .flags = flags, .target_fd = tree, .in_userns = ctx->in_userns };
                return mount_error(reterr, -r, &c);
        }
        return back < 0 ? error_new(reterr, -back, NULL, "make %s read-only: return to the working directory", dest)
                        : 0;
}

int mount_fd_leave_peers(const struct mount_ctx *ctx, int tree, const char *dest, bool *ret_later,
                         struct modrun_error **reterr)
{
        *ret_later = false;
        if (!ctx->host_rootfs)
                return 0;
        struct mount_attr attr = { .propagation = MS_SLAVE };
        int r = sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr));
        if (r == -ENOSYS) {
                *ret_later = true;
                return 0;
        }
        if (r < 0) {
                struct mount_call c = { .target = dest, .target_fd = -1, .in_userns = ctx->in_userns };
                (void)mount_setattr_error(reterr, -r, &c, 0, 0, MS_SLAVE, true);
                return error_wrap(reterr, "no mount namespace: take the mount of %s out of its source's peer group "
                                  "(mount_setattr rslave) so that nothing of the container's reaches the host", dest);
        }
        return 0;
}

/* Linux 5.8 to 5.11: mount(2) on ".", the attached tree as the working
 * directory (as remount_readonly_here()). A mount of a file has nothing
 * beneath it to propagate: left as it is. */
int mount_fd_leave_peers_attached(const struct mount_ctx *ctx, int tree, const char *dest,
                                  struct modrun_error **reterr)
{
        struct stat st;
        if (fstat(tree, &st) < 0 || !S_ISDIR(st.st_mode))
                return 0;
        _cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cwd < 0 || fchdir(tree) < 0)
                return error_new(reterr, errno, NULL, "make %s rslave: enter the new mount", dest);
        const unsigned long flags = MS_SLAVE | MS_REC;
        int r = sys_mount(NULL, ".", NULL, flags, NULL);
        int back = fchdir(cwd) < 0 ? -errno : 0;
        if (r < 0) {
                struct mount_call c = { .target = dest, .flags = flags, .target_fd = tree, .in_userns = ctx->in_userns };
                return mount_error(reterr, -r, &c);
        }
        return back < 0 ? error_new(reterr, -back, NULL, "make %s rslave: return to the working directory", dest) : 0;
}

int mount_fd_bind(const struct mount_ctx *ctx, int src_fd, const char *source, int dst_fd, const char *dest,
                  bool recursive, bool readonly, struct modrun_error **reterr)
{
        unsigned long flags = MS_BIND | (recursive ? MS_REC : 0) | (readonly ? MS_RDONLY : 0);
        _cleanup_close_ int tree =
                sys_open_tree(src_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
        if (tree < 0) {
                (void)fd_mount_error(reterr, -tree, (struct mount_call){ .source = source, .target = dest, .flags = flags,
                                                                         .target_fd = dst_fd, .in_userns = ctx->in_userns });
                return error_wrap(reterr, "open_tree (clone) of %s", source);
        }
        /* Read-only before it is attached: never visible writable. Only
         * the top mount, as runc's remount of readonlyPaths. */
        _cleanup_error_ struct modrun_error *setattr_err = NULL;
        int r = readonly ? set_readonly(ctx, tree, dest, &setattr_err) : 0;
        if (r < 0 && r != -ENOSYS) {
                if (reterr)
                        *reterr = TAKE_PTR(setattr_err);
                return r;
        }
        bool remount = r == -ENOSYS, slave_later;
        if ((r = mount_fd_leave_peers(ctx, tree, dest, &slave_later, reterr)) < 0)
                return r;
        r = attach(ctx, tree, source, dst_fd, dest, flags, reterr);
        if (r >= 0 && slave_later)
                r = mount_fd_leave_peers_attached(ctx, tree, dest, reterr);
        return r < 0 || !remount ? r : remount_readonly_here(ctx, tree, dest, reterr);
}

int mount_fd_empty_tmpfs(const struct mount_ctx *ctx, int dst_fd, const char *dest, int *ret_mnt,
                         struct modrun_error **reterr)
{
        const unsigned long flags = MS_RDONLY;
        _cleanup_close_ int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
        int r = fs;
        /* read-only down to the superblock, as mount(2) with MS_RDONLY makes
         * it for runc and crun, and named as theirs */
        if (fs >= 0 && (r = sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0)) >= 0 &&
            (r = sys_fsconfig(fs, FSCONFIG_SET_STRING, "size", "0k", 0)) >= 0 &&
            (r = sys_fsconfig(fs, FSCONFIG_SET_FLAG, "ro", NULL, 0)) >= 0 &&
            (r = sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) >= 0)
                r = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
        if (r < 0) {
                (void)fd_mount_error(reterr, -r, (struct mount_call){ .source = "tmpfs", .target = dest, .fstype = "tmpfs",
                                                                      .flags = flags, .data = "size=0k", .target_fd = dst_fd,
                                                                      .in_userns = ctx->in_userns });
                return error_wrap(reterr, "fsopen/fsmount an empty tmpfs for %s", dest);
        }
        _cleanup_close_ int mnt = r;
        if ((r = attach(ctx, mnt, "tmpfs", dst_fd, dest, flags, reterr)) < 0)
                return r;
        if (ret_mnt)
                *ret_mnt = TAKE_FD(mnt);
        return 0;
}
