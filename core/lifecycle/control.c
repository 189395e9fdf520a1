/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verbs that act on a running container through its cgroup manager:
 * pause, resume, update, and the process list and statistics that ps and
 * events show. A manager that lacks the op (e.g. the built-in "disabled")
 * makes the verb fail with a message naming it.
 */
#include <json-c/json.h>
#include <string.h>

#include "container.h"
#include "container/devices.h"
#include "util/fs-util.h"

static int cgroup_op_missing(const struct container *c, const char *op, const char *verb,
                             struct modrun_error **reterr)
{
        const char *name = c->plugins && c->plugins->by_kind[MODRUN_KIND_CGROUP]
                                   ? c->plugins->by_kind[MODRUN_KIND_CGROUP]->name
                                   : "none";
        return error_new(reterr, EOPNOTSUPP, "create the container with a cgroup manager, e.g. --cgroup-manager=cgroupfs",
                         "cannot %s container %s: its cgroup manager \"%s\" has no %s operation", verb, c->dir->id,
                         name, op);
}

/* Open container id when it runs (or is paused or created); stopped_ok lets a
 * stopped one through too. */
static int open_live_kinds(const struct runtime_ctx *ctx, const char *id, const char *verb, bool stopped_ok,
                           uint32_t kinds, struct container **ret, struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        int r = container_open_kinds(ctx, id, kinds, &c, reterr);
        if (r < 0)
                return r;
        enum container_status st = state_status(c->dir, c->state);
        if ((st == STATUS_STOPPED && !stopped_ok) || st == STATUS_CREATING)
                return error_new(reterr, 0,
                                 st == STATUS_STOPPED ? "its process has exited: `modrun delete` removes it, and "
                                                        "`modrun run` starts a new one"
                                                      : "wait until `modrun create` has returned",
                                 "cannot %s container %s: it is %s", verb, id, container_status_to_string(st));
        *ret = TAKE_PTR(c);
        return 0;
}

static int open_live(const struct runtime_ctx *ctx, const char *id, const char *verb, bool stopped_ok,
                     struct container **ret, struct modrun_error **reterr)
{
        return open_live_kinds(ctx, id, verb, stopped_ok, UINT32_MAX, ret, reterr);
}

int lifecycle_pause(const struct runtime_ctx *ctx, const char *id, bool pause, struct modrun_error **reterr)
{
        const char *verb = pause ? "pause" : "resume";
        _cleanup_container_ struct container *c = NULL;
        int r = open_live(ctx, id, verb, false, &c, reterr);
        if (r < 0)
                return r;
        if (pause == (state_status(c->dir, c->state) == STATUS_PAUSED))
                return error_new(reterr, 0, "`modrun state` shows its status", "cannot %s container %s: it is %s",
                                 verb, id, pause ? "paused already" : "not paused");
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(c->plugins, &st);
        if (!cg || !MODRUN_HAS_OP(cg, freeze))
                return cgroup_op_missing(c, "freeze", verb, reterr);
        if ((r = cg->freeze(st, pause, LIFECYCLE_KILL_TIMEOUT_MS, reterr)) < 0)
                return error_wrap(reterr, "%s container %s", verb, id);
        c->state->paused = pause;
        return state_save(c->dir, c->state, reterr);
}

/* Merge every member of src into dst, recursively for objects. */
static void json_merge(struct json_object *dst, struct json_object *src)
{
        json_object_object_foreach(src, key, val)
        {
                struct json_object *cur = NULL;
                if (json_object_is_type(val, json_type_object) && json_object_object_get_ex(dst, key, &cur) &&
                    json_object_is_type(cur, json_type_object))
                        json_merge(cur, val);
                else
                        json_object_object_add(dst, key, json_object_get(val));
        }
}

/* runc's rule: memory.limit -1 (unlimited) without a memory.swap in the
 * same update makes swap unlimited too; the swap limit kept from an
 * earlier update would be below the new memory limit, which the kernel
 * refuses (cgroup v1 memsw) or which makes no sense (v2). */
static void forget_swap_of_unlimited_memory(struct json_object *cur, struct json_object *update)
{
        struct json_object *m = NULL, *limit = NULL, *old = NULL;
        if (json_object_object_get_ex(update, "memory", &m) && json_object_object_get_ex(m, "limit", &limit) &&
            json_object_get_int64(limit) == -1 && !json_object_object_get_ex(m, "swap", NULL) &&
            json_object_object_get_ex(cur, "memory", &old))
                json_object_object_del(old, "swap");
}

