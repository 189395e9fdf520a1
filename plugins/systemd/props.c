/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources and org.systemd.property.* annotations -> transient unit
 * properties, converted as runc's systemd v2 manager does; what the
 * properties cannot express (linux.resources.unified) becomes files
 * written in the delegated cgroup. Pure: json in, a property list out.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../common/cgroup-convert.h"
#include "systemd.h"

int sd_why(char **ret_why, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (ret_why && !*ret_why && vasprintf(ret_why, fmt, ap) < 0)
                *ret_why = NULL;
        va_end(ap);
        return -EINVAL;
}

void sd_props_done(struct sd_props *p)
{
        for (size_t i = 0; i < p->n; i++) {
                struct sd_prop *x = &p->v[i];
                free(x->s);
                free(x->bytes);
                free(x->pids);
                for (size_t j = 0; x->type == 'D' && j < x->n; j++)
                        free(x->devs[j].path);
                free(x->devs);
                for (size_t j = 0; x->type == 'V' && j < x->n; j++)
                        free(x->dvals[j].path);
                free(x->dvals);
        }
        for (size_t i = 0; i < p->n_files; i++) {
                free(p->files[i].file);
                free(p->files[i].value);
        }
        for (size_t i = 0; i < p->n_sub; i++) {
                free(p->sub[i].file);
                free(p->sub[i].value);
        }
        free(p->v);
        free(p->files);
        free(p->sub);
        *p = (struct sd_props){0};
}

struct sd_prop *sd_props_add(struct sd_props *p, const char *name, char type)
{
        if (strlen(name) >= sizeof(p->v[0].name))
                return NULL;
        if (p->n == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 16;
                struct sd_prop *v = realloc(p->v, cap * sizeof(*v));
                if (!v)
                        return NULL;
                p->v = v;
                p->cap = cap;
        }
        struct sd_prop *x = &p->v[p->n++];
        *x = (struct sd_prop){.type = type};
        (void)snprintf(x->name, sizeof(x->name), "%s", name);
        return x;
}

int sd_props_add_u64(struct sd_props *p, const char *name, uint64_t v)
{
        struct sd_prop *x = sd_props_add(p, name, 't');
        if (!x)
                return -ENOMEM;
        x->u = v;
        return 0;
}

int sd_props_add_bool(struct sd_props *p, const char *name, bool v)
{
        struct sd_prop *x = sd_props_add(p, name, 'b');
        if (!x)
                return -ENOMEM;
        x->u = v;
        return 0;
}

int sd_props_add_str(struct sd_props *p, const char *name, const char *v)
{
        struct sd_prop *x = sd_props_add(p, name, 's');
        if (!x || !(x->s = strdup(v)))
                return -ENOMEM;
        return 0;
}

int sd_props_add_file(struct sd_file **files, size_t *n, size_t *cap, const char *file, const char *value)
{
        if (*n == *cap) {
                size_t c = *cap ? *cap * 2 : 8;
                struct sd_file *v = realloc(*files, c * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                *files = v;
                *cap = c;
        }
        char *f = strdup(file), *val = strdup(value);
        if (!f || !val) {
                free(f);
                free(val);
                return -ENOMEM;
        }
        (*files)[(*n)++] = (struct sd_file){.file = f, .value = val};
        return 0;
}

static int add_sub(struct sd_props *p, const char *file, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add_sub(struct sd_props *p, const char *file, const char *fmt, ...)
{
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(buf))
                return -EINVAL;
        return sd_props_add_file(&p->sub, &p->n_sub, &p->cap_sub, file, buf);
}

const struct sd_prop *sd_props_find(const struct sd_props *p, const char *name)
{
        const struct sd_prop *found = NULL;
        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->v[i].name, name) == 0)
                        found = &p->v[i]; /* the last one wins, as in systemd */
        return found;
}

/* ---- conversions (runc's) ---- */

uint64_t sd_shares_to_weight(uint64_t shares)
{
        return cgroup_shares_to_weight(shares);
}

uint64_t sd_blkio_weight_to_io(uint64_t weight)
{
        return cgroup_blkio_weight_to_io(weight);
}

uint64_t sd_cpu_quota_per_sec(int64_t quota, uint64_t period)
{
        if (quota <= 0)
                return SD_INFINITY;
        if (period == 0)
                period = 100000;
        uint64_t v = (uint64_t)quota * 1000000 / period;
        if (v % 10000)
                v = (v / 10000 + 1) * 10000;
        return v;
}

