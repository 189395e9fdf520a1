/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's directories: made (mkdir -p, each new directory
 * recorded) and removed (the container's directory and any child cgroup it
 * made, deepest first, rmdir retried while the kernel says EBUSY, then the
 * parents we made when they are empty). Nothing above the container's
 * directory that this plugin did not make is ever removed.
 *
 * Per hierarchy, after mkdir:
 *  - v1 cpuset: a new cgroup starts with empty cpuset.cpus and .mems and
 *    refuses processes (ENOSPC), so each one on the way down whose files
 *    are empty, new or made by someone else (a pod's parent made with
 *    mkdir), copies its parent's, as runc's cpusetEnsureParent; a value
 *    already set is never changed;
 *  - cgroup2: controllers are enabled in cgroup.subtree_control down to the
 *    container's parent: every available one in a directory we made (as
 *    runc), and in a directory that already existed only those the
 *    container's linux.resources need, so that a host cgroup is changed only
 *    when the configuration asks for it.
 */
#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroupfs.h"

#define RMDIR_MAX_DEPTH 16

static bool was_made(const struct cgfs *s, const char *dir)
{
        for (size_t i = 0; i < s->n_made; i++)
                if (strcmp(s->made[i], dir) == 0)
                        return true;
        return false;
}

/* runc's rule for rootless (libcontainer/cgroups/fs isIgnorableError):
 * without privileges and without an explicit linux.cgroupsPath, a
 * hierarchy the caller may not write is skipped instead of failing the
 * container, which then has no cgroup there. */
static bool may_skip_denied(const struct cgfs *s)
{
        struct json_object *linux_ = cg_json_get(s->host->config, "linux");
        const char *cgpath = linux_ ? cg_json_str(linux_, "cgroupsPath") : NULL;
        return s->host->rootless && (!cgpath || !*cgpath);
}

static bool errno_is_denied(int err)
{
        return err == EACCES || err == EPERM || err == EROFS;
}

/* quiet_denied: a denied mkdir returns -errno without an error (skipped). */
static int mkdir_one(struct cgfs *s, const char *dir, bool quiet_denied, struct modrun_error **reterr)
{
        if (mkdir(dir, 0755) == 0) {
                /* not recorded, not undone: remove it at once */
                if (s->n_made >= CG_MAX_MADE) {
                        (void)rmdir(dir);
                        return s->host->error(reterr, E2BIG, NULL, "cgroupfs: more than %d cgroup directories to make",
                                              CG_MAX_MADE);
                }
                char *copy = strdup(dir);
                if (!copy) {
                        int r = s->host->error(reterr, ENOMEM, NULL, "cgroupfs: mkdir %s", dir);
                        (void)rmdir(dir);
                        return r;
                }
                s->made[s->n_made++] = copy;
                return 0;
        }
        struct stat st;
        if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
                return 0;
        int err = errno;
        if (quiet_denied && errno_is_denied(err))
                return -err;
        const char *hint = errno_is_denied(err)
                                   ? "making cgroups needs root or a cgroup delegated to the caller"
                           : err == EAGAIN || err == ENOSPC
                                   ? "a limit on cgroups was reached (cgroup.max.descendants, cgroup.max.depth)"
                                   : NULL;
        return s->host->error(reterr, err, hint, "cgroupfs: mkdir %s", dir);
}

static int mkdir_p(struct cgfs *s, const struct cg_place *p, bool quiet_denied, struct modrun_error **reterr)
{
        size_t base = strlen(p->m->mountpoint);
        _cleanup_free_ char *path = strdup(p->dir);
        if (!path)
                return s->host->error(reterr, ENOMEM, NULL, "cgroupfs: mkdir %s", p->dir);
        for (char *c = path + base + 1;; c++) {
                char saved = *c;
                if (saved != '/' && saved != '\0')
                        continue;
                *c = '\0';
                int r = mkdir_one(s, path, quiet_denied, reterr);
                *c = saved;
                if (r < 0)
                        return r;
                if (saved == '\0')
                        return 0;
        }
}

