/* SPDX-License-Identifier: Apache-2.0 */
/* The mounts of config.json, performed beneath the rootfs: the destination
 * is resolved with openat2(RESOLVE_IN_ROOT) and created when missing, and
 * mount(2) gets /proc/self/fd/N of that fd, never a path inside the rootfs
 * that a symlink could redirect. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>

#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000 /* glibc 2.36 lacks it; the kernel's value */
#endif

#include "mount-diag.h"
#include "mount-util.h"
#include "sys-mount.h"
#include "util/fs-util.h"

const char *proc_fd_path(int fd, char buf[static PROC_FD_PATH_MAX])
{
        (void)snprintf(buf, PROC_FD_PATH_MAX, "/proc/self/fd/%d", fd);
        return buf;
}

int mount_split_path(const char *path, char **ret_dir, char **ret_base)
{
        _cleanup_free_ char *d = strdup(path);
        if (!d)
                return -ENOMEM;
        size_t n = strlen(d);
        while (n > 1 && d[n - 1] == '/')
                d[--n] = '\0';
        char *slash = strrchr(d, '/');
        if (!slash)
                return -EINVAL;
        _cleanup_free_ char *base = strdup(slash + 1);
        if (!base)
                return -ENOMEM;
        if (!*base || streq(base, ".") || streq(base, ".."))
                return -EINVAL;
        slash[slash == d ? 1 : 0] = '\0';
        *ret_dir = TAKE_PTR(d);
        *ret_base = TAKE_PTR(base);
        return 0;
}

/* The file to create for dest whose last component is a dangling symlink:
 * its target, resolved as if the rootfs were "/" (an absolute target from
 * the rootfs, a relative one from dname), as crun does for a bind onto
 * /etc/resolv.conf -> ../run/resolv.conf. -EINVAL when base is no symlink. */
static int follow_last_symlink(int pfd, const char *dname, const char *base, char **ret_path)
{
        struct stat st;
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISLNK(st.st_mode))
                return -EINVAL;
        char target[PATH_MAX];
        ssize_t n = readlinkat(pfd, base, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        if (n == 0)
                return -ENOENT;
        target[n] = '\0';
        char *p = NULL;
        if (asprintf(&p, "%s%s%s", target[0] == '/' ? "" : dname,
                     target[0] == '/' || streq(dname, "/") ? "" : "/", target) < 0)
                return -ENOMEM;
        *ret_path = p;
        return 0;
}

/* Create the empty file dest (beneath the rootfs) to mount a file on; a
 * dangling symlink on the way or at the end is followed inside the rootfs
 * (at most 40, as the kernel's limit). */
static int create_target_file(const struct mount_ctx *ctx, const char *dest, struct modrun_error **reterr)
{
        _cleanup_free_ char *path = strdup(dest);
        if (!path)
                return error_new(reterr, ENOMEM, NULL, "mount destination %s", dest);
        for (int links = 0;; links++) {
                _cleanup_free_ char *dname = NULL, *base = NULL;
                int r = mount_split_path(path, &dname, &base);
                if (r < 0)
                        return error_new(reterr, -r, NULL, "mount destination %s: not an absolute file name", path);
                _cleanup_close_ int pfd = fs_mkdir_beneath(ctx->rootfs_fd, dname, 0755, reterr);
                if (pfd < 0)
                        return pfd;
                /* O_NOFOLLOW: a symlink is followed here, beneath the
                 * rootfs, never by the kernel from the host's "/". */
                _cleanup_close_ int cfd =
                        openat(pfd, base, O_CREAT | O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644);
                if (cfd >= 0)
                        return fs_open_beneath(ctx->rootfs_fd, path, O_PATH, 0, reterr);
                int err = errno;
                char *next = NULL;
                if (err != ELOOP || links >= 40 || (r = follow_last_symlink(pfd, dname, base, &next)) < 0)
                        return error_new(reterr, err, NULL,
                                         "create the file %s (beneath the rootfs %s) to mount %s on", path,
                                         ctx->rootfs, dest);
                free(path);
                path = next;
        }
}

