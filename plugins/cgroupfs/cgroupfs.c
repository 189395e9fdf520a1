/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup manager "cgroupfs": the ops table and the plugin state.
 *
 * init() detects the layout once (layout.c) and finds the container's
 * directory in every hierarchy: from the state file create() wrote
 * (<state_dir>/cgroup-cgroupfs.paths), so that kill and delete find the
 * same directories whatever cgroup they run in, else from the config
 * (paths.c). The state file also lists the directories create() made, so
 * destroy() removes those and nothing else, and the cgroup mounts create
 * found, so that the commands after it (exec, delete, ps...) read no mount
 * table: each recorded mount point is checked to be a cgroup (or cgroup2)
 * file system of the same device, else the mount table is read as at
 * create.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "cgroupfs.h"

const struct cg_place *cg_v1_place(const struct cgfs *s, const char *ctrl)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->p[i].dir && !s->p[i].m->unified && cg_list_has(s->p[i].m->controllers, ctrl))
                        return &s->p[i];
        return NULL;
}

const struct cg_place *cg_unified_place(const struct cgfs *s)
{
        return s->unified >= 0 && s->p[s->unified].dir ? &s->p[s->unified] : NULL;
}

static const char *config_cgroups_path(const struct modrun_host *h)
{
        struct json_object *linux_ = cg_json_get(h->config, "linux");
        return linux_ ? cg_json_str(linux_, "cgroupsPath") : NULL;
}

/* The directories from the config and /proc/self/cgroup (paths.c). */
static int places_compute(struct cgfs *s, struct modrun_error **reterr)
{
        const struct modrun_host *h = s->host;
        const char *cgpath = config_cgroups_path(h), *why = NULL;
        int r = cg_inner_path(cgpath, h->container_id, &s->inner, &why);
        if (r < 0)
                return h->error(reterr, -r, "set linux.cgroupsPath to a path of the container's own, e.g. \"/modrun/ID\"",
                                "cgroupfs: linux.cgroupsPath \"%s\" cannot be used: %s", cgpath ? cgpath : "",
                                why ? why : "out of memory");
        if (strpbrk(s->inner, "\n\t"))
                return h->error(reterr, EINVAL, NULL, "cgroupfs: linux.cgroupsPath \"%s\" contains a tab or newline",
                                cgpath);
        _cleanup_free_ char *self = NULL;
        if (s->inner[0] != '/' && (r = cg_read("/proc/self", "cgroup", &self)) < 0)
                return h->error(reterr, -r, NULL, "cgroupfs: read /proc/self/cgroup (the runtime's own cgroups)");
        for (size_t i = 0; i < s->layout.n; i++) {
                const struct cg_mount *m = &s->layout.m[i];
                _cleanup_free_ char *own = NULL;
                if (self)
                        (void)cg_own_cgroup(self, m, &own);
                s->p[i].m = m;
                r = cg_dir_for(m, s->layout.mode, s->inner, own, &s->p[i].dir, &why);
                if (r == -ENOMEM)
                        return h->error(reterr, ENOMEM, NULL, "cgroupfs: cgroup path of %s", m->mountpoint);
                if (r < 0) {
                        if (cg_list_has(m->controllers, "devices"))
                                return h->error(reterr, -r, "give linux.cgroupsPath as an absolute path",
                                                "cgroupfs: no cgroup for the container in %s (devices): %s",
                                                m->mountpoint, why);
                        h->log(h, MODRUN_LOG_DEBUG, "cgroupfs: skipping %s: %s", m->mountpoint, why);
                }
        }
        return 0;
}

/* A path read back from the state file must be a clean path strictly
 * below one of the current cgroup mounts. */
static const struct cg_mount *mount_of(const struct cgfs *s, const char *dir)
{
        _cleanup_free_ char *clean = cg_clean_path(dir);
        if (!clean || strcmp(clean, dir) != 0)
                return NULL;
        for (size_t i = 0; i < s->layout.n; i++) {
                size_t n = strlen(s->layout.m[i].mountpoint);
                if (strncmp(dir, s->layout.m[i].mountpoint, n) == 0 && dir[n] == '/' && dir[n + 1])
                        return &s->layout.m[i];
        }
        return NULL;
}

