/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A "cgroup"/"cgroup2" mount of config.json. The host decides the shape:
 *  - cgroup v2 (/sys/fs/cgroup is cgroup2): in a cgroup namespace mount a
 *    new cgroup2 (it shows the namespace's root); otherwise, or when that is
 *    refused, bind the process's own cgroup directory.
 *  - cgroup v1 or hybrid: as runc, a tmpfs at the destination and beneath
 *    it one bind per hierarchy mounted under the host's /sys/fs/cgroup (the
 *    process's own cgroup within it), cgroup2 at <dest>/unified on a hybrid
 *    host, the co-mount symlinks (cpu -> cpu,cpuacct) copied; "ro" makes
 *    each bind and finally the tmpfs read-only.
 * Failures get the FIELD-NOTES #1 diagnosis (owner and mode of the mount
 * point and of the cgroup directory, mapping, umask).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "mount-diag.h"
#include "mount-util.h"
#include "sys-mount.h"
#include "util/fs-util.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_MNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MOUNT_ATIME_FLAGS | MS_NODIRATIME)

static bool has_cgroupns(const struct oci_config *cfg)
{
        for (size_t i = 0; cfg && i < cfg->linux_.n_namespaces; i++)
                if (cfg->linux_.namespaces[i].type == OCI_NS_CGROUP)
                        return true;
        return false;
}

/* The process's cgroup in the hierarchy whose controller list is
 * "controllers" ("" for the unified one), from /proc/self/cgroup. */
static char *own_cgroup(const char *controllers)
{
        _cleanup_free_ char *text = NULL;
        if (fs_read_file(AT_FDCWD, "/proc/self/cgroup", &text, NULL) < 0)
                return strdup("/");
        char *save = NULL;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *c = strchr(l, ':');
                char *p = c ? strchr(c + 1, ':') : NULL;
                if (!p)
                        continue;
                *p = '\0';
                const char *ctl = c + 1;
                if (strncmp(ctl, "name=", 5) == 0 && streq(ctl + 5, controllers))
                        return strdup(p + 1);
                if (streq(ctl, controllers))
                        return strdup(p + 1);
        }
        return strdup("/");
}

static void fill_call(struct mount_call *c, const struct mount_ctx *ctx, const char *source, const char *dest,
                      const char *fstype, unsigned long flags, const char *data, int fd, const char *cgdir)
{
        *c = (struct mount_call){ .source = source, .target = dest, .fstype = fstype, .flags = flags,
                                  .data = data, .target_fd = fd, .cgroup_dir = cgdir, .in_userns = ctx->in_userns,
                                  .source_on_host = fstype == NULL };
}

