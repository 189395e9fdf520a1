/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statistics for `events --stats`, in the layout of runc's
 * types/events.go Stats (the "data" member of the event):
 *   {"cpu": {"usage": {"total", "percpu", "kernel", "user"},
 *            "throttling": {"periods", "throttledPeriods", "throttledTime"}},
 *    "memory": {"cache", "usage": {"limit", "usage", "max", "failcnt"},
 *               "swap": {...}, "kernel": {...}, "kernelTCP": {...}, "raw": {...}},
 *    "pids": {"current", "limit"},
 *    "blkio": {"ioServiceBytesRecursive": [{"major", "minor", "op", "value"}],
 *              "ioServicedRecursive": [...]},
 *    "hugetlb": {"2MB": {"usage", "max", "failcnt"}}}
 * with Go's omitempty where runc has it (zero numbers and empty lists left
 * out). v1 hierarchies first (stats-v1 below), then the cgroup2 directory
 * for what no v1 hierarchy has (stats-v2.c): on a hybrid host, e.g.,
 * hugetlb may live in cgroup2 only.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroupfs.h"

struct json_object *cg_stats_section(struct json_object *out, const char *key)
{
        struct json_object *v = NULL;
        if (json_object_object_get_ex(out, key, &v))
                return v;
        v = json_object_new_object();
        if (v)
                json_object_object_add(out, key, v);
        return v;
}

void cg_stats_set_u64(struct json_object *o, const char *key, uint64_t v, bool omitempty)
{
        if (o && !(omitempty && v == 0))
                json_object_object_add(o, key, json_object_new_uint64(v));
}

static uint64_t u64_or0(const char *dir, const char *file)
{
        uint64_t v = 0;
        return cg_read_u64(dir, file, &v) == 0 ? v : 0;
}

/* runc's MemoryEntry: limit and failcnt always, usage and max omitempty. */
static void v1_mem_entry(struct json_object *mem, const char *key, const char *dir, const char *prefix)
{
        char f[96];
        struct json_object *e = cg_stats_section(mem, key);
        (void)snprintf(f, sizeof(f), "%s.limit_in_bytes", prefix);
        if (!cg_file_exists(dir, f))
                return;
        cg_stats_set_u64(e, "limit", u64_or0(dir, f), false);
        (void)snprintf(f, sizeof(f), "%s.usage_in_bytes", prefix);
        cg_stats_set_u64(e, "usage", u64_or0(dir, f), true);
        (void)snprintf(f, sizeof(f), "%s.max_usage_in_bytes", prefix);
        cg_stats_set_u64(e, "max", u64_or0(dir, f), true);
        (void)snprintf(f, sizeof(f), "%s.failcnt", prefix);
        cg_stats_set_u64(e, "failcnt", u64_or0(dir, f), false);
}

/* A flat keyed file ("key value" lines) as an object. */
static struct json_object *keyed_object(const char *dir, const char *file)
{
        _cleanup_free_ char *text = NULL;
        if (cg_read(dir, file, &text) < 0)
                return NULL;
        struct json_object *o = json_object_new_object();
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); o && line; line = strtok_r(NULL, "\n", &save)) {
                char *sp = strchr(line, ' ');
                if (!sp)
                        continue;
                *sp = '\0';
                json_object_object_add(o, line, json_object_new_uint64(strtoull(sp + 1, NULL, 10)));
        }
        return o;
}

static void v1_memory(const char *dir, struct json_object *out)
{
        struct json_object *mem = cg_stats_section(out, "memory");
        struct json_object *raw = keyed_object(dir, "memory.stat"), *cache = NULL;
        if (raw && json_object_object_get_ex(raw, "cache", &cache))
                cg_stats_set_u64(mem, "cache", json_object_get_uint64(cache), true);
        v1_mem_entry(mem, "usage", dir, "memory");
        v1_mem_entry(mem, "swap", dir, "memory.memsw");
        v1_mem_entry(mem, "kernel", dir, "memory.kmem");
        v1_mem_entry(mem, "kernelTCP", dir, "memory.kmem.tcp");
        if (raw)
                json_object_object_add(mem, "raw", raw);
}

