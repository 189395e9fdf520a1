/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A "cgroup"/"cgroup2" mount of config.json shows the container its own
 * cgroup in every hierarchy and nothing above it, with or without a cgroup
 * namespace (runc shows the same; see tests/integration/t-sec-cgroupns.sh):
 *  - rootfs_cgroups_open(), in the init once it is in its cgroups and
 *    before it unshares a cgroup namespace (afterwards /proc/self/cgroup
 *    reads "/" everywhere and names no directory), opens O_PATH the own
 *    directory of each hierarchy mounted at the runtime's /sys/fs/cgroup:
 *    the mount point plus the /proc/self/cgroup path taken relative to the
 *    mount's root (mountinfo), both read in the same cgroup namespace. A
 *    hierarchy whose own directory is not below that mount is left out:
 *    nothing else, least of all the hierarchy's root, stands in for it.
 *  - mount_cgroup() binds those fds only. cgroup v2 (/sys/fs/cgroup is
 *    cgroup2), and type "cgroup2" on a hybrid host: the own directory of
 *    the cgroup2 hierarchy onto the destination. Type "cgroup" on cgroup
 *    v1 or hybrid: as runc, a tmpfs at the destination and beneath it one
 *    bind per v1 hierarchy, in mountinfo order (the hybrid cgroup2 one
 *    left out, as runc and crun do), the co-mount symlinks
 *    (cpu -> cpu,cpuacct) copied; "ro" makes each bind and finally the
 *    tmpfs read-only (runc leaves its tmpfs writable). No new cgroup file
 *    system is mounted: in a namespace the init did not create (or joined
 *    by path) its root could lie above the container's cgroup.
 * Bind failures get the FIELD-NOTES #1 diagnosis (owner and mode of the
 * mount point and of the cgroup directory, mapping, umask).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-diag.h"
#include "mount-util.h"
#include "sys-mount.h"
#include "util/fs-util.h"
#include "util/mountinfo.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CGROUP_MNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MOUNT_ATIME_FLAGS | MS_NODIRATIME)

struct cgroup_hier {
        char *name; /* entry under /sys/fs/cgroup ("memory", "unified"); "" when it is cgroup2 itself */
        char *dir;  /* the own directory on the host, for messages */
        int fd;     /* O_PATH of it */
        bool v2;    /* a cgroup2 hierarchy */
};

struct rootfs_cgroups {
        bool v2_root;    /* /sys/fs/cgroup itself is cgroup2 */
        bool v2_mounted; /* a cgroup2 hierarchy is mounted there (own directory found or not) */
        size_t n;        /* in mountinfo order, as runc mounts them */
        struct cgroup_hier *h;
};

struct rootfs_cgroups *rootfs_cgroups_free(struct rootfs_cgroups *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++) {
                free(c->h[i].name);
                free(c->h[i].dir);
                if (c->h[i].fd >= 0)
                        (void)close(c->h[i].fd);
        }
        free(c->h);
        free(c);
        return NULL;
}

void rootfs_cgroups_freep(struct rootfs_cgroups **c)
{
        rootfs_cgroups_free(*c);
}

static bool config_has_cgroup_mount(const struct oci_config *cfg)
{
        for (size_t i = 0; i < cfg->n_mounts; i++) {
                if (mount_type_is_cgroup(cfg->mounts[i].type))
                        return true;
        }
        return false;
}

/* Is [tok, tok+len) one of the comma-separated options of opts? */
static bool option_listed(const char *opts, const char *tok, size_t len)
{
        for (const char *p = opts; p && *p;) {
                size_t l = strcspn(p, ",");
                if (l == len && strncmp(p, tok, len) == 0)
                        return true;
                p += l + (p[l] == ',');
        }
        return false;
}

/* Does the /proc/self/cgroup line "id:ctl:path" (ctl of length ctl_len)
 * describe the hierarchy mounted as m? cgroup2 is id 0 with no controller;
 * a v1 hierarchy lists its controllers (and name=) in its super options,
 * and no two hierarchies share one. */
static bool line_is_hierarchy(const char *id, const char *ctl, size_t ctl_len, const struct mountinfo_entry *m)
{
        if (streq(m->fstype, "cgroup2"))
                return ctl_len == 0 && strncmp(id, "0:", 2) == 0;
        if (ctl_len == 0)
                return false;
        for (size_t i = 0; i < ctl_len;) {
                size_t l = strcspn(ctl + i, ",:");
                if (!option_listed(m->super_options, ctl + i, l))
                        return false;
                i += l + 1;
        }
        return true;
}