int sd_cpuset_to_mask(const char *list, uint8_t **ret, size_t *ret_n)
{
        uint8_t *mask = NULL;
        size_t n = 0;
        const char *s = list;
        while (*s) {
                while (*s == ' ' || *s == '\n')
                        s++;
                if (!*s)
                        break;
                char *end = NULL;
                errno = 0;
                unsigned long a = strtoul(s, &end, 10), b = a;
                if (errno || end == s || a > 65535) {
                        free(mask);
                        return -EINVAL;
                }
                s = end;
                if (*s == '-') {
                        b = strtoul(++s, &end, 10);
                        if (errno || end == s || b < a || b > 65535) {
                                free(mask);
                                return -EINVAL;
                        }
                        s = end;
                }
                if (*s == ',')
                        s++;
                else if (*s && *s != '\n' && *s != ' ') {
                        free(mask);
                        return -EINVAL;
                }
                if (b / 8 + 1 > n) {
                        uint8_t *m = realloc(mask, b / 8 + 1);
                        if (!m) {
                                free(mask);
                                return -ENOMEM;
                        }
                        memset(m + n, 0, b / 8 + 1 - n);
                        mask = m;
                        n = b / 8 + 1;
                }
                for (unsigned long i = a; i <= b; i++)
                        mask[i / 8] |= (uint8_t)(1u << (i % 8));
        }
        if (n == 0)
                return -EINVAL;
        *ret = mask;
        *ret_n = n;
        return 0;
}

/* ---- linux.resources ---- */

static struct json_object *jget(const struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
            json_object_is_type(v, json_type_null))
                return NULL;
        return v;
}

static bool jint(const struct json_object *o, const char *key, int64_t *ret)
{
        struct json_object *v = jget(o, key);
        if (!v || !(json_object_is_type(v, json_type_int)))
                return false;
        *ret = json_object_get_int64(v);
        return true;
}

static bool juint(const struct json_object *o, const char *key, uint64_t *ret)
{
        struct json_object *v = jget(o, key);
        if (!v || !(json_object_is_type(v, json_type_int)))
                return false;
        *ret = json_object_get_uint64(v);
        return true;
}

static uint64_t limit(int64_t v)
{
        return v < 0 ? SD_INFINITY : (uint64_t)v;
}

static void limit_str(uint64_t v, char *buf, size_t size)
{
        if (v == SD_INFINITY)
                (void)snprintf(buf, size, "max");
        else
                (void)snprintf(buf, size, "%" PRIu64, v);
}

static int add_limit(struct sd_props *p, const char *prop, const char *file, uint64_t v)
{
        char buf[32];
        limit_str(v, buf, sizeof(buf));
        int r = sd_props_add_u64(p, prop, v);
        return r < 0 ? r : add_sub(p, file, "%s", buf);
}

static int memory_props(const struct json_object *mem, struct sd_props *p, char **ret_why)
{
        int64_t lim = 0, res = 0, swap = 0;
        bool has_lim = jint(mem, "limit", &lim), has_swap = jint(mem, "swap", &swap);
        int r = 0;
        if (has_lim && lim != 0 && (r = add_limit(p, "MemoryMax", "memory.max", limit(lim))) < 0)
                return r;
        if (jint(mem, "reservation", &res) && res != 0 &&
            (r = add_limit(p, "MemoryLow", "memory.low", limit(res))) < 0)
                return r;
        if (has_swap && swap != 0) {
                /* OCI's swap is memory+swap (v1), MemorySwapMax is swap alone */
                uint64_t v;
                if (swap < 0)
                        v = SD_INFINITY;
                else if (!has_lim || lim <= 0)
                        return sd_why(ret_why, "linux.resources.memory.swap %" PRId64 " needs a memory limit "
                                            "(it is memory+swap)", swap);
                else if (swap < lim)
                        return sd_why(ret_why, "linux.resources.memory.swap %" PRId64 " is below memory.limit %" PRId64
                                            " (it is memory+swap)", swap, lim);
                else
                        v = (uint64_t)(swap - lim);
                if ((r = add_limit(p, "MemorySwapMax", "memory.swap.max", v)) < 0)
                        return r;
        } else if (has_lim && lim < 0 && (r = add_limit(p, "MemorySwapMax", "memory.swap.max", SD_INFINITY)) < 0)
                return r;
        return 0;
}

