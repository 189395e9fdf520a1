/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.cgroupsPath in runc's systemd form, "slice:prefix:name": the scope
 * unit "<prefix>-<name>.scope" in "<slice>". Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "systemd.h"

bool sd_unit_name_valid(const char *name, const char *suffix)
{
        size_t len = strlen(name), sl = strlen(suffix);
        if (len <= sl || len > 255 || strcmp(name + len - sl, suffix) != 0)
                return false;
        for (size_t i = 0; i < len - sl; i++) {
                char c = name[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      strchr(":-_.\\", c)))
                        return false;
        }
        return true;
}

static int split3(const char *s, char **a, char **b, char **c)
{
        const char *p1 = strchr(s, ':'), *p2 = p1 ? strchr(p1 + 1, ':') : NULL;
        if (!p2 || strchr(p2 + 1, ':'))
                return -EINVAL;
        *a = strndup(s, (size_t)(p1 - s));
        *b = strndup(p1 + 1, (size_t)(p2 - p1 - 1));
        *c = strdup(p2 + 1);
        if (!*a || !*b || !*c)
                return -ENOMEM;
        return 0;
}

int sd_unit_name_parse(const char *cgroups_path, const char *id, const char *default_slice,
                       struct sd_unit_name *ret, const char **ret_why)
{
        _cleanup_free_ char *slice = NULL, *prefix = NULL, *name = NULL;
        int r;
        if (!cgroups_path || !*cgroups_path) {
                slice = strdup(default_slice);
                prefix = strdup("modrun");
                name = strdup(id);
                if (!slice || !prefix || !name)
                        return -ENOMEM;
        } else if ((r = split3(cgroups_path, &slice, &prefix, &name)) < 0) {
                *ret_why = "the systemd cgroup manager expects \"slice:prefix:name\"";
                return r;
        }
        if (!*slice) {
                free(slice);
                if (!(slice = strdup(default_slice)))
                        return -ENOMEM;
        }
        if (!sd_unit_name_valid(slice, ".slice") || strchr(slice, '/')) {
                *ret_why = "the slice must be a unit name ending in \".slice\", like \"system.slice\"";
                return -EINVAL;
        }
        if (!*name) {
                *ret_why = "the name (the part after the second ':') is empty";
                return -EINVAL;
        }
        size_t nl = strlen(name);
        if (nl > 6 && strcmp(name + nl - 6, ".slice") == 0) {
                *ret_why = "a slice as the container's own unit is not supported: name a scope";
                return -EINVAL;
        }
        char unit[300];
        int n = *prefix ? snprintf(unit, sizeof(unit), "%s-%s.scope", prefix, name)
                        : snprintf(unit, sizeof(unit), "%s.scope", name);
        if (n < 0 || (size_t)n >= sizeof(unit) || !sd_unit_name_valid(unit, ".scope")) {
                *ret_why = "prefix and name make no valid unit name (letters, digits, \":-_.\\\", at most 255 bytes)";
                return -EINVAL;
        }
        char *u = strdup(unit);
        if (!u)
                return -ENOMEM;
        ret->slice = slice;
        slice = NULL;
        ret->unit = u;
        return 0;
}

void sd_unit_name_done(struct sd_unit_name *n)
{
        free(n->slice);
        free(n->unit);
        n->slice = n->unit = NULL;
}

/* systemd's slice_build_subslice path: every dash-separated prefix is a
 * parent slice. */
int sd_slice_expand(const char *slice, char **ret)
{
        if (!sd_unit_name_valid(slice, ".slice"))
                return -EINVAL;
        if (strcmp(slice, "-.slice") == 0) {
                *ret = strdup("");
                return *ret ? 0 : -ENOMEM;
        }
        size_t base = strlen(slice) - 6;
        if (slice[0] == '-' || slice[base - 1] == '-' || strstr(slice, "--"))
                return -EINVAL;
        size_t cap = 2 * (base + 7) * (base + 1) + 1;
        char *out = calloc(1, cap);
        if (!out)
                return -ENOMEM;
        size_t len = 0;
        for (size_t i = 0; i <= base; i++) {
                if (i == base || slice[i] == '-') {
                        int n = snprintf(out + len, cap - len, "/%.*s.slice", (int)i, slice);
                        if (n < 0 || (size_t)n >= cap - len) {
                                free(out);
                                return -ENOMEM;
                        }
                        len += (size_t)n;
                }
        }
        *ret = out;
        return 0;
}