static void v1_cpu(const struct cgfs *s, struct json_object *out)
{
        struct json_object *cpu = cg_stats_section(out, "cpu");
        struct json_object *usage = cg_stats_section(cpu, "usage"), *thr = cg_stats_section(cpu, "throttling");
        const struct cg_place *acct = cg_v1_place(s, "cpuacct"), *c = cg_v1_place(s, "cpu");
        if (acct) {
                _cleanup_free_ char *percpu = NULL;
                cg_stats_set_u64(usage, "total", u64_or0(acct->dir, "cpuacct.usage"), true);
                if (cg_read(acct->dir, "cpuacct.usage_percpu", &percpu) == 0) {
                        struct json_object *a = json_object_new_array();
                        char *save = NULL;
                        for (char *t = strtok_r(percpu, " \n", &save); a && t; t = strtok_r(NULL, " \n", &save))
                                json_object_array_add(a, json_object_new_uint64(strtoull(t, NULL, 10)));
                        if (a && json_object_array_length(a) > 0)
                                json_object_object_add(usage, "percpu", a);
                        else
                                json_object_put(a);
                }
                uint64_t user = 0, sys = 0, hz = (uint64_t)sysconf(_SC_CLK_TCK);
                (void)cg_read_keyed(acct->dir, "cpuacct.stat", "user", &user);
                (void)cg_read_keyed(acct->dir, "cpuacct.stat", "system", &sys);
                if (hz == 0)
                        hz = 100;
                cg_stats_set_u64(usage, "kernel", sys * 1000000000ull / hz, false);
                cg_stats_set_u64(usage, "user", user * 1000000000ull / hz, false);
        }
        if (c) {
                uint64_t v = 0;
                if (cg_read_keyed(c->dir, "cpu.stat", "nr_periods", &v) == 0)
                        cg_stats_set_u64(thr, "periods", v, true);
                if (cg_read_keyed(c->dir, "cpu.stat", "nr_throttled", &v) == 0)
                        cg_stats_set_u64(thr, "throttledPeriods", v, true);
                if (cg_read_keyed(c->dir, "cpu.stat", "throttled_time", &v) == 0)
                        cg_stats_set_u64(thr, "throttledTime", v, true);
        }
}

/* "8:0 Read 4096" lines (a "Total" line has no device). */
static void v1_blkio_list(const char *dir, const char *file, struct json_object *blkio, const char *key)
{
        _cleanup_free_ char *text = NULL;
        if (cg_read(dir, file, &text) < 0)
                return;
        struct json_object *a = json_object_new_array();
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); a && line; line = strtok_r(NULL, "\n", &save)) {
                unsigned long long maj, min, val;
                char op[16];
                if (sscanf(line, "%llu:%llu %15s %llu", &maj, &min, op, &val) != 4)
                        continue;
                struct json_object *e = json_object_new_object();
                cg_stats_set_u64(e, "major", maj, true);
                cg_stats_set_u64(e, "minor", min, true);
                json_object_object_add(e, "op", json_object_new_string(op));
                cg_stats_set_u64(e, "value", val, true);
                json_object_array_add(a, e);
        }
        if (a && json_object_array_length(a) > 0)
                json_object_object_add(blkio, key, a);
        else
                json_object_put(a);
}

static void v1_blkio(const char *dir, struct json_object *out)
{
        static const char *const prefixes[] = { "blkio.", "blkio.bfq.", "blkio.throttle." };
        struct json_object *blkio = cg_stats_section(out, "blkio");
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(*prefixes); i++) {
                char f[96];
                (void)snprintf(f, sizeof(f), "%sio_service_bytes_recursive", prefixes[i]);
                if (!cg_file_exists(dir, f))
                        continue;
                v1_blkio_list(dir, f, blkio, "ioServiceBytesRecursive");
                (void)snprintf(f, sizeof(f), "%sio_serviced_recursive", prefixes[i]);
                v1_blkio_list(dir, f, blkio, "ioServicedRecursive");
                return;
        }
}