/* runtime-spec 1.3.0: absent is "not set", negative is infinity, 0 is a
 * real limit. systemd refuses TasksMax=0 ("out of range", its least is 1):
 * the unit gets TasksMax=1 and pids.max 0 is written into the delegated
 * cgroup (and the subgroup), like the files systemd has no property for. */
static int pids_props(const struct json_object *pids, struct sd_props *p)
{
        int64_t v = 0;
        if (!jint(pids, "limit", &v))
                return 0;
        if (v != 0)
                return add_limit(p, "TasksMax", "pids.max", limit(v));
        int r = sd_props_add_u64(p, "TasksMax", 1);
        if (r >= 0)
                r = add_sub(p, "pids.max", "0");
        return r < 0 ? r : sd_props_add_file(&p->files, &p->n_files, &p->cap_files, "pids.max", "0");
}

static int cpuset_prop(struct sd_props *p, const char *prop, const char *file, const char *list,
                       const char *field, char **ret_why)
{
        if (!list || !*list)
                return 0;
        struct sd_prop *x = sd_props_add(p, prop, 'y');
        if (!x)
                return -ENOMEM;
        int r = sd_cpuset_to_mask(list, &x->bytes, &x->n);
        if (r == -EINVAL)
                return sd_why(ret_why, "linux.resources.cpu.%s \"%s\" is no list of ranges like \"0-3,5\"", field, list);
        /* as given, whatever its length (add_sub()'s buffer is for numbers) */
        return r < 0 ? r : sd_props_add_file(&p->sub, &p->n_sub, &p->cap_sub, file, list);
}

static int cpu_props(const struct json_object *cpu, struct sd_props *p, char **ret_why)
{
        uint64_t shares = 0, period = 0, burst = 0;
        int64_t quota = 0, idle = 0;
        int r;
        bool has_idle = jint(cpu, "idle", &idle);
        if (has_idle && idle != 0 && idle != 1)
                return sd_why(ret_why, "linux.resources.cpu.idle %" PRId64 " is neither 0 nor 1", idle);
        /* systemd's CPUWeight=idle (0, systemd 252): cpu.idle 1 and no
         * weight, which the kernel refuses for an idle group; any other
         * weight sets cpu.idle 0 first. The sub-cgroup the same way. */
        if (has_idle && (r = add_sub(p, "cpu.idle", "%" PRId64, idle)) < 0)
                return r;
        if (idle == 1)
                r = sd_props_add_u64(p, "CPUWeight", 0);
        else if (juint(cpu, "shares", &shares) && shares != 0) {
                uint64_t w = sd_shares_to_weight(shares);
                if ((r = sd_props_add_u64(p, "CPUWeight", w)) >= 0)
                        r = add_sub(p, "cpu.weight", "%" PRIu64, w);
        } else if (has_idle) /* not idle: systemd's default weight, which keeps its cpu controller */
                r = sd_props_add_u64(p, "CPUWeight", 100);
        else
                r = 0;
        if (r < 0)
                return r;
        bool has_quota = jint(cpu, "quota", &quota), has_period = juint(cpu, "period", &period);
        if (has_period && period != 0 && (r = sd_props_add_u64(p, "CPUQuotaPeriodUSec", period)) < 0)
                return r;
        if ((has_quota && quota != 0) || (has_period && period != 0)) {
                if ((r = sd_props_add_u64(p, "CPUQuotaPerSecUSec", sd_cpu_quota_per_sec(quota, period))) < 0)
                        return r;
                uint64_t per = period ? period : 100000;
                r = quota > 0 ? add_sub(p, "cpu.max", "%" PRId64 " %" PRIu64, quota, per)
                              : add_sub(p, "cpu.max", "max %" PRIu64, per);
                if (r < 0)
                        return r;
        }
        /* no property either; after cpu.max, which bounds it */
        if (juint(cpu, "burst", &burst)) {
                char v[24];
                (void)snprintf(v, sizeof(v), "%" PRIu64, burst);
                if ((r = sd_props_add_file(&p->files, &p->n_files, &p->cap_files, "cpu.max.burst", v)) < 0)
                        return r;
        }
        struct json_object *v = jget(cpu, "cpus");
        if ((r = cpuset_prop(p, "AllowedCPUs", "cpuset.cpus", v ? json_object_get_string(v) : NULL, "cpus",
                             ret_why)) < 0)
                return r;
        v = jget(cpu, "mems");
        return cpuset_prop(p, "AllowedMemoryNodes", "cpuset.mems", v ? json_object_get_string(v) : NULL, "mems",
                           ret_why);
}