/* The process's cgroup path (malloc()ed) in the hierarchy mounted as m,
 * from the text of /proc/self/cgroup; NULL when no line matches. */
static char *own_path(const char *proc_cgroup, const struct mountinfo_entry *m)
{
        for (const char *l = proc_cgroup; l && *l;) {
                size_t len = strcspn(l, "\n");
                const char *c1 = memchr(l, ':', len);
                const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - l)) : NULL;
                if (c2 && line_is_hierarchy(l, c1 + 1, (size_t)(c2 - c1 - 1), m))
                        return strndup(c2 + 1, len - (size_t)(c2 + 1 - l));
                l += len + (l[len] == '\n');
        }
        return NULL;
}

/* own relative to the mount's root ("" or "/a/b"), or NULL when own is not
 * at or below it, or has a ".." component (a namespace joined by path can
 * show "/.." paths: never walk out of the mount). */
static const char *path_below(const char *own, const char *root)
{
        size_t n = streq(root, "/") ? 0 : strlen(root);
        if (strncmp(own, root, n) != 0 || (own[n] != '\0' && own[n] != '/'))
                return NULL;
        const char *rel = streq(own + n, "/") ? "" : own + n;
        for (const char *p = rel; (p = strstr(p, "/..")); p += 3)
                if (p[3] == '\0' || p[3] == '/')
                        return NULL;
        return rel;
}

/* Open the own directory of the hierarchy mounted as m (called name under
 * /sys/fs/cgroup) and add it; nothing is added when it is not below m. */
static int cgroups_add(struct rootfs_cgroups *c, const char *name, const struct mountinfo_entry *m,
                       const char *proc_cgroup, struct modrun_error **reterr)
{
        if (streq(m->fstype, "cgroup2"))
                c->v2_mounted = true;
        _cleanup_free_ char *own = own_path(proc_cgroup, m);
        const char *rel = own ? path_below(own, m->root) : NULL;
        if (!rel)
                return 0;
        _cleanup_free_ char *dir = NULL, *nm = strdup(name);
        if (!nm || asprintf(&dir, "%s%s", m->mount_point, rel) < 0)
                return error_new(reterr, ENOMEM, NULL, "cgroup mount: the container's cgroup in %s", m->mount_point);
        _cleanup_close_ int fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT)
                return 0; /* removed meanwhile: the container is not in it */
        if (fd < 0)
                return error_new(reterr, errno, "the runtime must be able to search the host's cgroup directories",
                                 "cgroup mount: open the container's own cgroup directory %s", dir);
        struct cgroup_hier *h = reallocarray(c->h, c->n + 1, sizeof(*h));
        if (!h)
                return error_new(reterr, ENOMEM, NULL, "cgroup mount: the container's cgroup in %s", m->mount_point);
        c->h = h;
        c->h[c->n++] = (struct cgroup_hier){ .name = TAKE_PTR(nm), .dir = TAKE_PTR(dir), .fd = TAKE_FD(fd),
                                             .v2 = streq(m->fstype, "cgroup2") };
        return 0;
}

/* Every hierarchy visible at /sys/fs/cgroup: the top mount there when it
 * is cgroup2, else the top cgroup mounts right beneath it. */
