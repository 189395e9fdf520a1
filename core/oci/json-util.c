/* SPDX-License-Identifier: Apache-2.0 */
/* Typed, path-reporting access to json-c values (see json-util.h). */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "json-util.h"

static bool key_is_identifier(const char *k)
{
        if (!*k || !(k[0] == '_' || (k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z')))
                return false;
        for (const char *s = k; *s; s++)
                if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
                        return false;
        return true;
}

static void path_write(FILE *f, const struct json_path *p)
{
        if (!p)
                return;
        path_write(f, p->parent);
        if (!p->key) {
                fprintf(f, "[%zu]", p->index);
                return;
        }
        if (key_is_identifier(p->key)) {
                fprintf(f, "%s%s", p->parent ? "." : "", p->key);
                return;
        }
        /* ["net.ipv4.ip_forward"]: JSON string syntax, so any key reads back. */
        fputs("[\"", f);
        for (const unsigned char *s = (const unsigned char *)p->key; *s; s++) {
                if (*s == '"' || *s == '\\')
                        fprintf(f, "\\%c", *s);
                else if (*s < 0x20)
                        fprintf(f, "\\u%04x", *s);
                else
                        fputc(*s, f);
        }
        fputs("\"]", f);
}

char *json_path_format(const struct json_path *p)
{
        if (!p)
                return strdup("(top level)");
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        path_write(f, p);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

const char *json_type_noun(const struct json_object *v)
{
        switch (json_object_get_type(v)) {
        case json_type_null:
                return "null";
        case json_type_boolean:
                return "boolean";
        case json_type_int:
        case json_type_double:
                return "number";
        case json_type_string:
                return "string";
        case json_type_array:
                return "array";
        case json_type_object:
                return "object";
        }
        return "unknown";
}

const char *json_text(struct json_object *v)
{
        return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

int json_fail(const struct json_ctx *c, const struct json_path *p, const char *hint, const char *fmt, ...)
{
        if (!c->reterr || *c->reterr)
                return -EINVAL;
        _cleanup_free_ char *path = json_path_format(p), *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0 || !path) {
                (void)error_new(c->reterr, ENOMEM, NULL, "%s: reporting a parse error", c->file);
                return -ENOMEM;
        }
        /* a mistake in the file, not an errno: the message says what is wrong */
        return error_new(c->reterr, 0, hint ? hint : "correct that field (see the runtime-spec, config.md)", "%s: %s: %s",
                         c->file, path, msg);
}

int json_fail_type(const struct json_ctx *c, const struct json_path *p, const char *expected,
                   const struct json_object *v)
{
        return json_fail(c, p, NULL, "expected %s, got %s", expected, json_type_noun(v));
}

int json_fail_oom(const struct json_ctx *c, const struct json_path *p)
{
        _cleanup_free_ char *path = json_path_format(p);
        return error_new(c->reterr, ENOMEM, NULL, "%s: %s", c->file, path ? path : "parsing");
}

int json_expect_object(const struct json_ctx *c, const struct json_path *p, struct json_object *v)
{
        return json_object_is_type(v, json_type_object) ? 0 : json_fail_type(c, p, "an object", v);
}

int json_get_string(const struct json_ctx *c, const struct json_path *p, struct json_object *v, char **ret)
{
        if (!json_object_is_type(v, json_type_string))
                return json_fail_type(c, p, "a string", v);
        const char *s = json_object_get_string(v);
        size_t len = (size_t)json_object_get_string_len(v);
        if (memchr(s, '\0', len))
                return json_fail(c, p, NULL, "expected a string without NUL characters, got %s", json_text(v));
        char *copy = strndup(s, len);
        if (!copy)
                return json_fail_oom(c, p);
        *ret = copy;
        return 0;
}

int json_get_bool(const struct json_ctx *c, const struct json_path *p, struct json_object *v, bool *ret)
{
        if (!json_object_is_type(v, json_type_boolean))
                return json_fail_type(c, p, "a boolean", v);
        *ret = json_object_get_boolean(v);
        return 0;
}

/* An integer token (not 1.0 or 1e3, which Go's decoder refuses as well). */
static int expect_integer(const struct json_ctx *c, const struct json_path *p, struct json_object *v)
{
        if (json_object_is_type(v, json_type_int))
                return 0;
        if (json_object_is_type(v, json_type_double))
                return json_fail(c, p, NULL, "expected an integer, got %s", json_text(v));
        return json_fail_type(c, p, "an integer", v);
}

int json_get_int64(const struct json_ctx *c, const struct json_path *p, struct json_object *v, int64_t min,
                   int64_t max, int64_t *ret)
{
        int r = expect_integer(c, p, v);
        if (r < 0)
                return r;
        int64_t x = json_object_get_int64(v);
        /* json-c keeps values above INT64_MAX as uint64 and clamps get_int64() */
        bool above = x == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX;
        if (above || x < min || x > max)
                return json_fail(c, p, NULL, "expected an integer between %" PRId64 " and %" PRId64 ", got %s", min,
                                 max, json_text(v));
        *ret = x;
        return 0;
}

int json_get_uint64(const struct json_ctx *c, const struct json_path *p, struct json_object *v, uint64_t max,
                    uint64_t *ret)
{
        int r = expect_integer(c, p, v);
        if (r < 0)
                return r;
        uint64_t x = json_object_get_uint64(v);
        if (json_object_get_int64(v) < 0 || x > max)
                return json_fail(c, p, NULL, "expected an integer between 0 and %" PRIu64 ", got %s", max,
                                 json_text(v));
        *ret = x;
        return 0;
}

char **oci_strv_free(char **l)
{
        if (l) {
                for (char **s = l; *s; s++)
                        free(*s);
                free(l);
        }
        return NULL;
}

size_t oci_strv_length(char *const *l)
{
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

static void strv_freep(char ***l) { oci_strv_free(*l); }

int json_get_strv(const struct json_ctx *c, const struct json_path *p, struct json_object *v, char ***ret)
{
        if (!json_object_is_type(v, json_type_array))
                return json_fail_type(c, p, "an array of strings", v);
        size_t n = json_object_array_length(v);
        _cleanup_(strv_freep) char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return json_fail_oom(c, p);
        for (size_t i = 0; i < n; i++) {
                struct json_path ip = JSON_PATH_INDEX(p, i);
                int r = json_get_string(c, &ip, json_object_array_get_idx(v, i), &l[i]);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int json_member(const struct json_ctx *c, const struct json_path *p, struct json_object *obj, const char *key,
                bool required, struct json_object **ret)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(obj, key, &v) || json_object_is_type(v, json_type_null)) {
                if (!required)
                        return 0;
                struct json_path kp = JSON_PATH_KEY(p, key);
                return json_fail(c, &kp, NULL, "required field is missing");
        }
        *ret = v;
        return 1;
}

/* The common shape of the member getters below: look up, then convert
 * with the member's path. */
#define MEMBER_GET(getter, ...)                                                 \
        do {                                                                    \
                struct json_object *_v;                                         \
                int _r = json_member(c, p, obj, key, required, &_v);            \
                if (_r <= 0)                                                    \
                        return _r;                                              \
                struct json_path kp = JSON_PATH_KEY(p, key);                    \
                _r = getter(c, &kp, _v, __VA_ARGS__);                           \
                return _r < 0 ? _r : 1;                                         \
        } while (0)

int json_member_string(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, char **ret)
{
        MEMBER_GET(json_get_string, ret);
}

int json_member_bool(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                     const char *key, bool required, bool *ret)
{
        MEMBER_GET(json_get_bool, ret);
}

int json_member_int64(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                      const char *key, bool required, int64_t min, int64_t max, int64_t *ret)
{
        MEMBER_GET(json_get_int64, min, max, ret);
}

int json_member_uint64(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, uint64_t max, uint64_t *ret)
{
        MEMBER_GET(json_get_uint64, max, ret);
}

int json_member_uint32(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, uint32_t max, uint32_t *ret)
{
        uint64_t x;
        int r = json_member_uint64(c, p, obj, key, required, max, &x);
        if (r > 0)
                *ret = (uint32_t)x;
        return r;
}

int json_member_strv(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                     const char *key, bool required, char ***ret)
{
        MEMBER_GET(json_get_strv, ret);
}

int json_member_object(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, struct json_object **ret)
{
        struct json_object *v;
        int r = json_member(c, p, obj, key, required, &v);
        if (r <= 0)
                return r;
        struct json_path kp = JSON_PATH_KEY(p, key);
        r = json_expect_object(c, &kp, v);
        if (r < 0)
                return r;
        *ret = v;
        return 1;
}

static void *items_free(void *items, size_t n, size_t elem_size, void (*free_elem)(void *))
{
        for (size_t i = 0; items && free_elem && i < n; i++)
                free_elem((char *)items + i * elem_size);
        free(items);
        return NULL;
}

int json_member_array_of(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                         const char *key, bool required, const struct json_array_of *how, void **ret,
                         size_t *ret_n)
{
        struct json_object *v;
        int r = json_member(c, p, obj, key, required, &v);
        if (r <= 0)
                return r;
        struct json_path kp = JSON_PATH_KEY(p, key);
        if (!json_object_is_type(v, json_type_array))
                return json_fail_type(c, &kp, "an array", v);
        size_t n = json_object_array_length(v);
        char *items = n > 0 ? calloc(n, how->elem_size) : NULL;
        if (n > 0 && !items)
                return json_fail_oom(c, &kp);
        for (size_t i = 0; i < n; i++) {
                struct json_path ip = JSON_PATH_INDEX(&kp, i);
                r = how->parse(c, &ip, json_object_array_get_idx(v, i), items + i * how->elem_size, how->userdata);
                if (r < 0) {
                        items_free(items, i + 1, how->elem_size, how->free_elem);
                        return r;
                }
        }
        *ret = items;
        *ret_n = n;
        return 1;
}

int json_member_map_of(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                       const char *key, bool required, const struct json_map_of *how, void **ret, size_t *ret_n)
{
        struct json_object *m;
        int r = json_member_object(c, p, obj, key, required, &m);
        if (r <= 0)
                return r;
        struct json_path kp = JSON_PATH_KEY(p, key);
        size_t n = (size_t)json_object_object_length(m), i = 0;
        char *items = n > 0 ? calloc(n, how->elem_size) : NULL;
        if (n > 0 && !items)
                return json_fail_oom(c, &kp);
        json_object_object_foreach(m, k, v)
        {
                struct json_path ep = JSON_PATH_KEY(&kp, k);
                r = how->parse(c, &ep, k, v, items + i * how->elem_size, how->userdata);
                i++;
                if (r < 0) {
                        items_free(items, i, how->elem_size, how->free_elem);
                        return r;
                }
        }
        *ret = items;
        *ret_n = n;
        return 1;
}
