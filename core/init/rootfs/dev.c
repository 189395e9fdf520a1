/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /dev of the container, as runc sets it up: the default devices (null,
 * zero, full, tty, random, urandom), every linux.devices entry (one with the
 * path of a default device replaces it), then the /dev/fd, /dev/std* and
 * /dev/core links and the /dev/ptmx -> pts/ptmx link; in the /dev mount of
 * the config, or without one in the image's own /dev (dev_is_ours). A /dev
 * bound from elsewhere (the host's) is left as it is, as runc does. Outside a user
 * namespace a node is made with mknod(2) beneath the rootfs and then given
 * its owner and mode through an O_PATH fd (so neither the umask nor a
 * symlink changes what we meant); inside one, mknod(2) is refused, and the
 * host's node is bind-mounted over an empty file instead. What the image
 * already has at a device's path is never removed: the same device is
 * kept, anything else is an error (runtime-spec, config-linux "Devices").
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "dev.h"
#include "sys-mount.h"
#include "util/fs-util.h"

#define DEV_DEFAULT_MODE 0666

struct dev_default {
        const char *name;
        unsigned major, minor;
};

static const struct dev_default default_devices[] = {
        { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 }, { "tty", 5, 0 }, { "random", 1, 8 }, { "urandom", 1, 9 },
};

static const struct {
        const char *target, *name;
} dev_links[] = {
        { "/proc/self/fd", "fd" },
        { "/proc/self/fd/0", "stdin" },
        { "/proc/self/fd/1", "stdout" },
        { "/proc/self/fd/2", "stderr" },
};

static mode_t dev_type_mode(char type)
{
        switch (type) {
        case 'c':
        case 'u':
                return S_IFCHR;
        case 'b':
                return S_IFBLK;
        case 'p':
                return S_IFIFO;
        default:
                return 0;
        }
}

/* Owner and mode through the O_PATH fd of the node we just made (st: its
 * fstat), each only where mknod(2) did not already give it: chown where the
 * owner differs (always in a user namespace, where an unmapped owner reads
 * as the overflow id), chmod where the mode differs or a chown has cleared
 * the set-id bits asked for. */
static int dev_set_owner_mode(const struct mount_ctx *ctx, const struct oci_device *d, int nfd,
                              const struct stat *st, mode_t perm, struct modrun_error **reterr)
{
        char p[PROC_FD_PATH_MAX];
        uid_t uid = d->has_uid ? d->uid : 0;
        gid_t gid = d->has_gid ? d->gid : 0;
        bool chown_needed = ctx->in_userns || st->st_uid != uid || st->st_gid != gid;
        if (chown_needed && fchownat(nfd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                return error_new(reterr, errno, NULL, "linux.devices: chown %s to %u:%u", d->path, (unsigned)uid,
                                 (unsigned)gid);
        /* chmod(2) of the magic link reaches the node itself; an O_PATH fd
         * cannot be fchmod()ed. */
        if (((st->st_mode & 07777) != perm || (chown_needed && (perm & (S_ISUID | S_ISGID)))) &&
            chmod(proc_fd_path(nfd, p), perm) < 0)
                return error_new(reterr, errno, NULL, "linux.devices: chmod %s to 0%o", d->path, (unsigned)perm);
        return 0;
}

/* The image has something at the device's path (base in pfd): the same
 * device stays (a default device as the image has it, as runc leaves it;
 * a linux.devices entry given a fileMode, uid or gid gets them), anything
 * else is refused, never removed: it may be a file the image needs. */
static int dev_existing(const struct mount_ctx *ctx, const struct oci_device *d, int pfd, const char *base,
                        mode_t type, dev_t dev, mode_t perm, bool dflt, struct modrun_error **reterr)
{
        const char *what = dflt ? "default device" : "linux.devices";
        _cleanup_close_ int nfd = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (nfd < 0 || fstat(nfd, &st) < 0)
                return error_new(reterr, errno, NULL, "%s: stat the existing %s beneath the rootfs %s", what, d->path,
                                 ctx->rootfs);
        if ((st.st_mode & S_IFMT) == type && (type == S_IFIFO || st.st_rdev == dev))
                return dflt || !(d->has_file_mode || d->has_uid || d->has_gid)
                               ? 0
                               : dev_set_owner_mode(ctx, d, nfd, &st, perm, reterr);
        const char *hint = dflt ? "remove it from the image's /dev, or mount a tmpfs on /dev"
                                : "remove it from the image, or the entry from linux.devices";
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                return error_new(reterr, EEXIST, hint,
                                 "%s: %s is already a %s %u:%u beneath the rootfs %s, not the %c %u:%u asked for", what,
                                 d->path, fs_type_noun(st.st_mode), major(st.st_rdev), minor(st.st_rdev), ctx->rootfs,
                                 d->type, major(dev), minor(dev));
        return error_new(reterr, EEXIST, hint,
                         "%s: %s is already a %s beneath the rootfs %s, not the %c %u:%u device asked for", what,
                         d->path, fs_type_noun(st.st_mode), ctx->rootfs, d->type, major(dev), minor(dev));
}

static int dev_mknod(const struct mount_ctx *ctx, const struct oci_device *d, mode_t type, mode_t perm, bool dflt,
                     struct modrun_error **reterr)
{
        _cleanup_free_ char *dir = NULL, *base = NULL;
        int r = mount_split_path(d->path, &dir, &base);
        if (r < 0)
                return error_new(reterr, -r, "give an absolute path below /dev", "linux.devices: device path %s",
                                 d->path);
        _cleanup_close_ int pfd = fs_mkdir_beneath(ctx->rootfs_fd, dir, 0755, reterr);
        if (pfd < 0)
                return error_wrap(reterr, "linux.devices: parent directory of %s", d->path);
        dev_t dev = type == S_IFIFO ? 0 : makedev((unsigned)d->major, (unsigned)d->minor);
        r = sys_mknodat(pfd, base, type | perm, dev);
        if (r == -EEXIST)
                return dev_existing(ctx, d, pfd, base, type, dev, perm, dflt, reterr);
        if (r < 0)
                return error_new(reterr, -r,
                                 r == -EPERM ? "mknod needs CAP_MKNOD and a rootfs not mounted nodev" : NULL,
                                 "linux.devices: mknod %s (%c %u:%u) beneath the rootfs %s", d->path, d->type,
                                 major(dev), minor(dev), ctx->rootfs);
        _cleanup_close_ int nfd = openat(pfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0)
                return error_new(reterr, errno, NULL, "linux.devices: open the new node %s", d->path);
        struct stat st;
        if (fstat(nfd, &st) < 0)
                return error_new(reterr, errno, NULL, "linux.devices: stat the new node %s", d->path);
        if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != dev))
                return error_new(reterr, EEXIST, NULL, "linux.devices: %s was replaced while it was created",
                                 d->path);
        return dev_set_owner_mode(ctx, d, nfd, &st, perm, reterr);
}

/* In a user namespace: bind the host's node over an empty file. */
static int dev_bind(const struct mount_ctx *ctx, const struct oci_device *d, mode_t type,
                    struct modrun_error **reterr)
{
        _cleanup_close_ int src = open(d->path, O_PATH | O_CLOEXEC);
        if (src < 0)
                return error_new(reterr, errno,
                                 "in a user namespace devices are bind-mounted from the host: the host must have it",
                                 "linux.devices: open the host's %s to bind into the container", d->path);
        struct stat st;
        if (fstat(src, &st) < 0)
                return error_new(reterr, errno, NULL, "linux.devices: stat the host's %s", d->path);
        if ((st.st_mode & S_IFMT) != type)
                return error_new(reterr, ENODEV, "fix \"type\" of the entry or the host's node",
                                 "linux.devices: the host's %s is not a %s device", d->path,
                                 type == S_IFBLK ? "block" : "character");
        _cleanup_close_ int tfd = mount_open_target(ctx, d->path, false, reterr);
        if (tfd < 0)
                return error_wrap(reterr, "linux.devices: %s", d->path);
        return mount_bind_fd(ctx, src, d->path, tfd, d->path, false, reterr);
}

/* One node; dflt: a default device (what the image has is kept as it is). */
static int dev_make(const struct mount_ctx *ctx, const struct oci_device *d, bool dflt, struct modrun_error **reterr)
{
        mode_t type = dev_type_mode(d->type);
        if (!type)
                return error_new(reterr, EINVAL, "use c, u, b or p", "linux.devices: %s has unknown type '%c'",
                                 d->path, d->type);
        if (d->major < 0 || d->minor < 0 || d->major > UINT32_MAX || d->minor > UINT32_MAX)
                return error_new(reterr, ERANGE, NULL, "linux.devices: %s has device number %lld:%lld", d->path,
                                 (long long)d->major, (long long)d->minor);
        mode_t perm = d->has_file_mode ? (d->file_mode & 07777) : DEV_DEFAULT_MODE;
        /* A FIFO needs no privilege, so it is made even in a user namespace. */
        if (ctx->in_userns && type != S_IFIFO)
                return dev_bind(ctx, d, type, reterr);
        return dev_mknod(ctx, d, type, perm, dflt, reterr);
}

static bool dev_overridden(const struct oci_linux *l, const char *path)
{
        for (size_t i = 0; i < l->n_devices; i++)
                if (l->devices[i].path && streq(l->devices[i].path, path))
                        return true;
        return false;
}

static int dev_create_defaults(const struct mount_ctx *ctx, struct modrun_error **reterr)
{
        for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
                char path[32];
                (void)snprintf(path, sizeof(path), "/dev/%s", default_devices[i].name);
                if (dev_overridden(&ctx->cfg->linux_, path))
                        continue;
                struct oci_device d = { .path = path, .type = 'c', .major = default_devices[i].major,
                                        .minor = default_devices[i].minor, .has_file_mode = true,
                                        .file_mode = DEV_DEFAULT_MODE };
                int r = dev_make(ctx, &d, true, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ptmx is replaced by the link (runc), unless it already is that link:
 * nothing to write then, on a read-only rootfs either. */
static int dev_symlink(int devfd, const char *target, const char *name, bool replace, struct modrun_error **reterr)
{
        char cur[32];
        ssize_t n = replace ? readlinkat(devfd, name, cur, sizeof(cur) - 1) : -1;
        if (n >= 0 && (cur[n] = '\0', streq(cur, target)))
                return 0;
        if (replace && unlinkat(devfd, name, 0) < 0 && errno != ENOENT)
                return error_new(reterr, errno, NULL, "remove /dev/%s to replace it with a link to %s", name, target);
        if (symlinkat(target, devfd, name) < 0 && (replace || errno != EEXIST))
                return error_new(reterr, errno, NULL, "symlink /dev/%s -> %s", name, target);
        return 0;
}

static int dev_create_links(const struct mount_ctx *ctx, struct modrun_error **reterr)
{
        _cleanup_close_ int devfd = fs_open_beneath(ctx->rootfs_fd, "/dev", O_PATH | O_DIRECTORY, 0, reterr);
        if (devfd < 0)
                return error_wrap(reterr, "/dev links");
        int r;
        for (size_t i = 0; i < ELEMENTSOF(dev_links); i++)
                if ((r = dev_symlink(devfd, dev_links[i].target, dev_links[i].name, false, reterr)) < 0)
                        return r;
        /* runc links /dev/core only where the kernel has /proc/kcore
         * (CONFIG_PROC_KCORE); the host's /proc is still visible here. */
        if (faccessat(AT_FDCWD, "/proc/kcore", F_OK, 0) == 0 &&
            (r = dev_symlink(devfd, "/proc/kcore", "core", false, reterr)) < 0)
                return r;
        return dev_symlink(devfd, "pts/ptmx", "ptmx", true, reterr);
}

/* Is the mount destination d /dev, spelled any way ("dev", "//dev/",
 * "/dev/.", "/x/../dev")? */
static bool is_dev_path(const char *d)
{
        int depth = 0;
        bool dev = false;
        for (const char *c = d ? d : ""; *c;) {
                size_t n = strcspn(c, "/");
                if (n == 2 && strncmp(c, "..", 2) == 0)
                        depth = depth > 0 ? depth - 1 : 0;
                else if (n > 0 && !(n == 1 && c[0] == '.')) {
                        if (depth++ == 0)
                                dev = n == 3 && strncmp(c, "dev", 3) == 0;
                }
                c += n + (c[n] == '/');
        }
        return depth == 1 && dev;
}

/* Are the devices ours to make? In the config's own mount on /dev (not a
 * bind), yes; in a bound /dev (the host's, or a directory standing for
 * it), no: its nodes are not the container's, and runc makes nothing
 * there either (linux.devices still go to the device cgroup). Without a
 * /dev mount, in the image's /dev when it is on the rootfs's own mount
 * (or missing), not where a symlink or a mount there leads elsewhere (to
 * a bound host /dev). */
static bool dev_is_ours(const struct mount_ctx *ctx)
{
        int last = -1; /* the last mount on /dev: 1 a bind, 0 another */
        for (size_t i = 0; i < ctx->cfg->n_mounts; i++) {
                const struct oci_mount *m = &ctx->cfg->mounts[i];
                struct mount_options o;
                if (!is_dev_path(m->destination) || mount_options_parse(m->options, &o, NULL) < 0)
                        continue;
                last = mount_options_is_bind(&o, m->type);
                mount_options_done(&o);
        }
        if (last >= 0)
                return last == 0;
        _cleanup_close_ int fd = fs_open_beneath(ctx->rootfs_fd, "/dev", O_PATH | O_DIRECTORY, 0, NULL);
        struct fs_mount_id dev_mnt, root_mnt;
        if (fd < 0)
                return fd == -ENOENT; /* made on the rootfs */
        return fs_mount_id(fd, &dev_mnt) == 0 && fs_mount_id(ctx->rootfs_fd, &root_mnt) == 0 &&
               fs_mount_id_equal(&dev_mnt, &root_mnt);
}

int dev_setup(const struct mount_ctx *ctx, struct modrun_error **reterr)
{
        const struct oci_linux *l = &ctx->cfg->linux_;
        if (!dev_is_ours(ctx))
                return 0;
        int r = dev_create_defaults(ctx, reterr);
        for (size_t i = 0; r >= 0 && i < l->n_devices; i++)
                r = dev_make(ctx, &l->devices[i], false, reterr);
        return r < 0 ? r : dev_create_links(ctx, reterr);
}
