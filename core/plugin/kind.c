/* SPDX-License-Identifier: Apache-2.0 */
/* Plugin kinds and names: what each kind's ops table must hold, which names
 * are acceptable, and the --plugin KIND=NAME option. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plugin/plugin-internal.h"

#define OP(type, m) { offsetof(struct type, m), #m }

static const struct plugin_kind_info kinds[PLUGIN_KIND_MAX + 1] = {
        [MODRUN_KIND_CGROUP] = {
                .kind = MODRUN_KIND_CGROUP, .name = "cgroup", .label = "cgroup manager",
                .conf_key = "cgroup-manager", .default_name = "disabled", .none_allowed = false,
                .baseline = MODRUN_CGROUP_OPS_SIZE_1_0, .core_size = sizeof(struct modrun_cgroup_ops),
                .mandatory = { OP(modrun_cgroup_ops, init), OP(modrun_cgroup_ops, fini),
                               OP(modrun_cgroup_ops, create), OP(modrun_cgroup_ops, enter),
                               OP(modrun_cgroup_ops, destroy) },
        },
        [MODRUN_KIND_DEVICES] = {
                .kind = MODRUN_KIND_DEVICES, .name = "devices", .label = "devices plugin",
                .conf_key = "devices", .default_name = "none", .none_allowed = true,
                .baseline = MODRUN_DEVICES_OPS_SIZE_1_0, .core_size = sizeof(struct modrun_devices_ops),
                .mandatory = { OP(modrun_devices_ops, init), OP(modrun_devices_ops, fini),
                               OP(modrun_devices_ops, apply) },
        },
        [MODRUN_KIND_NAMESPACE] = {
                .kind = MODRUN_KIND_NAMESPACE, .name = "namespace", .label = "namespace plugin",
                .conf_key = "namespace", .default_name = "none", .none_allowed = true,
                .baseline = MODRUN_NAMESPACE_OPS_SIZE_1_0, .core_size = sizeof(struct modrun_namespace_ops),
                .mandatory = { OP(modrun_namespace_ops, init), OP(modrun_namespace_ops, fini),
                               OP(modrun_namespace_ops, set_id_maps) },
        },
        [MODRUN_KIND_MOUNT] = {
                .kind = MODRUN_KIND_MOUNT, .name = "mount", .label = "mount strategy",
                .conf_key = "mount-strategy", .default_name = "auto", .none_allowed = false,
                .baseline = MODRUN_MOUNT_OPS_SIZE_1_0, .core_size = sizeof(struct modrun_mount_ops),
                .mandatory = { OP(modrun_mount_ops, init), OP(modrun_mount_ops, fini),
                               OP(modrun_mount_ops, enter_rootfs) },
        },
        /* ABI 1.2; loaded only by checkpoint, restore (and probed by features) */
        [MODRUN_KIND_CHECKPOINT] = {
                .kind = MODRUN_KIND_CHECKPOINT, .name = "checkpoint", .label = "checkpoint engine",
                .conf_key = "checkpoint", .default_name = "criu", .none_allowed = true,
                .baseline = MODRUN_CHECKPOINT_OPS_SIZE_1_2, .core_size = sizeof(struct modrun_checkpoint_ops),
                .mandatory = { OP(modrun_checkpoint_ops, init), OP(modrun_checkpoint_ops, fini),
                               OP(modrun_checkpoint_ops, checkpoint), OP(modrun_checkpoint_ops, restore) },
        },
};

const struct plugin_kind_info *plugin_kind_info(uint32_t kind)
{
        if (kind < 1 || kind > PLUGIN_KIND_MAX)
                return NULL;
        return &kinds[kind];
}

const char *plugin_kind_to_string(uint32_t kind)
{
        const struct plugin_kind_info *k = plugin_kind_info(kind);
        return k ? k->name : NULL;
}

uint32_t plugin_kind_from_string(const char *s)
{
        if (!s)
                return 0;
        for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++)
                if (streq(s, kinds[k].name))
                        return k;
        return 0;
}

int plugin_refuse(struct modrun_error **reterr, int errnum, const char *hint, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_newv(reterr, 0, hint, fmt, ap);
        va_end(ap);
        if (reterr && *reterr && (*reterr)->errnum == 0)
                (*reterr)->errnum = errnum;
        return errnum > 0 ? -errnum : r;
}