static int state_line(struct cgfs *s, char *line)
{
        char *tab = strchr(line, '\t');
        if (!tab)
                return 0;
        *tab = '\0';
        const char *val = tab + 1;
        if (strcmp(line, "mount") == 0) /* recorded_layout's */
                return 0;
        const struct cg_mount *m = mount_of(s, val);
        if (strcmp(line, "inner") == 0 && !s->inner)
                return (s->inner = strdup(val)) ? 0 : -ENOMEM;
        if (!m) {
                s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: state file: %s %s is not below a cgroup mount, ignoring",
                             line, val);
                return 0;
        }
        if (strcmp(line, "made") == 0 && s->n_made < CG_MAX_MADE)
                return (s->made[s->n_made++] = strdup(val)) ? 0 : -ENOMEM;
        if (strcmp(line, "dir") == 0) {
                size_t i = (size_t)(m - s->layout.m);
                free(s->p[i].dir);
                s->p[i].m = m;
                return (s->p[i].dir = strdup(val)) ? 0 : -ENOMEM;
        }
        return 0;
}

/* The state file's text in *ret (NULL when there is none). */
static int state_text(const struct cgfs *s, char **ret, struct modrun_error **reterr)
{
        *ret = NULL;
        if (!s->host->state_dir[0])
                return 0;
        int r = cg_read(s->host->state_dir, CG_STATE_FILE, ret);
        if (r == -ENOENT)
                return 0;
        return r < 0 ? s->host->error(reterr, -r, NULL, "cgroupfs: read %s/%s", s->host->state_dir, CG_STATE_FILE)
                     : 0;
}

/* The layout create recorded ("mount" lines), if every mount point still
 * is a file system of its kind: then no command after create reads the
 * host's mount table, which on a node with many containers is long. */
static bool recorded_layout(struct cgfs *s, const char *text)
{
        _cleanup_free_ char *copy = strdup(text);
        char *save = NULL;
        int r = copy ? 0 : -ENOMEM;
        for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line && r >= 0;
             line = strtok_r(NULL, "\n", &save))
                if (strncmp(line, "mount\t", 6) == 0)
                        r = cg_layout_add_recorded(&s->layout, line + 6);
        const char *why = r < 0 ? strerror(-r) : NULL, *where = "";
        for (size_t i = 0; i < s->layout.n && !why; i++) {
                const struct cg_mount *m = &s->layout.m[i];
                struct statfs sfs;
                struct stat st;
                where = m->mountpoint;
                if (statfs(m->mountpoint, &sfs) < 0 || stat(m->mountpoint, &st) < 0)
                        why = strerror(errno);
                else if (sfs.f_type != (m->unified ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC))
                        why = m->unified ? "not a cgroup2 file system" : "not a cgroup file system";
                else if (st.st_dev != m->dev)
                        why = "another hierarchy than at create";
        }
        if (why || s->layout.n == 0) {
                if (why)
                        s->host->log(s->host, MODRUN_LOG_DEBUG,
                                     "cgroupfs: the cgroup mount recorded at create %s: %s; reading the mount table",
                                     where, why);
                cg_layout_done(&s->layout);
                return false;
        }
        cg_layout_set_mode(&s->layout);
        return true;
}

/* The cgroup mounts from the table the core read once for the command
 * (ABI 1.3; init runs in the runtime), else from our own read of it. */
static int layout_from_mount_table(struct cgfs *s)
{
        _cleanup_free_ char *mi = NULL;
        const char *text = NULL;
        const struct modrun_host *host = s->host;
        int r = MODRUN_HAS_MEMBER(host, mount_table) ? host->mount_table(host, &text, NULL) : -ENOSYS;
        if (r < 0 && (r = cg_read("/proc/self", "mountinfo", &mi)) >= 0)
                text = mi;
        return r < 0 ? r : cg_layout_parse(text, &s->layout);
}

/* The places of the state file's text (which *text loses). */
static int places_load(struct cgfs *s, char *text, struct modrun_error **reterr)
{
        char *save = NULL;
        int r = 0;
        for (char *line = strtok_r(text, "\n", &save); line && r >= 0; line = strtok_r(NULL, "\n", &save))
                r = state_line(s, line);
        if (r < 0)
                return s->host->error(reterr, -r, NULL, "cgroupfs: read %s/%s", s->host->state_dir, CG_STATE_FILE);
        s->from_state = true;
        return 0;
}

