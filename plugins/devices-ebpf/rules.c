/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources.devices -> normalised rules (pure: json-c and malloc).
 *
 * A rule is {"allow": bool (required), "type": "a"|"b"|"c" (absent: "a"),
 * "major"/"minor": number (absent, null or -1: any), "access": a subset of
 * "rwm" (absent: "rwm")}, as the runtime spec and runc read it.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "devices-ebpf.h"

static struct json_object *member(const struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* "rwm" -> BPF_DEVCG_ACC_* bits; -EINVAL on another letter. */
static int access_parse(const char *s, uint32_t *ret)
{
        uint32_t bits = 0;
        for (; *s; s++) {
                if (*s == 'r')
                        bits |= BPF_DEVCG_ACC_READ;
                else if (*s == 'w')
                        bits |= BPF_DEVCG_ACC_WRITE;
                else if (*s == 'm')
                        bits |= BPF_DEVCG_ACC_MKNOD;
                else
                        return -EINVAL;
        }
        *ret = bits;
        return 0;
}

/* "major"/"minor": absent, null or -1 is any; else 0 .. 2^32-1. */
static int number_parse(const struct json_object *o, const char *key, int64_t *ret, const char **ret_why)
{
        struct json_object *v = member(o, key);
        *ret = -1;
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_int)) {
                *ret_why = strcmp(key, "major") == 0 ? "major must be an integer (absent, null or -1 for any)"
                                                     : "minor must be an integer (absent, null or -1 for any)";
                return -EINVAL;
        }
        int64_t x = json_object_get_int64(v);
        if (x < -1 || x > (int64_t)UINT32_MAX) {
                *ret_why = strcmp(key, "major") == 0 ? "major is out of range (0 to 4294967295, or -1 for any)"
                                                     : "minor is out of range (0 to 4294967295, or -1 for any)";
                return -EINVAL;
        }
        *ret = x;
        return 0;
}

static int rule_parse(const struct json_object *o, struct devbpf_rule *r, const char **ret_why)
{
        if (!json_object_is_type(o, json_type_object)) {
                *ret_why = "a rule is an object";
                return -EINVAL;
        }
        struct json_object *allow = member(o, "allow"), *type = member(o, "type"), *access = member(o, "access");
        if (!allow || !json_object_is_type(allow, json_type_boolean)) {
                *ret_why = "\"allow\" (true or false) is required";
                return -EINVAL;
        }
        *r = (struct devbpf_rule){.allow = json_object_get_boolean(allow), .type = 'a', .access = DEVBPF_ACC_ALL};
        if (type && !json_object_is_type(type, json_type_null)) {
                const char *t = json_object_is_type(type, json_type_string) ? json_object_get_string(type) : "";
                if (strlen(t) != 1 || !strchr("abc", t[0])) {
                        *ret_why = "type must be \"a\" (all), \"b\" (block) or \"c\" (char)";
                        return -EINVAL;
                }
                r->type = t[0];
        }
        if (access && !json_object_is_type(access, json_type_null) &&
            (!json_object_is_type(access, json_type_string) ||
             access_parse(json_object_get_string(access), &r->access) < 0)) {
                *ret_why = "access must be a combination of \"r\", \"w\" and \"m\"";
                return -EINVAL;
        }
        int k = number_parse(o, "major", &r->major, ret_why);
        return k < 0 ? k : number_parse(o, "minor", &r->minor, ret_why);
}

int devbpf_rules_parse(const struct json_object *array, struct devbpf_rules *ret, size_t *ret_index,
                       const char **ret_why)
{
        *ret = (struct devbpf_rules){0};
        if (!array || json_object_is_type(array, json_type_null))
                return 0;
        if (!json_object_is_type(array, json_type_array)) {
                *ret_index = 0;
                *ret_why = "linux.resources.devices is not an array";
                return -EINVAL;
        }
        size_t n = json_object_array_length(array);
        struct devbpf_rule *v = n ? calloc(n, sizeof(*v)) : NULL;
        if (n && !v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                int r = rule_parse(json_object_array_get_idx(array, i), &v[i], ret_why);
                if (r < 0) {
                        free(v);
                        *ret_index = i;
                        return r;
                }
                v[i].index = i;
        }
        *ret = (struct devbpf_rules){.v = v, .n = n, .n_given = n};
        return 0;
}

static bool rule_is_total(const struct devbpf_rule *r)
{
        return r->type == 'a' && r->major < 0 && r->minor < 0 && r->access == DEVBPF_ACC_ALL;
}

void devbpf_rules_normalize(struct devbpf_rules *rules)
{
        size_t start = 0, k = 0;
        for (size_t i = 0; i < rules->n; i++)
                if (rule_is_total(&rules->v[i])) {
                        rules->default_allow = rules->v[i].allow;
                        start = i + 1;
                }
        /* A rule agreeing with the default, with nothing of the other kind
         * before it, only sets bits to what they already are. */
        bool other_seen = false;
        for (size_t i = start; i < rules->n; i++) {
                const struct devbpf_rule *r = &rules->v[i];
                if (r->access == 0)
                        continue;
                if (!other_seen && r->allow == rules->default_allow)
                        continue;
                other_seen = true;
                rules->v[k++] = *r;
        }
        rules->n = k;
}

void devbpf_rules_done(struct devbpf_rules *rules)
{
        free(rules->v);
        *rules = (struct devbpf_rules){0};
}

void devbpf_rule_format(const struct devbpf_rule *r, char *buf, size_t size)
{
        char major[24] = "*", minor[24] = "*";
        if (r->major >= 0)
                (void)snprintf(major, sizeof(major), "%lld", (long long)r->major);
        if (r->minor >= 0)
                (void)snprintf(minor, sizeof(minor), "%lld", (long long)r->minor);
        (void)snprintf(buf, size, "%s %c %s:%s %s%s%s", r->allow ? "allow" : "deny", r->type, major, minor,
                       r->access & BPF_DEVCG_ACC_READ ? "r" : "", r->access & BPF_DEVCG_ACC_WRITE ? "w" : "",
                       r->access & BPF_DEVCG_ACC_MKNOD ? "m" : "");
}
