/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources on cgroup v1 files, as runc's cgroups/fs does it:
 * memory (limit and memory+swap written in the order the kernel accepts),
 * cpu (shares read back, period/quota/burst retried in the other order when
 * the kernel refuses the first), blkio (weights, throttles), net_cls and
 * net_prio. cpuset, pids, hugetlb and rdma are in resources.c (the same
 * file names on both versions), devices in devices-v1.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cgroupfs.h"

#define F(field) "linux.resources." field

static int write_i64(const struct cgfs *s, const char *dir, const char *file, int64_t v, const char *what,
                     struct modrun_error **reterr)
{
        char buf[32];
        (void)snprintf(buf, sizeof(buf), "%" PRId64, v);
        return cg_write(s, dir, file, buf, what, reterr);
}

static int check_usage(const struct cgfs *s, const char *dir, const char *file, int64_t limit,
                       struct modrun_error **reterr)
{
        uint64_t usage = 0;
        if (limit <= 0 || cg_read_u64(dir, file, &usage) < 0 || usage <= (uint64_t)limit)
                return 0;
        return s->host->error(reterr, EBUSY, "raise the limit, or unset memory.checkBeforeUpdate",
                              "cgroupfs: " F("memory.limit") " %" PRId64 " is below the current usage %" PRIu64
                              " (%s/%s) and checkBeforeUpdate is set",
                              limit, usage, dir, file);
}

/* runc's setMemoryAndSwap: when both change, the order must keep
 * memory <= memory+swap at every step. */
static int v1_memory_and_swap(const struct cgfs *s, const char *dir, int64_t limit, int64_t swap,
                              struct modrun_error **reterr)
{
        static const char lim[] = "memory.limit_in_bytes", sw[] = "memory.memsw.limit_in_bytes";
        if (limit == -1 && swap == 0 && cg_file_exists(dir, sw))
                swap = -1;
        bool swap_first = false;
        uint64_t cur = 0;
        if (limit != 0 && swap != 0 && cg_read_u64(dir, lim, &cur) == 0)
                swap_first = swap == -1 || cur < (uint64_t)swap;
        int r = 0;
        if (swap_first && swap != 0)
                r = write_i64(s, dir, sw, swap, F("memory.swap"), reterr);
        if (r >= 0 && limit != 0)
                r = write_i64(s, dir, lim, limit, F("memory.limit"), reterr);
        if (r >= 0 && !swap_first && swap != 0)
                r = write_i64(s, dir, sw, swap, F("memory.swap"), reterr);
        return r;
}

int cg_v1_memory(const struct cgfs *s, const char *dir, const struct json_object *m, struct modrun_error **reterr)
{
        int64_t limit = 0, swap = 0, v;
        bool check = false, oom = false;
        (void)cg_json_i64(m, "limit", &limit);
        (void)cg_json_i64(m, "swap", &swap);
        int r = 0;
        if (cg_json_bool(m, "checkBeforeUpdate", &check) && check)
                r = check_usage(s, dir, "memory.usage_in_bytes", limit, reterr);
        if (r >= 0)
                r = v1_memory_and_swap(s, dir, limit, swap, reterr);
        if (r >= 0 && cg_json_i64(m, "reservation", &v))
                r = write_i64(s, dir, "memory.soft_limit_in_bytes", v, F("memory.reservation"), reterr);
        if (r >= 0 && cg_json_i64(m, "kernelTCP", &v) && v != 0)
                r = write_i64(s, dir, "memory.kmem.tcp.limit_in_bytes", v, F("memory.kernelTCP"), reterr);
        if (r >= 0 && cg_json_i64(m, "kernel", &v) && v != 0)
                s->host->log(s->host, MODRUN_LOG_DEBUG,
                             "cgroupfs: linux.resources.memory.kernel is deprecated and ignored (as runc does)");
        if (r >= 0 && cg_json_i64(m, "swappiness", &v)) {
                if (v < 0 || v > 100)
                        return s->host->error(reterr, EINVAL, "valid memory swappiness range is 0-100",
                                              "cgroupfs: " F("memory.swappiness") " %" PRId64 " is out of range", v);
                r = write_i64(s, dir, "memory.swappiness", v, F("memory.swappiness"), reterr);
        }
        if (r >= 0 && cg_json_bool(m, "disableOOMKiller", &oom) && oom)
                r = cg_write(s, dir, "memory.oom_control", "1", F("memory.disableOOMKiller"), reterr);
        return r < 0 ? r : 0;
}