static int places_save(const struct cgfs *s, struct modrun_error **reterr)
{
        char path[PATH_MAX];
        if (!s->host->state_dir[0])
                return 0;
        (void)snprintf(path, sizeof(path), "%s/%s", s->host->state_dir, CG_STATE_FILE);
        FILE *f = fopen(path, "we");
        if (!f)
                return s->host->error(reterr, errno, NULL, "cgroupfs: create %s", path);
        fprintf(f, "inner\t%s\n", s->inner ? s->inner : "");
        char *mounts[CG_MAX_MOUNTS] = { 0 };
        int r = 0;
        for (size_t i = 0; i < s->layout.n && r >= 0; i++)
                r = cg_mount_record(&s->layout.m[i], &mounts[i]);
        for (size_t i = 0; i < s->layout.n; i++) {
                if (r >= 0) /* all or none: without, the mount table is read */
                        fprintf(f, "mount\t%s\n", mounts[i]);
                free(mounts[i]);
        }
        for (size_t i = 0; i < s->n; i++)
                if (s->p[i].dir)
                        fprintf(f, "dir\t%s\n", s->p[i].dir);
        for (size_t i = 0; i < s->n_made; i++)
                fprintf(f, "made\t%s\n", s->made[i]);
        if (fflush(f) != 0 || ferror(f)) {
                int err = errno ? errno : EIO;
                (void)fclose(f);
                return s->host->error(reterr, err, NULL, "cgroupfs: write %s", path);
        }
        (void)fclose(f);
        return 0;
}

static void cgfs_fini(void *state)
{
        struct cgfs *s = state;
        if (!s)
                return;
        for (size_t i = 0; i < CG_MAX_MOUNTS; i++)
                free(s->p[i].dir);
        for (size_t i = 0; i < s->n_made; i++)
                free(s->made[i]);
        free(s->inner);
        cg_layout_done(&s->layout);
        free(s);
}

static int cgfs_init(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr)
{
        struct cgfs *s = calloc(1, sizeof(*s));
        if (!s)
                return host->error(reterr, ENOMEM, NULL, "cgroupfs: allocate the plugin state");
        s->host = host;
        s->unified = -1;
        _cleanup_free_ char *state = NULL;
        int r = state_text(s, &state, reterr);
        if (r < 0) {
                cgfs_fini(s);
                return r;
        }
        if (!(state && recorded_layout(s, state)) && (r = layout_from_mount_table(s)) < 0) {
                cgfs_fini(s);
                return host->error(reterr, -r, NULL, "cgroupfs: read the cgroup mounts in /proc/self/mountinfo");
        }
        s->n = s->layout.n;
        for (size_t i = 0; i < s->n; i++) {
                s->p[i].m = &s->layout.m[i];
                if (s->layout.m[i].unified && s->unified < 0)
                        s->unified = (int)i;
        }
        host->log(host, MODRUN_LOG_DEBUG, "cgroupfs: layout %s, %zu hierarchies", cg_mode_to_string(s->layout.mode), s->n);
        /* The state file first (kill, delete), then the config (create);
         * without either (features), the plugin has no cgroup to manage. */
        if (s->layout.mode != CG_MODE_NONE && state)
                r = places_load(s, state, reterr);
        else if (s->layout.mode != CG_MODE_NONE && host->config)
                r = places_compute(s, reterr);
        if (r < 0) {
                cgfs_fini(s);
                return r;
        }
        *ret_state = s;
        return 0;
}

static int cgfs_create(void *state, struct modrun_error **reterr)
{
        struct cgfs *s = state;
        if (s->layout.mode == CG_MODE_NONE)
                return s->host->error(reterr, ENOENT, "mount cgroup2 on /sys/fs/cgroup, or select --cgroup-manager=disabled",
                                      "cgroupfs: no cgroup file system is mounted (no cgroup or cgroup2 in /proc/self/mountinfo)");
        if (s->from_state)
                return s->host->error(reterr, EEXIST, NULL, "cgroupfs: %s/%s exists: the cgroup was created already",
                                      s->host->state_dir, CG_STATE_FILE);
        int r = cg_tree_create(s, reterr);
        if (r >= 0)
                r = cg_check_not_frozen(s, reterr);
        if (r >= 0)
                r = places_save(s, reterr);
        if (r < 0) /* the core does not call destroy after a failed create */
                cg_tree_undo(s);
        s->created = r >= 0;
        return r;
}

