/* SPDX-License-Identifier: Apache-2.0 */
/* update [-r FILE] [--memory ...] ID: runc's flags, as linux.resources */
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "oci/config.h"
#include "util/fs-util.h"

enum { OPT_RESOURCES = 1, OPT_INT = 100 };

/* flag -> linux.resources.<section>.<key>, and whether it takes a size ("512m") */
static const struct {
        const char *flag, *section, *key;
        bool size, string;
} flags[] = {
        {"memory", "memory", "limit", true, false},
        {"memory-reservation", "memory", "reservation", true, false},
        {"memory-swap", "memory", "swap", true, false},
        {"cpu-shares", "cpu", "shares", false, false},
        {"cpu-quota", "cpu", "quota", false, false},
        {"cpu-period", "cpu", "period", false, false},
        {"cpu-rt-period", "cpu", "realtimePeriod", false, false},
        {"cpu-rt-runtime", "cpu", "realtimeRuntime", false, false},
        {"cpuset-cpus", "cpu", "cpus", false, true},
        {"cpuset-mems", "cpu", "mems", false, true},
        {"pids-limit", "pids", "limit", false, false},
        {"blkio-weight", "blockIO", "weight", false, false},
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
                return error_new(reterr, EINVAL, size ? "e.g. 536870912 or 512m" : NULL,
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

int cmd_update(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        struct cli_option opts[ELEMENTSOF(flags) + 2] = {{"resources", 'r', true, OPT_RESOURCES}};
        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                opts[i + 1] = (struct cli_option){flags[i].flag, 0, true, OPT_INT + (int)i};
        struct json_object *res = json_object_new_object();
        const char *v;
        int id, r = 0;
        while (r >= 0 && (id = cli_next(a, opts, &v, reterr)) > 0) {
                if (id == OPT_RESOURCES) {
                        json_object_put(res);
                        res = NULL;
                        r = read_resources_file(v, &res, reterr);
                        continue;
                }
                size_t k = (size_t)(id - OPT_INT);
                struct json_object *s = section(res, flags[k].section);
                int64_t x = 0;
                if (flags[k].string)
                        json_object_object_add(s, flags[k].key, json_object_new_string(v));
                else if ((r = parse_value(flags[k].flag, v, flags[k].size, &x, reterr)) >= 0)
                        json_object_object_add(s, flags[k].key, json_object_new_int64(x));
        }
        if (id >= 0 && r >= 0)
                r = cli_expect_args(a, 1, "update [-r FILE] [--memory N] [--cpu-shares N] ... ID", reterr);
        if (id >= 0 && r >= 0)
                r = lifecycle_update(ctx, a->positional[0], res, reterr);
        json_object_put(res);
        return id < 0 ? id : r;
}
