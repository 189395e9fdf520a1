/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Type and range checks of the parts of config.json that their owners read
 * later from the raw document: linux.resources (the cgroup plugins),
 * linux.seccomp (the init). A
 * value outside its runtime-spec type (memory.limit is int64, cpu.shares
 * uint64, ...) or documented range is refused at parse time with its JSON
 * path and the range, like every field config_parse() keeps:
 *
 *   config.json: linux.resources.cpu.shares: expected an integer between 0
 *   and 18446744073709551615, got -1
 *
 * The checks are tables of fields walked by one function; unknown members
 * are ignored, as everywhere in config.json.
 */
#include <json-c/json.h>
#include <stdint.h>

#include "config-internal.h"

enum field_kind {
        F_INT,    /* an integer in min..max (max as int64) */
        F_UINT,   /* an integer in 0..max */
        F_BOOL,
        F_STRING,
        F_STRINGS,    /* an array of strings */
        F_STRING_MAP, /* an object of strings */
        F_OBJECT,     /* an object with the fields sub */
        F_ARRAY,      /* an array of objects with the fields sub */
        F_MAP,        /* an object of objects with the fields sub */
};

struct field {
        const char *key; /* NULL ends a table */
        enum field_kind kind;
        int64_t min;
        uint64_t max;
        const struct field *sub;
};

#define INT(k, lo, hi) {(k), F_INT, (lo), (uint64_t)(hi), NULL}
#define INT64(k) INT(k, INT64_MIN, INT64_MAX)
#define UINT(k, hi) {(k), F_UINT, 0, (hi), NULL}
#define UINT64(k) UINT(k, UINT64_MAX)
#define BOOL(k) {(k), F_BOOL, 0, 0, NULL}
#define STRING(k) {(k), F_STRING, 0, 0, NULL}
#define STRINGS(k) {(k), F_STRINGS, 0, 0, NULL}
#define SUB(k, kind, s) {(k), (kind), 0, 0, (s)}
#define END {NULL, F_BOOL, 0, 0, NULL}

/* runtime-spec config-linux.md; -1 is "unlimited" where runc reads it so,
 * and below it the kernel refuses the value anyway. */
static const struct field memory_fields[] = {
        INT("limit", -1, INT64_MAX), INT("reservation", -1, INT64_MAX), INT("swap", -1, INT64_MAX),
        INT("kernel", -1, INT64_MAX), INT("kernelTCP", -1, INT64_MAX),
        UINT("swappiness", 100), /* runc: "valid range is 0-100" */
        BOOL("disableOOMKiller"), BOOL("useHierarchy"), BOOL("checkBeforeUpdate"), END,
};
static const struct field cpu_fields[] = {
        UINT64("shares"), INT("quota", -1, INT64_MAX), UINT64("burst"), UINT64("period"), INT64("realtimeRuntime"),
        UINT64("realtimePeriod"), STRING("cpus"), STRING("mems"),
        INT("idle", 0, 1), /* 0: default behaviour, 1: SCHED_IDLE */
        END,
};
static const struct field pids_fields[] = {INT64("limit"), END};
static const struct field blkio_weight_device[] = {
        INT("major", 0, UINT32_MAX), INT("minor", 0, UINT32_MAX), UINT("weight", UINT16_MAX),
        UINT("leafWeight", UINT16_MAX), END,
};
static const struct field blkio_throttle_device[] = {
        INT("major", 0, UINT32_MAX), INT("minor", 0, UINT32_MAX), UINT64("rate"), END,
};
static const struct field blkio_fields[] = {
        UINT("weight", UINT16_MAX),
        UINT("leafWeight", UINT16_MAX),
        SUB("weightDevice", F_ARRAY, blkio_weight_device),
        SUB("throttleReadBpsDevice", F_ARRAY, blkio_throttle_device),
        SUB("throttleWriteBpsDevice", F_ARRAY, blkio_throttle_device),
        SUB("throttleReadIOPSDevice", F_ARRAY, blkio_throttle_device),
        SUB("throttleWriteIOPSDevice", F_ARRAY, blkio_throttle_device),
        END,
};
static const struct field hugepage_fields[] = {STRING("pageSize"), UINT64("limit"), END};
static const struct field net_priority_fields[] = {STRING("name"), UINT("priority", UINT32_MAX), END};
static const struct field network_fields[] = {
        UINT("classID", UINT32_MAX), SUB("priorities", F_ARRAY, net_priority_fields), END,
};
static const struct field rdma_fields[] = {UINT("hcaHandles", UINT32_MAX), UINT("hcaObjects", UINT32_MAX), END};
/* major/minor -1 (or absent) is "any" in a device rule */
static const struct field device_rule_fields[] = {
        BOOL("allow"), STRING("type"), INT("major", -1, UINT32_MAX), INT("minor", -1, UINT32_MAX), STRING("access"),
        END,
};
static const struct field resources_fields[] = {
        SUB("memory", F_OBJECT, memory_fields),
        SUB("cpu", F_OBJECT, cpu_fields),
        SUB("pids", F_OBJECT, pids_fields),
        SUB("blockIO", F_OBJECT, blkio_fields),
        SUB("hugepageLimits", F_ARRAY, hugepage_fields),
        SUB("network", F_OBJECT, network_fields),
        SUB("rdma", F_MAP, rdma_fields),
        {"unified", F_STRING_MAP, 0, 0, NULL},
        SUB("devices", F_ARRAY, device_rule_fields),
        END,
};