/* linux.resources.unified: cgroup v2 files by name, written as given. */
static int unified_files(const struct json_object *unified, struct sd_props *p, char **ret_why)
{
        if (!unified)
                return 0;
        if (!json_object_is_type(unified, json_type_object))
                return sd_why(ret_why, "linux.resources.unified is not an object");
        json_object_object_foreach((struct json_object *)unified, key, val)
        {
                if (!*key || strchr(key, '/') || strcmp(key, "..") == 0 || strcmp(key, ".") == 0 ||
                    strncmp(key, "cgroup.", 7) == 0)
                        return sd_why(ret_why, "linux.resources.unified: \"%s\" is not a controller file of the "
                                            "container's cgroup", key);
                if (!json_object_is_type(val, json_type_string))
                        return sd_why(ret_why, "linux.resources.unified.\"%s\" is not a string", key);
                int r = sd_props_add_file(&p->files, &p->n_files, &p->cap_files, key, json_object_get_string(val));
                if (r < 0)
                        return r;
        }
        return 0;
}

int sd_props_from_resources(const struct json_object *resources, sd_block_dev_fn block_dev, void *userdata,
                            struct sd_props *p, char **ret_why)
{
        if (!resources)
                return 0;
        int r;
        if ((r = memory_props(jget(resources, "memory"), p, ret_why)) < 0)
                return r;
        if ((r = cpu_props(jget(resources, "cpu"), p, ret_why)) < 0)
                return r;
        if ((r = pids_props(jget(resources, "pids"), p)) < 0)
                return r;
        uint64_t w = 0;
        if (juint(jget(resources, "blockIO"), "weight", &w) && w != 0) {
                uint64_t io = sd_blkio_weight_to_io(w);
                if ((r = sd_props_add_u64(p, "IOWeight", io)) < 0 ||
                    (r = add_sub(p, "io.weight", "default %" PRIu64, io)) < 0)
                        return r;
        }
        if ((r = sd_blockio_device_props(jget(resources, "blockIO"), block_dev, userdata, p, ret_why)) < 0 ||
            (r = sd_hugetlb_files(jget(resources, "hugepageLimits"), p, ret_why)) < 0 ||
            (r = sd_rdma_files(jget(resources, "rdma"), p, ret_why)) < 0)
                return r;
        return unified_files(jget(resources, "unified"), p, ret_why);
}

/* ---- org.systemd.property.* ---- */

/* Properties the plugin sets from the config and that must agree with it
 * (FIELD-NOTES 2): an annotation may not change them. */
static const char *const reserved[] = {"PIDs", "Delegate", "Slice", "DevicePolicy", "DeviceAllow", NULL};

static int parse_string(const char *v, struct sd_prop *x)
{
        size_t len = strlen(v);
        if (len < 2 || v[len - 1] != v[0])
                return -EINVAL;
        char *out = malloc(len), *o = out;
        if (!out)
                return -ENOMEM;
        for (size_t i = 1; i < len - 1; i++) {
                if (v[i] == '\\' && i + 1 < len - 1)
                        i++;
                else if (v[i] == v[0]) {
                        free(out);
                        return -EINVAL;
                }
                *o++ = v[i];
        }
        *o = '\0';
        x->s = out;
        return 0;
}