/* v1 cpuset: fill each directory's empty cpus/mems from its parent. */
static int cpuset_fill(struct cgfs *s, const struct cg_place *p, struct modrun_error **reterr)
{
        _cleanup_free_ char *path = strdup(p->dir);
        if (!path)
                return -ENOMEM;
        for (char *c = path + strlen(p->m->mountpoint) + 1;; c++) {
                char saved = *c;
                if (saved != '/' && saved != '\0')
                        continue;
                *c = '\0';
                static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
                for (int k = 0; k < 2; k++) {
                        _cleanup_free_ char *mine = NULL, *parent_val = NULL, *parent = strdup(path);
                        if (!parent)
                                return -ENOMEM;
                        *strrchr(parent, '/') = '\0';
                        if (cg_read(path, files[k], &mine) < 0 || strspn(mine, " \n") != strlen(mine))
                                continue;
                        if (cg_read(parent, files[k], &parent_val) < 0)
                                continue;
                        parent_val[strcspn(parent_val, "\n")] = '\0';
                        int r = cg_write(s, path, files[k], parent_val, "copy the parent's cpuset", reterr);
                        if (r < 0)
                                return r;
                        if (!was_made(s, path))
                                s->host->log(s->host, MODRUN_LOG_DEBUG,
                                             "cgroupfs: %s/%s was empty (no process could join below it): copied "
                                             "\"%s\" from its parent", path, files[k], parent_val);
                }
                *c = saved;
                if (saved == '\0')
                        return 0;
        }
}

static bool has_word(const char *text, const char *w)
{
        size_t n = strlen(w);
        for (const char *p = text; (p = strstr(p, w)); p += n)
                if ((p == text || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

/* Best effort: a controller that cannot be enabled shows up later as a
 * missing file, with the error naming the file and the OCI field. */
static void enable_controllers(struct cgfs *s, const char *dir, const char *needed)
{
        _cleanup_free_ char *avail = NULL, *enabled = NULL;
        if (cg_read(dir, "cgroup.controllers", &avail) < 0)
                return;
        (void)cg_read(dir, "cgroup.subtree_control", &enabled);
        bool all = was_made(s, dir);
        char *save = NULL;
        for (char *c = strtok_r(avail, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
                if ((!all && !has_word(needed, c)) || (enabled && has_word(enabled, c)))
                        continue;
                char value[80];
                (void)snprintf(value, sizeof(value), "+%s", c);
                int r = cg_write_raw(dir, "cgroup.subtree_control", value);
                s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: %s/cgroup.subtree_control <- %s: %s", dir, value,
                             r < 0 ? strerror(-r) : "ok");
        }
}

/* The container's cgroup2 directory's ancestors, root first. */
static void v2_delegate(struct cgfs *s, const struct cg_place *p)
{
        char needed[256] = "";
        struct json_object *linux_ = cg_json_get(s->host->config, "linux");
        cg_needed_controllers(linux_ ? cg_json_get(linux_, "resources") : NULL, needed, sizeof(needed));
        _cleanup_free_ char *path = strdup(p->dir);
        if (!path)
                return;
        char *first = path + strlen(p->m->mountpoint), *last = strrchr(path, '/');
        for (char *c = first; c <= last; c++) {
                if (*c != '/')
                        continue;
                *c = '\0';
                enable_controllers(s, c == first ? p->m->mountpoint : path, needed);
                *c = '/';
        }
}

/* A directory that existed already must hold no process: it would be
 * killed with the container, as would the shell's own cgroup named by an
 * absolute cgroupsPath. */
static int check_empty(struct cgfs *s, const struct cg_place *p, struct modrun_error **reterr)
{
        pid_t *pids = NULL;
        size_t n = 0, cap = 0;
        if (was_made(s, p->dir) || cg_collect_pids(p->dir, &pids, &n, &cap) < 0 || n == 0) {
                free(pids);
                return 0;
        }
        char list[128] = "";
        for (size_t i = 0, len = 0; i < n && len + 12 < sizeof(list); i++)
                len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d", i ? " " : "", (int)pids[i]);
        free(pids);
        return s->host->error(reterr, EBUSY, "give the container a linux.cgroupsPath of its own",
                              "cgroupfs: container's cgroup is not empty: %s exists and holds %zu process(es) "
                              "(%s%s): it is not the container's own, and deleting the container would kill them",
                              p->dir, n, list, n > 8 ? " ..." : "");
}

/* The hierarchy of p cannot be written by the rootless caller: forget
 * what mkdir_p made in it (made[from..]) and the place itself. */
static void skip_place(struct cgfs *s, struct cg_place *p, size_t from, int err)
{
        for (size_t k = s->n_made; k-- > from;) {
                (void)rmdir(s->made[k]);
                free(s->made[k]);
                s->made[k] = NULL;
        }
        s->n_made = from;
        s->host->log(s->host, MODRUN_LOG_DEBUG,
                     "cgroupfs: rootless: cannot make %s (%s): no cgroup in %s for the container", p->dir,
                     strerror(err), p->m->mountpoint);
        free(p->dir);
        p->dir = NULL;
}

int cg_tree_create(struct cgfs *s, struct modrun_error **reterr)
{
        bool skip_denied = may_skip_denied(s);
        size_t skipped = 0, used = 0;
        for (size_t i = 0; i < s->n; i++) {
                struct cg_place *p = &s->p[i];
                if (!p->dir)
                        continue;
                size_t made_before = s->n_made;
                int r = mkdir_p(s, p, skip_denied, reterr);
                if (r < 0 && skip_denied && errno_is_denied(-r)) {
                        skip_place(s, p, made_before, -r);
                        skipped++;
                        continue;
                }
                used++;
                if (r >= 0)
                        r = check_empty(s, p, reterr);
                if (r >= 0 && !p->m->unified && cg_list_has(p->m->controllers, "cpuset"))
                        r = cpuset_fill(s, p, reterr);
                if (r < 0)
                        return r == -ENOMEM ? s->host->error(reterr, ENOMEM, NULL, "cgroupfs: %s", p->dir) : r;
                if (p->m->unified)
                        v2_delegate(s, p);
                s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: cgroup %s ready", p->dir);
        }
        if (skipped > 0 && used == 0)
                s->host->log(s->host, MODRUN_LOG_DEBUG,
                             "cgroupfs: rootless: no cgroup hierarchy is writable: the container has no cgroup");
        return 0;
}

/* rmdir dir, retried while EBUSY until the deadline. */
static int rmdir_retry(const char *dir, int64_t deadline)
{
        for (int wait = 1;; wait = wait < 50 ? wait * 2 : 50) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || clock_now_ms() >= deadline)
                        return -errno;
                clock_sleep_ms(wait);
        }
}

/* Child cgroups first (a container may make its own), then dir. An empty
 * cgroup, the usual case, goes at the first rmdir: its directory is read
 * (open, two getdents, close) only when the kernel says EBUSY. */
static int remove_rec(const char *dir, int depth, int64_t deadline, char *failed, size_t size)
{
        if (rmdir(dir) == 0 || errno == ENOENT)
                return 0;
        DIR *d = depth < RMDIR_MAX_DEPTH ? opendir(dir) : NULL;
        int r = 0;
        for (struct dirent *de; d && (de = readdir(d));) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        r = -ENOMEM;
                else if (remove_rec(sub, depth + 1, deadline, failed, size) < 0)
                        r = -EBUSY;
        }
        if (d)
                (void)closedir(d);
        int k = rmdir_retry(dir, deadline);
        if (k < 0 && !*failed)
                (void)snprintf(failed, size, "%s", dir);
        return k < 0 ? k : r;
}

