/* SPDX-License-Identifier: Apache-2.0 */
/* What the runtime adds to every config, as runc does. */
#include <json-c/json.h>

#include "config.h"

/* runc's AllowedDevices: any device may be created (mknod), and the
 * devices every container gets may be used. Appended after the config's
 * own rules, so the config's deny-all does not take /dev/null away. */
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
        {'c', 5, 1, "rwm"},                     /* /dev/console */
        {'c', 136, -1, "rwm"},                  /* /dev/pts/N */
        {'c', 5, 2, "rwm"},                     /* /dev/ptmx */
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

int config_add_default_device_rules(struct oci_config *cfg)
{
        struct json_object *resources = member_object(member_object(cfg->json, "linux"), "resources");
        struct json_object *devices = NULL;
        if (!resources)
                return -ENOMEM;
        if (!json_object_object_get_ex(resources, "devices", &devices) ||
            !json_object_is_type(devices, json_type_array)) {
                devices = json_object_new_array();
                if (!devices || json_object_object_add(resources, "devices", devices) < 0) {
                        json_object_put(devices);
                        return -ENOMEM;
                }
        }
        for (size_t i = 0; i < ELEMENTSOF(default_rules); i++) {
                struct json_object *r = json_object_new_object();
                if (!r)
                        return -ENOMEM;
                char type[2] = {default_rules[i].type, '\0'};
                json_object_object_add(r, "allow", json_object_new_boolean(1));
                json_object_object_add(r, "type", json_object_new_string(type));
                if (default_rules[i].major >= 0)
                        json_object_object_add(r, "major", json_object_new_int64(default_rules[i].major));
                if (default_rules[i].minor >= 0)
                        json_object_object_add(r, "minor", json_object_new_int64(default_rules[i].minor));
                json_object_object_add(r, "access", json_object_new_string(default_rules[i].access));
                if (json_object_array_add(devices, r) < 0) {
                        json_object_put(r);
                        return -ENOMEM;
                }
        }
        cfg->linux_.resources = resources;
        return 0;
}