static int cgroups_scan(struct rootfs_cgroups *c, const struct mountinfo_entry *e, size_t n, const char *proc_cgroup,
                        struct modrun_error **reterr)
{
        const struct mountinfo_entry *top = mountinfo_find(e, n, CGROUP_ROOT);
        if (!top)
                return 0;
        if (streq(top->fstype, "cgroup2")) {
                c->v2_root = true;
                return cgroups_add(c, "", top, proc_cgroup, reterr);
        }
        const size_t plen = strlen(CGROUP_ROOT "/");
        for (size_t i = 0; i < n; i++) {
                const struct mountinfo_entry *m = &e[i];
                if (m->parent_id != top->mount_id || (!streq(m->fstype, "cgroup") && !streq(m->fstype, "cgroup2")) ||
                    strncmp(m->mount_point, CGROUP_ROOT "/", plen) != 0 || strchr(m->mount_point + plen, '/') ||
                    mountinfo_find(e, n, m->mount_point) != m)
                        continue;
                int r = cgroups_add(c, m->mount_point + plen, m, proc_cgroup, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int rootfs_cgroups_open(const struct oci_config *cfg, bool copy_of_runtime, struct rootfs_cgroups **ret,
                        struct modrun_error **reterr)
{
        if (!config_has_cgroup_mount(cfg)) {
                *ret = NULL;
                return 0;
        }
        _cleanup_free_ char *proc_cgroup = NULL;
        int r = fs_read_file(AT_FDCWD, "/proc/self/cgroup", &proc_cgroup, reterr);
        if (r < 0)
                return error_wrap(reterr, "cgroup mount: find the container's own cgroups");
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        /* Mount ids differ in the copy, but the scan compares them only
         * within one table; paths, roots and types are the same. (At 300
         * mounts a read costs about 0.6 ms: bench/README.md.) Only the
         * mounts at and beneath /sys/fs/cgroup are parsed: each entry
         * parsed is heap the init, a fork, writes and so copies. */
        _cleanup_free_ char *own_text = NULL;
        const char *text = NULL;
        if (copy_of_runtime) /* kept by the runtime; never filled here: our memory may be its */
                text = mountinfo_self_text_kept();
        r = text ? 0 : fs_read_file(AT_FDCWD, "/proc/self/mountinfo", &own_text, reterr);
        if (r >= 0)
                r = mountinfo_parse_under(text ? text : own_text, CGROUP_ROOT, &e, &n, reterr);
        if (r < 0)
                return error_wrap(reterr, "cgroup mount: find the host's cgroup hierarchies");
        _cleanup_(rootfs_cgroups_freep) struct rootfs_cgroups *c = calloc(1, sizeof(*c));
        r = c ? cgroups_scan(c, e, n, proc_cgroup, reterr) : error_new(reterr, ENOMEM, NULL, "cgroup mount");
        mountinfo_free(e, n);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

static const struct cgroup_hier *cgroups_find_v2(const struct rootfs_cgroups *c)
{
        for (size_t i = 0; i < c->n; i++)
                if (c->h[i].v2)
                        return &c->h[i];
        return NULL;
}

/* Bind the own directory h onto fd (the mount point at dest), then apply
 * the flags. */
static int bind_own_dir(const struct mount_ctx *ctx, const struct cgroup_hier *h, int fd, const char *dest,
                        unsigned long flags, struct modrun_error **reterr)
{
        /* h->fd was opened with the runtime's credentials: the container's
         * root must reach the directory too (FIELD-NOTES #1). */
        if (faccessat(AT_FDCWD, h->dir, X_OK, AT_EACCESS) < 0) {
                struct mount_call c = { .source = h->dir, .target = dest, .flags = MS_BIND | MS_REC, .target_fd = fd,
                                        .cgroup_dir = h->dir, .in_userns = ctx->in_userns, .source_on_host = true };
                return mount_error(reterr, errno, &c);
        }
        int r = mount_bind_fd(ctx, h->fd, h->dir, fd, dest, true, reterr);
        if (r < 0) {
                error_hint(*reterr, "the cgroup directory is %s", h->dir);
                return r;
        }
        if (!(flags & CGROUP_MNT_FLAGS))
                return 0;
        _cleanup_close_ int nfd = fs_open_beneath(ctx->rootfs_fd, dest, O_PATH, 0, reterr);
        if (nfd < 0)
                return nfd;
        return mount_bind_remount(ctx, nfd, h->dir, dest, flags & CGROUP_MNT_FLAGS, 0, reterr);
}

static int mount_hierarchy(const struct mount_ctx *ctx, int tmpfs_fd, const char *dest, const struct cgroup_hier *h,
                           unsigned long flags, struct modrun_error **reterr)
{
        _cleanup_free_ char *sub = NULL;
        if (asprintf(&sub, "%s/%s", streq(dest, "/") ? "" : dest, h->name) < 0)
                return error_new(reterr, ENOMEM, NULL, "cgroup mount on %s", dest);
        if (mkdirat(tmpfs_fd, h->name, 0755) < 0 && errno != EEXIST)
                return error_new(reterr, errno, NULL, "mkdir %s (host path %s/%s)", sub, ctx->rootfs, sub);
        _cleanup_close_ int fd = openat(tmpfs_fd, h->name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open %s", sub);
        return bind_own_dir(ctx, h, fd, sub, flags, reterr);
}

/* The co-mount symlinks of the host's /sys/fs/cgroup (cpu -> cpu,cpuacct). */
static int copy_symlinks(int tmpfs_fd, const char *dest, struct modrun_error **reterr)
{
        DIR *d = opendir(CGROUP_ROOT);
        if (!d)
                return error_new(reterr, errno, NULL, "list the host's cgroup hierarchies in " CGROUP_ROOT);
        int r = 0;
        for (struct dirent *de; r == 0 && (de = readdir(d));) {
                char target[PATH_MAX];
                ssize_t n = de->d_type == DT_LNK && de->d_name[0] != '.'
                                    ? readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1)
                                    : -1;
                if (n <= 0)
                        continue;
                target[n] = '\0';
                if (symlinkat(target, tmpfs_fd, de->d_name) < 0 && errno != EEXIST)
                        r = error_new(reterr, errno, NULL, "symlink %s/%s -> %s", dest, de->d_name, target);
        }
        closedir(d);
        return r;
}

/* v1 or hybrid, type "cgroup": the v1 hierarchies in mountinfo order, then
 * the symlinks. The hybrid cgroup2 one is left out, as runc and crun do (a
 * "cgroup2" mount shows it). */
static int mount_v1_hierarchies(const struct mount_ctx *ctx, int tmpfs_fd, const char *dest, unsigned long flags,
                                struct modrun_error **reterr)
{
        for (size_t i = 0; i < ctx->cgroups->n; i++) {
                const struct cgroup_hier *h = &ctx->cgroups->h[i];
                int r = h->v2 ? 0 : mount_hierarchy(ctx, tmpfs_fd, dest, h, flags, reterr);
                if (r < 0)
                        return r;
        }
        return copy_symlinks(tmpfs_fd, dest, reterr);
}

/* cgroup v2 (/sys/fs/cgroup is cgroup2), or type "cgroup2" on a hybrid
 * host: the own directory of the cgroup2 hierarchy onto the destination,
 * what a new cgroup2 mount shows in the container's cgroup namespace. */
static int mount_cgroup2(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o,
                         int tfd, struct modrun_error **reterr)
{
        const struct cgroup_hier *h = cgroups_find_v2(ctx->cgroups);
        if (h)
                return bind_own_dir(ctx, h, tfd, m->destination, o->flags, reterr);
        if (!ctx->cgroups->v2_mounted)
                return error_new(reterr, ENOENT, "use type \"cgroup\" for the cgroup v1 hierarchies",
                                 "%s mount on %s: the host has no cgroup2 hierarchy (neither " CGROUP_ROOT
                                 " nor " CGROUP_ROOT "/unified is cgroup2)", m->type, m->destination);
        return error_new(reterr, ENOENT, "run the container in a cgroup below the runtime's view of " CGROUP_ROOT,
                         "%s mount on %s: the container's cgroup2 cgroup is not below the host's cgroup2 mount",
                         m->type, m->destination);
}

int mount_cgroup(const struct mount_ctx *ctx, const struct oci_mount *m, const struct mount_options *o, int tfd,
                 struct modrun_error **reterr)
{
        char t[PROC_FD_PATH_MAX];
        if (!ctx->cgroups)
                return error_new(reterr, EPROTO, NULL, "cgroup mount on %s: the init did not look up its own cgroups",
                                 m->destination);
        if (ctx->cgroups->v2_root || streq(m->type, "cgroup2"))
                return mount_cgroup2(ctx, m, o, tfd, reterr);
        unsigned long tflags = (o->flags & CGROUP_MNT_FLAGS & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        int r = sys_mount("tmpfs", proc_fd_path(tfd, t), "tmpfs", tflags, "mode=755");
        if (r < 0) {
                _cleanup_free_ char *host = mount_diag_fd_path(tfd);
                struct mount_call c = { .source = "tmpfs", .target = m->destination, .host_target = host,
                                        .fstype = "tmpfs", .flags = tflags, .data = "mode=755", .target_fd = tfd,
                                        .in_userns = ctx->in_userns };
                return mount_error(reterr, -r, &c);
        }
        _cleanup_close_ int top = fs_open_beneath(ctx->rootfs_fd, m->destination, O_PATH | O_DIRECTORY, 0, reterr);
        if (top < 0)
                return top;
        r = mount_v1_hierarchies(ctx, top, m->destination, o->flags, reterr);
        if (r < 0 || !(o->flags & MS_RDONLY))
                return r;
        return mount_bind_remount(ctx, top, "tmpfs", m->destination, tflags | MS_RDONLY, 0, reterr);
}
