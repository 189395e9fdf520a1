/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pin the ABI-1 layout of every public struct of <modrun/plugin.h> on
 * x86_64 (PipeWire's utils_abi_sizes idea). A change here is an ABI break:
 * only appending members at the end of a table is allowed, and then only
 * the SIZE line of that table changes (and this file with it). The
 * baselines (MODRUN_*_SIZE_1_0) never change within ABI 1.
 */
#include <stddef.h>
#include <stdio.h>

#include <modrun/plugin.h>

#define PIN_OFF(s, m, v) _Static_assert(offsetof(struct s, m) == (v), "offsetof(struct " #s ", " #m ") changed")
#define PIN_SIZE(s, v) _Static_assert(sizeof(struct s) == (v), "sizeof(struct " #s ") changed")
#define PIN_CONST(c, v) _Static_assert((c) == (v), #c " changed")

_Static_assert(MODRUN_PLUGIN_ABI_MAJOR == 1, "this file pins ABI 1");
PIN_CONST(MODRUN_KIND_CGROUP, 1u);
PIN_CONST(MODRUN_KIND_DEVICES, 2u);
PIN_CONST(MODRUN_KIND_NAMESPACE, 3u);
PIN_CONST(MODRUN_KIND_MOUNT, 4u);
PIN_CONST(MODRUN_KIND_CHECKPOINT, 5u);
PIN_CONST(MODRUN_CHECKPOINT_LEAVE_RUNNING, 1u);
PIN_CONST(MODRUN_CHECKPOINT_AUTO_DEDUP, 128u);
PIN_CONST(MODRUN_LOG_ERROR, 3);
PIN_CONST(MODRUN_LOG_WARNING, 4);
PIN_CONST(MODRUN_LOG_INFO, 6);
PIN_CONST(MODRUN_LOG_DEBUG, 7);

#if defined(__x86_64__) && defined(__LP64__)

PIN_SIZE(modrun_host, 128);
PIN_OFF(modrun_host, size, 0);
PIN_OFF(modrun_host, abi_major, 4);
PIN_OFF(modrun_host, rootless, 8);
PIN_OFF(modrun_host, reserved0, 12);
PIN_OFF(modrun_host, log, 16);
PIN_OFF(modrun_host, error, 24);
PIN_OFF(modrun_host, container_id, 32);
PIN_OFF(modrun_host, bundle, 40);
PIN_OFF(modrun_host, state_dir, 48);
PIN_OFF(modrun_host, rootfs, 56);
PIN_OFF(modrun_host, config, 64);
PIN_OFF(modrun_host, annotation, 72);
PIN_OFF(modrun_host, open_beneath, 80);
PIN_OFF(modrun_host, read_file, 88);
PIN_OFF(modrun_host, write_file, 96);
PIN_OFF(modrun_host, wait_fd, 104);
PIN_OFF(modrun_host, core, 112);
PIN_OFF(modrun_host, mount_table, 120); /* 1.3 */

PIN_SIZE(modrun_mount_ops, 48);
PIN_OFF(modrun_mount_ops, size, 0);
PIN_OFF(modrun_mount_ops, reserved0, 4);
PIN_OFF(modrun_mount_ops, init, 8);
PIN_OFF(modrun_mount_ops, fini, 16);
PIN_OFF(modrun_mount_ops, enter_rootfs, 24);
PIN_OFF(modrun_mount_ops, check, 32);
PIN_OFF(modrun_mount_ops, flags, 40); /* 1.4 */
PIN_CONST(MODRUN_MOUNT_SHARES_MEMORY, 1);

PIN_SIZE(modrun_cgroup_ops, 136);
PIN_OFF(modrun_cgroup_ops, size, 0);
PIN_OFF(modrun_cgroup_ops, reserved0, 4);
PIN_OFF(modrun_cgroup_ops, init, 8);
PIN_OFF(modrun_cgroup_ops, fini, 16);
PIN_OFF(modrun_cgroup_ops, create, 24);
PIN_OFF(modrun_cgroup_ops, enter, 32);
PIN_OFF(modrun_cgroup_ops, destroy, 40);
PIN_OFF(modrun_cgroup_ops, open_unified, 48);
PIN_OFF(modrun_cgroup_ops, set_resources, 56);
PIN_OFF(modrun_cgroup_ops, freeze, 64);
PIN_OFF(modrun_cgroup_ops, get_pids, 72);
PIN_OFF(modrun_cgroup_ops, kill_all, 80);
PIN_OFF(modrun_cgroup_ops, stats, 88);
PIN_OFF(modrun_cgroup_ops, owns_devices, 96);
PIN_OFF(modrun_cgroup_ops, get_path, 104);
PIN_OFF(modrun_cgroup_ops, open_entry, 112);
PIN_OFF(modrun_cgroup_ops, enter_sub, 120);
PIN_OFF(modrun_cgroup_ops, oom_count, 128);
PIN_SIZE(modrun_sub_cgroup, 16);
PIN_OFF(modrun_sub_cgroup, controller, 0);
PIN_OFF(modrun_sub_cgroup, path, 8);

/* ABI 1.2: the checkpoint kind. */
PIN_SIZE(modrun_checkpoint_ops, 56);
PIN_OFF(modrun_checkpoint_ops, init, 8);
PIN_OFF(modrun_checkpoint_ops, fini, 16);
PIN_OFF(modrun_checkpoint_ops, checkpoint, 24);
PIN_OFF(modrun_checkpoint_ops, restore, 32);
PIN_OFF(modrun_checkpoint_ops, check, 40);
PIN_OFF(modrun_checkpoint_ops, describe, 48);
PIN_CONST(MODRUN_CHECKPOINT_OPS_SIZE_1_2, 40);
PIN_SIZE(modrun_checkpoint_request, 80);
PIN_OFF(modrun_checkpoint_request, engine_path, 72);
PIN_OFF(modrun_checkpoint_request, flags, 4);
PIN_OFF(modrun_checkpoint_request, pid, 8);
PIN_OFF(modrun_checkpoint_request, status_fd, 12);
PIN_OFF(modrun_checkpoint_request, image_path, 16);
PIN_OFF(modrun_checkpoint_request, cgroup_path, 64);
PIN_SIZE(modrun_restore_request, 80);
PIN_OFF(modrun_restore_request, engine_path, 72);
PIN_OFF(modrun_restore_request, console_fd, 8);
PIN_OFF(modrun_restore_request, image_path, 16);
PIN_OFF(modrun_restore_request, lsm_mount_context, 64);

PIN_SIZE(modrun_cgroup_entry, 72);
PIN_OFF(modrun_cgroup_entry, unified_fd, 0);
PIN_OFF(modrun_cgroup_entry, self_fds, 4);
PIN_OFF(modrun_cgroup_entry, n_self_fds, 68);
PIN_CONST(MODRUN_CGROUP_ENTRY_MAX, 16);

PIN_SIZE(modrun_devices_ops, 40);
PIN_OFF(modrun_devices_ops, size, 0);
PIN_OFF(modrun_devices_ops, reserved0, 4);
PIN_OFF(modrun_devices_ops, init, 8);
PIN_OFF(modrun_devices_ops, fini, 16);
PIN_OFF(modrun_devices_ops, apply, 24);
PIN_OFF(modrun_devices_ops, remove, 32);

PIN_SIZE(modrun_namespace_ops, 48);
PIN_OFF(modrun_namespace_ops, size, 0);
PIN_OFF(modrun_namespace_ops, reserved0, 4);
PIN_OFF(modrun_namespace_ops, init, 8);
PIN_OFF(modrun_namespace_ops, fini, 16);
PIN_OFF(modrun_namespace_ops, set_id_maps, 24);
PIN_OFF(modrun_namespace_ops, check, 32);
PIN_OFF(modrun_namespace_ops, idmap_mount, 40);

PIN_SIZE(modrun_plugin, 48);
PIN_OFF(modrun_plugin, abi_major, 0);
PIN_OFF(modrun_plugin, size, 4);
PIN_OFF(modrun_plugin, kind, 8);
PIN_OFF(modrun_plugin, abi_sig, 12);
PIN_OFF(modrun_plugin, name, 16);
PIN_OFF(modrun_plugin, version, 24);
PIN_OFF(modrun_plugin, description, 32);
PIN_OFF(modrun_plugin, ops, 40);

PIN_CONST(MODRUN_MOUNT_OPS_SIZE_1_0, 32);
PIN_CONST(MODRUN_CGROUP_OPS_SIZE_1_0, 48);
PIN_CONST(MODRUN_DEVICES_OPS_SIZE_1_0, 32);
PIN_CONST(MODRUN_NAMESPACE_OPS_SIZE_1_0, 32);
PIN_CONST(MODRUN_HOST_SIZE_1_0, 120);
PIN_CONST(MODRUN_PLUGIN_SIZE_1_0, 48);
PIN_CONST(MODRUN_PLUGIN_ABI_SIG, 0x080808u); /* pointer, off_t, time_t: 8 bytes each */
#endif

int main(void)
{
#if defined(__x86_64__) && defined(__LP64__)
        puts("plugin.h layout matches the pinned x86_64 ABI 1 layout");
        return 0;
#else
        puts("layout pinned for x86_64 only: skipped");
        return 77;
#endif
}
