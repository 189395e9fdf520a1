/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup manager "systemd": the ops table and the state.
 *
 * create() checks linux.cgroupsPath, the resources, devices and
 * annotations and connects to systemd; enter(pid) of the new init starts
 * the transient scope with PIDs=[pid], Delegate=yes and every property,
 * and waits for the job (bounded); with run.oci.systemd.subgroup=NAME the
 * init then moves to NAME below the scope. enter() of a later process
 * (exec) joins the existing scope (or subgroup). create() records where
 * the init landed (/proc/PID/cgroup) in the state directory, and later
 * commands read the scope's directory from there; stop, kill and property
 * changes go to the unit by its name (derived from the config). systemd's
 * DeviceAllow=/DevicePolicy= are the one device filter (owns_devices = 1).
 * See docs/systemd.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "systemd.h"

#define START_TIMEOUT_MS plugin_test_timeout_ms(30000)
#define SUBGROUP_ANNOTATION "run.oci.systemd.subgroup"
#define PROP_ANNOTATION "org.systemd.property."

struct sdstate {
        const struct modrun_host *host;
        struct sdb bus;
        struct sd_unit_name name;
        const char *name_why; /* why linux.cgroupsPath is refused, or NULL */
        char *subgroup;       /* NULL: the payload runs in the scope itself */
        struct json_object *resources; /* from set_resources(), else the config's */
        bool creating;        /* create() ran in this process: enter() starts the unit */
        char *cgroup;         /* the scope's directory, absolute, once known */
};

static struct json_object *jget(const struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}

static int name_error(struct sdstate *s, struct modrun_error **reterr)
{
        const char *p = json_object_get_string(jget(jget(s->host->config, "linux"), "cgroupsPath"));
        return s->host->error(reterr, EINVAL, "give linux.cgroupsPath as \"slice:prefix:name\", e.g. "
                                              "\"system.slice:modrun:ID\", or leave it empty",
                              "systemd: linux.cgroupsPath \"%s\" cannot be used: %s", p ? p : "", s->name_why);
}

static int sd_init(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr)
{
        struct sdstate *s = calloc(1, sizeof(*s));
        if (!s)
                return host->error(reterr, ENOMEM, NULL, "systemd: allocate state");
        s->host = host;
        s->bus.host = host;
        const char *path = json_object_get_string(jget(jget(host->config, "linux"), "cgroupsPath"));
        int r = sd_unit_name_parse(path, host->container_id, host->rootless ? "user.slice" : "system.slice", &s->name,
                                   &s->name_why);
        if (r == -ENOMEM) {
                free(s);
                return host->error(reterr, ENOMEM, NULL, "systemd: unit name");
        }
        const char *sub = host->annotation(host, SUBGROUP_ANNOTATION);
        if (sub && *sub && !(s->subgroup = strdup(sub))) {
                sd_unit_name_done(&s->name);
                free(s);
                return host->error(reterr, ENOMEM, NULL, "systemd: subgroup");
        }
        *ret_state = s;
        return 0;
}

static void sd_fini(void *state)
{
        struct sdstate *s = state;
        if (!s)
                return;
        sdb_close(&s->bus);
        sd_unit_name_done(&s->name);
        free(s->subgroup);
        free(s->cgroup);
        json_object_put(s->resources);
        free(s);
}

static int devices_props(struct sdstate *s, const struct json_object *res, struct sd_props *p,
                         struct modrun_error **reterr)
{
        char *procdev = NULL, *why = NULL;
        int r = sdc_read("/proc", "devices", &procdev);
        if (r < 0)
                return s->host->error(reterr, -r, NULL, "systemd: read /proc/devices");
        struct sd_devices d = {0};
        r = sd_devices_translate(jget(res, "devices"), procdev, jget(jget(s->host->config, "linux"), "devices"), &d,
                                 &why);
        free(procdev);
        if (r < 0) {
                r = s->host->error(reterr, -r, "see docs/systemd.md, \"Devices\"", "systemd: %s",
                                   why ? why : "out of memory");
                free(why);
                return r;
        }
        /* systemd needs no node for /dev/char/M:m, but tools (and older
         * systemd) look for the link udev makes: made, as runc does, when a
         * node of that number exists in /dev */
        for (size_t i = 0; i < d.n_links; i++)
                (void)sdd_dev_link(d.links[i].type, d.links[i].major, d.links[i].minor, s->host);
        r = sd_devices_to_props(&d, p);
        sd_devices_done(&d);
        return r < 0 ? s->host->error(reterr, -r, NULL, "systemd: device properties") : 0;
}