/* nofollow: a symlink at the last component is the mount point itself
 * (dest-nofollow), else it is followed beneath the rootfs. *ret_created:
 * dest was missing and is made here. */
static int open_target(const struct mount_ctx *ctx, const char *dest, bool dir, bool nofollow, bool *ret_created,
                       struct modrun_error **reterr)
{
        int fd = fs_open_beneath(ctx->rootfs_fd, dest, O_PATH | (nofollow ? O_NOFOLLOW : 0), 0, NULL);
        if (fd >= 0 || fd != -ENOENT) {
                if (fd < 0)
                        return error_new(reterr, -fd, NULL, "resolve mount destination %s beneath the rootfs %s",
                                         dest, ctx->rootfs);
                *ret_created = false;
                return fd;
        }
        *ret_created = true;
        return dir ? fs_mkdir_beneath(ctx->rootfs_fd, dest, 0755, reterr) : create_target_file(ctx, dest, reterr);
}

static int open_checked_target(const struct mount_ctx *ctx, const char *dest, bool dir, bool proc_root_ok,
                               bool nofollow, bool *ret_created, struct modrun_error **reterr)
{
        bool created;
        _cleanup_close_ int fd = open_target(ctx, dest, dir, nofollow, ret_created ? ret_created : &created, reterr);
        if (fd < 0)
                return fd;
        int r = mount_check_proc_dest(ctx, fd, dest, proc_root_ok, reterr);
        return r < 0 ? r : TAKE_FD(fd);
}

int mount_open_target_as(const struct mount_ctx *ctx, const char *dest, bool dir, bool proc_root_ok, bool nofollow,
                         struct modrun_error **reterr)
{
        return open_checked_target(ctx, dest, dir, proc_root_ok, nofollow, NULL, reterr);
}

int mount_open_target(const struct mount_ctx *ctx, const char *dest, bool dir, struct modrun_error **reterr)
{
        return mount_open_target_as(ctx, dest, dir, false, false, reterr);
}

int mount_bind_fd(const struct mount_ctx *ctx, int src_fd, const char *source, int dst_fd, const char *dest,
                  bool recursive, struct modrun_error **reterr)
{
        /* no mount namespace: a clone made a slave before it is attached */
        if (ctx->host_rootfs)
                return mount_fd_bind(ctx, src_fd, source, dst_fd, dest, recursive, false, reterr);
        char s[PROC_FD_PATH_MAX], t[PROC_FD_PATH_MAX];
        unsigned long flags = MS_BIND | (recursive ? MS_REC : 0);
        int r = sys_mount(proc_fd_path(src_fd, s), proc_fd_path(dst_fd, t), NULL, flags, NULL);
        if (r < 0) {
                _cleanup_free_ char *host = mount_diag_fd_path(dst_fd);
                struct mount_call c = { .source = source, .target = dest, .host_target = host, .flags = flags,
                                        .target_fd = dst_fd, .in_userns = ctx->in_userns, .source_on_host = true };
                return mount_error(reterr, -r, &c);
        }
        return 0;
}

struct st_ms {
        unsigned long st, ms;
        const char *name;
};
static const struct st_ms lockable[] = {
        { ST_RDONLY, MS_RDONLY, "ro" },
        { ST_NOSUID, MS_NOSUID, "nosuid" },
        { ST_NODEV, MS_NODEV, "nodev" },
        { ST_NOEXEC, MS_NOEXEC, "noexec" },
        { ST_NODIRATIME, MS_NODIRATIME, "nodiratime" },
        { ST_NOSYMFOLLOW, MS_NOSYMFOLLOW, "nosymfollow" },
};

/* The flags of the mount at fd to keep, and the names of those the options
 * explicitly clear (for the EPERM hint). */
