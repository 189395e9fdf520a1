/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the runtime adds to every config, as runc does: the device list.
 *
 * linux.resources.devices is an allow-list (runtime spec; runc evaluates
 * the rules from a deny-everything start). The core appends runc's default
 * allows to the config's rules, creating the list when the config has
 * none, so every config reaches the device owner; each owner starts from
 * "deny everything" (v1: "a" written to devices.deny first; eBPF and
 * systemd: default deny), so a config without linux.resources, with
 * "devices": [], or with rules that only deny, still denies every device
 * but the defaults, whatever the parent cgroup allows. No deny-all rule is
 * prepended here: the owners' errors name the config's own rule indexes.
 */
#include <json-c/json.h>

#include "config.h"

/* runc 1.1.5's AllowedDevices (libcontainer/specconv): any device may be
 * created (mknod), and the devices every container gets may be used,
 * /dev/net/tun included (runc 1.2.0 dropped it and 1.2.1 restored it:
 * containers relied on it). No c 5:1 (the host's console), which runc
 * does not allow either: a container's /dev/console is a bind of its pty
 * (136:N). */
static const struct {
        char type;
        int64_t major, minor; /* -1: any */
        const char *access;
} default_rules[] = {
        {'c', -1, -1, "m"}, {'b', -1, -1, "m"}, /* mknod of anything */
        {'c', 1, 3, "rwm"},                     /* /dev/null */
        {'c', 1, 8, "rwm"},                     /* /dev/random */
        {'c', 1, 7, "rwm"},                     /* /dev/full */
        {'c', 5, 0, "rwm"},                     /* /dev/tty */
        {'c', 1, 5, "rwm"},                     /* /dev/zero */
        {'c', 1, 9, "rwm"},                     /* /dev/urandom */
        {'c', 136, -1, "rwm"},                  /* /dev/pts/N */
        {'c', 5, 2, "rwm"},                     /* /dev/ptmx */
        {'c', 10, 200, "rwm"},                  /* /dev/net/tun */
};

static struct json_object *member_object(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object)) {
                v = o ? json_object_new_object() : NULL;
                if (v && json_object_object_add(o, key, v) < 0) {
                        json_object_put(v);
                        v = NULL;
                }
        }
        return v;
}

/* default_rules[i] as an OCI rule object, appended to array */
static int default_append(struct json_object *array, size_t i)
{
        struct json_object *r = json_object_new_object();
        if (!r)
                return -ENOMEM;
        char type[2] = {default_rules[i].type, '\0'};
        int k = json_object_object_add(r, "allow", json_object_new_boolean(1));
        if (k == 0)
                k = json_object_object_add(r, "type", json_object_new_string(type));
        if (k == 0 && default_rules[i].major >= 0)
                k = json_object_object_add(r, "major", json_object_new_int64(default_rules[i].major));
        if (k == 0 && default_rules[i].minor >= 0)
                k = json_object_object_add(r, "minor", json_object_new_int64(default_rules[i].minor));
        if (k == 0)
                k = json_object_object_add(r, "access", json_object_new_string(default_rules[i].access));
        if (k < 0 || json_object_array_add(array, r) < 0) {
                json_object_put(r);
                return -ENOMEM;
        }
        return 0;
}

int config_add_default_device_rules(struct oci_config *cfg)
{
        struct json_object *resources = member_object(member_object(cfg->json, "linux"), "resources");
        struct json_object *devices = NULL;
        if (!resources)
                return -ENOMEM;
        cfg->linux_.resources = resources;
        if (!json_object_object_get_ex(resources, "devices", &devices) || !devices) {
                devices = json_object_new_array();
                if (!devices || json_object_object_add(resources, "devices", devices) < 0) {
                        json_object_put(devices);
                        return -ENOMEM;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(default_rules); i++)
                if (default_append(devices, i) < 0)
                        return -ENOMEM;
        return 0;
}