/* Each huge page size of the kernel, as runc names it ("2MB"). */
static size_t hugepage_names(char names[][16], size_t max)
{
        DIR *d = opendir("/sys/kernel/mm/hugepages");
        size_t n = 0;
        for (struct dirent *de; d && n < max && (de = readdir(d));) {
                unsigned long long kb;
                if (sscanf(de->d_name, "hugepages-%llukB", &kb) == 1)
                        cg_hugepage_name(kb * 1024, names[n++], sizeof(names[0]));
        }
        if (d)
                (void)closedir(d);
        return n;
}

static void hugetlb(const char *dir, bool v2, struct json_object *out)
{
        char names[8][16], f[96];
        struct json_object *h = cg_stats_section(out, "hugetlb");
        size_t n = hugepage_names(names, 8);
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_new_object();
                uint64_t fail = 0;
                (void)snprintf(f, sizeof(f), v2 ? "hugetlb.%s.current" : "hugetlb.%s.usage_in_bytes", names[i]);
                cg_stats_set_u64(e, "usage", u64_or0(dir, f), true);
                if (!v2) {
                        (void)snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", names[i]);
                        cg_stats_set_u64(e, "max", u64_or0(dir, f), true);
                }
                (void)snprintf(f, sizeof(f), v2 ? "hugetlb.%s.events" : "hugetlb.%s.failcnt", names[i]);
                if (v2)
                        (void)cg_read_keyed(dir, f, "max", &fail);
                else
                        fail = u64_or0(dir, f);
                cg_stats_set_u64(e, "failcnt", fail, false);
                json_object_object_add(h, names[i], e);
        }
}

void cg_stats_v1(const struct cgfs *s, struct json_object *out)
{
        const struct cg_place *p;
        v1_cpu(s, out);
        if ((p = cg_v1_place(s, "memory")))
                v1_memory(p->dir, out);
        if ((p = cg_v1_place(s, "pids"))) {
                uint64_t max = u64_or0(p->dir, "pids.max");
                struct json_object *pids = cg_stats_section(out, "pids");
                cg_stats_set_u64(pids, "current", u64_or0(p->dir, "pids.current"), true);
                cg_stats_set_u64(pids, "limit", max == UINT64_MAX ? 0 : max, true);
        }
        if ((p = cg_v1_place(s, "blkio")))
                v1_blkio(p->dir, out);
        if ((p = cg_v1_place(s, "hugetlb")))
                hugetlb(p->dir, false, out);
}

void cg_stats_v2_hugetlb(const char *dir, struct json_object *out)
{
        hugetlb(dir, true, out);
}

int cg_stats(const struct cgfs *s, struct json_object **ret, struct modrun_error **reterr)
{
        struct json_object *out = json_object_new_object();
        if (!out)
                return s->host->error(reterr, ENOMEM, NULL, "cgroupfs: statistics");
        static const char *const sections[] = { "cpu", "memory", "pids", "blkio", "hugetlb" };
        for (size_t i = 0; i < sizeof(sections) / sizeof(*sections); i++)
                (void)cg_stats_section(out, sections[i]);
        (void)cg_stats_section(cg_stats_section(out, "cpu"), "usage");
        (void)cg_stats_section(cg_stats_section(out, "cpu"), "throttling");
        cg_stats_v1(s, out);
        const struct cg_place *u = cg_unified_place(s);
        if (u)
                cg_stats_v2(u->dir, out, !cg_v1_place(s, "cpuacct"), !cg_v1_place(s, "memory"), !cg_v1_place(s, "pids"),
                            !cg_v1_place(s, "blkio"), !cg_v1_place(s, "hugetlb") && cg_v2_has(u->dir, "hugetlb"));
        *ret = out;
        return 0;
}

int cg_oom_count(const struct cgfs *s, uint64_t *ret, struct modrun_error **reterr)
{
        const struct cg_place *p = cg_v1_place(s, "memory"), *u = cg_unified_place(s);
        const char *dir = p ? p->dir : u && cg_file_exists(u->dir, "memory.events") ? u->dir : NULL;
        if (!dir)
                return s->host->error(reterr, EOPNOTSUPP, NULL, "cgroupfs: the container has no memory controller");
        const char *file = p ? "memory.oom_control" : "memory.events";
        int r = cg_read_keyed(dir, file, "oom_kill", ret);
        return r < 0 ? s->host->error(reterr, -r, NULL, "cgroupfs: read oom_kill in %s/%s", dir, file) : 0;
}
