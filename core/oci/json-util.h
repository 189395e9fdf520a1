/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed access to a json-c document that reports every failure with the
 * JSON path of the value and what was expected:
 *
 *   config.json: process.args[0]: expected a string, got number
 *
 * A path is a chain of stack frames (struct json_path), so a parser builds
 * the path of a child without allocating and never has to "pop" it.
 *
 * Conventions: JSON null counts as absent (Go's encoding/json writes null
 * for nil slices and maps). Member getters return 1 when the member was set,
 * 0 when it is absent (an error instead when required) and -errno on
 * failure; value getters return 0 or -errno. Strings are copied and refused
 * when they contain a NUL byte. ret_* are set only on success.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct json_object;

struct json_path {
        const struct json_path *parent; /* NULL at the top level */
        const char *key;                /* member name, or NULL for an array element */
        size_t index;                   /* the array index when key is NULL */
};
#define JSON_PATH_KEY(p, k) ((struct json_path){.parent = (p), .key = (k)})
#define JSON_PATH_INDEX(p, i) ((struct json_path){.parent = (p), .key = NULL, .index = (i)})

struct json_ctx {
        const char *file;             /* message prefix: "config.json" or its full path */
        struct modrun_error **reterr; /* may be NULL */
};

/* "process.args[0]", "linux.sysctl[\"net.ipv4.ip_forward\"]"; "(top level)"
 * for NULL. Returns NULL on allocation failure. */
char *json_path_format(const struct json_path *p);
/* "null", "boolean", "number", "string", "array" or "object". */
const char *json_type_noun(const struct json_object *v);

/* "<file>: <path>: <message>" as an EINVAL error; returns -EINVAL (or
 * -ENOMEM when even the message cannot be built). */
int json_fail(const struct json_ctx *c, const struct json_path *p, const char *hint, const char *fmt, ...)
        _printf_(4, 5);
/* "<path>: expected <expected>, got <json type>" */
int json_fail_type(const struct json_ctx *c, const struct json_path *p, const char *expected,
                   const struct json_object *v);
/* An allocation failure while parsing the value at p. */
int json_fail_oom(const struct json_ctx *c, const struct json_path *p);
/* The value as compact JSON text, for messages ("\"foo\"", "1.5"); owned by v. */
const char *json_text(struct json_object *v);

/* 0 when v is an object, else the type error. */
int json_expect_object(const struct json_ctx *c, const struct json_path *p, struct json_object *v);

/* Value getters: v is the (non-NULL) value found at p. */
int json_get_string(const struct json_ctx *c, const struct json_path *p, struct json_object *v, char **ret);
int json_get_bool(const struct json_ctx *c, const struct json_path *p, struct json_object *v, bool *ret);
int json_get_int64(const struct json_ctx *c, const struct json_path *p, struct json_object *v, int64_t min,
                   int64_t max, int64_t *ret);
int json_get_uint64(const struct json_ctx *c, const struct json_path *p, struct json_object *v, uint64_t max,
                    uint64_t *ret);
/* An array of strings as a NULL-terminated list (an empty array gives a
 * list with only the terminator). */
int json_get_strv(const struct json_ctx *c, const struct json_path *p, struct json_object *v, char ***ret);

/* obj[key]: 1 and the value, or 0 when absent or null (an error naming
 * path.key when required). obj must be an object. */
int json_member(const struct json_ctx *c, const struct json_path *p, struct json_object *obj, const char *key,
                bool required, struct json_object **ret);
/* Member getters: 1 when set, 0 when absent, -errno on a bad value. */
int json_member_string(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, char **ret);
int json_member_bool(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                     const char *key, bool required, bool *ret);
int json_member_int64(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                      const char *key, bool required, int64_t min, int64_t max, int64_t *ret);
int json_member_uint64(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, uint64_t max, uint64_t *ret);
int json_member_uint32(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, uint32_t max, uint32_t *ret);
int json_member_strv(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                     const char *key, bool required, char ***ret);
/* An object member, type-checked; borrowed from obj. */
int json_member_object(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, struct json_object **ret);

/* Parse an array member (or an object member, one element per key) into a
 * zeroed array of elem_size items. On failure the items parsed so far are
 * released with free_elem and nothing is returned. */
struct json_array_of {
        size_t elem_size;
        int (*parse)(const struct json_ctx *c, const struct json_path *p, struct json_object *v, void *elem,
                     void *userdata);
        void (*free_elem)(void *elem);
        void *userdata;
};
int json_member_array_of(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                         const char *key, bool required, const struct json_array_of *how, void **ret,
                         size_t *ret_n);

struct json_map_of {
        size_t elem_size;
        int (*parse)(const struct json_ctx *c, const struct json_path *p, const char *key, struct json_object *v,
                     void *elem, void *userdata);
        void (*free_elem)(void *elem);
        void *userdata;
};
int json_member_map_of(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, const struct json_map_of *how, void **ret, size_t *ret_n);

/* Free a NULL-terminated string list; returns NULL. */
char **oci_strv_free(char **l);
size_t oci_strv_length(char *const *l);