int lifecycle_update(const struct runtime_ctx *ctx, const char *id, struct json_object *resources,
                     struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        int r = open_live(ctx, id, "update", false, &c, reterr);
        if (r < 0)
                return r;
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(c->plugins, &st);
        if (!cg || !MODRUN_HAS_OP(cg, set_resources))
                return cgroup_op_missing(c, "set_resources", "update", reterr);
        /* The stored config keeps what was asked, so later commands see it. */
        struct json_object *linux_ = NULL, *cur = NULL;
        if (!json_object_object_get_ex(c->cfg->json, "linux", &linux_)) {
                linux_ = json_object_new_object();
                json_object_object_add(c->cfg->json, "linux", linux_);
        }
        if (!json_object_object_get_ex(linux_, "resources", &cur)) {
                cur = json_object_new_object();
                json_object_object_add(linux_, "resources", cur);
        }
        forget_swap_of_unlimited_memory(cur, resources);
        json_merge(cur, resources);
        /* a new device list replaces the old one: runc's defaults again */
        if (json_object_object_get_ex(resources, "devices", NULL) && config_add_default_device_rules(c->cfg) < 0)
                return error_new(reterr, ENOMEM, NULL, "update container %s", id);
        struct json_object *res = devices_resources_for_cgroup(c->plugins, cur);
        r = res ? cg->set_resources(st, res, reterr) : error_new(reterr, ENOMEM, NULL, "update container %s", id);
        json_object_put(res);
        if (r >= 0 && json_object_object_get_ex(resources, "devices", NULL))
                r = devices_apply(c->plugins, cur, reterr);
        if (r < 0)
                return error_wrap(reterr, "update container %s", id);
        const char *text = json_object_to_json_string_ext(c->cfg->json, JSON_C_TO_STRING_PLAIN);
        return fs_write_atomic(c->dir->dir_fd, "config.json", text, strlen(text), reterr);
}

int lifecycle_pids(const struct runtime_ctx *ctx, const char *id, pid_t **ret_pids, size_t *ret_n,
                   struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        int r = open_live(ctx, id, "list the processes of", true, &c, reterr);
        if (r < 0)
                return r;
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(c->plugins, &st);
        if (cg && MODRUN_HAS_OP(cg, get_pids) && container_has_cgroup(c->plugins))
                return cg->get_pids(st, ret_pids, ret_n, reterr);
        /* As runc, ps of a stopped container lists what is left in its
         * cgroup; without one, nothing (its init pid may be reused). */
        if (state_status(c->dir, c->state) == STATUS_STOPPED) {
                *ret_pids = NULL;
                *ret_n = 0;
                return 0;
        }
        return procs_best_known(c->cfg, c->state->pid, ret_pids, ret_n, reterr);
}

int lifecycle_watch_open(const struct runtime_ctx *ctx, const char *id, struct container **ret, int *ret_pidfd,
                         struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        int r = open_live_kinds(ctx, id, ret_pidfd ? "watch the events of" : "read the statistics of", false,
                                PLUGIN_KIND_BIT(MODRUN_KIND_CGROUP), &c, reterr);
        if (r < 0)
                return r;
        int fd = ret_pidfd ? container_open_init(c->state) : 0;
        if (fd < 0)
                return error_new(reterr, -fd, NULL, "container %s is not running", id);
        container_dir_unlock(c->dir);
        if (ret_pidfd)
                *ret_pidfd = fd;
        *ret = TAKE_PTR(c);
        return 0;
}

int lifecycle_watch_stats(struct container *c, struct json_object **ret_stats, struct modrun_error **reterr)
{
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(c->plugins, &st);
        if (!cg || !MODRUN_HAS_OP(cg, stats))
                return cgroup_op_missing(c, "stats", "read the statistics of", reterr);
        return cg->stats(st, ret_stats, reterr);
}

int lifecycle_watch_oom_count(struct container *c, uint64_t *ret_count, struct modrun_error **reterr)
{
        void *st = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(c->plugins, &st);
        if (!cg || !MODRUN_HAS_OP(cg, oom_count))
                return -EOPNOTSUPP;
        return cg->oom_count(st, ret_count, reterr);
}

void lifecycle_watch_close(struct container *c) { container_free(c); }
