/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime-spec 1.1-1.3 fields: process.scheduler, process.ioPriority,
 * process.execCPUAffinity, linux.personality, linux.memoryPolicy,
 * linux.netDevices and linux.intelRdt. Names are checked here, so a bad
 * value is refused by `create` before any process exists. */
#include <ctype.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>

#include "config-internal.h"

struct name_value {
        const char *name;
        uint64_t value;
};

static const struct name_value sched_policies[] = {
        {"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
        {"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6}, {NULL, 0},
};
static const struct name_value sched_flags[] = {
        {"SCHED_FLAG_RESET_ON_FORK", 0x01}, {"SCHED_FLAG_RECLAIM", 0x02},        {"SCHED_FLAG_DL_OVERRUN", 0x04},
        {"SCHED_FLAG_KEEP_POLICY", 0x08},   {"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
        {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40}, {NULL, 0},
};
static const struct name_value io_classes[] = {
        {"IOPRIO_CLASS_RT", 1}, {"IOPRIO_CLASS_BE", 2}, {"IOPRIO_CLASS_IDLE", 3}, {NULL, 0},
};
static const struct name_value mpol_modes[] = {
        {"MPOL_DEFAULT", 0},       {"MPOL_PREFERRED", 1},       {"MPOL_BIND", 2},
        {"MPOL_INTERLEAVE", 3},    {"MPOL_LOCAL", 4},           {"MPOL_PREFERRED_MANY", 5},
        {"MPOL_WEIGHTED_INTERLEAVE", 6}, {NULL, 0},
};
static const struct name_value mpol_flags[] = {
        {"MPOL_F_NUMA_BALANCING", 1 << 13}, {"MPOL_F_RELATIVE_NODES", 1 << 14}, {"MPOL_F_STATIC_NODES", 1 << 15},
        {NULL, 0},
};
static const struct name_value personality_domains[] = {{"LINUX", 0x0000}, {"LINUX32", 0x0008}, {NULL, 0}};

static const char *const *names_of(const struct name_value *t, const char **buf)
{
        size_t i = 0;
        for (; t[i].name; i++)
                buf[i] = t[i].name;
        buf[i] = NULL;
        return buf;
}

const char *const *config_memory_policy_modes(void)
{
        static const char *names[ELEMENTSOF(mpol_modes)];
        return names_of(mpol_modes, names);
}

const char *const *config_memory_policy_flags(void)
{
        static const char *names[ELEMENTSOF(mpol_flags)];
        return names_of(mpol_flags, names);
}

/* s in table: 0 and its value; else the error listing the valid names. */
static int lookup(const struct json_ctx *c, const struct json_path *p, const struct name_value *t, const char *s,
                  uint64_t *ret)
{
        char valid[512] = "";
        for (size_t i = 0; t[i].name; i++) {
                if (streq(s, t[i].name)) {
                        *ret = t[i].value;
                        return 0;
                }
                size_t n = strlen(valid);
                (void)snprintf(valid + n, sizeof(valid) - n, "%s%s", i ? ", " : "", t[i].name);
        }
        return json_fail(c, p, NULL, "unknown value \"%s\" (valid: %s)", s, valid);
}

static int member_name(const struct json_ctx *c, const struct json_path *p, struct json_object *o, const char *key,
                       bool required, const struct name_value *t, uint64_t *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = json_member_string(c, p, o, key, required, &s);
        if (r <= 0)
                return r;
        struct json_path kp = JSON_PATH_KEY(p, key);
        return lookup(c, &kp, t, s, ret) < 0 ? -EINVAL : 1;
}

/* An array of names, OR-ed. */
static int member_flags(const struct json_ctx *c, const struct json_path *p, struct json_object *o, const char *key,
                        const struct name_value *t, uint64_t *ret)
{
        char **l = NULL;
        int r = json_member_strv(c, p, o, key, false, &l);
        if (r <= 0)
                return r;
        struct json_path kp = JSON_PATH_KEY(p, key);
        uint64_t all = 0;
        for (size_t i = 0; l[i] && r >= 0; i++) {
                struct json_path ip = JSON_PATH_INDEX(&kp, i);
                uint64_t v = 0;
                r = lookup(c, &ip, t, l[i], &v);
                all |= v;
        }
        oci_strv_free(l);
        if (r < 0)
                return r;
        *ret = all;
        return 0;
}

int config_parse_bitmap(const char *what, const char *list, struct oci_bitmap *ret, struct modrun_error **reterr)
{
        struct oci_bitmap b = {0};
        const char *s = list;
        while (*s) {
                char *end;
                if (!isdigit((unsigned char)*s))
                        goto bad;
                unsigned long lo = strtoul(s, &end, 10), hi = lo;
                if (*end == '-') {
                        if (!isdigit((unsigned char)end[1]))
                                goto bad;
                        hi = strtoul(end + 1, &end, 10);
                }
                if (hi < lo || hi >= OCI_BITMAP_BITS)
                        return error_new(reterr, EINVAL, NULL, "%s: \"%s\": the range %lu-%lu is %s", what, list, lo,
                                         hi, hi < lo ? "reversed" : "beyond the 1024 numbers modrun handles");
                for (unsigned long n = lo; n <= hi; n++)
                        b.bits[n / 64] |= UINT64_C(1) << (n % 64);
                if (hi + 1 > b.highest)
                        b.highest = (unsigned)hi + 1;
                if (*end == ',' && end[1])
                        end++;
                else if (*end)
                        goto bad;
                s = end;
        }
        *ret = b;
        return 0;
bad:
        return error_new(reterr, EINVAL, "write a list such as \"0-3,7\"",
                         "%s: \"%s\" is not a list of numbers and ranges (at \"%s\")", what, list, s);
}

static int member_bitmap(const struct json_ctx *c, const struct json_path *p, struct json_object *o, const char *key,
                         bool *ret_has, struct oci_bitmap *ret)
{
        _cleanup_free_ char *s = NULL;
        int r = json_member_string(c, p, o, key, false, &s);
        if (r <= 0 || !s[0]) /* "" is "no change" (config.md) */
                return r < 0 ? r : 0;
        struct json_path kp = JSON_PATH_KEY(p, key);
        _cleanup_free_ char *path = json_path_format(&kp);
        _cleanup_free_ char *what = NULL;
        if (!path || asprintf(&what, "%s: %s", c->file, path) < 0)
                return json_fail_oom(c, &kp);
        if ((r = config_parse_bitmap(what, s, ret, c->reterr)) < 0)
                return r;
        if (ret_has)
                *ret_has = true;
        return 0;
}

static int parse_scheduler(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                           struct oci_scheduler *s)
{
        struct json_object *o;
        int r = json_member_object(c, p, v, "scheduler", false, &o);
        if (r <= 0)
                return r;
        struct json_path sp = JSON_PATH_KEY(p, "scheduler");
        uint64_t policy = 0;
        int64_t nice = 0, prio = 0;
        if ((r = member_name(c, &sp, o, "policy", true, sched_policies, &policy)) < 0 ||
            (r = json_member_int64(c, &sp, o, "nice", false, -20, 19, &nice)) < 0 ||
            (r = json_member_int64(c, &sp, o, "priority", false, 0, 99, &prio)) < 0 ||
            (r = member_flags(c, &sp, o, "flags", sched_flags, &s->flags)) < 0 ||
            (r = json_member_uint64(c, &sp, o, "runtime", false, UINT64_MAX, &s->runtime)) < 0 ||
            (r = json_member_uint64(c, &sp, o, "deadline", false, UINT64_MAX, &s->deadline)) < 0 ||
            (r = json_member_uint64(c, &sp, o, "period", false, UINT64_MAX, &s->period)) < 0)
                return r;
        s->policy = (uint32_t)policy;
        s->nice = (int32_t)nice;
        s->priority = (uint32_t)prio;
        s->present = true;
        return 0;
}

static int parse_io_priority(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                             struct oci_io_priority *io)
{
        struct json_object *o;
        int r = json_member_object(c, p, v, "ioPriority", false, &o);
        if (r <= 0)
                return r;
        struct json_path ip = JSON_PATH_KEY(p, "ioPriority");
        uint64_t klass = 0;
        int64_t prio = 0;
        if ((r = member_name(c, &ip, o, "class", true, io_classes, &klass)) < 0 ||
            (r = json_member_int64(c, &ip, o, "priority", false, 0, 7, &prio)) < 0)
                return r;
        *io = (struct oci_io_priority){.present = true, .klass = (int)klass, .priority = (int)prio};
        return 0;
}

int config_parse_process_spec13(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                                struct oci_process *proc)
{
        int r = parse_scheduler(c, p, v, &proc->sched);
        if (r < 0 || (r = parse_io_priority(c, p, v, &proc->io_priority)) < 0)
                return r;
        struct json_object *o;
        if ((r = json_member_object(c, p, v, "execCPUAffinity", false, &o)) <= 0)
                return r;
        struct json_path ap = JSON_PATH_KEY(p, "execCPUAffinity");
        struct oci_cpu_affinity *a = &proc->affinity;
        if ((r = member_bitmap(c, &ap, o, "initial", &a->has_initial, &a->initial)) < 0 ||
            (r = member_bitmap(c, &ap, o, "final", &a->has_final, &a->final)) < 0)
                return r;
        return 0;
}

static int parse_personality(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                             struct oci_personality *pers)
{
        struct json_object *o;
        int r = json_member_object(c, p, v, "personality", false, &o);
        if (r <= 0)
                return r;
        struct json_path pp = JSON_PATH_KEY(p, "personality");
        uint64_t domain = 0;
        char **flags = NULL;
        if ((r = member_name(c, &pp, o, "domain", true, personality_domains, &domain)) < 0 ||
            (r = json_member_strv(c, &pp, o, "flags", false, &flags)) < 0)
                return r;
        bool any = flags && flags[0];
        oci_strv_free(flags);
        if (any) { /* config-linux.md: "Currently no flag values are supported." */
                struct json_path fp = JSON_PATH_KEY(&pp, "flags");
                return json_fail(c, &fp, "remove the flags", "runtime-spec defines no personality flags");
        }
        *pers = (struct oci_personality){.present = true, .domain = (unsigned long)domain};
        return 0;
}

static int parse_memory_policy(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                               struct oci_memory_policy *mp)
{
        struct json_object *o;
        int r = json_member_object(c, p, v, "memoryPolicy", false, &o);
        if (r <= 0)
                return r;
        struct json_path mpp = JSON_PATH_KEY(p, "memoryPolicy");
        uint64_t mode = 0, flags = 0;
        if ((r = member_name(c, &mpp, o, "mode", true, mpol_modes, &mode)) < 0 ||
            (r = member_flags(c, &mpp, o, "flags", mpol_flags, &flags)) < 0 ||
            (r = member_bitmap(c, &mpp, o, "nodes", NULL, &mp->nodes)) < 0)
                return r;
        mp->mode = (int)mode;
        mp->flags = (unsigned)flags;
        mp->present = true;
        return 0;
}

/* An interface name the kernel takes: 1-15 bytes, no '/', ':' or space,
 * not "." or ".." (dev_valid_name()). */
static bool ifname_valid(const char *n)
{
        if (!n[0] || strlen(n) > 15 || streq(n, ".") || streq(n, ".."))
                return false;
        for (; *n; n++)
                if (*n == '/' || *n == ':' || isspace((unsigned char)*n))
                        return false;
        return true;
}

static void net_device_done(void *elem)
{
        struct oci_net_device *d = elem;
        free(d->host_name);
        free(d->name);
}

static int parse_net_device(const struct json_ctx *c, const struct json_path *p, const char *key,
                            struct json_object *v, void *elem, void *userdata)
{
        (void)userdata;
        struct oci_net_device *d = elem;
        static const char hint[] = "an interface name has 1 to 15 characters, none of them '/', ':' or a space";
        if (!ifname_valid(key))
                return json_fail(c, p, hint, "\"%s\" is not a valid network interface name", key);
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = json_member_string(c, p, v, "name", false, &d->name)) < 0)
                return r;
        if (d->name && !ifname_valid(d->name)) {
                struct json_path np = JSON_PATH_KEY(p, "name");
                return json_fail(c, &np, hint, "\"%s\" is not a valid network interface name", d->name);
        }
        if (!(d->host_name = strdup(key)) || (!d->name && !(d->name = strdup(key))))
                return json_fail_oom(c, p);
        return 0;
}

static int parse_net_devices(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                             struct oci_linux *l)
{
        static const struct json_map_of how = {.elem_size = sizeof(struct oci_net_device),
                                               .parse = parse_net_device, .free_elem = net_device_done};
        int r = json_member_map_of(c, p, v, "netDevices", false, &how, (void **)&l->net_devices, &l->n_net_devices);
        if (r < 0)
                return r;
        struct json_path np = JSON_PATH_KEY(p, "netDevices");
        for (size_t i = 0; i < l->n_net_devices; i++)
                for (size_t j = 0; j < i; j++)
                        if (streq(l->net_devices[i].name, l->net_devices[j].name))
                                return json_fail(c, &np, "give each device its own \"name\"",
                                                 "%s and %s would both be named %s in the container",
                                                 l->net_devices[j].host_name, l->net_devices[i].host_name,
                                                 l->net_devices[i].name);
        return 0;
}

static int parse_intel_rdt(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                           struct oci_intel_rdt *rdt)
{
        struct json_object *o;
        int r = json_member_object(c, p, v, "intelRdt", false, &o);
        if (r <= 0)
                return r;
        struct json_path rp = JSON_PATH_KEY(p, "intelRdt");
        if ((r = json_member_string(c, &rp, o, "closID", false, &rdt->clos_id)) < 0 ||
            (r = json_member_string(c, &rp, o, "l3CacheSchema", false, &rdt->l3_cache_schema)) < 0 ||
            (r = json_member_string(c, &rp, o, "memBwSchema", false, &rdt->mem_bw_schema)) < 0 ||
            (r = json_member_strv(c, &rp, o, "schemata", false, &rdt->schemata)) < 0 ||
            (r = json_member_bool(c, &rp, o, "enableMonitoring", false, &rdt->enable_monitoring)) < 0)
                return r;
        const char *id = rdt->clos_id;
        if (id && (!id[0] || strchr(id, '/') || streq(id, ".") || streq(id, "..") || strchr(id, '\n'))) {
                struct json_path ip = JSON_PATH_KEY(&rp, "closID");
                return json_fail(c, &ip, "a CLOS id names one directory of the resctrl filesystem",
                                 "\"%s\" is not a valid CLOS id", id);
        }
        rdt->present = true;
        return 0;
}

int config_parse_linux_spec13(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                              struct oci_linux *l)
{
        int r = parse_personality(c, p, v, &l->personality);
        if (r < 0 || (r = parse_memory_policy(c, p, v, &l->memory_policy)) < 0 ||
            (r = parse_net_devices(c, p, v, l)) < 0 || (r = parse_intel_rdt(c, p, v, &l->intel_rdt)) < 0)
                return r;
        return 0;
}

void config_linux_spec13_done(struct oci_linux *l)
{
        for (size_t i = 0; i < l->n_net_devices; i++)
                net_device_done(&l->net_devices[i]);
        free(l->net_devices);
        free(l->intel_rdt.clos_id);
        free(l->intel_rdt.l3_cache_schema);
        free(l->intel_rdt.mem_bw_schema);
        oci_strv_free(l->intel_rdt.schemata);
}