static unsigned long keep_flags(int fd, unsigned long flags, unsigned long cleared, char *clash, size_t size)
{
        struct statvfs sv;
        unsigned long mentioned = flags | cleared, keep = 0;
        size_t len = 0;
        clash[0] = '\0';
        if (fstatvfs(fd, &sv) < 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(lockable); i++) {
                if (!(sv.f_flag & lockable[i].st))
                        continue;
                if (!(mentioned & lockable[i].ms))
                        keep |= lockable[i].ms;
                else if (cleared & lockable[i].ms) {
                        int k = snprintf(clash + len, size - len, "%s%s", len ? "," : "", lockable[i].name);
                        if (k > 0 && (size_t)k < size - len)
                                len += (size_t)k;
                }
        }
        if (!(mentioned & (MOUNT_ATIME_FLAGS))) {
                if (sv.f_flag & ST_NOATIME)
                        keep |= MS_NOATIME;
                else if (!(sv.f_flag & ST_RELATIME))
                        keep |= MS_STRICTATIME;
        }
        return keep;
}

int mount_bind_remount(const struct mount_ctx *ctx, int fd, const char *source, const char *dest,
                       unsigned long flags, unsigned long cleared, struct modrun_error **reterr)
{
        char t[PROC_FD_PATH_MAX], clash[128];
        unsigned long rflags = MS_REMOUNT | MS_BIND | (flags & MOUNT_PER_MOUNT_FLAGS);
        rflags |= keep_flags(fd, flags, cleared, clash, sizeof(clash));
        int r = sys_mount(NULL, proc_fd_path(fd, t), NULL, rflags, NULL);
        if (r < 0) {
                _cleanup_free_ char *host = mount_diag_fd_path(fd);
                struct mount_call c = { .source = source, .target = dest, .host_target = host, .flags = rflags,
                                        .target_fd = fd, .in_userns = ctx->in_userns,
                                        .locked = clash[0] ? clash : NULL };
                return mount_error(reterr, -r, &c);
        }
        return 0;
}

int mount_set_propagation(const struct mount_ctx *ctx, int fd, const char *dest, unsigned long prop,
                          struct modrun_error **reterr)
{
        char t[PROC_FD_PATH_MAX];
        int r = sys_mount(NULL, proc_fd_path(fd, t), NULL, prop, NULL);
        if (r < 0) {
                _cleanup_free_ char *host = mount_diag_fd_path(fd);
                struct mount_call c = { .target = dest, .host_target = host, .flags = prop, .target_fd = fd,
                                        .in_userns = ctx->in_userns };
                return mount_error(reterr, -r, &c);
        }
        return 0;
}

static int apply_rec_attr(const struct mount_ctx *ctx, int fd, const char *dest, const struct mount_options *o,
                          struct modrun_error **reterr)
{
        struct mount_attr attr = { .attr_set = o->rec_attr_set, .attr_clr = o->rec_attr_clr };
        int r = sys_mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr));
        if (r < 0) {
                _cleanup_free_ char *host = mount_diag_fd_path(fd);
                struct mount_call c = { .target = dest, .host_target = host, .target_fd = fd,
                                        .in_userns = ctx->in_userns };
                return mount_setattr_error(reterr, -r, &c, attr.attr_set, attr.attr_clr, 0, true);
        }
        return 0;
}

/* The mount just made at m->destination (with dest-nofollow the one on the
 * symlink, which following would leave). */
static int open_mounted(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o,
                        struct modrun_error **reterr)
{
        return fs_open_beneath(ctx->rootfs_fd, m->destination, O_PATH | (o->dest_nofollow ? O_NOFOLLOW : 0), 0,
                               reterr);
}

/* A new bind mount takes the source's flags: remount it with the ones the
 * options ask for, if any. */
static int remount_with_flags(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o,
                              struct modrun_error **reterr)
{
        if (!(o->flags & ~(MS_BIND | MS_REC | MS_REMOUNT)))
                return 0;
        _cleanup_close_ int nfd = open_mounted(ctx, m, o, reterr);
        if (nfd < 0)
                return nfd;
        return mount_bind_remount(ctx, nfd, m->source, m->destination, o->flags, o->cleared, reterr);
}