/* "uint64 5", "@t 5", "5t", "5u", "-5", "5": an integer and its type. */
static int parse_number(const char *v, struct sd_prop *x)
{
        static const struct { const char *kw; char type; } kws[] = {
                {"uint64 ", 't'}, {"@t ", 't'}, {"uint32 ", 'u'}, {"@u ", 'u'},
                {"int64 ", 'x'},  {"@x ", 'x'}, {"int32 ", 'i'},  {"@i ", 'i'},
                {"double ", 'd'}, {"@d ", 'd'},
        };
        char type = 0;
        for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]) && !type; i++)
                if (strncmp(v, kws[i].kw, strlen(kws[i].kw)) == 0) {
                        type = kws[i].type;
                        v += strlen(kws[i].kw);
                }
        char *end = NULL;
        errno = 0;
        if (type == 'd' || (!type && strpbrk(v, ".eE") && !strpbrk(v, "tu"))) {
                x->d = strtod(v, &end);
                if (errno || end == v || *end)
                        return -EINVAL;
                x->type = 'd';
                return 0;
        }
        bool neg = *v == '-';
        if (neg)
                x->i = strtoll(v, &end, 10);
        else
                x->u = strtoull(v, &end, 10);
        if (errno || end == v || (*v < '0' && !neg) || (*v > '9' && !neg))
                return -EINVAL;
        if (!type && (*end == 't' || *end == 'u') && end[1] == '\0')
                type = *end++;
        if (*end)
                return -EINVAL;
        if (!type) /* GVariant's default for a bare integer */
                type = 'i';
        if (neg && (type == 't' || type == 'u'))
                return -EINVAL;
        if (neg) {
                if (type == 'i' && x->i < INT32_MIN)
                        return -ERANGE;
                x->u = (uint64_t)x->i;
        } else {
                if ((type == 'u' && x->u > UINT32_MAX) || (type == 'i' && x->u > INT32_MAX) ||
                    (type == 'x' && x->u > INT64_MAX))
                        return -ERANGE;
                x->i = (int64_t)x->u;
        }
        x->type = type;
        return 0;
}

/* runc's convertSecToUSec: a number of seconds as microseconds (uint64). */
static int sec_to_usec(struct sd_prop *x)
{
        double sec;
        switch (x->type) {
        case 'd':
                sec = x->d;
                break;
        case 't':
        case 'u':
                if (x->u > UINT64_MAX / 1000000)
                        return -ERANGE;
                x->u *= 1000000;
                x->type = 't';
                return 0;
        case 'i':
        case 'x':
                if (x->i < 0 || (uint64_t)x->i > UINT64_MAX / 1000000)
                        return -ERANGE;
                x->u = (uint64_t)x->i * 1000000;
                x->type = 't';
                return 0;
        default:
                return -EINVAL;
        }
        if (!(sec >= 0) || sec > 1.8e13)
                return -ERANGE;
        x->u = (uint64_t)llround(sec * 1e6);
        x->type = 't';
        return 0;
}

int sd_props_from_annotation(const char *name, const char *value, struct sd_props *p, char **ret_why)
{
        if (!*name || strlen(name) > 60)
                return sd_why(ret_why, "org.systemd.property.%s: no valid property name", name);
        for (const char *c = name; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
                        return sd_why(ret_why, "org.systemd.property.%s: no valid property name", name);
        for (size_t i = 0; reserved[i]; i++)
                if (strcmp(name, reserved[i]) == 0)
                        return sd_why(ret_why, "org.systemd.property.%s: set by modrun from the config and may not "
                                            "be changed by an annotation", name);
        struct sd_prop tmp = {0};
        int r;
        if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
                tmp.type = 'b';
                tmp.u = value[0] == 't';
                r = 0;
        } else if (value[0] == '\'' || value[0] == '"') {
                tmp.type = 's';
                r = parse_string(value, &tmp);
        } else
                r = parse_number(value, &tmp);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return sd_why(ret_why, "org.systemd.property.%s=%s: not a value modrun understands (true, false, "
                                    "'text', 5, 5u, 5t, uint64 5, @t 5, 1.5)", name, value);
        char pname[64];
        (void)snprintf(pname, sizeof(pname), "%s", name);
        size_t len = strlen(name);
        if (len > 4 && strcmp(name + len - 3, "Sec") == 0 && name[len - 4] >= 'a' && name[len - 4] <= 'z') {
                if (sec_to_usec(&tmp) < 0) {
                        free(tmp.s);
                        return sd_why(ret_why, "org.systemd.property.%s=%s: not a number of seconds", name, value);
                }
                (void)snprintf(pname, sizeof(pname), "%.*sUSec", (int)(len - 3), name);
        } else if (tmp.type == 'd') {
                return sd_why(ret_why, "org.systemd.property.%s=%s: a fraction only for a property in seconds (...Sec)",
                           name, value);
        }
        struct sd_prop *x = sd_props_add(p, pname, tmp.type);
        if (!x) {
                free(tmp.s);
                return -ENOMEM;
        }
        char n[64];
        memcpy(n, x->name, sizeof(n));
        *x = tmp;
        memcpy(x->name, n, sizeof(n));
        return 0;
}
