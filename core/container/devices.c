/* SPDX-License-Identifier: Apache-2.0 */
/*
 * FIELD-NOTES #2: device access is enforced by exactly one component, and
 * --debug says which: the devices plugin when one is selected (then the
 * cgroup manager gets an allow-all device list, so a v1 devices cgroup
 * lets the one filter decide), else the cgroup manager when it owns devices
 * (the v1 devices controller, systemd's unit properties), else nobody.
 * Nobody is accepted only where a container cannot make device nodes, or
 * with cgroups turned off on purpose (devices_check_filtered()).
 *
 * Each owner reads linux.resources.devices as an allow-list: the core
 * gives it the config's rules followed by runc's defaults, for every
 * config (core/oci/config-defaults.c), and each starts from "deny
 * everything" (v1: "a" written to devices.deny first; eBPF and systemd:
 * default deny).
 */
#include <json-c/json.h>
#include <string.h>

#include <unistd.h>

#include "devices.h"
#include "util/log.h"
#include "util/macro.h"
#include "util/userns.h"

enum device_owner devices_owner(const struct plugins *pl)
{
        void *st = NULL;
        if (plugins_devices(pl, NULL))
                return DEVICE_OWNER_PLUGIN;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(pl, &st);
        if (cg && MODRUN_HAS_OP(cg, owns_devices) && cg->owns_devices(st) == 1)
                return DEVICE_OWNER_CGROUP;
        return DEVICE_OWNER_NONE;
}

void devices_log_owner(const struct plugins *pl)
{
        const struct plugin *cg = pl->by_kind[MODRUN_KIND_CGROUP], *dev = pl->by_kind[MODRUN_KIND_DEVICES];
        switch (devices_owner(pl)) {
        case DEVICE_OWNER_PLUGIN:
                log_debug("device access: one filter, owned by the devices plugin %s%s", dev->name,
                          cg ? " (the cgroup manager is told to allow every device)" : "");
                break;
        case DEVICE_OWNER_CGROUP:
                log_debug("device access: one filter, owned by the cgroup manager %s", cg->name);
                break;
        default: /* as root, say so: the container could use every device node it can make or is given */
                log_msg(geteuid() == 0 ? LOG_WARNING : LOG_DEBUG,
                        "device access: not filtered (cgroup manager %s does not filter devices and no devices plugin "
                        "is selected); select one with --plugin devices=NAME or a cgroup manager that filters devices",
                        cg ? cg->name : "none");
        }
}

int devices_check_filtered(const struct plugins *pl, bool rootless, struct modrun_error **reterr)
{
        const struct plugin *cg = pl->by_kind[MODRUN_KIND_CGROUP];
        if (devices_owner(pl) != DEVICE_OWNER_NONE || rootless || (cg && streq(cg->name, "disabled")) ||
            userns_is_unprivileged_host())
                return 0;
        return error_new(reterr, EPERM,
                         "select a devices plugin (--plugin devices=ebpf on cgroup v2), or a cgroup manager that "
                         "filters devices (cgroupfs with the v1 devices controller, systemd)",
                         "linux.resources.devices: nothing would filter the container's device access (cgroup "
                         "manager %s owns no device filter and no devices plugin is selected): with CAP_MKNOD it "
                         "could open every device of the host",
                         cg ? cg->name : "none");
}

struct json_object *devices_resources_for_cgroup(const struct plugins *pl, const struct json_object *resources)
{
        struct json_object *copy = NULL;
        if (!resources || devices_owner(pl) != DEVICE_OWNER_PLUGIN)
                return resources ? json_object_get((struct json_object *)resources) : NULL;
        if (json_object_deep_copy((struct json_object *)resources, &copy, NULL) < 0)
                return NULL;
        struct json_object *all = json_object_new_array(), *rule = json_object_new_object();
        if (!all || !rule || json_object_array_add(all, rule) < 0) {
                json_object_put(rule);
                json_object_put(all);
                json_object_put(copy);
                return NULL;
        }
        json_object_object_add(rule, "allow", json_object_new_boolean(1));
        json_object_object_add(rule, "access", json_object_new_string("rwm"));
        if (json_object_object_add(copy, "devices", all) < 0) {
                json_object_put(all);
                json_object_put(copy);
                return NULL;
        }
        return copy;
}

int devices_apply(const struct plugins *pl, const struct json_object *resources, struct modrun_error **reterr)
{
        void *st = NULL, *cst = NULL;
        const struct modrun_devices_ops *dev = plugins_devices(pl, &st);
        if (!dev)
                return 0;
        const char *name = pl->by_kind[MODRUN_KIND_DEVICES]->name;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(pl, &cst);
        if (!cg || !MODRUN_HAS_OP(cg, open_unified))
                return error_new(reterr, EOPNOTSUPP, "select a cgroup manager with cgroup v2 support, or no devices plugin",
                                 "devices plugin %s needs the container's cgroup v2 directory, and the cgroup "
                                 "manager %s cannot open one",
                                 name, pl->by_kind[MODRUN_KIND_CGROUP] ? pl->by_kind[MODRUN_KIND_CGROUP]->name : "none");
        _cleanup_close_ int fd = cg->open_unified(cst, reterr);
        if (fd < 0)
                return fd;
        struct json_object *rules = NULL;
        if (resources)
                (void)json_object_object_get_ex(resources, "devices", &rules);
        int r = dev->apply(st, fd, rules, reterr);
        return r < 0 ? error_wrap(reterr, "devices plugin %s", name) : 0;
}
