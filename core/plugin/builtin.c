/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plugins compiled into the core: selectable by name like any other, listed
 * by `modrun features` as built-in, never looked up on disk. A built-in name
 * takes precedence over a file of the same name in a plugin directory.
 *
 *   cgroup "disabled": no cgroups at all. create, enter and destroy succeed
 *   and do nothing; open_entry gives an empty entry (a new process is born
 *   where it belongs: in the caller's cgroups, with nothing left to do
 *   after its clone); no other optional op (so no resources, freeze, pids,
 *   stats, and devices are not owned by the cgroup manager).
 */
#include "plugin/plugin-internal.h"

static int disabled_init(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr)
{
        host->log(host, MODRUN_LOG_DEBUG, "cgroups are disabled: the container gets no cgroup of its own");
        *ret_state = NULL;
        return 0;
}

static void disabled_fini(void *state) { }

static int disabled_create(void *state, struct modrun_error **reterr) { return 0; }

static int disabled_enter(void *state, pid_t pid, struct modrun_error **reterr) { return 0; }

static int disabled_destroy(void *state, int timeout_ms, struct modrun_error **reterr) { return 0; }

static int disabled_open_entry(void *state, struct modrun_cgroup_entry *e, struct modrun_error **reterr)
{
        *e = (struct modrun_cgroup_entry){.unified_fd = -1};
        return 0;
}

static const struct modrun_cgroup_ops disabled_ops = {
        .size = sizeof(struct modrun_cgroup_ops),
        .init = disabled_init,
        .fini = disabled_fini,
        .create = disabled_create,
        .enter = disabled_enter,
        .destroy = disabled_destroy,
        .open_entry = disabled_open_entry,
};

static const struct modrun_plugin cgroup_disabled = {
        .abi_major = MODRUN_PLUGIN_ABI_MAJOR,
        .size = sizeof(struct modrun_plugin),
        .kind = MODRUN_KIND_CGROUP,
        .abi_sig = MODRUN_PLUGIN_ABI_SIG,
        .name = "disabled",
        .version = "1.0",
        .description = "no cgroups: the container runs in the caller's cgroup (built-in)",
        .ops = &disabled_ops,
};

const struct modrun_plugin *const plugin_builtins[] = {
        &cgroup_disabled,
        NULL,
};

const struct modrun_plugin *plugin_builtin_find(uint32_t kind, const char *name)
{
        for (const struct modrun_plugin *const *b = plugin_builtins; *b; b++)
                if ((*b)->kind == kind && streq((*b)->name, name))
                        return *b;
        return NULL;
}