static int annotation_props(struct sdstate *s, struct sd_props *p, struct modrun_error **reterr)
{
        struct json_object *ann = jget(s->host->config, "annotations");
        if (!ann || !json_object_is_type(ann, json_type_object))
                return 0;
        json_object_object_foreach(ann, key, val)
        {
                if (strncmp(key, PROP_ANNOTATION, strlen(PROP_ANNOTATION)) != 0)
                        continue;
                char *why = NULL;
                int r = sd_props_from_annotation(key + strlen(PROP_ANNOTATION), json_object_get_string(val), p, &why);
                if (r < 0) {
                        r = s->host->error(reterr, -r, "see docs/systemd.md, \"Annotations\"", "systemd: annotation %s",
                                           why ? why : "out of memory");
                        free(why);
                        return r;
                }
        }
        return 0;
}

/* systemd takes IO limits only for a device path it can stat(). */
static bool block_dev(int64_t major, int64_t minor, void *userdata)
{
        const struct sdstate *s = userdata;
        bool ok = sdd_dev_link('b', major, minor, s->host);
        if (!ok)
                s->host->log(s->host, MODRUN_LOG_DEBUG, "systemd: no /dev/block/%" PRId64 ":%" PRId64 " for systemd, "
                             "the limit is written to the cgroup's io files instead", major, minor);
        return ok;
}

/* The properties that follow the config: resources, devices, annotations. */
static int config_props(struct sdstate *s, struct sd_props *p, struct modrun_error **reterr)
{
        const struct json_object *res = s->resources ? s->resources : jget(jget(s->host->config, "linux"), "resources");
        char *why = NULL;
        int r = sd_props_from_resources(res, block_dev, s, p, &why);
        if (r < 0) {
                r = s->host->error(reterr, -r, NULL, "systemd: %s", why ? why : "out of memory");
                free(why);
                return r;
        }
        if ((r = devices_props(s, res, p, reterr)) < 0)
                return r;
        return annotation_props(s, p, reterr);
}

static int start_props(struct sdstate *s, pid_t pid, struct sd_props *p, struct modrun_error **reterr)
{
        char desc[256];
        (void)snprintf(desc, sizeof(desc), "modrun container %s", s->host->container_id);
        int r = 0;
        if ((r = sd_props_add_str(p, "Description", desc)) < 0 || (r = sd_props_add_str(p, "Slice", s->name.slice)) < 0 ||
            (r = sd_props_add_bool(p, "Delegate", true)) < 0 ||
            (r = sd_props_add_bool(p, "DefaultDependencies", false)) < 0 ||
            (r = sd_props_add_bool(p, "MemoryAccounting", true)) < 0 ||
            (r = sd_props_add_bool(p, "CPUAccounting", true)) < 0 || (r = sd_props_add_bool(p, "IOAccounting", true)) < 0 ||
            (r = sd_props_add_bool(p, "TasksAccounting", true)) < 0)
                return s->host->error(reterr, -r, NULL, "systemd: unit properties");
        struct sd_prop *x = sd_props_add(p, "PIDs", 'P');
        if (!x || !(x->pids = malloc(sizeof(uint32_t))))
                return s->host->error(reterr, ENOMEM, NULL, "systemd: unit properties");
        x->pids[0] = (uint32_t)pid;
        x->n = 1;
        return config_props(s, p, reterr);
}

static int connect_bus(struct sdstate *s, struct modrun_error **reterr)
{
        return sdb_connect(&s->bus, s->host->rootless != 0, reterr);
}

/* The scope's directory: 1 found, 0 no such unit. From create()'s record
 * when there is one, else from systemd (the unit's ControlGroup). */
