/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's filesystem around the mount strategy, in runc's order.
 *
 * rootfs_prepare(): propagation of "/" (rootfsPropagation, else
 * rprivate, so nothing we mount reaches the host), the rootfs bound onto
 * itself (pivot_root(2) and move_mount(2) need a mount point), every
 * config.json mount, then /dev. Without a mount namespace, "/" and the
 * mount holding the rootfs are the host's and stay as they are: the
 * runtime made a private bind of the rootfs (container/host-rootfs.c),
 * everything is mounted beneath it and the root switch is chroot(2).
 *
 * rootfs_finalize(), with the rootfs as "/": root.readonly,
 * linux.readonlyPaths, linux.maskedPaths, then rootfsPropagation of the new
 * "/" (an unbindable one is private until then: the rootfs and the
 * readonlyPaths are bound from below it). Every path is
 * resolved beneath "/" and mounted on by its fd (mount-fd.c): /proc is the
 * container's by then, and no path goes through it.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dev.h"
#include "mount-diag.h"
#include "mount-util.h"
#include "sys-mount.h"
#include "util/fs-util.h"
#include "util/mountinfo.h"

static int root_propagation(const struct oci_config *cfg, unsigned long *ret, struct modrun_error **reterr)
{
        const char *s = cfg->linux_.rootfs_propagation;
        *ret = 0;
        if (!s || !*s)
                return 0;
        if (mount_propagation_from_string(s, ret) < 0)
                return error_new(reterr, EINVAL, "use shared, slave, private, unbindable or their r* forms",
                                 "linux.rootfsPropagation: unknown value \"%s\"", s);
        return 0;
}

