/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources on cgroup v2 files, as runc's cgroups/fs2 and crun do it:
 * memory (memory.max, memory.low, memory.swap.max = swap - memory), cpu
 * (cpu.weight from shares, cpu.max, cpu.max.burst, cpu.idle), io (weight
 * converted from blkio's range, io.max throttles) and `unified` (raw keys,
 * each a file of the container's cgroup).
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cgroupfs.h"

#define F(field) "linux.resources." field

/* runc's numToStr: 0 is "not set", -1 "max". */
static bool num_str(int64_t v, char *buf, size_t size)
{
        if (v == 0)
                return false;
        cg_limit_string(v, buf, size);
        return true;
}

int cg_v2_memory(const struct cgfs *s, const char *dir, const struct json_object *m, struct modrun_error **reterr)
{
        int64_t limit = 0, swap = 0, res = 0, swap2 = 0;
        bool check = false, b = false;
        (void)cg_json_i64(m, "limit", &limit);
        (void)cg_json_i64(m, "swap", &swap);
        (void)cg_json_i64(m, "reservation", &res);
        const char *why = NULL;
        if (cg_swap_to_v2(swap, limit, &swap2, &why) < 0)
                return s->host->error(reterr, EINVAL, "memory.swap is the limit of memory+swap, at least memory.limit",
                                      "cgroupfs: " F("memory.swap") " %" PRId64 " with memory.limit %" PRId64 ": %s", swap,
                                      limit, why);
        uint64_t usage = 0;
        if (cg_json_bool(m, "checkBeforeUpdate", &check) && check && limit > 0 &&
            cg_read_u64(dir, "memory.current", &usage) == 0 && usage > (uint64_t)limit)
                return s->host->error(reterr, EBUSY, "raise the limit, or unset memory.checkBeforeUpdate",
                                      "cgroupfs: " F("memory.limit") " %" PRId64 " is below the current usage %" PRIu64
                                      " (%s/memory.current) and checkBeforeUpdate is set",
                                      limit, usage, dir);
        char v[32];
        bool has_swap = num_str(swap2, v, sizeof(v));
        if (!has_swap && swap2 == 0 && swap > 0) { /* memory == memory+swap: no swap */
                (void)snprintf(v, sizeof(v), "0");
                has_swap = true;
        }
        int r = 0;
        if (has_swap && (r = cg_write_raw(dir, "memory.swap.max", v)) < 0 &&
            !(r == -ENOENT && (strcmp(v, "max") == 0 || strcmp(v, "0") == 0)))
                return cg_write(s, dir, "memory.swap.max", v, F("memory.swap"), reterr);
        if (num_str(limit, v, sizeof(v)) && (r = cg_write(s, dir, "memory.max", v, F("memory.limit"), reterr)) < 0)
                return r;
        if (num_str(res, v, sizeof(v)) && (r = cg_write(s, dir, "memory.low", v, F("memory.reservation"), reterr)) < 0)
                return r;
        int64_t ignored;
        if (cg_json_i64(m, "swappiness", &ignored) || cg_json_i64(m, "kernel", &ignored) ||
            cg_json_i64(m, "kernelTCP", &ignored) || (cg_json_bool(m, "disableOOMKiller", &b) && b))
                s->host->log(s->host, MODRUN_LOG_DEBUG,
                             "cgroupfs: memory swappiness, kernel, kernelTCP and disableOOMKiller have no cgroup v2 "
                             "file and are ignored, as runc does");
        return 0;
}

int cg_v2_cpu(const struct cgfs *s, const char *dir, const struct json_object *c, struct modrun_error **reterr)
{
        uint64_t u, period = 0;
        int64_t quota = 0, v;
        char buf[64];
        int r = 0;
        if (cg_json_i64(c, "realtimeRuntime", &v) || cg_json_u64(c, "realtimePeriod", &u))
                return s->host->error(reterr, EOPNOTSUPP, "remove cpu.realtimeRuntime and cpu.realtimePeriod",
                                      "cgroupfs: " F("cpu.realtimeRuntime/realtimePeriod") " cannot be set: cgroup v2 "
                                      "has no realtime cpu files (%s)", dir);
        /* cpu.idle first: the kernel refuses any cpu.weight for an idle
         * group (EINVAL), so the weight is left alone while it is one */
        int64_t idle = 0;
        if (cg_json_i64(c, "idle", &idle)) {
                (void)snprintf(buf, sizeof(buf), "%" PRId64, idle);
                r = cg_write(s, dir, "cpu.idle", buf, F("cpu.idle"), reterr);
        }
        if (r >= 0 && idle != 1 && cg_json_u64(c, "shares", &u) && u != 0) {
                (void)snprintf(buf, sizeof(buf), "%" PRIu64, cg_shares_to_weight(u));
                r = cg_write(s, dir, "cpu.weight", buf, F("cpu.shares (as cpu.weight)"), reterr);
        }
        bool has_q = cg_json_i64(c, "quota", &quota) && quota != 0;
        bool has_p = cg_json_u64(c, "period", &period) && period != 0;
        bool has_burst = cg_json_u64(c, "burst", &u), burst_later = false;
        char burst[32], max[64];
        (void)snprintf(burst, sizeof(burst), "%" PRIu64, has_burst ? u : 0);
        /* A burst above the old quota is refused: then write it after cpu.max. */
        if (r >= 0 && has_burst && (r = cg_write_raw(dir, "cpu.max.burst", burst)) < 0) {
                if (r != -EINVAL || !(has_q || has_p))
                        return cg_write(s, dir, "cpu.max.burst", burst, F("cpu.burst"), reterr);
                burst_later = true;
                r = 0;
        }
        cg_cpu_max(quota, period, max, sizeof(max));
        if (r >= 0 && (has_q || has_p))
                r = cg_write(s, dir, "cpu.max", max, F("cpu.quota/period"), reterr);
        if (r >= 0 && burst_later)
                r = cg_write(s, dir, "cpu.max.burst", burst, F("cpu.burst"), reterr);
        return r < 0 ? r : 0;
}

int cg_v2_io(const struct cgfs *s, const char *dir, const struct json_object *b, struct modrun_error **reterr)
{
        bool bfq = cg_file_exists(dir, "io.bfq.weight");
        int64_t v;
        int r = 0;
        if (cg_json_i64(b, "weight", &v) && v > 0) {
                char buf[32];
                (void)snprintf(buf, sizeof(buf), "%" PRIu64, bfq ? (uint64_t)v : cg_blkio_weight_to_io((uint64_t)v));
                r = cg_write(s, dir, bfq ? "io.bfq.weight" : "io.weight", buf, F("blockIO.weight"), reterr);
        }
        if (r >= 0)
                r = cg_write_dev_list(s, dir, b, "weightDevice", "weight", bfq ? "io.bfq.weight" : "io.weight", NULL,
                                      reterr);
        static const char *const thr[][2] = {
                { "throttleReadBpsDevice", "rbps" },
                { "throttleWriteBpsDevice", "wbps" },
                { "throttleReadIOPSDevice", "riops" },
                { "throttleWriteIOPSDevice", "wiops" },
        };
        for (size_t i = 0; r >= 0 && i < sizeof(thr) / sizeof(*thr); i++)
                r = cg_write_dev_list(s, dir, b, thr[i][0], "rate", "io.max", thr[i][1], reterr);
        if (r >= 0 && cg_json_i64(b, "leafWeight", &v))
                s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: blockIO.leafWeight has no cgroup v2 file, ignored");
        return r < 0 ? r : 0;
}

static int unified_one(const struct cgfs *s, const char *dir, const char *key, struct json_object *val,
                       struct modrun_error **reterr)
{
        char ctrl[64], what[160];
        const char *why = NULL;
        if (cg_unified_key(key, ctrl, sizeof(ctrl), &why) < 0)
                return s->host->error(reterr, EINVAL, why, "cgroupfs: " F("unified") " key \"%s\" is not valid", key);
        if (!json_object_is_type(val, json_type_string))
                return s->host->error(reterr, EINVAL, "give the value as a string, e.g. \"max\" or \"1000\"",
                                      "cgroupfs: " F("unified[\"%s\"]") " is not a string", key);
        const char *value = json_object_get_string(val);
        (void)snprintf(what, sizeof(what), F("unified[\"%s\"]"), key);
        int r = cg_write_raw(dir, key, value);
        if (r == 0) {
                s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: %s/%s <- \"%s\"", dir, key, value);
                return 0;
        }
        if (r == -ENOENT && strcmp(ctrl, "cgroup") != 0 && !cg_v2_has(dir, ctrl))
                return s->host->error(reterr, ENOENT, "enable the controller in the parent's cgroup.subtree_control, or drop the key",
                                      "cgroupfs: %s: the %s controller is not available in %s (not in its "
                                      "cgroup.controllers)",
                                      what, ctrl, dir);
        if (r == -ENOENT)
                return s->host->error(reterr, ENOENT, "see the kernel's cgroup-v2.rst for the file names",
                                      "cgroupfs: %s: unknown key: there is no file %s/%s", what, dir, key);
        return cg_write(s, dir, key, value, what, reterr);
}

int cg_v2_unified(const struct cgfs *s, const char *dir, const struct json_object *u, struct modrun_error **reterr)
{
        if (!json_object_is_type(u, json_type_object))
                return s->host->error(reterr, EINVAL, NULL, "cgroupfs: " F("unified") " is not an object");
        json_object_object_foreach((struct json_object *)u, key, val) {
                int r = unified_one(s, dir, key, val, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}
