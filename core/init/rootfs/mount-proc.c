/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What may be mounted in /proc, and on what proc and sysfs are mounted
 * (CVE-2019-16884, CVE-2019-19921 and CVE-2025-52881 classes, runc's
 * checkProcMount): a destination is judged by where it really lands
 * beneath the rootfs, after every symlink of the image is followed, so
 * "/data -> /proc/sys/kernel" is a destination inside /proc. Inside /proc
 * only proc itself (at /proc) and binds over the few files lxcfs emulates
 * are allowed; proc and sysfs are only mounted on an ordinary directory
 * reached without any symlink, so a rootfs whose /proc is a symlink (to
 * "/", to /tmp/x) does not get proc mounted wherever it points.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "mount-util.h"
#include "util/fs-util.h"

/* runc 1.1's validProcMounts: the files lxcfs (and CRIU) bind over. */
static const char *const proc_bind_ok[] = {
        "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",    "/proc/swaps",
        "/proc/uptime",  "/proc/loadavg",   "/proc/slabinfo", "/proc/net/dev", "/proc/sys/kernel/ns_last_pid",
};

const char *mount_proc_dest_refusal(const char *inner, bool proc_root_ok)
{
        if (strncmp(inner, "/proc", 5) != 0 || (inner[5] != '\0' && inner[5] != '/'))
                return NULL; /* outside /proc */
        if (streq(inner, "/proc") || streq(inner, "/proc/"))
                return proc_root_ok ? NULL : "is /proc and the mount is not of type proc (nor a bind of a procfs)";
        for (size_t i = 0; i < ELEMENTSOF(proc_bind_ok); i++)
                if (streq(inner, proc_bind_ok[i]))
                        return NULL;
        return "cannot be mounted because it is inside /proc";
}

/* The path of fd inside the rootfs ("/proc/sys/kernel"), from the host's
 * /proc (rootfs_prepare runs before the root switch, in the runtime's view
 * of the filesystem, where no container process has mounted anything). */
static int inner_path(const struct mount_ctx *ctx, int fd, char ret[static PATH_MAX])
{
        char root[PATH_MAX], p[PROC_FD_PATH_MAX];
        ssize_t rn = readlink(proc_fd_path(ctx->rootfs_fd, p), root, sizeof(root) - 1);
        ssize_t n = readlink(proc_fd_path(fd, p), ret, PATH_MAX - 1);
        if (rn < 0 || n < 0)
                return -errno;
        root[rn] = ret[n] = '\0';
        size_t len = streq(root, "/") ? 0 : (size_t)rn;
        if (strncmp(ret, root, len) != 0 || (ret[len] != '\0' && ret[len] != '/'))
                return -EXDEV;
        memmove(ret, ret + len, strlen(ret + len) + 1);
        if (!ret[0])
                (void)snprintf(ret, 2, "/");
        return 0;
}

int mount_check_proc_dest(const struct mount_ctx *ctx, int fd, const char *dest, bool proc_root_ok,
                          struct modrun_error **reterr)
{
        char inner[PATH_MAX];
        int r = inner_path(ctx, fd, inner);
        if (r < 0)
                return error_new(reterr, -r, NULL, "mount destination %s: find where it resolves beneath the rootfs %s",
                                 dest, ctx->rootfs);
        const char *why = mount_proc_dest_refusal(inner, proc_root_ok);
        if (!why)
                return 0;
        return error_new(reterr, EPERM,
                         "inside /proc only proc at /proc and binds over /proc/cpuinfo, diskstats, meminfo, stat, "
                         "swaps, uptime, loadavg, slabinfo, net/dev and sys/kernel/ns_last_pid are allowed; "
                         "check the destination and the image's symlinks",
                         "mount destination %s (resolved beneath the rootfs %s to %s, following the image's "
                         "symlinks) %s",
                         dest, ctx->rootfs, inner, why);
}

static int open_no_symlinks(int rootfd, const char *path)
{
        struct open_how how = {.flags = O_PATH | O_CLOEXEC,
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
        while (*path == '/')
                path++;
        int fd = (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
        return fd < 0 ? -errno : fd;
}

int mount_open_ordinary_dir(const struct mount_ctx *ctx, const char *type, const char *dest,
                            struct modrun_error **reterr)
{
        static const char hint[] = "replace the symlink in the image by a directory, or fix the destination";
        int fd = open_no_symlinks(ctx->rootfs_fd, dest);
        if (fd == -ENOENT) { /* no symlink on the way to what exists: create the rest */
                _cleanup_close_ int made = fs_mkdir_beneath(ctx->rootfs_fd, dest, 0755, reterr);
                if (made < 0)
                        return made;
                fd = open_no_symlinks(ctx->rootfs_fd, dest);
        }
        if (fd == -ELOOP || fd == -EXDEV)
                return error_new(reterr, EPERM, hint,
                                 "filesystem \"%s\" must be mounted on ordinary directory: %s (beneath the rootfs %s) "
                                 "is or passes through a symlink",
                                 type, dest, ctx->rootfs);
        if (fd < 0)
                return error_new(reterr, -fd, NULL, "resolve mount destination %s beneath the rootfs %s", dest,
                                 ctx->rootfs);
        _cleanup_close_ int dfd = fd;
        struct stat st;
        if (fstat(dfd, &st) < 0)
                return error_new(reterr, errno, NULL, "stat mount destination %s", dest);
        if (!S_ISDIR(st.st_mode))
                return error_new(reterr, ENOTDIR, hint,
                                 "filesystem \"%s\" must be mounted on ordinary directory: %s (beneath the rootfs %s) "
                                 "is not a directory (mode 0%o)",
                                 type, dest, ctx->rootfs, (unsigned)st.st_mode);
        int r = mount_check_proc_dest(ctx, dfd, dest, streq(type, "proc"), reterr);
        return r < 0 ? r : TAKE_FD(dfd);
}