static const struct field seccomp_arg_fields[] = {
        UINT("index", 5), /* a system call has six arguments */
        UINT64("value"), UINT64("valueTwo"), STRING("op"), END,
};
static const struct field seccomp_syscall_fields[] = {
        STRINGS("names"), STRING("action"), UINT("errnoRet", UINT32_MAX),
        SUB("args", F_ARRAY, seccomp_arg_fields), END,
};
static const struct field seccomp_fields[] = {
        STRING("defaultAction"), UINT("defaultErrnoRet", UINT32_MAX), STRINGS("architectures"), STRINGS("flags"),
        STRING("listenerPath"), STRING("listenerMetadata"), SUB("syscalls", F_ARRAY, seccomp_syscall_fields), END,
};

static int check_fields(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                        const struct field *f);

static int check_value(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                       const struct field *f)
{
        int64_t i;
        uint64_t u;
        bool b;
        switch (f->kind) {
        case F_INT:
                return json_get_int64(c, p, v, f->min, (int64_t)f->max, &i);
        case F_UINT:
                return json_get_uint64(c, p, v, f->max, &u);
        case F_BOOL:
                return json_get_bool(c, p, v, &b);
        case F_STRING:
                return json_object_is_type(v, json_type_string) ? 0 : json_fail_type(c, p, "a string", v);
        case F_STRINGS:
                if (!json_object_is_type(v, json_type_array))
                        return json_fail_type(c, p, "an array of strings", v);
                for (size_t k = 0; k < json_object_array_length(v); k++) {
                        struct json_path ip = JSON_PATH_INDEX(p, k);
                        struct json_object *e = json_object_array_get_idx(v, k);
                        if (!json_object_is_type(e, json_type_string))
                                return json_fail_type(c, &ip, "a string", e);
                }
                return 0;
        case F_STRING_MAP:
        case F_MAP: {
                int r = json_expect_object(c, p, v);
                if (r < 0)
                        return r;
                json_object_object_foreach(v, key, e)
                {
                        struct json_path kp = JSON_PATH_KEY(p, key);
                        if (r >= 0 && f->kind == F_STRING_MAP && !json_object_is_type(e, json_type_string))
                                r = json_fail_type(c, &kp, "a string", e);
                        else if (r >= 0 && f->kind == F_MAP)
                                r = check_fields(c, &kp, e, f->sub);
                }
                return r;
        }
        case F_OBJECT:
                return check_fields(c, p, v, f->sub);
        case F_ARRAY:
                if (!json_object_is_type(v, json_type_array))
                        return json_fail_type(c, p, "an array", v);
                for (size_t k = 0; k < json_object_array_length(v); k++) {
                        struct json_path ip = JSON_PATH_INDEX(p, k);
                        int r = check_fields(c, &ip, json_object_array_get_idx(v, k), f->sub);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        return -EINVAL;
}

/* obj must be an object; each member of the table that is set (not null)
 * is checked. */
static int check_fields(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                        const struct field *f)
{
        int r = json_expect_object(c, p, obj);
        for (; r >= 0 && f->key; f++) {
                struct json_object *v;
                if ((r = json_member(c, p, obj, f->key, false, &v)) <= 0)
                        continue;
                struct json_path kp = JSON_PATH_KEY(p, f->key);
                r = check_value(c, &kp, v, f);
        }
        return r < 0 ? r : 0;
}

int config_check_resources(const struct json_ctx *c, const struct json_path *p, struct json_object *resources)
{
        return check_fields(c, p, resources, resources_fields);
}

int config_check_seccomp(const struct json_ctx *c, const struct json_path *p, struct json_object *seccomp)
{
        return check_fields(c, p, seccomp, seccomp_fields);
}

int config_check_resources_json(const char *name, struct json_object *resources, struct modrun_error **reterr)
{
        const struct json_ctx c = {.file = name, .reterr = reterr};
        return config_check_resources(&c, NULL, resources);
}