static int cgfs_enter(void *state, pid_t pid, struct modrun_error **reterr)
{
        const struct cgfs *s = state;
        char v[32];
        (void)snprintf(v, sizeof(v), "%d", (int)pid);
        for (size_t i = 0; i < s->n; i++) {
                if (!s->p[i].dir)
                        continue;
                int r = cg_write(s, s->p[i].dir, "cgroup.procs", v, NULL, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* v1: the "tasks" files, in which a thread writes "0" to move itself
 * (for pid 0 the kernel skips the global lock, see open_entry in
 * plugin.h); v2: the directory for CLONE_INTO_CGROUP. */
static int cgfs_open_entry(void *state, struct modrun_cgroup_entry *ret, struct modrun_error **reterr)
{
        const struct cgfs *s = state;
        for (size_t i = 0; i < s->n; i++) {
                const struct cg_place *p = &s->p[i];
                if (!p->dir)
                        continue;
                if (!p->m->unified && ret->n_self_fds == MODRUN_CGROUP_ENTRY_MAX)
                        return s->host->error(reterr, E2BIG, NULL, "cgroupfs: more than %d cgroup v1 hierarchies",
                                              MODRUN_CGROUP_ENTRY_MAX);
                char path[PATH_MAX];
                (void)snprintf(path, sizeof(path), "%s%s", p->dir, p->m->unified ? "" : "/tasks");
                int fd = open(path, p->m->unified ? O_PATH | O_DIRECTORY | O_CLOEXEC : O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        return s->host->error(reterr, errno, NULL, "cgroupfs: open %s", path);
                if (p->m->unified)
                        ret->unified_fd = fd;
                else
                        ret->self_fds[ret->n_self_fds++] = fd;
        }
        return 0;
}

static int cgfs_destroy(void *state, int timeout_ms, struct modrun_error **reterr)
{
        struct cgfs *s = state;
        int64_t deadline = clock_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
        pid_t *pids = NULL;
        size_t n = 0;
        int r = 0;
        if (!s->from_state && !s->created) {
                /* Directories computed from the config alone were never
                 * checked to be the container's: kill nothing, remove only
                 * what is empty. */
                cg_tree_undo(s);
                for (size_t i = 0; i < s->n; i++)
                        if (s->p[i].dir)
                                (void)rmdir(s->p[i].dir);
                return 0;
        }
        /* A stopped container's cgroups are empty and go at the first
         * rmdir; only a busy one (processes or child cgroups left) makes
         * the pids of all of them read and killed. */
        bool gone = cg_tree_remove_empty(s);
        if (!gone && cg_all_pids(s, &pids, &n) == 0 && n > 0)
                r = cg_kill_all(s, SIGKILL, timeout_ms / 2, reterr);
        free(pids);
        int k = cg_tree_remove(s, gone, deadline, r < 0 ? NULL : reterr);
        if (r >= 0 && k >= 0 && s->host->state_dir[0]) {
                char path[PATH_MAX];
                (void)snprintf(path, sizeof(path), "%s/%s", s->host->state_dir, CG_STATE_FILE);
                (void)unlink(path);
        }
        return r < 0 ? r : k;
}

static int cgfs_open_unified(void *state, struct modrun_error **reterr)
{
        const struct cgfs *s = state;
        const struct cg_place *u = cg_unified_place(s);
        if (!u)
                return s->host->error(reterr, EOPNOTSUPP, NULL, "cgroupfs: the host has no cgroup2 hierarchy (%s)",
                                      cg_mode_to_string(s->layout.mode));
        int fd = open(u->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return s->host->error(reterr, errno, NULL, "cgroupfs: open %s", u->dir);
        return fd;
}

static int cgfs_set_resources(void *state, const struct json_object *resources, struct modrun_error **reterr)
{
        return resources ? cg_set_resources(state, resources, reterr) : 0;
}

static int cgfs_enter_sub(void *state, pid_t pid, const struct modrun_sub_cgroup *subs, size_t n_subs,
                          struct modrun_error **reterr)
{
        return cg_enter_sub(state, pid, subs, n_subs, reterr);
}

static int cgfs_oom_count(void *state, uint64_t *ret_count, struct modrun_error **reterr)
{
        return cg_oom_count(state, ret_count, reterr);
}

static int cgfs_freeze(void *state, int frozen, int timeout_ms, struct modrun_error **reterr)
{
        return cg_freeze(state, frozen != 0, timeout_ms, reterr);
}

/* Rootless without a writable hierarchy the container has no cgroup
 * (tree.c): listing or killing "its cgroup" must not quietly find nothing. */
static int no_cgroup_error(const struct cgfs *s, const char *what, struct modrun_error **reterr)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->p[i].dir)
                        return 0;
        return s->host->error(reterr, ENOENT,
                              "its processes can be found only by the best-known set of a container without a cgroup "
                              "manager (--cgroup-manager=disabled)",
                              "cgroupfs: cannot %s of container %s: it has no cgroup (%s)", what, s->host->container_id,
                              s->host->rootless ? "this user may write no cgroup hierarchy" : "none was made");
}

static int cgfs_get_pids(void *state, pid_t **ret_pids, size_t *ret_n, struct modrun_error **reterr)
{
        const struct cgfs *s = state;
        if (no_cgroup_error(s, "list the processes", reterr) < 0)
                return -ENOENT;
        int r = cg_all_pids(s, ret_pids, ret_n);
        return r < 0 ? s->host->error(reterr, -r, NULL, "cgroupfs: list the processes of the container's cgroups") : 0;
}

static int cgfs_kill_all(void *state, int signo, int timeout_ms, struct modrun_error **reterr)
{
        if (no_cgroup_error(state, "signal every process", reterr) < 0)
                return -ENOENT;
        return cg_kill_all(state, signo, timeout_ms, reterr);
}

static int cgfs_stats(void *state, struct json_object **ret_stats, struct modrun_error **reterr)
{
        return cg_stats(state, ret_stats, reterr);
}

static int cgfs_owns_devices(void *state)
{
        const struct cgfs *s = state;
        /* rootless: a devices hierarchy it may not write was skipped (tree.c) */
        if ((s->created || s->from_state) && !cg_v1_place(s, "devices"))
                return 0;
        for (size_t i = 0; i < s->layout.n; i++)
                if (!s->layout.m[i].unified && cg_list_has(s->layout.m[i].controllers, "devices"))
                        return 1;
        return 0;
}

/* The path inside the hierarchy: of cgroup2 on v2, of devices on v1. */
static int cgfs_get_path(void *state, char **ret_path, struct modrun_error **reterr)
{
        const struct cgfs *s = state;
        const struct cg_place *p = s->layout.mode == CG_MODE_V2 ? cg_unified_place(s) : cg_v1_place(s, "devices");
        for (size_t i = 0; !p && i < s->n; i++)
                if (s->p[i].dir)
                        p = &s->p[i];
        if (!p)
                return s->host->error(reterr, ENOENT, NULL, "cgroupfs: the container has no cgroup");
        const char *rel = p->dir + strlen(p->m->mountpoint);
        *ret_path = strdup(*rel ? rel : "/");
        return *ret_path ? 0 : s->host->error(reterr, ENOMEM, NULL, "cgroupfs: get_path");
}

static const struct modrun_cgroup_ops cgfs_ops = {
        .size = sizeof(struct modrun_cgroup_ops),
        .init = cgfs_init,
        .fini = cgfs_fini,
        .create = cgfs_create,
        .enter = cgfs_enter,
        .destroy = cgfs_destroy,
        .open_unified = cgfs_open_unified,
        .set_resources = cgfs_set_resources,
        .freeze = cgfs_freeze,
        .enter_sub = cgfs_enter_sub,
        .oom_count = cgfs_oom_count,
        .get_pids = cgfs_get_pids,
        .kill_all = cgfs_kill_all,
        .stats = cgfs_stats,
        .owns_devices = cgfs_owns_devices,
        .get_path = cgfs_get_path,
        .open_entry = cgfs_open_entry,
};

MODRUN_PLUGIN_DEFINE(MODRUN_KIND_CGROUP, "cgroupfs", "1.0",
                     "cgroups made in the cgroup file systems (v1, v2, hybrid), as runc's cgroupfs driver", &cgfs_ops);