static int scope_dir(struct sdstate *s, struct modrun_error **reterr)
{
        if (s->cgroup)
                return 1;
        if (s->name_why)
                return name_error(s, reterr);
        int r = s->host->state_dir[0] ? sdc_record_load(s->host->state_dir, sdc_unified_root(), &s->cgroup) : -ENOENT;
        if (r >= 0)
                return r;
        if (r != -ENOENT)
                return s->host->error(reterr, -r, NULL, "systemd: read %s/%s", s->host->state_dir, SDC_RECORD);
        r = connect_bus(s, reterr);
        char *cg = NULL;
        if (r >= 0)
                r = sdb_unit_cgroup(&s->bus, s->name.unit, &cg, START_TIMEOUT_MS, reterr);
        /* A command that does not start the unit holds no idle connection
         * (`events` keeps this state as long as the container runs). */
        if (!s->creating)
                sdb_close(&s->bus);
        if (r <= 0)
                return r;
        const char *root = sdc_unified_root();
        if (!root || !*cg) {
                free(cg);
                return s->host->error(reterr, ENOTSUP, "systemd with the cgroup v2 (unified) hierarchy is needed",
                                      "systemd: unit %s has no cgroup v2 directory", s->name.unit);
        }
        int n = asprintf(&s->cgroup, "%s%s", root, cg);
        free(cg);
        if (n < 0) {
                s->cgroup = NULL;
                return s->host->error(reterr, ENOMEM, NULL, "systemd: cgroup path");
        }
        return 1;
}

/* Where the payload runs: the scope, or its subgroup. */
static int target_dir(struct sdstate *s, char *buf, size_t size, struct modrun_error **reterr)
{
        int r = scope_dir(s, reterr);
        if (r <= 0)
                return r;
        if (s->subgroup)
                (void)snprintf(buf, size, "%s/%s", s->cgroup, s->subgroup);
        else
                (void)snprintf(buf, size, "%s", s->cgroup);
        return 1;
}

static int write_files(struct sdstate *s, const char *dir, const struct sd_file *f, size_t n,
                       struct modrun_error **reterr)
{
        for (size_t i = 0; i < n; i++) {
                int r = sdc_write(dir, f[i].file, f[i].value);
                if (r < 0)
                        return s->host->error(reterr, -r, sdd_write_hint(f[i].file, -r), "systemd: write \"%s\" to %s/%s",
                                              f[i].value, dir, f[i].file);
                s->host->log(s->host, MODRUN_LOG_DEBUG, "systemd: %s/%s <- \"%s\"", dir, f[i].file, f[i].value);
        }
        return 0;
}

static int sd_create(void *state, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        if (s->name_why)
                return name_error(s, reterr);
        if (s->subgroup && (strchr(s->subgroup, '/') || !strcmp(s->subgroup, ".") || !strcmp(s->subgroup, "..") ||
                            !strncmp(s->subgroup, "cgroup.", 7)))
                return s->host->error(reterr, EINVAL, "give a plain directory name, e.g. \"container\"",
                                      "systemd: annotation %s=\"%s\" is not a sub-cgroup name", SUBGROUP_ANNOTATION,
                                      s->subgroup);
        struct sd_props p = {0};
        int r = config_props(s, &p, reterr); /* refuse what cannot be expressed, early */
        sd_props_done(&p);
        if (r < 0 || (r = connect_bus(s, reterr)) < 0)
                return r;
        if ((r = sdb_unit_cgroup(&s->bus, s->name.unit, NULL, START_TIMEOUT_MS, reterr)) < 0)
                return r;
        if (r > 0)
                return s->host->error(reterr, EEXIST, "delete the old container, or choose another name",
                                      "systemd: unit %s already exists", s->name.unit);
        s->creating = true;
        s->host->log(s->host, MODRUN_LOG_DEBUG, "systemd: unit %s in %s%s%s", s->name.unit, s->name.slice,
                     s->subgroup ? ", payload in sub-cgroup " : ", no sub-cgroup", s->subgroup ? s->subgroup : "");
        return 0;
}

static int move_pid(struct sdstate *s, const char *dir, pid_t pid, struct modrun_error **reterr)
{
        char v[32];
        (void)snprintf(v, sizeof(v), "%d", (int)pid);
        int r = sdc_write(dir, "cgroup.procs", v);
        return r < 0 ? s->host->error(reterr, -r, NULL, "systemd: move pid %d into %s", (int)pid, dir) : 0;
}