/* Write a and then b; when the kernel refuses a with EINVAL (a new value
 * that does not fit the old other one), write b first and retry a. */
static int write_pair(const struct cgfs *s, const char *dir, const char *fa, const char *va, const char *wa,
                      const char *fb, const char *vb, const char *wb, struct modrun_error **reterr)
{
        bool retry = false;
        int k = va ? cg_write_raw(dir, fa, va) : 0;
        if (k < 0) {
                if (k != -EINVAL || !vb)
                        return cg_write(s, dir, fa, va, wa, reterr);
                retry = true;
        }
        if (va && !retry)
                s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: %s/%s <- \"%s\"", dir, fa, va);
        int r = vb ? cg_write(s, dir, fb, vb, wb, reterr) : 0;
        if (r >= 0 && retry)
                r = cg_write(s, dir, fa, va, wa, reterr);
        return r;
}

static int v1_shares(const struct cgfs *s, const char *dir, uint64_t shares, struct modrun_error **reterr)
{
        char v[32];
        (void)snprintf(v, sizeof(v), "%" PRIu64, shares);
        int r = cg_write(s, dir, "cpu.shares", v, F("cpu.shares"), reterr);
        uint64_t got = 0;
        if (r < 0 || cg_read_u64(dir, "cpu.shares", &got) < 0 || got == shares)
                return r;
        return s->host->error(reterr, ERANGE, "cpu.shares lies in [2, 262144]",
                              "cgroupfs: " F("cpu.shares") " %" PRIu64 " was clamped by the kernel to %" PRIu64
                              " (%s/cpu.shares)",
                              shares, got, dir);
}

int cg_v1_cpu(const struct cgfs *s, const char *dir, const struct json_object *c, struct modrun_error **reterr)
{
        uint64_t u, period = 0;
        int64_t quota = 0, v, idle = 0;
        int r = 0;
        /* cpu.idle first: the kernel refuses any cpu.shares for an idle
         * group (EINVAL), so the shares are left alone while it is one */
        if (cg_json_i64(c, "idle", &idle))
                r = write_i64(s, dir, "cpu.idle", idle, F("cpu.idle"), reterr);
        if (r >= 0 && idle != 1 && cg_json_u64(c, "shares", &u) && u != 0)
                r = v1_shares(s, dir, u, reterr);
        /* The realtime period before the runtime, as runc. */
        if (r >= 0 && cg_json_u64(c, "realtimePeriod", &u) && u != 0)
                r = write_i64(s, dir, "cpu.rt_period_us", (int64_t)u, F("cpu.realtimePeriod"), reterr);
        if (r >= 0 && cg_json_i64(c, "realtimeRuntime", &v) && v != 0)
                r = write_i64(s, dir, "cpu.rt_runtime_us", v, F("cpu.realtimeRuntime"), reterr);
        char vp[32], vq[32], vb[32];
        bool has_period = cg_json_u64(c, "period", &period) && period != 0;
        bool has_quota = cg_json_i64(c, "quota", &quota) && quota != 0;
        (void)snprintf(vp, sizeof(vp), "%" PRIu64, period);
        (void)snprintf(vq, sizeof(vq), "%" PRId64, quota);
        if (r >= 0 && (has_period || has_quota))
                r = write_pair(s, dir, "cpu.cfs_period_us", has_period ? vp : NULL, F("cpu.period"),
                               "cpu.cfs_quota_us", has_quota ? vq : NULL, F("cpu.quota"), reterr);
        if (r >= 0 && cg_json_u64(c, "burst", &u)) {
                (void)snprintf(vb, sizeof(vb), "%" PRIu64, u);
                r = cg_write(s, dir, "cpu.cfs_burst_us", vb, F("cpu.burst"), reterr);
        }
        return r < 0 ? r : 0;
}

/* blockIO.weightDevice and the throttle lists: "major:minor value" (v1)
 * or "major:minor <v2_prefix>=value" (v2 io.max). */
