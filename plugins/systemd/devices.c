/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources.devices -> DeviceAllow= + DevicePolicy= (FIELD-NOTES 2:
 * under systemd, systemd's unit properties are the one device filter).
 *
 * The OCI rules are evaluated in order, the last match winning, into an
 * allow list (systemd has no deny list):
 *   - "a *:* rwm" allowed: every device, DevicePolicy=auto, no DeviceAllow;
 *   - denied: nothing, DevicePolicy=strict;
 *   - an allowed c/b M:m rule: "/dev/char/M:m" (or /dev/block), which
 *     systemd parses without the node existing;
 *   - an allowed c/b M:* rule: "char-NAME" with NAME the major's driver in
 *     /proc/devices; "char-*" for *:*.
 * What cannot be expressed is refused with the rule and the fix, never
 * filtered by a second program: a deny rule after allowing everything, a
 * deny of part of an allowed wildcard, *:m rules, and M:* of a major whose
 * driver is not loaded (not in /proc/devices, e.g. NVIDIA's 195), which
 * becomes the /dev/char/M:m of each linux.devices node of that major when
 * there are any (the nodes the container has), else is refused.
 * Pure: json and /proc/devices' text in, an allow list out.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "systemd.h"

struct rule {
        bool allow;
        char type; /* a c b */
        int64_t major, minor;
        unsigned acc; /* 1 r, 2 w, 4 m */
};

struct entry {
        char type;
        int64_t major, minor;
        unsigned acc;
};

struct emu {
        bool allow_all;
        struct entry e[256];
        size_t n;
};

static int why(char **ret_why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int why(char **ret_why, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        if (ret_why && !*ret_why && vasprintf(ret_why, fmt, ap) < 0)
                *ret_why = NULL;
        va_end(ap);
        return -EINVAL;
}

static void rule_str(const struct rule *r, char *buf, size_t size)
{
        char maj[24] = "*", min[24] = "*";
        if (r->major >= 0)
                (void)snprintf(maj, sizeof(maj), "%" PRId64, r->major);
        if (r->minor >= 0)
                (void)snprintf(min, sizeof(min), "%" PRId64, r->minor);
        (void)snprintf(buf, size, "%s %c %s:%s %s%s%s", r->allow ? "allow" : "deny", r->type, maj, min,
                       r->acc & 1 ? "r" : "", r->acc & 2 ? "w" : "", r->acc & 4 ? "m" : "");
}

static int rule_parse(const struct json_object *o, size_t i, struct rule *r, char **ret_why)
{
        struct json_object *v = NULL;
        *r = (struct rule){.type = 'a', .major = -1, .minor = -1, .acc = 7};
        if (!json_object_is_type(o, json_type_object))
                return why(ret_why, "linux.resources.devices[%zu] is not an object", i);
        if (!json_object_object_get_ex(o, "allow", &v) || !json_object_is_type(v, json_type_boolean))
                return why(ret_why, "linux.resources.devices[%zu].allow is missing or not a boolean", i);
        r->allow = json_object_get_boolean(v);
        if (json_object_object_get_ex(o, "type", &v) && v) {
                const char *t = json_object_get_string(v);
                if (!t || strlen(t) != 1 || !strchr("acb", t[0]))
                        return why(ret_why, "linux.resources.devices[%zu].type \"%s\" is not a, c or b", i, t ? t : "");
                r->type = t[0];
        }
        if (json_object_object_get_ex(o, "major", &v) && v)
                r->major = json_object_get_int64(v);
        if (json_object_object_get_ex(o, "minor", &v) && v)
                r->minor = json_object_get_int64(v);
        if (json_object_object_get_ex(o, "access", &v) && v) {
                const char *a = json_object_get_string(v);
                r->acc = 0;
                for (; a && *a; a++) {
                        const char *p = strchr("rwm", *a);
                        if (!p)
                                return why(ret_why, "linux.resources.devices[%zu].access has '%c' (only r, w, m)", i, *a);
                        r->acc |= 1u << (p - "rwm");
                }
        }
        if (r->type == 'a' && (r->major >= 0 || r->minor >= 0))
                return why(ret_why, "linux.resources.devices[%zu]: type a (all) with a major or minor number; "
                                    "give type c or b", i);
        return 0;
}

static bool covers(int64_t wide, int64_t narrow)
{
        return wide < 0 || wide == narrow;
}

static int emu_allow(struct emu *m, char type, int64_t major, int64_t minor, unsigned acc, char **ret_why)
{
        for (size_t i = 0; i < m->n; i++)
                if (m->e[i].type == type && m->e[i].major == major && m->e[i].minor == minor) {
                        m->e[i].acc |= acc;
                        return 0;
                }
        if (m->n == sizeof(m->e) / sizeof(m->e[0]))
                return why(ret_why, "linux.resources.devices: more than %zu allowed devices", m->n);
        m->e[m->n++] = (struct entry){.type = type, .major = major, .minor = minor, .acc = acc};
        return 0;
}

static int emu_deny(struct emu *m, const struct rule *r, char **ret_why)
{
        char rs[64];
        for (size_t i = 0; i < m->n; i++) {
                struct entry *e = &m->e[i];
                if (r->type != 'a' && e->type != r->type)
                        continue;
                bool narrower = covers(r->major, e->major) && covers(r->minor, e->minor);
                bool overlap = covers(e->major, r->major < 0 ? e->major : r->major) &&
                               covers(e->minor, r->minor < 0 ? e->minor : r->minor);
                if (narrower)
                        e->acc &= ~r->acc;
                else if (overlap && (e->acc & r->acc)) {
                        rule_str(r, rs, sizeof(rs));
                        return why(ret_why, "device rule \"%s\" denies part of an allowed wildcard: systemd's "
                                            "DeviceAllow= is an allow list; allow the devices one by one instead", rs);
                }
        }
        return 0;
}

static int emu_rule(struct emu *m, const struct rule *r, char **ret_why)
{
        char rs[64];
        bool all = r->type == 'a';
        if (all && r->acc == 7) {
                m->allow_all = r->allow;
                m->n = 0;
                return 0;
        }
        if (m->allow_all) {
                if (r->allow)
                        return 0;
                rule_str(r, rs, sizeof(rs));
                return why(ret_why, "device rule \"%s\" denies after every device was allowed: systemd's "
                                    "DeviceAllow= is an allow list; start with a deny-all rule", rs);
        }
        if (!r->allow)
                return emu_deny(m, r, ret_why);
        if (r->major < 0 && r->minor >= 0) {
                rule_str(r, rs, sizeof(rs));
                return why(ret_why, "device rule \"%s\": systemd cannot allow a minor of every major; give the major", rs);
        }
        int k = 0;
        if (all || r->type == 'c')
                k = emu_allow(m, 'c', r->major, r->minor, r->acc, ret_why);
        if (k == 0 && (all || r->type == 'b'))
                k = emu_allow(m, 'b', r->major, r->minor, r->acc, ret_why);
        return k;
}

const char *sd_proc_devices_name(const char *proc_devices, char type, int64_t major, char *buf, size_t size)
{
        const char *section = type == 'b' ? "Block devices:" : "Character devices:";
        const char *s = strstr(proc_devices, section);
        const char *found = NULL;
        size_t found_len = 0;
        if (!s)
                return NULL;
        s = strchr(s, '\n');
        while (s && *++s && *s != '\n') {
                const char *eol = strchr(s, '\n');
                size_t len = eol ? (size_t)(eol - s) : strlen(s);
                char *end = NULL;
                long long maj = strtoll(s, &end, 10);
                /* strtoll() skips every blank, newlines too: a number
                 * counts only when it lies on this line */
                bool number = end && end > s && (size_t)(end - s) <= len;
                while (number && *end == ' ')
                        end++;
                if (number && maj == major) {
                        size_t nl = len - (size_t)(end - s);
                        /* a name systemd can take: no '/' (e.g. "4 /dev/vc/0") */
                        if (nl > 0 && !memchr(end, '/', nl) && !found) {
                                found = end;
                                found_len = nl;
                        }
                }
                s = eol;
                if (s && s[1] == '\n')
                        break; /* end of the section */
        }
        if (!found || found_len + 1 > size)
                return NULL;
        memcpy(buf, found, found_len);
        buf[found_len] = '\0';
        return buf;
}

static int out_add(struct sd_devices *d, const char *path, unsigned acc)
{
        struct sd_dev_allow *v = realloc(d->allow, (d->n + 1) * sizeof(*v));
        if (!v)
                return -ENOMEM;
        d->allow = v;
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        struct sd_dev_allow *a = &d->allow[d->n++];
        a->path = p;
        (void)snprintf(a->access, sizeof(a->access), "%s%s%s", acc & 1 ? "r" : "", acc & 2 ? "w" : "",
                       acc & 4 ? "m" : "");
        return 0;
}

static int out_node(struct sd_devices *d, char type, int64_t major, int64_t minor, unsigned acc)
{
        char path[64];
        (void)snprintf(path, sizeof(path), "/dev/%s/%" PRId64 ":%" PRId64, type == 'b' ? "block" : "char", major, minor);
        struct sd_dev_link *l = realloc(d->links, (d->n_links + 1) * sizeof(*l));
        if (!l)
                return -ENOMEM;
        d->links = l;
        d->links[d->n_links++] = (struct sd_dev_link){.type = type, .major = major, .minor = minor};
        return out_add(d, path, acc);
}

/* M:* of a major not in /proc/devices: the linux.devices nodes of it. */
static int out_driverless(struct sd_devices *d, const struct entry *e, const struct json_object *linux_devices,
                          char **ret_why)
{
        size_t n = 0;
        for (size_t i = 0; linux_devices && i < json_object_array_length(linux_devices); i++) {
                struct json_object *dev = json_object_array_get_idx(linux_devices, i), *v = NULL;
                const char *t = json_object_object_get_ex(dev, "type", &v) ? json_object_get_string(v) : NULL;
                int64_t maj = json_object_object_get_ex(dev, "major", &v) ? json_object_get_int64(v) : -1;
                int64_t min = json_object_object_get_ex(dev, "minor", &v) ? json_object_get_int64(v) : -1;
                char dt = t && (t[0] == 'u') ? 'c' : (t ? t[0] : 0);
                if (dt != e->type || maj != e->major || min < 0)
                        continue;
                int r = out_node(d, e->type, maj, min, e->acc);
                if (r < 0)
                        return r;
                n++;
        }
        if (n > 0)
                return 0;
        return why(ret_why, "device rule \"allow %c %" PRId64 ":* %s%s%s\": no driver of %s major %" PRId64
                            " is loaded (not in /proc/devices), so systemd's DeviceAllow= cannot name it; load the "
                            "driver, or allow the device's minor numbers one by one (%c %" PRId64 ":N)",
                   e->type, e->major, e->acc & 1 ? "r" : "", e->acc & 2 ? "w" : "", e->acc & 4 ? "m" : "",
                   e->type == 'b' ? "block" : "char", e->major, e->type, e->major);
}

int sd_devices_translate(const struct json_object *rules, const char *proc_devices,
                         const struct json_object *linux_devices, struct sd_devices *ret, char **ret_why)
{
        struct emu *m = calloc(1, sizeof(*m));
        struct sd_devices d = {0};
        int r = m ? 0 : -ENOMEM;
        size_t n = rules && json_object_is_type(rules, json_type_array) ? json_object_array_length(rules) : 0;
        if (rules && !json_object_is_type(rules, json_type_array))
                r = why(ret_why, "linux.resources.devices is not an array");
        for (size_t i = 0; r == 0 && i < n; i++) {
                struct rule rl;
                r = rule_parse(json_object_array_get_idx(rules, i), i, &rl, ret_why);
                if (r == 0)
                        r = emu_rule(m, &rl, ret_why);
        }
        if (r == 0)
                d.allow_all = m->allow_all;
        for (size_t i = 0; r == 0 && m && !m->allow_all && i < m->n; i++) {
                const struct entry *e = &m->e[i];
                char name[64], path[80];
                if (e->acc == 0)
                        continue;
                if (e->major < 0) {
                        (void)snprintf(path, sizeof(path), "%s-*", e->type == 'b' ? "block" : "char");
                        r = out_add(&d, path, e->acc);
                } else if (e->minor >= 0)
                        r = out_node(&d, e->type, e->major, e->minor, e->acc);
                else if (sd_proc_devices_name(proc_devices ? proc_devices : "", e->type, e->major, name, sizeof(name))) {
                        (void)snprintf(path, sizeof(path), "%s-%s", e->type == 'b' ? "block" : "char", name);
                        r = out_add(&d, path, e->acc);
                } else
                        r = out_driverless(&d, e, linux_devices, ret_why);
        }
        free(m);
        if (r < 0) {
                sd_devices_done(&d);
                return r;
        }
        *ret = d;
        return 0;
}

void sd_devices_done(struct sd_devices *d)
{
        for (size_t i = 0; i < d->n; i++)
                free(d->allow[i].path);
        free(d->allow);
        free(d->links);
        *d = (struct sd_devices){0};
}

int sd_devices_to_props(const struct sd_devices *d, struct sd_props *p)
{
        /* DeviceAllow first: systemd then never applies a strict policy
         * with an empty list (FIELD-NOTES 2) */
        struct sd_prop *x = sd_props_add(p, "DeviceAllow", 'D');
        if (!x)
                return -ENOMEM;
        if (d->n && !(x->devs = calloc(d->n, sizeof(*x->devs))))
                return -ENOMEM;
        for (size_t i = 0; i < d->n; i++) {
                if (!(x->devs[i].path = strdup(d->allow[i].path)))
                        return -ENOMEM;
                memcpy(x->devs[i].access, d->allow[i].access, sizeof(x->devs[i].access));
                x->n = i + 1;
        }
        return sd_props_add_str(p, "DevicePolicy", d->allow_all ? "auto" : "strict");
}