/* Bind host_dir onto fd (the mount point at dest), then apply the flags. */
static int bind_cgroup_dir(const struct mount_ctx *ctx, const char *host_dir, int fd, const char *dest,
                           unsigned long flags, struct modrun_error **reterr)
{
        _cleanup_close_ int src = open(host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (src < 0) {
                struct mount_call c;
                fill_call(&c, ctx, host_dir, dest, NULL, MS_BIND | MS_REC, NULL, fd, host_dir);
                return mount_error(reterr, errno, &c);
        }
        int r = mount_bind_fd(ctx, src, host_dir, fd, dest, true, reterr);
        if (r < 0) {
                error_hint(*reterr, "the cgroup directory is %s", host_dir);
                return r;
        }
        if (!(flags & CGROUP_MNT_FLAGS))
                return 0;
        _cleanup_close_ int nfd = fs_open_beneath(ctx->rootfs_fd, dest, O_PATH, 0, reterr);
        if (nfd < 0)
                return nfd;
        return mount_bind_remount(ctx, nfd, host_dir, dest, flags & CGROUP_MNT_FLAGS, 0, reterr);
}

/* A new cgroup2 (in a cgroup namespace) or, failing that, a bind of the
 * process's own cgroup. */
static int mount_unified(const struct mount_ctx *ctx, const char *host_root, int fd, const char *dest,
                         unsigned long flags, struct modrun_error **reterr)
{
        char t[PROC_FD_PATH_MAX];
        _cleanup_free_ char *own = own_cgroup("");
        _cleanup_free_ char *host_dir = NULL;
        if (!own || asprintf(&host_dir, "%s%s", host_root, streq(own, "/") ? "" : own) < 0)
                return error_new(reterr, ENOMEM, NULL, "cgroup mount on %s", dest);
        if (has_cgroupns(ctx->cfg)) {
                unsigned long mflags = flags & CGROUP_MNT_FLAGS;
                int r = sys_mount("cgroup2", proc_fd_path(fd, t), "cgroup2", mflags, NULL);
                if (r == 0)
                        return 0;
                if (r != -EPERM && r != -EBUSY) {
                        _cleanup_free_ char *host = mount_diag_fd_path(fd);
                        struct mount_call c;
                        fill_call(&c, ctx, "cgroup2", dest, "cgroup2", mflags, NULL, fd, host_dir);
                        c.host_target = host;
                        return mount_error(reterr, -r, &c);
                }
                /* As runc: a user namespace that does not own the cgroup
                 * namespace may not mount cgroup2; bind instead. */
        }
        return bind_cgroup_dir(ctx, host_dir, fd, dest, flags, reterr);
}

static int mount_hierarchy(const struct mount_ctx *ctx, int tmpfs_fd, const char *dest, const char *name,
                           unsigned long flags, struct modrun_error **reterr)
{
        char host_root[PATH_MAX];
        struct statfs sfs;
        (void)snprintf(host_root, sizeof(host_root), CGROUP_ROOT "/%s", name);
        if (statfs(host_root, &sfs) < 0 || (sfs.f_type != CGROUP_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC))
                return 0; /* not a mounted hierarchy */
        _cleanup_free_ char *sub = NULL;
        if (asprintf(&sub, "%s/%s", streq(dest, "/") ? "" : dest, name) < 0)
                return error_new(reterr, ENOMEM, NULL, "cgroup mount on %s", dest);
        if (mkdirat(tmpfs_fd, name, 0755) < 0 && errno != EEXIST)
                return error_new(reterr, errno, NULL, "mkdir %s (host path %s/%s)", sub, ctx->rootfs, sub);
        _cleanup_close_ int fd = openat(tmpfs_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open %s", sub);
        if (sfs.f_type == CGROUP2_SUPER_MAGIC)
                return mount_unified(ctx, host_root, fd, sub, flags, reterr);

        _cleanup_free_ char *own = own_cgroup(name);
        _cleanup_free_ char *host_dir = NULL;
        if (!own || asprintf(&host_dir, "%s%s", host_root, streq(own, "/") ? "" : own) < 0)
                return error_new(reterr, ENOMEM, NULL, "cgroup mount on %s", dest);
        /* The own cgroup may not exist in a hierarchy the runtime did not
         * join; then the hierarchy's root is what the process sees. */
        struct stat st;
        if (stat(host_dir, &st) < 0)
                (void)snprintf(host_dir, strlen(host_dir) + 1, "%s", host_root);
        return bind_cgroup_dir(ctx, host_dir, fd, sub, flags, reterr);
}

static int copy_symlinks_and_mount(const struct mount_ctx *ctx, int tmpfs_fd, const char *dest, unsigned long flags,
                                   struct modrun_error **reterr)
{
        DIR *d = opendir(CGROUP_ROOT);
        if (!d)
                return error_new(reterr, errno, NULL, "list the host's cgroup hierarchies in " CGROUP_ROOT);
        int r = 0;
        for (struct dirent *de; r == 0 && (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                if (de->d_type == DT_LNK) {
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
                        if (n > 0) {
                                target[n] = '\0';
                                if (symlinkat(target, tmpfs_fd, de->d_name) < 0 && errno != EEXIST)
                                        r = error_new(reterr, errno, NULL, "symlink %s/%s -> %s", dest,
                                                      de->d_name, target);
                        }
                } else if (de->d_type == DT_DIR)
                        r = mount_hierarchy(ctx, tmpfs_fd, dest, de->d_name, flags, reterr);
        }
        closedir(d);
        return r;
}

int mount_cgroup(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o, int tfd,
                 struct modrun_error **reterr)
{
        char t[PROC_FD_PATH_MAX];
        struct statfs sfs;
        if (statfs(CGROUP_ROOT, &sfs) < 0)
                return error_new(reterr, errno, "mount cgroup2 (or the v1 hierarchies) on the host",
                                 "cgroup mount on %s: no cgroup file system at " CGROUP_ROOT " on the host",
                                 m->destination);
        if (sfs.f_type == CGROUP2_SUPER_MAGIC)
                return mount_unified(ctx, CGROUP_ROOT, tfd, m->destination, o->flags, reterr);

        unsigned long tflags = (o->flags & CGROUP_MNT_FLAGS & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        int r = sys_mount("tmpfs", proc_fd_path(tfd, t), "tmpfs", tflags, "mode=755");
        if (r < 0) {
                _cleanup_free_ char *host = mount_diag_fd_path(tfd);
                struct mount_call c;
                fill_call(&c, ctx, "tmpfs", m->destination, "tmpfs", tflags, "mode=755", tfd, NULL);
                c.host_target = host;
                return mount_error(reterr, -r, &c);
        }
        _cleanup_close_ int top = fs_open_beneath(ctx->rootfs_fd, m->destination, O_PATH | O_DIRECTORY, 0, reterr);
        if (top < 0)
                return top;
        r = copy_symlinks_and_mount(ctx, top, m->destination, o->flags, reterr);
        if (r < 0 || !(o->flags & MS_RDONLY))
                return r;
        return mount_bind_remount(ctx, top, "tmpfs", m->destination, tflags | MS_RDONLY, 0, reterr);
}
