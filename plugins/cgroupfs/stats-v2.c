/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statistics from a cgroup v2 directory, converted to runc's layout as its
 * fs2 manager does: microseconds to nanoseconds, memory.stat's "file" as
 * the cache, swap as swap + memory (v1's memsw meaning), io.stat's
 * rbytes/wbytes and rios/wios as Read/Write entries.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cgroupfs.h"

static uint64_t u64_or0(const char *dir, const char *file)
{
        uint64_t v = 0;
        return cg_read_u64(dir, file, &v) == 0 ? v : 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
        return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static void v2_cpu(const char *dir, struct json_object *out)
{
        struct json_object *cpu = cg_stats_section(out, "cpu");
        struct json_object *usage = cg_stats_section(cpu, "usage"), *thr = cg_stats_section(cpu, "throttling");
        uint64_t v = 0;
        if (cg_read_keyed(dir, "cpu.stat", "usage_usec", &v) == 0)
                cg_stats_set_u64(usage, "total", v * 1000, true);
        v = 0;
        (void)cg_read_keyed(dir, "cpu.stat", "system_usec", &v);
        cg_stats_set_u64(usage, "kernel", v * 1000, false);
        v = 0;
        (void)cg_read_keyed(dir, "cpu.stat", "user_usec", &v);
        cg_stats_set_u64(usage, "user", v * 1000, false);
        if (cg_read_keyed(dir, "cpu.stat", "nr_periods", &v) == 0)
                cg_stats_set_u64(thr, "periods", v, true);
        if (cg_read_keyed(dir, "cpu.stat", "nr_throttled", &v) == 0)
                cg_stats_set_u64(thr, "throttledPeriods", v, true);
        if (cg_read_keyed(dir, "cpu.stat", "throttled_usec", &v) == 0)
                cg_stats_set_u64(thr, "throttledTime", v * 1000, true);
}

static void v2_memory(const char *dir, struct json_object *out)
{
        struct json_object *mem = cg_stats_section(out, "memory");
        struct json_object *usage = cg_stats_section(mem, "usage"), *swap = cg_stats_section(mem, "swap");
        _cleanup_free_ char *text = NULL;
        if (cg_read(dir, "memory.stat", &text) == 0) {
                struct json_object *raw = json_object_new_object();
                char *save = NULL;
                for (char *line = strtok_r(text, "\n", &save); raw && line; line = strtok_r(NULL, "\n", &save)) {
                        char *sp = strchr(line, ' ');
                        if (!sp)
                                continue;
                        *sp = '\0';
                        uint64_t v = strtoull(sp + 1, NULL, 10);
                        if (strcmp(line, "file") == 0)
                                cg_stats_set_u64(mem, "cache", v, true);
                        json_object_object_add(raw, line, json_object_new_uint64(v));
                }
                if (raw)
                        json_object_object_add(mem, "raw", raw);
        }
        uint64_t cur = u64_or0(dir, "memory.current"), max = u64_or0(dir, "memory.max"), fail = 0;
        (void)cg_read_keyed(dir, "memory.events", "max", &fail);
        cg_stats_set_u64(usage, "limit", cg_file_exists(dir, "memory.max") ? max : UINT64_MAX, false);
        cg_stats_set_u64(usage, "usage", cur, true);
        cg_stats_set_u64(usage, "max", u64_or0(dir, "memory.peak"), true);
        cg_stats_set_u64(usage, "failcnt", fail, false);
        if (cg_file_exists(dir, "memory.swap.current")) {
                uint64_t scur = u64_or0(dir, "memory.swap.current"), smax = u64_or0(dir, "memory.swap.max");
                cg_stats_set_u64(swap, "limit", sat_add(smax, max), false);
                cg_stats_set_u64(swap, "usage", sat_add(scur, cur), true);
                cg_stats_set_u64(swap, "failcnt", 0, false);
        }
}

static void io_entry(struct json_object *a, unsigned long long maj, unsigned long long min, const char *op,
                     uint64_t v)
{
        struct json_object *e = json_object_new_object();
        if (!e)
                return;
        cg_stats_set_u64(e, "major", maj, true);
        cg_stats_set_u64(e, "minor", min, true);
        json_object_object_add(e, "op", json_object_new_string(op));
        cg_stats_set_u64(e, "value", v, true);
        json_object_array_add(a, e);
}

/* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" lines. */
static void v2_io(const char *dir, struct json_object *out)
{
        _cleanup_free_ char *text = NULL;
        if (cg_read(dir, "io.stat", &text) < 0)
                return;
        struct json_object *blkio = cg_stats_section(out, "blkio");
        struct json_object *bytes = json_object_new_array(), *ios = json_object_new_array();
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); bytes && ios && line; line = strtok_r(NULL, "\n", &save)) {
                unsigned long long maj, min;
                unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
                if (sscanf(line, "%llu:%llu", &maj, &min) != 2)
                        continue;
                char *save2 = NULL;
                for (char *kv = strtok_r(strchr(line, ' '), " ", &save2); kv; kv = strtok_r(NULL, " ", &save2)) {
                        (void)(sscanf(kv, "rbytes=%llu", &rb) || sscanf(kv, "wbytes=%llu", &wb) ||
                               sscanf(kv, "rios=%llu", &ri) || sscanf(kv, "wios=%llu", &wi));
                }
                io_entry(bytes, maj, min, "Read", rb);
                io_entry(bytes, maj, min, "Write", wb);
                io_entry(ios, maj, min, "Read", ri);
                io_entry(ios, maj, min, "Write", wi);
        }
        if (bytes && json_object_array_length(bytes) > 0)
                json_object_object_add(blkio, "ioServiceBytesRecursive", bytes);
        else
                json_object_put(bytes);
        if (ios && json_object_array_length(ios) > 0)
                json_object_object_add(blkio, "ioServicedRecursive", ios);
        else
                json_object_put(ios);
}

void cg_stats_v2(const char *dir, struct json_object *out, bool want_cpu, bool want_memory, bool want_pids,
                 bool want_io, bool want_hugetlb)
{
        if (want_cpu)
                v2_cpu(dir, out);
        if (want_memory && cg_file_exists(dir, "memory.current"))
                v2_memory(dir, out);
        if (want_pids && cg_file_exists(dir, "pids.current")) {
                uint64_t max = u64_or0(dir, "pids.max");
                struct json_object *pids = cg_stats_section(out, "pids");
                cg_stats_set_u64(pids, "current", u64_or0(dir, "pids.current"), true);
                cg_stats_set_u64(pids, "limit", max == UINT64_MAX ? 0 : max, true);
        }
        if (want_io)
                v2_io(dir, out);
        if (want_hugetlb)
                cg_stats_v2_hugetlb(dir, out);
}
