/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources: which hierarchy each part goes to, in runc's order
 * (cpuset, devices, memory, cpu, pids, blkio, hugetlb, network, rdma), then
 * `unified` (a pure cgroup v2 host only, as runc and crun). A controller
 * is used from its v1 hierarchy when one is mounted, else from the cgroup2
 * directory when it is listed in its cgroup.controllers (a hybrid host
 * may have, e.g., hugetlb only there).
 * A part that is set while its controller is nowhere is an error: a limit
 * silently not applied is worse than a container that does not start.
 * The files of each version are in resources-v1.c and resources-v2.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cgroupfs.h"

struct json_object *cg_json_get(const struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!o || !json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex((struct json_object *)o, key, &v) || json_object_is_type(v, json_type_null))
                return NULL;
        return v;
}

bool cg_json_i64(const struct json_object *o, const char *key, int64_t *ret)
{
        struct json_object *v = cg_json_get(o, key);
        if (!v || !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
                return false;
        *ret = json_object_get_int64(v);
        return true;
}

bool cg_json_u64(const struct json_object *o, const char *key, uint64_t *ret)
{
        struct json_object *v = cg_json_get(o, key);
        if (!v || !json_object_is_type(v, json_type_int))
                return false;
        *ret = json_object_get_uint64(v);
        return true;
}

bool cg_json_bool(const struct json_object *o, const char *key, bool *ret)
{
        struct json_object *v = cg_json_get(o, key);
        if (!v || !json_object_is_type(v, json_type_boolean))
                return false;
        *ret = json_object_get_boolean(v);
        return true;
}

const char *cg_json_str(const struct json_object *o, const char *key)
{
        struct json_object *v = cg_json_get(o, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Is any member of the object set (or is the array non-empty)? */
static bool is_set(const struct json_object *v)
{
        if (!v)
                return false;
        if (json_object_is_type(v, json_type_array))
                return json_object_array_length(v) > 0;
        if (!json_object_is_type(v, json_type_object))
                return true;
        json_object_object_foreach((struct json_object *)v, key, val) {
                (void)key;
                if (val && !json_object_is_type(val, json_type_null))
                        return true;
        }
        return false;
}

static bool any_of(const struct json_object *o, const char *const *keys)
{
        for (; *keys; keys++)
                if (cg_json_get(o, *keys))
                        return true;
        return false;
}

static const char *const cpu_keys[] = { "shares", "quota", "period", "burst", "realtimeRuntime",
                                        "realtimePeriod", "idle", NULL };
static const char *const cpuset_keys[] = { "cpus", "mems", NULL };

static void add_word(char *buf, size_t size, const char *w)
{
        size_t n = strlen(buf);
        (void)snprintf(buf + n, size - n, "%s%s", n ? " " : "", w);
}

void cg_needed_controllers(const struct json_object *res, char *buf, size_t size)
{
        struct json_object *cpu = cg_json_get(res, "cpu"), *u = cg_json_get(res, "unified");
        buf[0] = '\0';
        if (is_set(cg_json_get(res, "memory")))
                add_word(buf, size, "memory");
        if (any_of(cpu, cpu_keys))
                add_word(buf, size, "cpu");
        if (any_of(cpu, cpuset_keys))
                add_word(buf, size, "cpuset");
        if (is_set(cg_json_get(res, "pids")))
                add_word(buf, size, "pids");
        if (is_set(cg_json_get(res, "blockIO")))
                add_word(buf, size, "io");
        if (is_set(cg_json_get(res, "hugepageLimits")))
                add_word(buf, size, "hugetlb");
        if (is_set(cg_json_get(res, "rdma")))
                add_word(buf, size, "rdma");
        if (u && json_object_is_type(u, json_type_object)) {
                json_object_object_foreach(u, key, val) {
                        char ctrl[64];
                        const char *why = NULL;
                        (void)val;
                        if (cg_unified_key(key, ctrl, sizeof(ctrl), &why) == 0 && strcmp(ctrl, "cgroup") != 0)
                                add_word(buf, size, ctrl);
                }
        }
}

/* The directory to use for a controller: v1 name, v2 name (NULL: v1
 * only). Returns 1 (v1), 2 (v2) or, with the error set, -EOPNOTSUPP. */
static int find_ctrl(const struct cgfs *s, const char *v1, const char *v2, const char *field, const char **ret_dir,
                     struct modrun_error **reterr)
{
        const struct cg_place *p = cg_v1_place(s, v1), *u = cg_unified_place(s);
        if (p) {
                *ret_dir = p->dir;
                return 1;
        }
        if (u && v2 && cg_v2_has(u->dir, v2)) {
                *ret_dir = u->dir;
                return 2;
        }
        char where[600];
        if (u && v2)
                (void)snprintf(where, sizeof(where), "no cgroup v1 hierarchy has it and it is not in %s/cgroup.controllers",
                               u->dir);
        else
                (void)snprintf(where, sizeof(where), "no cgroup v1 hierarchy has it%s",
                               v2 ? "" : " (it exists on cgroup v1 only)");
        return s->host->error(reterr, EOPNOTSUPP, "remove the setting, or mount or enable the controller",
                              "cgroupfs: linux.resources.%s is set, but the %s controller is not available: %s", field,
                              u && v2 ? v2 : v1, where);
}

static int set_cpuset(const struct cgfs *s, const struct json_object *cpu, struct modrun_error **reterr)
{
        const char *dir = NULL, *cpus = cg_json_str(cpu, "cpus"), *mems = cg_json_str(cpu, "mems");
        if (!any_of(cpu, cpuset_keys))
                return 0;
        int r = find_ctrl(s, "cpuset", "cpuset", "cpu.cpus/mems", &dir, reterr);
        if (r >= 0 && cpus && *cpus)
                r = cg_write(s, dir, "cpuset.cpus", cpus, "linux.resources.cpu.cpus", reterr);
        if (r >= 0 && mems && *mems)
                r = cg_write(s, dir, "cpuset.mems", mems, "linux.resources.cpu.mems", reterr);
        return r < 0 ? r : 0;
}

static int set_pids(const struct cgfs *s, const struct json_object *pids, struct modrun_error **reterr)
{
        const char *dir = NULL;
        int64_t limit = 0;
        /* runtime-spec 1.3.0: absent is "not set", a negative value is
         * "max", 0 is a real limit (no new task). runc 1.1 ignored 0 and
         * crun wrote "max" for it; the spec made the field a pointer to
         * end that. */
        if (!cg_json_i64(pids, "limit", &limit))
                return 0;
        int r = find_ctrl(s, "pids", "pids", "pids", &dir, reterr);
        char v[32];
        cg_limit_string(limit, v, sizeof(v));
        return r < 0 ? r : cg_write(s, dir, "pids.max", v, "linux.resources.pids.limit", reterr);
}

static int set_hugetlb(const struct cgfs *s, const struct json_object *list, struct modrun_error **reterr)
{
        const char *dir = NULL;
        int r = find_ctrl(s, "hugetlb", "hugetlb", "hugepageLimits", &dir, reterr);
        for (size_t i = 0; r >= 0 && i < json_object_array_length(list); i++) {
                struct json_object *e = json_object_array_get_idx(list, i);
                const char *size = cg_json_str(e, "pageSize");
                uint64_t limit = 0;
                if (!size || strpbrk(size, "/.") || !cg_json_u64(e, "limit", &limit))
                        return s->host->error(reterr, EINVAL, "each entry is {\"pageSize\": \"2MB\", \"limit\": N}",
                                              "cgroupfs: linux.resources.hugepageLimits[%zu] is malformed", i);
                char file[96], v[32], what[64];
                (void)snprintf(file, sizeof(file), r == 1 ? "hugetlb.%s.limit_in_bytes" : "hugetlb.%s.max", size);
                (void)snprintf(v, sizeof(v), "%" PRIu64, limit);
                (void)snprintf(what, sizeof(what), "linux.resources.hugepageLimits[%zu]", i);
                int k = cg_write(s, dir, file, v, what, reterr);
                if (k < 0)
                        return k;
        }
        return r < 0 ? r : 0;
}

static int set_rdma(const struct cgfs *s, const struct json_object *rdma, struct modrun_error **reterr)
{
        const char *dir = NULL;
        int r = find_ctrl(s, "rdma", "rdma", "rdma", &dir, reterr);
        if (r < 0)
                return r;
        json_object_object_foreach((struct json_object *)rdma, dev, lim) {
                char line[256], h[32] = "max", o[32] = "max";
                uint64_t v;
                if (cg_json_u64(lim, "hcaHandles", &v))
                        (void)snprintf(h, sizeof(h), "%" PRIu64, v);
                if (cg_json_u64(lim, "hcaObjects", &v))
                        (void)snprintf(o, sizeof(o), "%" PRIu64, v);
                (void)snprintf(line, sizeof(line), "%s hca_handle=%s hca_object=%s", dev, h, o);
                if ((r = cg_write(s, dir, "rdma.max", line, "linux.resources.rdma", reterr)) < 0)
                        return r;
        }
        return 0;
}

static int set_devices(const struct cgfs *s, const struct json_object *rules, struct modrun_error **reterr)
{
        const struct cg_place *p = cg_v1_place(s, "devices");
        if (!p) {
                s->host->log(s->host, MODRUN_LOG_DEBUG,
                             "cgroupfs: no devices v1 controller: linux.resources.devices is left to a devices plugin");
                return 0;
        }
        return cg_devices_v1(s, p->dir, rules, reterr);
}

static int set_unified(const struct cgfs *s, const struct json_object *u, struct modrun_error **reterr)
{
        /* runc and crun refuse it on a v1 or hybrid host too ("invalid
         * configuration"): its keys are cgroup v2 files, and there the
         * controllers are v1's */
        const struct cg_place *p = s->layout.mode == CG_MODE_V2 ? cg_unified_place(s) : NULL;
        if (!p)
                return s->host->error(reterr, EINVAL,
                                      "remove linux.resources.unified, or set the cgroup v1 fields "
                                      "(linux.resources.memory, cpu, ...) instead",
                                      "cgroupfs: invalid configuration: linux.resources.unified needs a cgroup v2 "
                                      "host, and this host is %s", cg_mode_to_string(s->layout.mode));
        return cg_v2_unified(s, p->dir, u, reterr);
}

static int set_version(const struct cgfs *s, const struct json_object *res, const char *key,
                       struct modrun_error **reterr)
{
        struct json_object *v = cg_json_get(res, key);
        const char *dir = NULL;
        int r;
        if (strcmp(key, "memory") == 0) {
                if ((r = find_ctrl(s, "memory", "memory", key, &dir, reterr)) < 0)
                        return r;
                return r == 1 ? cg_v1_memory(s, dir, v, reterr) : cg_v2_memory(s, dir, v, reterr);
        }
        if (strcmp(key, "cpu") == 0) {
                if (!any_of(v, cpu_keys))
                        return 0;
                if ((r = find_ctrl(s, "cpu", "cpu", key, &dir, reterr)) < 0)
                        return r;
                return r == 1 ? cg_v1_cpu(s, dir, v, reterr) : cg_v2_cpu(s, dir, v, reterr);
        }
        if ((r = find_ctrl(s, "blkio", "io", key, &dir, reterr)) < 0)
                return r;
        return r == 1 ? cg_v1_blkio(s, dir, v, reterr) : cg_v2_io(s, dir, v, reterr);
}

/* Rootless without a writable hierarchy (tree.c): the device list, which
 * the core always adds, has nothing to be written to, as with the
 * "disabled" manager; any limit is an error. */
static int no_cgroup(const struct cgfs *s, const struct json_object *res, struct modrun_error **reterr)
{
        json_object_object_foreach((struct json_object *)res, key, val) {
                if (!is_set(val) || (s->host->rootless && strcmp(key, "devices") == 0))
                        continue;
                return s->host->error(reterr, ENOENT,
                                      s->host->rootless ? "remove the setting, or run as root: this user may write "
                                                          "no cgroup hierarchy, so the container has no cgroup"
                                                        : NULL,
                                      "cgroupfs: linux.resources.%s is set, but the container has no cgroup", key);
        }
        s->host->log(s->host, MODRUN_LOG_DEBUG,
                     "cgroupfs: no cgroup: linux.resources.devices is not enforced (rootless: the container has "
                     "only the device nodes bound into it)");
        return 0;
}

int cg_set_resources(struct cgfs *s, const struct json_object *res, struct modrun_error **reterr)
{
        struct json_object *cpu = cg_json_get(res, "cpu");
        int r = 0;
        bool any = false;
        for (size_t i = 0; i < s->n; i++)
                any |= s->p[i].dir != NULL;
        if (!any)
                return no_cgroup(s, res, reterr);
        if (cpu && (r = set_cpuset(s, cpu, reterr)) < 0)
                return r;
        if (is_set(cg_json_get(res, "devices")) && (r = set_devices(s, cg_json_get(res, "devices"), reterr)) < 0)
                return r;
        if (is_set(cg_json_get(res, "memory")) && (r = set_version(s, res, "memory", reterr)) < 0)
                return r;
        if (cpu && (r = set_version(s, res, "cpu", reterr)) < 0)
                return r;
        if (is_set(cg_json_get(res, "pids")) && (r = set_pids(s, cg_json_get(res, "pids"), reterr)) < 0)
                return r;
        if (is_set(cg_json_get(res, "blockIO")) && (r = set_version(s, res, "blockIO", reterr)) < 0)
                return r;
        if (is_set(cg_json_get(res, "hugepageLimits")) &&
            (r = set_hugetlb(s, cg_json_get(res, "hugepageLimits"), reterr)) < 0)
                return r;
        if (is_set(cg_json_get(res, "network")) && (r = cg_v1_network(s, cg_json_get(res, "network"), reterr)) < 0)
                return r;
        if (is_set(cg_json_get(res, "rdma")) && (r = set_rdma(s, cg_json_get(res, "rdma"), reterr)) < 0)
                return r;
        if (is_set(cg_json_get(res, "unified")) && (r = set_unified(s, cg_json_get(res, "unified"), reterr)) < 0)
                return r;
        return 0;
}
