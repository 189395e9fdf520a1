/* SPDX-License-Identifier: Apache-2.0 */
/* update [-r FILE] [--memory ...] ID: runc's flags, as linux.resources */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "oci/config.h"
#include "util/fs-util.h"

enum {
        OPT_RESOURCES = 1,
        OPT_MEMORY,
        OPT_MEMORY_RESERVATION,
        OPT_MEMORY_SWAP,
        OPT_KERNEL_MEMORY,
        OPT_KERNEL_MEMORY_TCP,
        OPT_CPU_SHARE,
        OPT_CPU_SHARES,
        OPT_CPU_QUOTA,
        OPT_CPU_PERIOD,
        OPT_CPU_RT_PERIOD,
        OPT_CPU_RT_RUNTIME,
        OPT_CPU_BURST,
        OPT_CPU_IDLE,
        OPT_CPUSET_CPUS,
        OPT_CPUSET_MEMS,
        OPT_PIDS_LIMIT,
        OPT_BLKIO_WEIGHT,
        OPT_L3_CACHE_SCHEMA,
        OPT_MEM_BW_SCHEMA,
};

/* runc 1.1's flags and 1.2's --cpu-burst and --cpu-idle (crun's are the
 * same, plus the kernel memory ones; --cpu-shares is modrun's older
 * spelling). */
const struct cli_option cli_update_options[] = {
        {"resources", 'r', true, OPT_RESOURCES, "FILE",
         "linux.resources as JSON from FILE, or - for stdin; the other flags are then ignored (as runc)"},
        {"memory", 0, true, OPT_MEMORY, "BYTES",
         "memory limit, e.g. 536870912 or 512m; -1: unlimited (swap too, without --memory-swap)"},
        {"memory-reservation", 0, true, OPT_MEMORY_RESERVATION, "BYTES", "memory soft limit"},
        {"memory-swap", 0, true, OPT_MEMORY_SWAP, "BYTES", "memory plus swap limit; -1: unlimited swap"},
        {"kernel-memory", 0, true, OPT_KERNEL_MEMORY, "BYTES", "kernel memory limit (cgroup v1; deprecated by the kernel)"},
        {"kernel-memory-tcp", 0, true, OPT_KERNEL_MEMORY_TCP, "BYTES", "kernel TCP buffer limit (cgroup v1)"},
        {"cpu-share", 0, true, OPT_CPU_SHARE, "N", "CPU shares (relative weight)"},
        {"cpu-shares", 0, true, OPT_CPU_SHARES, "N", "the same as --cpu-share"},
        {"cpu-quota", 0, true, OPT_CPU_QUOTA, "USEC", "CPU time allowed per period (CFS quota); -1: no limit"},
        {"cpu-period", 0, true, OPT_CPU_PERIOD, "USEC", "CFS period"},
        {"cpu-rt-period", 0, true, OPT_CPU_RT_PERIOD, "USEC", "realtime period"},
        {"cpu-rt-runtime", 0, true, OPT_CPU_RT_RUNTIME, "USEC", "realtime runtime allowed per realtime period"},
        {"cpu-burst", 0, true, OPT_CPU_BURST, "USEC", "CPU time a period may borrow from earlier unused quota"},
        {"cpu-idle", 0, true, OPT_CPU_IDLE, "0|1", "1: the group runs as SCHED_IDLE; 0: as the others"},
        {"cpuset-cpus", 0, true, OPT_CPUSET_CPUS, "LIST", "CPUs to run on, e.g. 0-1,3"},
        {"cpuset-mems", 0, true, OPT_CPUSET_MEMS, "LIST", "memory nodes to use, e.g. 0"},
        {"pids-limit", 0, true, OPT_PIDS_LIMIT, "N", "maximum number of processes; -1: unlimited"},
        {"blkio-weight", 0, true, OPT_BLKIO_WEIGHT, "N", "block I/O weight, 10 to 1000"},
        {"l3-cache-schema", 0, true, OPT_L3_CACHE_SCHEMA, "SCHEMA", "Intel RDT L3 cache schema (linux.intelRdt)"},
        {"mem-bw-schema", 0, true, OPT_MEM_BW_SCHEMA, "SCHEMA", "Intel RDT memory bandwidth schema (linux.intelRdt)"},
        {0},
};

