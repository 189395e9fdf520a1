/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /dev of the container, as runc sets it up: the default devices (null,
 * zero, full, tty, random, urandom), every linux.devices entry (one with the
 * path of a default device replaces it), then the /dev/fd, /dev/std* and
 * /dev/core links and the /dev/ptmx -> pts/ptmx link. Outside a user
 * namespace a node is made with mknod(2) beneath the rootfs and then given
 * its owner and mode through an O_PATH fd (so neither the umask nor a
 * symlink changes what we meant); inside one, mknod(2) is refused, and the
 * host's node is bind-mounted over an empty file instead.
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

static int dev_mknod(const struct mount_ctx *ctx, const struct oci_device *d, mode_t type, mode_t perm,
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
        if (r == -EEXIST) { /* the image has something there: replace it */
                if (unlinkat(pfd, base, 0) < 0 && errno != ENOENT)
                        return error_new(reterr, errno, "remove what is at that path in the rootfs image",
                                         "linux.devices: remove the existing %s beneath the rootfs %s", d->path,
                                         ctx->rootfs);
                r = sys_mknodat(pfd, base, type | perm, dev);
        }
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

int dev_create(const struct mount_ctx *ctx, const struct oci_device *d, struct modrun_error **reterr)
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
        return dev_mknod(ctx, d, type, perm, reterr);
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
                int r = dev_create(ctx, &d, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int dev_symlink(int devfd, const char *target, const char *name, bool replace, struct modrun_error **reterr)
{
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

/* Is /dev a mount of its own that is not a bind of a host directory? */
static bool dev_is_own_mount(const struct oci_config *cfg)
{
        bool own = false;
        for (size_t i = 0; i < cfg->n_mounts; i++) {
                const struct oci_mount *m = &cfg->mounts[i];
                const char *d = m->destination;
                size_t n = d ? strlen(d) : 0;
                while (n > 1 && d[n - 1] == '/')
                        n--;
                if (n != 4 || strncmp(d, "/dev", 4) != 0)
                        continue;
                struct mount_options o;
                if (mount_options_parse(m->options, &o, NULL) < 0)
                        continue;
                own = !mount_options_is_bind(&o, m->type); /* the last mount on /dev counts */
                mount_options_done(&o);
        }
        return own;
}

int dev_setup(const struct mount_ctx *ctx, struct modrun_error **reterr)
{
        const struct oci_linux *l = &ctx->cfg->linux_;
        /* Without a /dev mount of its own the rootfs directory on disk would
         * be changed, and a bound host /dev is the host's: then only the
         * devices config.json asks for are made. */
        bool own = dev_is_own_mount(ctx->cfg);
        int r;
        if (own && (r = dev_create_defaults(ctx, reterr)) < 0)
                return r;
        for (size_t i = 0; i < l->n_devices; i++)
                if ((r = dev_create(ctx, &l->devices[i], reterr)) < 0)
                        return r;
        return own ? dev_create_links(ctx, reterr) : 0;
}
