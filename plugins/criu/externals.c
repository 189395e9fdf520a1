/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What lies outside the container's processes and must be named to criu
 * (docs/checkpoint.md): the bind mounts of config.json and the masked
 * files (bind mounts of /dev/null) are external mounts, keyed by their
 * destination; a network namespace joined by path is external, given back
 * on restore as an open fd; the terminal is external, replaced on restore
 * by a new pty; the init's stdio pipes are replaced by the restoring
 * modrun's own (descriptors file).
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "criu.h"

static const struct json_object *get(const struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *get_str(const struct json_object *o, const char *key)
{
        const struct json_object *v = get(o, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string((struct json_object *)v)
                                                              : NULL;
}

static bool is_bind(const struct json_object *m)
{
        const char *type = get_str(m, "type");
        if (type && strcmp(type, "bind") == 0)
                return true;
        const struct json_object *opts = get(m, "options");
        size_t n = opts && json_object_is_type(opts, json_type_array) ? json_object_array_length(opts) : 0;
        for (size_t i = 0; i < n; i++) {
                const char *o = json_object_get_string(json_object_array_get_idx(opts, i));
                if (o && (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0))
                        return true;
        }
        return false;
}

static const struct json_object *array_of(const struct json_object *o, const char *key)
{
        const struct json_object *a = get(o, key);
        return a && json_object_is_type(a, json_type_array) ? a : NULL;
}

#define FOREACH_IN(arr, var)                                                                              \
        for (size_t var##_i = 0, var##_n = (arr) ? json_object_array_length(arr) : 0; var##_i < var##_n; \
             var##_i++)                                                                                   \
                for (const struct json_object *var = json_object_array_get_idx(arr, var##_i); var; var = NULL)

/* The path of the network namespace the config joins, or NULL. */
static const char *netns_path(const struct json_object *config)
{
        FOREACH_IN(array_of(get(config, "linux"), "namespaces"), ns)
        {
                const char *type = get_str(ns, "type");
                if (type && strcmp(type, "network") == 0)
                        return get_str(ns, "path");
        }
        return NULL;
}

/* Does the config make a network namespace of its own? */
static bool own_netns(const struct json_object *config)
{
        FOREACH_IN(array_of(get(config, "linux"), "namespaces"), ns)
        {
                const char *type = get_str(ns, "type");
                if (type && strcmp(type, "network") == 0 && !get_str(ns, "path"))
                        return true;
        }
        return false;
}

static bool terminal(const struct json_object *config)
{
        const struct json_object *t = get(get(config, "process"), "terminal");
        return t && json_object_get_boolean((struct json_object *)t);
}

/* One line of mountinfo: the fields we use (pointers into line, which is
 * cut up). Paths with escapes (\040) are left as they are. */
struct mnt_line {
        char *root, *mountpoint, *fstype, *super;
};

static bool mnt_parse(char *line, struct mnt_line *m)
{
        char *save = NULL, *f[16] = {0};
        size_t n = 0;
        for (char *t = strtok_r(line, " \n", &save); t && n < 16; t = strtok_r(NULL, " \n", &save))
                f[n++] = t;
        size_t dash = 6;
        while (dash < n && strcmp(f[dash], "-") != 0)
                dash++;
        if (dash + 3 >= n)
                return false;
        *m = (struct mnt_line){.root = f[3], .mountpoint = f[4], .fstype = f[dash + 1], .super = f[dash + 3]};
        return true;
}

static bool is_cgroup_fs(const char *fstype)
{
        return strcmp(fstype, "cgroup") == 0 || strcmp(fstype, "cgroup2") == 0;
}

/* The super options without rw/ro: what tells one v1 hierarchy from another. */
static const char *hierarchy_key(const char *super)
{
        if (strncmp(super, "rw,", 3) == 0 || strncmp(super, "ro,", 3) == 0)
                return super + 3;
        return strcmp(super, "rw") == 0 || strcmp(super, "ro") == 0 ? "" : super;
}

/* The container's cgroup mounts (binds of its own cgroup directories from
 * the host's hierarchies, core/init/rootfs/mount-cgroup.c) are external,
 * as runc makes them: on restore each is the new container's directory of
 * the same hierarchy. Recorded in cgroups: [{dest, fstype, hierarchy, root}]. */
static int dump_cgroup_mounts(const struct modrun_host *host, pid_t pid, struct argv_builder *a,
                              struct json_object *cgroups, struct modrun_error **reterr)
{
        char path[64];
        (void)snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return host->error(reterr, errno, NULL, "criu: read %s", path);
        char *line = NULL;
        size_t size = 0;
        while (getline(&line, &size, f) > 0) {
                struct mnt_line m;
                if (!mnt_parse(line, &m) || !is_cgroup_fs(m.fstype))
                        continue;
                argv_addf(a, "--external=mnt[%s]:%s", m.mountpoint, m.mountpoint);
                struct json_object *o = json_object_new_object();
                if (!o)
                        continue;
                (void)json_object_object_add(o, "dest", json_object_new_string(m.mountpoint));
                (void)json_object_object_add(o, "fstype", json_object_new_string(m.fstype));
                (void)json_object_object_add(o, "hierarchy", json_object_new_string(hierarchy_key(m.super)));
                (void)json_object_object_add(o, "root", json_object_new_string(m.root));
                (void)json_object_array_add(cgroups, o);
        }
        free(line);
        fclose(f);
        return 0;
}

/* The host's mount point of the hierarchy (fstype, key) whose root is "/". */
static bool host_hierarchy(const char *fstype, const char *key, char *ret, size_t size)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char *line = NULL;
        size_t n = 0;
        bool found = false;
        while (f && !found && getline(&line, &n, f) > 0) {
                struct mnt_line m;
                if (mnt_parse(line, &m) && strcmp(m.fstype, fstype) == 0 && strcmp(m.root, "/") == 0 &&
                    (strcmp(fstype, "cgroup2") == 0 || strcmp(hierarchy_key(m.super), key) == 0)) {
                        (void)snprintf(ret, size, "%s", m.mountpoint);
                        found = true;
                }
        }
        free(line);
        if (f)
                fclose(f);
        return found;
}

/* Does the controller list of a /proc/self/cgroup line ("cpu,cpuacct",
 * "name=systemd") name the hierarchy of super options key? */
static bool same_hierarchy(const char *ctrls, size_t len, const char *key)
{
        if (len == 0)
                return false;
        for (const char *c = ctrls; c < ctrls + len;) {
                const char *end = memchr(c, ',', (size_t)(ctrls + len - c));
                size_t n = end ? (size_t)(end - c) : (size_t)(ctrls + len - c);
                bool found = false;
                for (const char *k = key; *k && !found;) {
                        size_t m = strcspn(k, ",");
                        found = m == n && strncmp(k, c, n) == 0;
                        k += m + (k[m] == ',');
                }
                if (!found)
                        return false;
                c += n + 1;
        }
        return true;
}

/* This process's cgroup in the hierarchy (fstype, key): the restore runs
 * in the new container's cgroups (the core moved it there). */
static bool self_cgroup(const char *fstype, const char *key, char *ret, size_t size)
{
        FILE *f = fopen("/proc/self/cgroup", "re");
        char *line = NULL;
        size_t n = 0;
        bool found = false, v2 = strcmp(fstype, "cgroup2") == 0;
        while (f && !found && getline(&line, &n, f) > 0) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                line[strcspn(line, "\n")] = '\0';
                size_t len = (size_t)(c2 - c1 - 1);
                if (v2 ? len == 0 : same_hierarchy(c1 + 1, len, key)) {
                        (void)snprintf(ret, size, "%s", c2 + 1);
                        found = true;
                }
        }
        free(line);
        if (f)
                fclose(f);
        return found;
}

/* --cgroup-root per hierarchy, as runc: where this process is (the new
 * container's cgroups), so that criu restores the tasks there. */
void criu_add_cgroup_roots(struct argv_builder *a)
{
        FILE *f = fopen("/proc/self/cgroup", "re");
        char *line = NULL;
        size_t n = 0;
        while (f && getline(&line, &n, f) > 0) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                line[strcspn(line, "\n")] = '\0';
                if (c2 == c1 + 1)
                        argv_addf(a, "--cgroup-root=%s", c2 + 1);
                else
                        argv_addf(a, "--cgroup-root=%.*s:%s", (int)(c2 - c1 - 1), c1 + 1, c2 + 1);
        }
        free(line);
        if (f)
                fclose(f);
}

static int restore_cgroup_mounts(const struct modrun_host *host, const struct json_object *desc,
                                 struct argv_builder *a, struct modrun_error **reterr)
{
        FOREACH_IN(array_of(desc, "cgroups"), c)
        {
                const char *dest = get_str(c, "dest"), *fstype = get_str(c, "fstype");
                const char *key = get_str(c, "hierarchy");
                char mp[PATH_MAX], own[PATH_MAX];
                if (!dest || !fstype || !key)
                        continue;
                if (!host_hierarchy(fstype, key, mp, sizeof(mp)) || !self_cgroup(fstype, key, own, sizeof(own)))
                        return host->error(reterr, ENOENT, "restore on a host with the same cgroup hierarchies",
                                           "criu: the container's cgroup mount %s (%s %s) has no hierarchy on this "
                                           "host",
                                           dest, fstype, key);
                argv_addf(a, "--external=mnt[%s]:%s%s", dest, strcmp(mp, "/") == 0 ? "" : mp,
                          strcmp(own, "/") == 0 ? "" : own);
        }
        return 0;
}

/* Is PATH, seen in the container (/proc/PID/root), a non-directory? */
static bool masked_file(pid_t pid, const char *path)
{
        char p[PATH_MAX];
        struct stat st;
        int k = snprintf(p, sizeof(p), "/proc/%d/root%s", (int)pid, path);
        return k > 0 && (size_t)k < sizeof(p) && stat(p, &st) == 0 && !S_ISDIR(st.st_mode);
}

static int write_descriptors(const struct modrun_host *host, pid_t pid, const char *image_path, const char *tty,
                             struct json_object *masked, struct json_object *cgroups, struct modrun_error **reterr)
{
        struct json_object *o = json_object_new_object(), *stdio = json_object_new_array();
        if (o && masked)
                (void)json_object_object_add(o, "masked", masked);
        else
                json_object_put(masked);
        if (o && cgroups)
                (void)json_object_object_add(o, "cgroups", cgroups);
        else
                json_object_put(cgroups);
        for (int fd = 0; o && stdio && fd < 3; fd++) {
                char link[64], target[PATH_MAX];
                (void)snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, fd);
                ssize_t n = readlink(link, target, sizeof(target) - 1);
                target[n > 0 ? n : 0] = '\0';
                (void)json_object_array_add(stdio, json_object_new_string(target));
        }
        if (o && stdio)
                (void)json_object_object_add(o, "stdio", stdio);
        if (o && tty)
                (void)json_object_object_add(o, "tty", json_object_new_string(tty));
        char path[PATH_MAX];
        (void)snprintf(path, sizeof(path), "%s/%s", image_path, CRIU_DESCRIPTORS_FILE);
        int r = o && json_object_to_file_ext(path, o, JSON_C_TO_STRING_PLAIN) == 0
                        ? 0
                        : host->error(reterr, errno ? errno : ENOMEM, NULL, "criu: write %s", path);
        json_object_put(o);
        return r;
}

int criu_dump_externals(const struct modrun_host *host, pid_t pid, const char *image_path, struct argv_builder *a,
                        struct modrun_error **reterr)
{
        const struct json_object *config = host->config;
        if (own_netns(config))
                argv_add(a, "--empty-ns=net");
        FOREACH_IN(array_of(config, "mounts"), m)
        {
                const char *dest = get_str(m, "destination");
                if (dest && is_bind(m))
                        argv_addf(a, "--external=mnt[%s]:%s", dest, dest);
        }
        struct json_object *masked = json_object_new_array();
        FOREACH_IN(array_of(get(config, "linux"), "maskedPaths"), p)
        {
                const char *path = json_object_get_string((struct json_object *)p);
                if (path && masked_file(pid, path)) {
                        argv_addf(a, "--external=mnt[%s]:%s", path, path);
                        (void)json_object_array_add(masked, json_object_new_string(path));
                }
        }
        const char *netns = netns_path(config);
        if (netns) {
                struct stat st;
                if (stat(netns, &st) < 0) {
                        json_object_put(masked);
                        return host->error(reterr, errno, NULL, "criu: the network namespace %s of the config",
                                           netns);
                }
                argv_addf(a, "--external=net[%llu]:" CRIU_NETNS_KEY, (unsigned long long)st.st_ino);
        }
        char tty[64] = "";
        if (terminal(config)) {
                char p[64];
                struct stat st;
                (void)snprintf(p, sizeof(p), "/proc/%d/fd/0", (int)pid);
                if (stat(p, &st) == 0 && S_ISCHR(st.st_mode)) {
                        (void)snprintf(tty, sizeof(tty), "tty[%llx:%llx]", (unsigned long long)st.st_rdev,
                                       (unsigned long long)st.st_dev);
                        argv_addf(a, "--external=%s", tty);
                }
        }
        struct json_object *cgroups = json_object_new_array();
        int r = cgroups ? dump_cgroup_mounts(host, pid, a, cgroups, reterr) : 0;
        if (r < 0) {
                json_object_put(masked);
                json_object_put(cgroups);
                return r;
        }
        return write_descriptors(host, pid, image_path, *tty ? tty : NULL, masked, cgroups, reterr);
}

/* The source of a bind mount as a host path (relative: to the bundle). */
static void bind_source(const struct modrun_host *host, const char *src, char *buf, size_t size)
{
        if (src[0] == '/')
                (void)snprintf(buf, size, "%s", src);
        else
                (void)snprintf(buf, size, "%s/%s", host->bundle, src);
}

static int add_inherit(int *inherit, size_t n_inherit, int fd)
{
        for (size_t i = 0; i + 1 < n_inherit; i++)
                if (inherit[i] < 0) {
                        inherit[i] = fd;
                        inherit[i + 1] = -1;
                        return 0;
                }
        return -ENOSPC;
}

int criu_restore_externals(const struct modrun_host *host, const char *image_path, const char *cgroup_path,
                           int console_fd, struct argv_builder *a, int *inherit, size_t n_inherit,
                           struct modrun_error **reterr)
{
        const struct json_object *config = host->config;
        if (own_netns(config))
                argv_add(a, "--empty-ns=net");
        FOREACH_IN(array_of(config, "mounts"), m)
        {
                const char *dest = get_str(m, "destination"), *src = get_str(m, "source");
                char path[PATH_MAX];
                if (dest && src && is_bind(m)) {
                        bind_source(host, src, path, sizeof(path));
                        argv_addf(a, "--external=mnt[%s]:%s", dest, path);
                }
        }
        char file[PATH_MAX];
        (void)snprintf(file, sizeof(file), "%s/%s", image_path, CRIU_DESCRIPTORS_FILE);
        struct json_object *desc = json_object_from_file(file);
        if (!desc)
                return host->error(reterr, ENOENT, "give the --image-path of a `modrun checkpoint`",
                                   "criu: %s is missing or unreadable: not an image of modrun checkpoint", file);
        /* the masked files dumped as external mounts: /dev/null again */
        FOREACH_IN(array_of(desc, "masked"), p)
        {
                const char *path = json_object_get_string((struct json_object *)p);
                if (path)
                        argv_addf(a, "--external=mnt[%s]:/dev/null", path);
        }
        (void)cgroup_path;
        if (restore_cgroup_mounts(host, desc, a, reterr) < 0) {
                json_object_put(desc);
                return -ENOENT;
        }
        const char *tty = get_str(desc, "tty");
        if (tty && console_fd >= 0) {
                argv_addf(a, "--inherit-fd=fd[%d]:%s", console_fd, tty);
                (void)add_inherit(inherit, n_inherit, console_fd);
        }
        FOREACH_IN(array_of(desc, "stdio"), s)
        {
                const char *what = json_object_get_string((struct json_object *)s);
                if (what && strncmp(what, "pipe:", 5) == 0)
                        argv_addf(a, "--inherit-fd=fd[%zu]:%s", s_i, what);
        }
        json_object_put(desc);
        const char *netns = netns_path(config);
        if (netns) {
                int fd = open(netns, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return host->error(reterr, errno, NULL, "criu: open the network namespace %s", netns);
                if (add_inherit(inherit, n_inherit, fd) < 0) {
                        close(fd);
                        return host->error(reterr, ENOSPC, NULL, "criu: too many fds to pass");
                }
                argv_addf(a, "--inherit-fd=fd[%d]:" CRIU_NETNS_KEY, fd);
        }
        return 0;
}
