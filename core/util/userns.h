/* SPDX-License-Identifier: Apache-2.0 */
/* Is modrun running in a user namespace other than the host's? Rootless
 * engines (podman, buildah) run the runtime as uid 0 of their own user
 * namespace: root there, but with no privileges over host resources. */
#pragma once

#include <stdbool.h>

/* True when /proc/self/uid_map is not the initial namespace's identity map
 * "0 0 4294967295" (runc's RunningInUserNS). Read once. */
bool userns_is_nested(void);
/* Without privileges over the host: euid != 0, or euid 0 in a nested user
 * namespace. Decides the automatic choices that need the host's root
 * (state root, cgroup manager). */
bool userns_is_unprivileged_host(void);