int cg_write_dev_list(const struct cgfs *s, const char *dir, const struct json_object *b, const char *key,
                      const char *vkey, const char *file, const char *v2_prefix, struct modrun_error **reterr)
{
        struct json_object *list = cg_json_get(b, key);
        if (!list || !json_object_is_type(list, json_type_array))
                return 0;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *e = json_object_array_get_idx(list, i);
                int64_t maj, min;
                uint64_t rate;
                if (!cg_json_i64(e, "major", &maj) || !cg_json_i64(e, "minor", &min))
                        return s->host->error(reterr, EINVAL, "each entry has major, minor and " "rate or weight",
                                              "cgroupfs: linux.resources.blockIO.%s[%zu] lacks major or minor", key, i);
                if (!cg_json_u64(e, vkey, &rate))
                        continue; /* e.g. a weightDevice entry with only a leafWeight */
                char line[96], what[96];
                if (v2_prefix)
                        (void)snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, maj, min, v2_prefix,
                                       rate);
                else
                        (void)snprintf(line, sizeof(line), "%" PRId64 ":%" PRId64 " %" PRIu64, maj, min, rate);
                (void)snprintf(what, sizeof(what), "linux.resources.blockIO.%s[%zu]", key, i);
                int r = cg_write(s, dir, file, line, what, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cg_v1_blkio(const struct cgfs *s, const char *dir, const struct json_object *b, struct modrun_error **reterr)
{
        /* Without CFQ the weight files are BFQ's (runc does the same). */
        bool bfq = !cg_file_exists(dir, "blkio.weight") && cg_file_exists(dir, "blkio.bfq.weight");
        int64_t v;
        int r = 0;
        if (cg_json_i64(b, "weight", &v) && v != 0)
                r = write_i64(s, dir, bfq ? "blkio.bfq.weight" : "blkio.weight", v, F("blockIO.weight"), reterr);
        if (r >= 0 && cg_json_i64(b, "leafWeight", &v) && v != 0)
                r = write_i64(s, dir, "blkio.leaf_weight", v, F("blockIO.leafWeight"), reterr);
        if (r >= 0)
                r = cg_write_dev_list(s, dir, b, "weightDevice", "weight",
                                      bfq ? "blkio.bfq.weight_device" : "blkio.weight_device", NULL, reterr);
        if (r >= 0)
                r = cg_write_dev_list(s, dir, b, "weightDevice", "leafWeight", "blkio.leaf_weight_device", NULL, reterr);
        static const char *const thr[][2] = {
                { "throttleReadBpsDevice", "blkio.throttle.read_bps_device" },
                { "throttleWriteBpsDevice", "blkio.throttle.write_bps_device" },
                { "throttleReadIOPSDevice", "blkio.throttle.read_iops_device" },
                { "throttleWriteIOPSDevice", "blkio.throttle.write_iops_device" },
        };
        for (size_t i = 0; r >= 0 && i < sizeof(thr) / sizeof(*thr); i++)
                r = cg_write_dev_list(s, dir, b, thr[i][0], "rate", thr[i][1], NULL, reterr);
        return r < 0 ? r : 0;
}

int cg_v1_network(const struct cgfs *s, const struct json_object *n, struct modrun_error **reterr)
{
        uint64_t classid;
        struct json_object *prios = cg_json_get(n, "priorities");
        const struct cg_place *cls = cg_v1_place(s, "net_cls"), *prio = cg_v1_place(s, "net_prio");
        if (cg_json_u64(n, "classID", &classid)) {
                if (!cls)
                        return s->host->error(reterr, EOPNOTSUPP, "remove linux.resources.network.classID",
                                              "cgroupfs: " F("network.classID") " is set, but no net_cls v1 hierarchy is mounted");
                char v[32];
                (void)snprintf(v, sizeof(v), "%" PRIu64, classid);
                int r = cg_write(s, cls->dir, "net_cls.classid", v, F("network.classID"), reterr);
                if (r < 0)
                        return r;
        }
        if (!prios || !json_object_is_type(prios, json_type_array) || json_object_array_length(prios) == 0)
                return 0;
        if (!prio)
                return s->host->error(reterr, EOPNOTSUPP, "remove linux.resources.network.priorities",
                                      "cgroupfs: " F("network.priorities") " is set, but no net_prio v1 hierarchy is mounted");
        for (size_t i = 0; i < json_object_array_length(prios); i++) {
                struct json_object *e = json_object_array_get_idx(prios, i);
                const char *name = cg_json_str(e, "name");
                uint64_t p = 0;
                if (!name || !cg_json_u64(e, "priority", &p))
                        return s->host->error(reterr, EINVAL, NULL,
                                              "cgroupfs: " F("network.priorities[%zu]") " needs name and priority", i);
                char line[128];
                (void)snprintf(line, sizeof(line), "%s %" PRIu64, name, p);
                int r = cg_write(s, prio->dir, "net_prio.ifpriomap", line, F("network.priorities"), reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}
