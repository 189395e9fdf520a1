/* SPDX-License-Identifier: Apache-2.0 */
/* Who enforces linux.resources.devices: exactly one component. */
#pragma once

#include "plugin/plugins.h"
#include "util/error.h"

struct json_object;

enum device_owner {
        DEVICE_OWNER_NONE,   /* nothing filters devices (e.g. cgroups disabled) */
        DEVICE_OWNER_CGROUP, /* the cgroup manager (v1 devices controller, systemd) */
        DEVICE_OWNER_PLUGIN, /* the devices plugin (eBPF on cgroup v2) */
};

enum device_owner devices_owner(const struct plugins *pl);
/* The --debug line that names the owner. */
void devices_log_owner(const struct plugins *pl);
/* Fail closed: as root in the host's user namespace (where a container
 * with CAP_MKNOD can make any device node), a container whose device
 * access nobody filters is refused, unless the cgroup manager is the
 * built-in "disabled" (cgroups turned off on purpose). Call once the
 * cgroup exists (owns_devices() looks at what was made). */
int devices_check_filtered(const struct plugins *pl, bool rootless, struct modrun_error **reterr);
/* linux.resources as the cgroup manager must see them: with a devices
 * plugin owning device access, the device list is "allow all". A new
 * reference (json_object_put it); NULL when resources is NULL. */
struct json_object *devices_resources_for_cgroup(const struct plugins *pl, const struct json_object *resources);
/* The devices plugin's filter on the container's cgroup v2 directory (no-op
 * without a devices plugin). */
int devices_apply(const struct plugins *pl, const struct json_object *resources, struct modrun_error **reterr);