bool cg_tree_remove_empty(const struct cgfs *s)
{
        bool all = true;
        for (size_t i = 0; i < s->n; i++)
                if (s->p[i].dir && rmdir(s->p[i].dir) < 0 && errno != ENOENT)
                        all = false;
        return all;
}

void cg_tree_undo(struct cgfs *s)
{
        for (size_t i = s->n_made; i-- > 0;)
                if (rmdir(s->made[i]) < 0 && errno != ENOENT)
                        s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: undo: rmdir %s: %s", s->made[i], strerror(errno));
}

int cg_tree_remove(struct cgfs *s, bool dirs_gone, int64_t deadline_ms, struct modrun_error **reterr)
{
        char failed[PATH_MAX] = "";
        int r = 0;
        for (size_t i = 0; i < s->n && !dirs_gone; i++) {
                if (!s->p[i].dir)
                        continue;
                int k = remove_rec(s->p[i].dir, 0, deadline_ms, failed, sizeof(failed));
                if (k < 0 && r == 0)
                        r = k;
        }
        /* the parents we made, deepest first, when nothing else uses them
         * (the containers' own directories are gone already) */
        for (size_t i = s->n_made; i-- > 0;) {
                bool leaf = false;
                for (size_t j = 0; j < s->n && !leaf; j++)
                        leaf = s->p[j].dir && strcmp(s->p[j].dir, s->made[i]) == 0;
                if (!leaf && rmdir(s->made[i]) < 0 && errno != ENOENT)
                        s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: rmdir %s: %s", s->made[i], strerror(errno));
        }
        if (r == 0)
                return 0;
        _cleanup_free_ char *procs = NULL;
        (void)cg_read(failed, "cgroup.procs", &procs);
        if (procs)
                for (char *c = procs; *c; c++)
                        if (*c == '\n')
                                *c = ' ';
        return s->host->error(reterr, -r, "a process may be stuck in the kernel (state D in /proc/PID/status)",
                              "cgroupfs: rmdir %s (processes left: %s)", failed, procs && *procs ? procs : "none");
}
