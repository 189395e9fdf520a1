/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources.devices on the cgroup v1 devices controller, as an
 * allow-list: "a" is written to devices.deny first, then each OCI rule, in
 * order, becomes a line written to devices.allow or devices.deny
 * (convert.c). A new v1 devices cgroup starts with its parent's list
 * (usually "a *:* rwm"): without that first deny, rules that only allow
 * or only deny, or none, would leave the container every device.
 *
 * A whole-wildcard rule is the "a" line, which resets the cgroup (it
 * clears every exception) to allow or deny everything, so the lines
 * before the last one are not written. The defaults a container needs
 * (mknod, /dev/null...) come from the core (core/oci/config-defaults.c).
 *
 * Used on v1 and hybrid hosts; on pure v2 a devices plugin (eBPF) owns the
 * rules, and owns_devices() tells the core which.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroupfs.h"

/* One OCI rule object -> struct cg_dev_rule; -EINVAL with *ret_why. */
static int rule_parse(const struct json_object *o, struct cg_dev_rule *r, const char **ret_why)
{
        bool allow = false;
        if (!json_object_is_type(o, json_type_object)) {
                *ret_why = "a rule is an object";
                return -EINVAL;
        }
        if (!cg_json_bool(o, "allow", &allow)) {
                *ret_why = "\"allow\" (true or false) is required";
                return -EINVAL;
        }
        const char *type = cg_json_str(o, "type"), *access = cg_json_str(o, "access");
        *r = (struct cg_dev_rule){ .allow = allow, .type = 'a', .major = -1, .minor = -1 };
        if (type && strlen(type) != 1) {
                *ret_why = "type must be \"a\", \"c\" or \"b\"";
                return -EINVAL;
        }
        if (type)
                r->type = type[0];
        if (access && strlen(access) >= sizeof(r->access)) {
                *ret_why = "access must be a combination of \"r\", \"w\" and \"m\"";
                return -EINVAL;
        }
        (void)snprintf(r->access, sizeof(r->access), "%s", access ? access : "rwm");
        if ((cg_json_get(o, "major") && !cg_json_i64(o, "major", &r->major)) ||
            (cg_json_get(o, "minor") && !cg_json_i64(o, "minor", &r->minor))) {
                *ret_why = "major and minor are numbers (absent or null for any)";
                return -EINVAL;
        }
        return 0;
}

struct dev_line {
        bool allow;
        char text[64];
};

/* "c 1:3 mrw" -> "c 1:3 rwm", the order devices.list prints. */
static void normalize(const char *line, char *out, size_t size)
{
        const char *sp = strrchr(line, ' ');
        if (!sp) {
                (void)snprintf(out, size, "%s", line);
                return;
        }
        char acc[4] = "";
        size_t k = 0;
        for (const char *c = "rwm"; *c; c++)
                if (strchr(sp + 1, *c))
                        acc[k++] = *c;
        acc[k] = '\0';
        (void)snprintf(out, size, "%.*s %s", (int)(sp - line), line, acc);
}

/* On update the core passes every rule again: when the list is a reset
 * followed by allows only, and devices.list shows exactly that ("a *:*
 * rwm" after the allow-all reset), rewriting would only open a window in
 * which the running container may use no device at all. */
static bool already_applied(const char *dir, const struct dev_line *v, size_t n)
{
        if (n == 0 || strcmp(v[0].text, "a") != 0)
                return false;
        for (size_t i = 1; i < n; i++)
                if (!v[i].allow)
                        return false;
        size_t cap = n * 64 + 1, len = 0;
        _cleanup_free_ char *want = calloc(1, cap), *have = NULL;
        if (!want || cg_read(dir, "devices.list", &have) < 0)
                return false;
        if (v[0].allow)
                return strcmp(have, "a *:* rwm\n") == 0;
        for (size_t i = 1; i < n; i++) {
                char norm[64];
                normalize(v[i].text, norm, sizeof(norm));
                len += (size_t)snprintf(want + len, cap - len, "%s\n", norm);
        }
        return strcmp(want, have) == 0;
}

/* Every rule checked before the first write: an invalid rule changes
 * nothing. The lines start with the deny-all reset, or with the last reset
 * the rules hold. */
static int lines_build(const struct cgfs *s, const struct json_object *rules, struct dev_line **ret, size_t *ret_n,
                       struct modrun_error **reterr)
{
        size_t n_rules = json_object_array_length(rules), n = 0;
        struct dev_line *v = calloc(2 * n_rules + 1, sizeof(*v));
        if (!v)
                return s->host->error(reterr, ENOMEM, NULL, "cgroupfs: linux.resources.devices");
        v[n++] = (struct dev_line){ .allow = false, .text = "a" };
        for (size_t i = 0; i < n_rules; i++) {
                struct cg_dev_rule rule;
                char lines[2][64];
                const char *why = NULL;
                int k = rule_parse(json_object_array_get_idx(rules, i), &rule, &why);
                if (k >= 0)
                        k = cg_dev_rule_lines(&rule, lines, &why);
                if (k < 0) {
                        free(v);
                        return s->host->error(reterr, EINVAL, why, "cgroupfs: linux.resources.devices[%zu] is not valid", i);
                }
                for (int j = 0; j < k; j++) {
                        if (strcmp(lines[j], "a") == 0)
                                n = 0; /* a reset: what came before does not count */
                        v[n].allow = rule.allow;
                        memcpy(v[n++].text, lines[j], sizeof(lines[j]));
                }
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

int cg_devices_v1(const struct cgfs *s, const char *dir, const struct json_object *rules,
                  struct modrun_error **reterr)
{
        if (!json_object_is_type(rules, json_type_array))
                return s->host->error(reterr, EINVAL, NULL, "cgroupfs: linux.resources.devices is not an array");
        _cleanup_free_ struct dev_line *v = NULL;
        size_t n = 0;
        int r = lines_build(s, rules, &v, &n, reterr);
        if (r < 0)
                return r;
        if (already_applied(dir, v, n)) {
                s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: %s/devices.list already matches the rules", dir);
                return 0;
        }
        /* devices.deny and devices.allow opened once each, not per line */
        int fd[2] = {-1, -1};
        for (size_t i = 0; i < n && r >= 0; i++)
                r = cg_write_at(s, &fd[v[i].allow], dir, v[i].allow ? "devices.allow" : "devices.deny", v[i].text,
                                "linux.resources.devices", reterr);
        for (int k = 0; k < 2; k++)
                if (fd[k] >= 0)
                        (void)close(fd[k]);
        return r < 0 ? r : 0;
}