#define PLUGIN_NAME_MAX 64

int plugin_name_validate(const char *name, const char *what, struct modrun_error **reterr)
{
        static const char hint[] = "a plugin name is only a name: lowercase letters, digits, '-', '_' and '.'; "
                                   "the file <kind>-<name>.so is looked up in the plugin directories";
        if (!name || !*name)
                return plugin_refuse(reterr, EINVAL, hint, "%s: the plugin name is empty", what);
        size_t len = strlen(name);
        if (len > PLUGIN_NAME_MAX)
                return plugin_refuse(reterr, EINVAL, hint, "%s: the plugin name is %zu bytes long, at most %d",
                                     what, len, PLUGIN_NAME_MAX);
        if (strstr(name, ".."))
                return plugin_refuse(reterr, EINVAL, hint, "%s: invalid plugin name \"%s\": \"..\" is not allowed",
                                     what, name);
        for (const char *c = name; *c; c++) {
                bool ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' ||
                          *c == '.';
                if (!ok) {
                        if (*c == '/')
                                return plugin_refuse(reterr, EINVAL, hint,
                                                     "%s: invalid plugin name \"%s\": a name cannot contain '/', "
                                                     "plugins are never loaded from a path",
                                                     what, name);
                        if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                                return plugin_refuse(reterr, EINVAL, hint,
                                                     "%s: invalid plugin name: byte 0x%02x is not allowed", what,
                                                     (unsigned)(unsigned char)*c);
                        return plugin_refuse(reterr, EINVAL, hint,
                                             "%s: invalid plugin name \"%s\": character '%c' is not allowed", what,
                                             name, *c);
                }
        }
        return 0;
}

int plugin_options_set(struct plugin_options *opts, const char *kind_eq_name, const char *flag,
                       struct modrun_error **reterr)
{
        const char *eq = strchr(kind_eq_name, '=');
        if (!eq)
                return plugin_refuse(reterr, EINVAL, "write KIND=NAME, e.g. --plugin mount=pivot-root",
                                     "%s %s: expected KIND=NAME", flag, kind_eq_name);
        _cleanup_free_ char *kind_s = strndup(kind_eq_name, (size_t)(eq - kind_eq_name));
        if (!kind_s)
                return error_new(reterr, ENOMEM, NULL, "%s %s", flag, kind_eq_name);
        uint32_t kind = plugin_kind_from_string(kind_s);
        if (kind == 0)
                return plugin_refuse(reterr, EINVAL, "the kinds are cgroup, devices, namespace, mount and checkpoint",
                                     "%s %s: unknown plugin kind \"%s\"", flag, kind_eq_name, kind_s);
        const char *name = eq + 1;
        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "%s %s", flag, kind_eq_name) < 0)
                return error_new(reterr, ENOMEM, NULL, "%s %s", flag, kind_eq_name);
        int r = plugin_name_validate(name, what, reterr);
        if (r < 0)
                return r;
        if (streq(name, "none") && !kinds[kind].none_allowed)
                return plugin_refuse(reterr, EINVAL, "choose a plugin; see `modrun features`",
                                     "%s: a %s is required, \"none\" is only allowed for devices, namespace and checkpoint",
                                     what, kinds[kind].label);
        char *copy = strdup(name);
        if (!copy)
                return error_new(reterr, ENOMEM, NULL, "%s", what);
        free(opts->choice[kind]);
        opts->choice[kind] = copy;
        opts->choice_flag[kind] = flag;
        return 0;
}

void plugin_options_done(struct plugin_options *opts)
{
        if (!opts)
                return;
        for (uint32_t k = 0; k <= PLUGIN_KIND_MAX; k++) {
                free(opts->choice[k]);
                opts->choice[k] = NULL;
                opts->choice_flag[k] = NULL;
        }
        for (size_t i = 0; opts->plugin_dirs && i < opts->n_plugin_dirs; i++)
                free(opts->plugin_dirs[i]);
        free(opts->plugin_dirs);
        opts->plugin_dirs = NULL;
        opts->n_plugin_dirs = 0;
}

void plugin_strv_free(char **v)
{
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}