static int make_subgroup(struct sdstate *s, pid_t pid, const struct sd_props *p, struct modrun_error **reterr)
{
        char sub[4096];
        (void)snprintf(sub, sizeof(sub), "%s/%s", s->cgroup, s->subgroup);
        if (mkdir(sub, 0755) < 0 && errno != EEXIST)
                return s->host->error(reterr, errno, NULL, "systemd: create the sub-cgroup %s", sub);
        int r = move_pid(s, sub, pid, reterr);
        if (r < 0)
                return r;
        char *ctrl = NULL;
        if (sdc_read(s->cgroup, "cgroup.controllers", &ctrl) == 0) {
                char *save = NULL;
                for (char *c = strtok_r(ctrl, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
                        char v[64];
                        (void)snprintf(v, sizeof(v), "+%s", c);
                        if ((r = sdc_write(s->cgroup, "cgroup.subtree_control", v)) < 0)
                                s->host->log(s->host, MODRUN_LOG_DEBUG, "systemd: enable %s below %s: %s", c,
                                             s->cgroup, strerror(-r));
                }
                free(ctrl);
        }
        return write_files(s, sub, p->sub, p->n_sub, reterr);
}

static int sd_enter(void *state, pid_t pid, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        char dir[4096];
        int r;
        if (!s->creating) { /* exec: join the running container's cgroup */
                if ((r = target_dir(s, dir, sizeof(dir), reterr)) < 0)
                        return r;
                if (r == 0)
                        return s->host->error(reterr, ESRCH, NULL, "systemd: unit %s does not exist", s->name.unit);
                return move_pid(s, dir, pid, reterr);
        }
        struct sd_props p = {0};
        if ((r = start_props(s, pid, &p, reterr)) < 0 || (r = connect_bus(s, reterr)) < 0 ||
            (r = sdb_start_unit(&s->bus, s->name.unit, &p, START_TIMEOUT_MS, reterr)) < 0) {
                sd_props_done(&p);
                return r;
        }
        s->creating = false;
        const char *root = sdc_unified_root();
        r = root ? sdc_pid_scope(root, pid, s->name.unit, &s->cgroup) : 0;
        if (r <= 0) /* not where systemd put it: ask systemd */
                r = scope_dir(s, reterr);
        if (r == 0)
                r = s->host->error(reterr, ESRCH, "see journalctl -u UNIT", "systemd: unit %s is gone right after its start",
                                   s->name.unit);
        int k = r > 0 && s->host->state_dir[0] ? sdc_record_save(s->host->state_dir, s->cgroup) : 0;
        if (k < 0)
                r = s->host->error(reterr, -k, NULL, "systemd: write %s/%s", s->host->state_dir, SDC_RECORD);
        /* down to the scope's parent only: the init is still in the scope,
         * which cannot enable controllers for a subgroup before it left;
         * make_subgroup() enables the scope's own for the subgroup */
        if (r > 0)
                r = sdd_enable_unmanaged(root, s->cgroup, p.files, p.n_files, s->host, reterr);
        if (r >= 0 && s->subgroup)
                r = make_subgroup(s, pid, &p, reterr);
        if (r >= 0 && (r = target_dir(s, dir, sizeof(dir), reterr)) > 0)
                r = write_files(s, dir, p.files, p.n_files, reterr);
        sd_props_done(&p);
        /* Done with the bus (the unit runs, or failed): no connection stays
         * open while the container does (`run` keeps this state until its
         * delete, which connects again; an idle connection would pile up
         * signals meanwhile). */
        sdb_close(&s->bus);
        if (r >= 0)
                s->host->log(s->host, MODRUN_LOG_DEBUG, "systemd: pid %d in %s", (int)pid, dir);
        return r < 0 ? r : 0;
}

static int sd_destroy(void *state, int timeout_ms, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        if (s->name_why)
                return 0; /* no unit was ever made from it */
        int64_t deadline = clock_now_ms() + timeout_ms;
        int r = connect_bus(s, reterr);
        if (r < 0 || (r = sdb_stop_unit(&s->bus, s->name.unit, timeout_ms, reterr)) < 0)
                return r;
        /* stopped (r = 1): it unloads soon after; a missing unit (0) is done */
        int ms = 1;
        while (r > 0 && (r = sdb_unit_cgroup(&s->bus, s->name.unit, NULL, timeout_ms, reterr)) > 0 &&
               clock_now_ms() < deadline) {
                clock_sleep_ms(ms);
                ms = ms < 16 ? ms * 2 : 20;
        }
        if (r > 0)
                s->host->log(s->host, MODRUN_LOG_DEBUG, "systemd: unit %s stopped but still loaded", s->name.unit);
        free(s->cgroup);
        s->cgroup = NULL;
        return r < 0 ? r : 0;
}

static int sd_open_unified(void *state, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        char dir[4096];
        int r = target_dir(s, dir, sizeof(dir), reterr);
        if (r <= 0)
                return r < 0 ? r : s->host->error(reterr, ENOENT, NULL, "systemd: unit %s does not exist", s->name.unit);
        int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return fd >= 0 ? fd : s->host->error(reterr, errno, NULL, "systemd: open %s", dir);
}

/* The kernel refuses a quota below the burst in place: a lower burst goes
 * in before the quota too (what fails here fails again, reported, after it). */
static void burst_first(const char *dir, const struct sd_props *p)
{
        for (size_t i = 0; i < p->n_files; i++)
                if (strcmp(p->files[i].file, "cpu.max.burst") == 0)
                        (void)sdc_write(dir, p->files[i].file, p->files[i].value);
}

static int sd_set_resources(void *state, const struct json_object *resources, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        struct json_object *copy = NULL;
        if (resources && json_object_deep_copy((struct json_object *)resources, &copy, NULL) < 0)
                return s->host->error(reterr, ENOMEM, NULL, "systemd: copy linux.resources");
        json_object_put(s->resources);
        s->resources = copy;
        struct sd_props p = {0};
        int r = config_props(s, &p, reterr);
        if (r < 0 || s->creating) { /* enter() starts the unit with them */
                sd_props_done(&p);
                return r;
        }
        char dir[4096];
        if ((r = target_dir(s, dir, sizeof(dir), reterr)) == 0)
                r = s->host->error(reterr, ESRCH, NULL, "systemd: unit %s does not exist", s->name.unit);
        if (r > 0)
                burst_first(dir, &p);
        if (r > 0 && (r = connect_bus(s, reterr)) >= 0 &&
            (r = sdb_set_properties(&s->bus, s->name.unit, &p, START_TIMEOUT_MS, reterr)) >= 0 &&
            (r = sdd_enable_unmanaged(sdc_unified_root(), dir, p.files, p.n_files, s->host, reterr)) >= 0) {
                if (s->subgroup)
                        r = write_files(s, dir, p.sub, p.n_sub, reterr);
                if (r >= 0)
                        r = write_files(s, dir, p.files, p.n_files, reterr);
        }
        sd_props_done(&p);
        return r < 0 ? r : 0;
}

static int sd_freeze(void *state, int frozen, int timeout_ms, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        int r = scope_dir(s, reterr);
        if (r <= 0)
                return r < 0 ? r : s->host->error(reterr, ESRCH, NULL, "systemd: unit %s does not exist", s->name.unit);
        if ((r = sdc_write(s->cgroup, "cgroup.freeze", frozen ? "1" : "0")) < 0)
                return s->host->error(reterr, -r, NULL, "systemd: write %s/cgroup.freeze", s->cgroup);
        int64_t deadline = clock_now_ms() + timeout_ms;
        const char *want = frozen ? "frozen 1" : "frozen 0";
        for (;;) {
                char *ev = NULL;
                if (sdc_read(s->cgroup, "cgroup.events", &ev) == 0 && strstr(ev, want)) {
                        free(ev);
                        return 0;
                }
                free(ev);
                if (clock_now_ms() >= deadline)
                        return s->host->error(reterr, ETIMEDOUT, NULL, "systemd: %s of %s not done after %d ms",
                                              frozen ? "freeze" : "thaw", s->cgroup, timeout_ms);
                clock_sleep_ms(10);
        }
}

static int sd_get_pids(void *state, pid_t **ret_pids, size_t *ret_n, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        int r = scope_dir(s, reterr);
        if (r < 0)
                return r;
        if (r == 0) {
                *ret_pids = NULL;
                *ret_n = 0;
                return 0;
        }
        r = sdc_pids(s->cgroup, ret_pids, ret_n);
        return r < 0 ? s->host->error(reterr, -r, NULL, "systemd: list the pids of %s", s->cgroup) : 0;
}

static int sd_kill_all(void *state, int signo, int timeout_ms, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        int r = scope_dir(s, reterr);
        if (r <= 0)
                return r;
        if ((r = connect_bus(s, reterr)) < 0 || (r = sdb_kill_unit(&s->bus, s->name.unit, signo, timeout_ms, reterr)) < 0)
                return r;
        if (signo != SIGKILL)
                return 0;
        int64_t deadline = clock_now_ms() + timeout_ms;
        for (;;) {
                pid_t *pids = NULL;
                size_t n = 0;
                if ((r = sdc_pids(s->cgroup, &pids, &n)) < 0)
                        return s->host->error(reterr, -r, NULL, "systemd: list the pids of %s", s->cgroup);
                free(pids);
                if (n == 0)
                        return 0;
                if (clock_now_ms() >= deadline)
                        return s->host->error(reterr, ETIMEDOUT, "look for state D in /proc/PID/status",
                                              "systemd: %zu process(es) still in %s %d ms after SIGKILL", n, s->cgroup,
                                              timeout_ms);
                clock_sleep_ms(20);
        }
}

static void stat_u64(struct json_object *o, const char *key, const char *dir, const char *file)
{
        char *v = NULL;
        if (sdc_read(dir, file, &v) == 0 && v[0] >= '0' && v[0] <= '9')
                json_object_object_add(o, key, json_object_new_uint64(strtoull(v, NULL, 10)));
        free(v);
}

static int sd_stats(void *state, struct json_object **ret_stats, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        int r = scope_dir(s, reterr);
        if (r <= 0)
                return r < 0 ? r : s->host->error(reterr, ESRCH, NULL, "systemd: unit %s does not exist", s->name.unit);
        struct json_object *out = json_object_new_object(), *mem = json_object_new_object(),
                           *usage = json_object_new_object(), *pids = json_object_new_object(),
                           *cpu = json_object_new_object(), *cu = json_object_new_object();
        stat_u64(usage, "usage", s->cgroup, "memory.current");
        stat_u64(usage, "limit", s->cgroup, "memory.max");
        stat_u64(pids, "current", s->cgroup, "pids.current");
        stat_u64(pids, "limit", s->cgroup, "pids.max");
        char *cs = NULL;
        const char *u;
        if (sdc_read(s->cgroup, "cpu.stat", &cs) == 0 && (u = strstr(cs, "usage_usec ")))
                json_object_object_add(cu, "total", json_object_new_uint64(strtoull(u + 11, NULL, 10) * 1000));
        free(cs);
        json_object_object_add(mem, "usage", usage);
        json_object_object_add(cpu, "usage", cu);
        json_object_object_add(out, "memory", mem);
        json_object_object_add(out, "pids", pids);
        json_object_object_add(out, "cpu", cpu);
        *ret_stats = out;
        return 0;
}

static int sd_owns_devices(void *state)
{
        (void)state;
        return 1; /* DeviceAllow= + DevicePolicy= of the unit (FIELD-NOTES 2) */
}

static int sd_get_path(void *state, char **ret_path, struct modrun_error **reterr)
{
        struct sdstate *s = state;
        if (s->name_why)
                return name_error(s, reterr);
        char *slice = NULL, *path = NULL;
        int r = sd_slice_expand(s->name.slice, &slice);
        if (r < 0)
                return s->host->error(reterr, -r, NULL, "systemd: slice %s", s->name.slice);
        r = asprintf(&path, "%s/%s%s%s", slice, s->name.unit, s->subgroup ? "/" : "", s->subgroup ? s->subgroup : "");
        free(slice);
        if (r < 0)
                return s->host->error(reterr, ENOMEM, NULL, "systemd: cgroup path");
        *ret_path = path;
        return 0;
}

static const struct modrun_cgroup_ops ops = {
        .size = sizeof(struct modrun_cgroup_ops),
        .init = sd_init,
        .fini = sd_fini,
        .create = sd_create,
        .enter = sd_enter,
        .destroy = sd_destroy,
        .open_unified = sd_open_unified,
        .set_resources = sd_set_resources,
        .freeze = sd_freeze,
        .get_pids = sd_get_pids,
        .kill_all = sd_kill_all,
        .stats = sd_stats,
        .owns_devices = sd_owns_devices,
        .get_path = sd_get_path,
};

MODRUN_PLUGIN_DEFINE(MODRUN_KIND_CGROUP, "systemd", "1.0",
                     "transient systemd scope units through sd-bus (Delegate=yes, DeviceAllow=)", &ops);