/* Is path equal to or below the mount point mp? */
static bool path_under(const char *path, const char *mp)
{
        size_t n = strlen(mp);
        if (streq(mp, "/"))
                return true;
        return strncmp(path, mp, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* pivot_root(2) refuses a shared parent mount of the new root, and a bind
 * beneath a shared mount would propagate out: make the mount holding the
 * rootfs private when it is shared (runc's rootfsParentMountPrivate). */
static int rootfs_parent_make_private(const char *rootfs, struct modrun_error **reterr)
{
        _cleanup_free_ char *text = NULL;
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        int r = fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &text, reterr);
        if (r < 0 || (r = mountinfo_parse(text, &e, &n, reterr)) < 0)
                return error_wrap(reterr, "find the mount holding the rootfs %s", rootfs);
        const struct mountinfo_entry *best = NULL;
        for (size_t i = 0; i < n; i++) /* the longest match, and of those the topmost */
                if (path_under(rootfs, e[i].mount_point) &&
                    (!best || strlen(e[i].mount_point) >= strlen(best->mount_point)))
                        best = &e[i];
        r = 0;
        if (best && strstr(best->optional, "shared:")) {
                r = sys_mount(NULL, best->mount_point, NULL, MS_PRIVATE, NULL);
                if (r < 0) {
                        struct mount_call c = { .target = best->mount_point, .host_target = best->mount_point,
                                                .flags = MS_PRIVATE, .target_fd = -1 };
                        r = mount_error(reterr, -r, &c);
                }
        }
        mountinfo_free(e, n);
        return r;
}

static int rootfs_bind_self(const struct rootfs_params *p, int *ret_fd, struct modrun_error **reterr)
{
        _cleanup_close_ int dir = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return error_new(reterr, errno, "root.path must name an existing directory",
                                 "open the rootfs %s", p->rootfs);
        struct mount_ctx ctx = { .cfg = p->cfg, .rootfs = p->rootfs, .rootfs_fd = dir, .in_userns = p->in_userns };
        int idmapped = p->mount_fds ? p->mount_fds[p->cfg->n_mounts] : -1;
        int r = idmapped >= 0 ? sys_move_mount(idmapped, "", dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
                              : mount_bind_fd(&ctx, dir, p->rootfs, dir, "/", true, reterr);
        if (r < 0 && idmapped >= 0)
                return error_new(reterr, -r, NULL, "move the id-mapped rootfs onto %s", p->rootfs);
        if (r < 0)
                return error_wrap(reterr, "bind the rootfs %s onto itself", p->rootfs);
        /* The path now leads to the new mount; the old fd is below it. */
        int fd = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open the rootfs mount %s", p->rootfs);
        *ret_fd = fd;
        return 0;
}

/* The empty /dev/console that the terminal's pty is bound onto after the
 * root switch (init/process/terminal.c), made now: a read-only /dev is
 * read-only by then (runc creates it before its finalizeRootfs too). */
static int console_file(const struct mount_ctx *ctx, struct modrun_error **reterr)
{
        if (!ctx->cfg->process.terminal)
                return 0;
        _cleanup_close_ int dev = fs_open_beneath(ctx->rootfs_fd, "/dev", O_PATH | O_DIRECTORY, 0, NULL);
        if (dev < 0)
                return 0; /* no /dev: terminal.c binds nothing either */
        _cleanup_close_ int c = openat(dev, "console", O_CREAT | O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
        if (c < 0)
                return error_new(reterr, errno, NULL,
                                 "process.terminal: create /dev/console (beneath the rootfs %s) to mount the pty on",
                                 ctx->rootfs);
        return 0;
}

/* A mount namespace of the container's own: "/" private (or
 * rootfsPropagation), the rootfs bound onto itself. */
static int rootfs_mount_own_ns(const struct rootfs_params *p, int *ret_fd, struct modrun_error **reterr)
{
        unsigned long prop;
        int r = root_propagation(p->cfg, &prop, reterr);
        if (r < 0)
                return r;
        /* "/" unbindable now would forbid the bind of the rootfs below it:
         * private until rootfs_finalize() makes the new "/" unbindable. */
        unsigned long flags = !prop ? MS_PRIVATE | MS_REC
                              : (prop & MS_UNBINDABLE) ? (prop & ~MS_UNBINDABLE) | MS_PRIVATE
                                                       : prop;
        if ((r = sys_mount(NULL, "/", NULL, flags, NULL)) < 0) {
                struct mount_call c = { .target = "/", .host_target = "/", .flags = flags, .target_fd = -1,
                                        .in_userns = p->in_userns };
                return mount_error(reterr, -r, &c);
        }
        /* Whatever "/" became, a shared mount holding the rootfs is still a
         * peer of the host's (runc's rootfsParentMountPrivate). After a
         * recursive MS_PRIVATE of "/" (the default) no mount below it is
         * shared, so the mount table (0.75 ms at 300 mounts) is not read. */
        bool all_private = (flags & (MS_REC | MS_PRIVATE)) == (MS_REC | MS_PRIVATE);
        if (!all_private && (r = rootfs_parent_make_private(p->rootfs, reterr)) < 0)
                return r;
        return rootfs_bind_self(p, ret_fd, reterr);
}

/* No mount namespace: the host's "/" and the mount holding the rootfs
 * stay as they are; the runtime's private bind of the rootfs must be the
 * mount at the rootfs path, everything goes beneath it. */
static int rootfs_open_host_bind(const struct rootfs_params *p, int *ret_fd, struct modrun_error **reterr)
{
        _cleanup_close_ int fd = open(p->rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open the rootfs mount %s", p->rootfs);
        struct fs_mount_id id;
        int r = fs_mount_id(fd, &id);
        if (r < 0)
                return error_new(reterr, -r, NULL, "the mount id of the rootfs %s", p->rootfs);
        if (!fs_mount_id_equal(&id, p->host_rootfs))
                return error_new(reterr, EBUSY, "nothing may mount on the rootfs while the container is created",
                                 "the rootfs %s is mount id %llu, not the bind the runtime made (mount id %llu): "
                                 "something mounted over it", p->rootfs, (unsigned long long)id.id,
                                 (unsigned long long)p->host_rootfs->id);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int rootfs_enter_chroot(const struct rootfs_params *p, int rootfs_fd, struct modrun_error **reterr)
{
        if (fchdir(rootfs_fd) < 0)
                return error_new(reterr, errno, NULL, "no mount namespace: chdir to the rootfs %s", p->rootfs);
        if (chroot(".") < 0)
                return error_new(reterr, errno, errno == EPERM ? "chroot(2) needs CAP_SYS_CHROOT" : NULL,
                                 "no mount namespace: chroot to the rootfs %s", p->rootfs);
        if (chdir("/") < 0)
                return error_new(reterr, errno, NULL, "chdir to / in the rootfs %s", p->rootfs);
        return 0;
}

/* A mount on "/" (a tmpfs with tmpcopyup, as runc and crun allow) covers
 * the rootfs: what follows goes into it, reached by the rootfs's path as
 * after rootfs_bind_self. */
static int rootfs_reopen(const struct rootfs_params *p, int *fd, struct modrun_error **reterr)
{
        int top = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (top < 0)
                return error_new(reterr, errno, NULL, "open the rootfs %s after a mount on /", p->rootfs);
        (void)close(*fd);
        *fd = top;
        return 0;
}

int rootfs_prepare(const struct rootfs_params *p, int *ret_rootfs_fd, struct modrun_error **reterr)
{
        _cleanup_close_ int rootfs_fd = -1;
        int r = p->host_rootfs ? rootfs_open_host_bind(p, &rootfs_fd, reterr)
                               : rootfs_mount_own_ns(p, &rootfs_fd, reterr);
        if (r < 0)
                return r;
        _cleanup_free_ struct mount_ro_later *ro_later = calloc(p->cfg->n_mounts + 1, sizeof(*ro_later));
        if (!ro_later)
                return error_new(reterr, ENOMEM, NULL, "allocate the list of read-only mounts");
        size_t n_ro_later = 0;
        struct mount_ctx ctx = { .cfg = p->cfg, .rootfs = p->rootfs, .rootfs_fd = rootfs_fd,
                                 .in_userns = p->in_userns, .mount_fds = p->mount_fds, .cgroups = p->cgroups,
                                 .ro_later = ro_later, .n_ro_later = &n_ro_later,
                                 .host_rootfs = p->host_rootfs != NULL };
        for (size_t i = 0; i < p->cfg->n_mounts && r >= 0; i++) {
                if ((r = mount_config_entry(&ctx, &p->cfg->mounts[i], reterr)) < 0)
                        r = error_wrap(reterr, "mounts[%zu]", i);
                else if (mount_dest_is_root(p->cfg->mounts[i].destination))
                        r = rootfs_reopen(p, &rootfs_fd, reterr);
                ctx.rootfs_fd = rootfs_fd;
        }
        /* /dev's nodes and symlinks before a read-only /dev becomes so */
        if (r >= 0 && (r = dev_setup(&ctx, reterr)) >= 0)
                r = console_file(&ctx, reterr);
        if (r < 0) {
                mount_ro_later_close(&ctx);
                return r;
        }
        if ((r = mount_ro_later_apply(&ctx, reterr)) < 0)
                return r;
        *ret_rootfs_fd = TAKE_FD(rootfs_fd);
        return 0;
}

/* The flags of "/" that a read-only remount must repeat: a user namespace
 * cannot clear a locked nosuid/nodev/noexec/atime flag (runc's setReadonly). */
static unsigned long root_keep_flags(void)
{
        static const struct {
                unsigned long st, ms;
        } keep[] = {
                { ST_NOSUID, MS_NOSUID },         { ST_NODEV, MS_NODEV },       { ST_NOEXEC, MS_NOEXEC },
                { ST_NODIRATIME, MS_NODIRATIME }, { ST_NOATIME, MS_NOATIME },   { ST_RELATIME, MS_RELATIME },
        };
        struct statvfs sv;
        unsigned long flags = 0;
        if (statvfs("/", &sv) < 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(keep); i++)
                if (sv.f_flag & keep[i].st)
                        flags |= keep[i].ms;
        if (!(sv.f_flag & (ST_NOATIME | ST_RELATIME)))
                flags |= MS_STRICTATIME;
        return flags;
}

/* "/" is the container root now and cannot be swapped: a plain path is
 * safe, and works when the container has no /proc. */
static int root_mount(const struct rootfs_params *p, unsigned long flags, struct modrun_error **reterr)
{
        int r = sys_mount(NULL, "/", NULL, flags, NULL);
        if (r < 0) {
                struct mount_call c = { .target = "/", .host_target = p->rootfs, .flags = flags, .target_fd = -1,
                                        .in_userns = p->in_userns };
                return mount_error(reterr, -r, &c);
        }
        return 0;
}

/* Open path beneath "/"; 0 with *ret_fd = -1 when it does not exist. */
static int open_listed(const struct mount_ctx *ctx, const char *list, const char *path, int *ret_fd,
                       struct modrun_error **reterr)
{
        int fd = fs_open_beneath(ctx->rootfs_fd, path, O_PATH, 0, NULL);
        if (fd == -ENOENT) {
                *ret_fd = -1;
                return 0; /* as runc: nothing to protect */
        }
        if (fd < 0)
                return error_new(reterr, -fd, NULL, "linux.%s: resolve %s inside the container", list, path);
        *ret_fd = fd;
        return 0;
}

static int readonly_path(const struct mount_ctx *ctx, const char *path, struct modrun_error **reterr)
{
        _cleanup_close_ int fd = -1;
        int r = open_listed(ctx, "readonlyPaths", path, &fd, reterr);
        if (r < 0 || fd < 0)
                return r;
        if ((r = mount_fd_bind(ctx, fd, path, fd, path, true, true, reterr)) < 0)
                return error_wrap(reterr, "linux.readonlyPaths");
        return 0;
}

/* The container's /dev/null, checked to be the real 1:3 before it is bound
 * over anything (a symlink or another node there would otherwise be bound
 * read-write over a masked path: CVE-2025-31133). */
static int open_dev_null(const struct mount_ctx *ctx, struct modrun_error **reterr)
{
        _cleanup_close_ int fd = fs_open_beneath(ctx->rootfs_fd, "/dev/null", O_PATH | O_NOFOLLOW, 0, reterr);
        if (fd < 0)
                return error_wrap(reterr, "linux.maskedPaths: /dev/null to mask files with");
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_new(reterr, errno, NULL, "linux.maskedPaths: stat /dev/null inside the container");
        if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3)
                return error_new(reterr, ENODEV, "mount a tmpfs on /dev so that modrun creates /dev/null",
                                 "linux.maskedPaths: /dev/null inside the container is not the null device "
                                 "(mode 0%o, device %u:%u), refusing to mask files with it",
                                 (unsigned)st.st_mode, major(st.st_rdev), minor(st.st_rdev));
        return TAKE_FD(fd);
}

/* A file is masked by a bind of /dev/null, a directory by an empty
 * read-only tmpfs: one tmpfs for all of them, the first attached and
 * the others binds of it, so that each masked directory costs a bind,
 * not a new superblock made and destroyed with the container. The binds
 * keep its read-only flag. */
static int masked_path(const struct mount_ctx *ctx, const char *path, int *null_fd, int *tmpfs_fd,
                       struct modrun_error **reterr)
{
        _cleanup_close_ int fd = -1;
        int r = open_listed(ctx, "maskedPaths", path, &fd, reterr);
        if (r < 0 || fd < 0)
                return r;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_new(reterr, errno, NULL, "linux.maskedPaths: stat %s", path);
        if (!S_ISDIR(st.st_mode)) {
                if (*null_fd < 0 && (*null_fd = open_dev_null(ctx, reterr)) < 0)
                        return *null_fd;
                r = mount_fd_bind(ctx, *null_fd, "/dev/null", fd, path, false, false, reterr);
        } else if (*tmpfs_fd >= 0)
                r = mount_fd_bind(ctx, *tmpfs_fd, "tmpfs", fd, path, false, false, reterr);
        else
                r = mount_fd_empty_tmpfs(ctx, fd, path, tmpfs_fd, reterr);
        return r < 0 ? error_wrap(reterr, "linux.maskedPaths") : 0;
}

static int finalize_paths(const struct mount_ctx *ctx, struct modrun_error **reterr)
{
        char *const *ro = ctx->cfg->linux_.readonly_paths, *const *masked = ctx->cfg->linux_.masked_paths;
        int r;
        for (; ro && *ro; ro++)
                if ((r = readonly_path(ctx, *ro, reterr)) < 0)
                        return r;
        _cleanup_close_ int null_fd = -1, tmpfs_fd = -1;
        for (; masked && *masked; masked++)
                if ((r = masked_path(ctx, *masked, &null_fd, &tmpfs_fd, reterr)) < 0)
                        return r;
        return 0;
}

int rootfs_finalize(const struct rootfs_params *p, struct modrun_error **reterr)
{
        unsigned long prop;
        int r = root_propagation(p->cfg, &prop, reterr);
        if (r < 0)
                return r;
        if (p->cfg->root.readonly &&
            (r = root_mount(p, MS_BIND | MS_REMOUNT | MS_RDONLY | root_keep_flags(), reterr)) < 0)
                return error_wrap(reterr, "root.readonly");
        _cleanup_close_ int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return error_new(reterr, errno, NULL, "open / of the container (the rootfs %s)", p->rootfs);
        struct mount_ctx ctx = { .cfg = p->cfg, .rootfs = p->rootfs, .rootfs_fd = root_fd,
                                 .in_userns = p->in_userns, .host_rootfs = p->host_rootfs != NULL };
        if ((r = finalize_paths(&ctx, reterr)) < 0)
                return r;
        /* After pivot_root, not before: set on the old "/" it would have
         * reached the host's mounts when they are shared. And last: the
         * readonlyPaths binds cannot clone an (r)unbindable tree. Without
         * a mount namespace "/" is the chroot, the runtime's bind of the
         * rootfs: the spec's "rootfs's mount propagation" is set on it and
         * its submounts, never on the host's "/". */
        if (prop && (r = root_mount(p, prop, reterr)) < 0)
                return error_wrap(reterr, "linux.rootfsPropagation");
        return 0;
}