/* option id -> linux.resources.<section>.<key>; size: takes "512m" */
static const struct {
        int id;
        const char *section, *key;
        bool size, string;
} flags[] = {
        {OPT_MEMORY, "memory", "limit", true, false},
        {OPT_MEMORY_RESERVATION, "memory", "reservation", true, false},
        {OPT_MEMORY_SWAP, "memory", "swap", true, false},
        {OPT_KERNEL_MEMORY, "memory", "kernel", true, false},
        {OPT_KERNEL_MEMORY_TCP, "memory", "kernelTCP", true, false},
        {OPT_CPU_SHARE, "cpu", "shares", false, false},
        {OPT_CPU_SHARES, "cpu", "shares", false, false},
        {OPT_CPU_QUOTA, "cpu", "quota", false, false},
        {OPT_CPU_PERIOD, "cpu", "period", false, false},
        {OPT_CPU_RT_PERIOD, "cpu", "realtimePeriod", false, false},
        {OPT_CPU_RT_RUNTIME, "cpu", "realtimeRuntime", false, false},
        {OPT_CPU_BURST, "cpu", "burst", false, false},
        {OPT_CPU_IDLE, "cpu", "idle", false, false},
        {OPT_CPUSET_CPUS, "cpu", "cpus", false, true},
        {OPT_CPUSET_MEMS, "cpu", "mems", false, true},
        {OPT_PIDS_LIMIT, "pids", "limit", false, false},
        {OPT_BLKIO_WEIGHT, "blockIO", "weight", false, false},
};

/* "512m", "1g", "1024", "-1" */
static int parse_value(const char *flag, const char *v, bool size, int64_t *ret, struct modrun_error **reterr)
{
        char *end = NULL;
        errno = 0;
        long long x = strtoll(v, &end, 10);
        int64_t mul = 1;
        if (size && end && *end && !end[1]) {
                const char *units = "bkmgt";
                const char *u = strchr(units, *end | 0x20);
                for (long i = 0; u && i < u - units; i++)
                        mul *= 1024;
                if (u)
                        end++;
        }
        if (errno || end == v || *end)
                return error_new(reterr, 0, size ? "e.g. 536870912 or 512m" : NULL,
                                 "update --%s \"%s\": not a number", flag, v);
        *ret = (int64_t)x * mul;
        return 0;
}

static struct json_object *section(struct json_object *res, const char *name)
{
        struct json_object *s = NULL;
        if (!json_object_object_get_ex(res, name, &s)) {
                s = json_object_new_object();
                json_object_object_add(res, name, s);
        }
        return s;
}

static int read_resources_file(const char *path, struct json_object **ret, struct modrun_error **reterr)
{
        struct json_object *o = NULL;
        int r = config_read_json_object(path, &o, reterr);
        if (r < 0)
                return error_wrap(reterr, "update -r");
        if ((r = config_check_resources_json(path, o, reterr)) < 0) {
                json_object_put(o);
                return error_wrap(reterr, "update -r");
        }
        *ret = o;
        return 0;
}

static const char *flag_name(int id)
{
        for (const struct cli_option *o = cli_update_options; o->id; o++)
                if (o->id == id)
                        return o->name;
        return "?";
}

/* Add one flag's value to res (linux.resources). */
static int add_flag(struct json_object *res, int id, const char *v, struct modrun_error **reterr)
{
        if (id == OPT_L3_CACHE_SCHEMA || id == OPT_MEM_BW_SCHEMA)
                return error_new(reterr, EOPNOTSUPP, "set linux.intelRdt in config.json when creating the container",
                                 "update --%s: Intel RDT schemata cannot be changed on a running container by modrun",
                                 flag_name(id));
        for (size_t k = 0; k < ELEMENTSOF(flags); k++) {
                if (flags[k].id != id)
                        continue;
                struct json_object *s = section(res, flags[k].section);
                int64_t x = 0;
                if (flags[k].string)
                        json_object_object_add(s, flags[k].key, json_object_new_string(v));
                else if (parse_value(flag_name(id), v, flags[k].size, &x, reterr) < 0)
                        return -EINVAL;
                else
                        json_object_object_add(s, flags[k].key, json_object_new_int64(x));
        }
        return 0;
}

int cmd_update(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        struct json_object *res = json_object_new_object();
        const char *v, *file = NULL;
        int id, r = 0;
        while (r >= 0 && (id = cli_next(a, cli_update_options, &v, reterr)) > 0) {
                if (id == OPT_RESOURCES)
                        file = v;
                else
                        r = add_flag(res, id, v, reterr);
        }
        if (id < 0)
                r = id;
        if (r >= 0)
                r = cli_expect_args(a, 1, "update [-r FILE|-] [--memory BYTES] [--cpu-share N] ... ID", reterr);
        if (r >= 0 && file) { /* runc: with -r, the other flags are ignored */
                json_object_put(res);
                res = NULL;
                r = read_resources_file(file, &res, reterr);
        }
        if (r >= 0)
                r = lifecycle_update(ctx, a->positional[0], res, reterr);
        json_object_put(res);
        return r;
}