/* Attach the detached mount fd (from the runtime) onto tfd. */
static int attach_detached(const struct mount_ctx *ctx, const struct oci_mount *m, int fd, int tfd,
                           struct modrun_error **reterr)
{
        bool slave_later;
        int r = mount_fd_leave_peers(ctx, fd, m->destination, &slave_later, reterr);
        if (r < 0)
                return r;
        r = sys_move_mount(fd, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        if (r >= 0 && slave_later)
                return mount_fd_leave_peers_attached(ctx, fd, m->destination, reterr);
        if (r < 0) {
                _cleanup_free_ char *host = mount_diag_fd_path(tfd);
                return error_new(reterr, -r, NULL,
                                 "mount %s: move_mount of the mount of %s that the runtime opened onto %s",
                                 m->destination, m->source, host ? host : m->destination);
        }
        return 0;
}

/* A bind mount. fd >= 0 is a detached mount of the source that the runtime
 * made (container/idmap-mounts.c: an id-mapped one, or one the init could
 * not open in its user namespace), moved onto the destination; else the
 * source is opened here and bound. Then remounted with its flags. */
static int mount_bind_entry(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o,
                            int fd, struct modrun_error **reterr)
{
        if (!m->source)
                return error_new(reterr, EINVAL, "give the host path to bind in \"source\"",
                                 "bind mount on %s: no source", m->destination);
        _cleanup_close_ int own = -1;
        if (fd < 0 && (own = open(m->source, O_PATH | O_CLOEXEC | (o->src_nofollow ? O_NOFOLLOW : 0))) < 0) {
                struct mount_call c = { .source = m->source, .target = m->destination, .flags = o->flags,
                                        .target_fd = -1, .in_userns = ctx->in_userns, .source_on_host = true };
                return mount_error(reterr, errno, &c);
        }
        int src = fd >= 0 ? fd : own;
        struct stat st;
        if (fstat(src, &st) < 0)
                return error_new(reterr, errno, NULL, "stat bind source %s", m->source);
        struct statfs sf;
        bool procfs = fstatfs(src, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
        _cleanup_close_ int tfd =
                mount_open_target_as(ctx, m->destination, S_ISDIR(st.st_mode), procfs, o->dest_nofollow, reterr);
        if (tfd < 0)
                return tfd;
        int r = fd >= 0 ? attach_detached(ctx, m, fd, tfd, reterr)
                        : mount_bind_fd(ctx, src, m->source, tfd, m->destination, (o->flags & MS_REC) != 0, reterr);
        return r < 0 ? r : remount_with_flags(ctx, m, o, reterr);
}

/* Does the file system data (comma-separated) carry key=...? */
static bool data_has_key(const char *data, const char *key)
{
        size_t n = strlen(key);
        for (const char *p = data; p && *p;) {
                size_t len = strcspn(p, ",");
                if (len > n && strncmp(p, key, n) == 0 && p[n] == '=')
                        return true;
                p += len;
                if (*p == ',')
                        p++;
        }
        return false;
}

/* The data of a tmpfs on tfd, in *ret (NULL: o->data as it is). As runc
 * (mountToRootfs, case "tmpfs"), a tmpfs covering a directory that was
 * there takes its mode, set-id and sticky bits included, so the image's
 * 0710 or 2775 is not turned into the kernel's 1777; an explicit mode=
 * wins (runc puts its own first, the last one counts; modrun leaves the
 * data alone). A destination modrun made (0755) keeps 1777, as runc's.
 * The mode is read from tfd, the directory about to be covered, not from
 * a path that could be resolved anew. */
static int tmpfs_data(const struct oci_mount *m, const struct mount_options *o, int tfd, bool created, char **ret,
                      struct modrun_error **reterr)
{
        *ret = NULL;
        if (created || !streq(m->type, "tmpfs") || data_has_key(o->data, "mode"))
                return 0;
        struct stat st;
        if (fstat(tfd, &st) < 0)
                return error_new(reterr, errno, NULL, "mount %s: stat the directory the tmpfs covers, for its mode",
                                 m->destination);
        /* not a directory: the mount fails with ENOTDIR, its message
         * showing the data as given */
        if (!S_ISDIR(st.st_mode))
                return 0;
        if (asprintf(ret, "mode=%04o%s%s", (unsigned)(st.st_mode & 07777), o->data ? "," : "",
                     o->data ? o->data : "") < 0) {
                *ret = NULL;
                return error_new(reterr, ENOMEM, NULL, "mount %s: tmpfs options", m->destination);
        }
        return 0;
}

/* A new file system (tmpfs, proc, mqueue ...) on tfd; created: tfd was
 * made by modrun, not found in the image. */
static int mount_fs_entry(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o,
                          int tfd, bool created, struct modrun_error **reterr)
{
        char t[PROC_FD_PATH_MAX];
        const char *source = m->source && *m->source ? m->source : m->type;
        _cleanup_free_ char *tmpfs = NULL;
        int r = tmpfs_data(m, o, tfd, created, &tmpfs, reterr);
        if (r < 0)
                return r;
        const char *data = tmpfs ? tmpfs : o->data;
        _cleanup_close_ int below = -1;
        if (o->tmpcopyup && streq(m->type, "tmpfs")) {
                below = fs_open_beneath(ctx->rootfs_fd, m->destination, O_RDONLY | O_DIRECTORY, 0, reterr);
                if (below < 0)
                        return error_wrap(reterr, "tmpcopyup of %s", m->destination);
        }
        r = sys_mount(source, proc_fd_path(tfd, t), m->type, o->flags, data);
        if (r < 0) {
                _cleanup_free_ char *host = mount_diag_fd_path(tfd);
                struct mount_call c = { .source = source, .target = m->destination, .host_target = host,
                                        .fstype = m->type, .flags = o->flags, .data = data, .target_fd = tfd,
                                        .in_userns = ctx->in_userns };
                return mount_error(reterr, -r, &c);
        }
        if (below >= 0) {
                /* on "/", the fd of the rootfs is the directory below */
                _cleanup_close_ int top =
                        mount_dest_is_root(m->destination)
                                ? open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)
                                : fs_open_beneath(ctx->rootfs_fd, m->destination, O_PATH | O_DIRECTORY, 0, reterr);
                if (top < 0 && mount_dest_is_root(m->destination))
                        return error_new(reterr, errno, NULL, "tmpcopyup of /: open the tmpfs on the rootfs %s",
                                         ctx->rootfs);
                if (top < 0)
                        return top;
                r = mount_copy_tree(below, top, reterr);
                if (r < 0)
                        return error_wrap(reterr, "tmpcopyup of %s", m->destination);
        }
        return 0;
}

bool mount_type_is_cgroup(const char *type)
{
        return type && (streq(type, "cgroup") || streq(type, "cgroup2"));
}

/* proc and sysfs: mounted only on an ordinary directory (mount-proc.c) */
static bool is_proc_type(const char *type)
{
        return streq(type, "proc") || streq(type, "sysfs");
}

/* Is m a read-only tmpfs to make read-only only at the end (struct
 * mount_ro_later)? Not a bind: what would be created in it is created in
 * the host's source directory, which the user asked to be read-only; a
 * mount below it needs its mount point there already (as runc and crun). */
static bool ro_deferred(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o,
                        bool bind)
{
        return ctx->ro_later && (o->flags & MS_RDONLY) && !bind && m->type && streq(m->type, "tmpfs");
}

static int ro_later_add(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o,
                        struct modrun_error **reterr)
{
        int fd = open_mounted(ctx, m, o, reterr);
        if (fd < 0)
                return fd;
        ctx->ro_later[(*ctx->n_ro_later)++] =
                (struct mount_ro_later){ .fd = fd, .m = m, .flags = o->flags, .cleared = o->cleared };
        return 0;
}

void mount_ro_later_close(const struct mount_ctx *ctx)
{
        if (!ctx->ro_later)
                return;
        for (size_t i = 0; i < *ctx->n_ro_later; i++)
                closep(&ctx->ro_later[i].fd);
        *ctx->n_ro_later = 0;
}

int mount_ro_later_apply(const struct mount_ctx *ctx, struct modrun_error **reterr)
{
        int r = 0;
        for (size_t i = ctx->ro_later ? *ctx->n_ro_later : 0; i > 0 && r >= 0; i--) {
                const struct mount_ro_later *l = &ctx->ro_later[i - 1];
                const char *source = l->m->source && *l->m->source ? l->m->source : l->m->type;
                r = mount_bind_remount(ctx, l->fd, source, l->m->destination, l->flags, l->cleared, reterr);
                if (r < 0)
                        r = error_wrap(reterr, "mounts[%zu]: make %s read-only after the mounts below it",
                                       (size_t)(l->m - ctx->cfg->mounts), l->m->destination);
        }
        mount_ro_later_close(ctx);
        return r;
}

static int mount_entry_parsed(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *opts,
                              struct modrun_error **reterr)
{
        int r;
        bool idmapped = mount_options_is_idmapped(opts, m->n_uid_mappings + m->n_gid_mappings);
        bool defer_ro = ro_deferred(ctx, m, opts, idmapped || mount_options_is_bind(opts, m->type));
        /* a shallow copy: writable until mount_ro_later_apply() when deferred */
        struct mount_options eff = *opts;
        if (defer_ro)
                eff.flags &= ~MS_RDONLY;
        const struct mount_options *o = &eff;
        int fd = ctx->mount_fds ? ctx->mount_fds[m - ctx->cfg->mounts] : -1;
        if (idmapped) {
                r = fd < 0 ? error_new(reterr, EPROTO, NULL, "mount %s: the runtime sent no id-mapped mount",
                                       m->destination)
                           : mount_bind_entry(ctx, m, o, fd, reterr);
        } else if (mount_options_is_bind(o, m->type)) {
                r = mount_bind_entry(ctx, m, o, fd, reterr);
        } else {
                if (!m->type)
                        return error_new(reterr, EINVAL, "set \"type\" (tmpfs, proc, ...) or the bind option",
                                         "mount on %s: no type and not a bind mount", m->destination);
                bool created = false;
                _cleanup_close_ int tfd =
                        is_proc_type(m->type)
                                ? mount_open_ordinary_dir(ctx, m->type, m->destination, reterr)
                                : open_checked_target(ctx, m->destination, true, false, false, &created, reterr);
                if (tfd < 0)
                        return tfd;
                r = mount_type_is_cgroup(m->type) ? mount_cgroup(ctx, m, o, tfd, reterr)
                                            : mount_fs_entry(ctx, m, o, tfd, created, reterr);
        }
        if (r < 0)
                return r;
        if (o->n_propagation || mount_options_has_rec_attr(o)) {
                _cleanup_close_ int nfd = open_mounted(ctx, m, o, reterr);
                if (nfd < 0)
                        return nfd;
                for (size_t i = 0; i < o->n_propagation; i++) {
                        r = mount_set_propagation(ctx, nfd, m->destination, o->propagation[i], reterr);
                        if (r < 0)
                                return r;
                }
                if (mount_options_has_rec_attr(o) && (r = apply_rec_attr(ctx, nfd, m->destination, o, reterr)) < 0)
                        return r;
        }
        return defer_ro ? ro_later_add(ctx, m, opts, reterr) : 0;
}

int mount_config_entry(const struct mount_ctx *ctx, const struct oci_mount *m, struct modrun_error **reterr)
{
        struct mount_options o;
        if (!m->destination)
                return error_new(reterr, EINVAL, NULL, "a mount without destination");
        int r = mount_options_parse(m->options, &o, reterr);
        if (r < 0)
                return r;
        r = mount_entry_parsed(ctx, m, &o, reterr);
        mount_options_done(&o);
        return r;
}
