/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which plugin of each kind, and where to look for it. Precedence, highest
 * first: the command line (--plugin KIND=NAME and its aliases), the config
 * files (config-file.c), the automatic defaults. Every choice is explained
 * at debug level.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modrun-config.h"
#include "plugin/plugin-internal.h"
#include "util/log.h"
#include "util/userns.h"

void plugin_selection_done(struct plugin_selection *sel)
{
        if (!sel)
                return;
        for (uint32_t k = 0; k <= PLUGIN_KIND_MAX; k++) {
                free(sel->by_kind[k].name);
                free(sel->by_kind[k].reason);
                sel->by_kind[k] = (struct plugin_choice){0};
        }
        plugin_strv_free(sel->dirs);
        sel->dirs = NULL;
        sel->n_dirs = 0;
}

static bool strv_contains(char *const *v, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

/* --plugin-dir, then the config files' plugin-dir, then MODRUN_PLUGINDIR;
 * each directory once. */
static int dirs_build(const struct plugin_options *opts, const struct plugin_conf *conf, char ***ret_dirs,
                      size_t *ret_n)
{
        size_t max = (opts ? opts->n_plugin_dirs : 0) + conf->n_dirs + 1;
        char **v = calloc(max + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        size_t n = 0;
        const char *def = MODRUN_PLUGINDIR;
        for (size_t i = 0; i < max; i++) {
                size_t nopt = opts ? opts->n_plugin_dirs : 0;
                const char *d = i < nopt ? opts->plugin_dirs[i]
                                : i < nopt + conf->n_dirs ? conf->dirs[i - nopt]
                                                          : def;
                if (!d || strv_contains(v, n, d))
                        continue;
                v[n] = strdup(d);
                if (!v[n]) {
                        plugin_strv_free(v);
                        return -ENOMEM;
                }
                n++;
        }
        *ret_dirs = v;
        *ret_n = n;
        return 0;
}

int plugin_search_dirs(const struct plugin_options *opts, char ***ret_dirs, size_t *ret_n,
                       struct modrun_error **reterr)
{
        struct plugin_conf conf = {0};
        int r = plugin_conf_load(&conf, reterr);
        if (r >= 0 && dirs_build(opts, &conf, ret_dirs, ret_n) < 0)
                r = error_new(reterr, ENOMEM, NULL, "list the plugin directories");
        plugin_conf_done(&conf);
        return r;
}

/* "auto" for the mount strategy: move-mount on an initramfs root, else
 * pivot-root. */
static int resolve_auto_mount(const char *origin, struct plugin_choice *c, struct modrun_error **reterr)
{
        _cleanup_free_ char *why = NULL;
        int r = plugin_detect_initramfs(&why, reterr);
        if (r < 0)
                return error_wrap(reterr, "choose the mount strategy automatically (pass --plugin mount=NAME "
                                          "to choose it yourself)");
        c->name = strdup(r > 0 ? "move-mount" : "pivot-root");
        if (!c->name)
                return -ENOMEM;
        const char *w = why ? why : (r > 0 ? "/ is an initramfs" : "/ is not an initramfs");
        int k = origin ? asprintf(&c->reason, "auto from %s: %s", origin, w) : asprintf(&c->reason, "auto: %s", w);
        return k < 0 ? -ENOMEM : 0;
}

/* Set c from a name that is a plugin name, "none" or "auto"; origin NULL
 * means the automatic default. */
static int choice_set(uint32_t kind, const char *name, const char *origin, struct plugin_choice *c,
                      struct modrun_error **reterr)
{
        const struct plugin_kind_info *ki = plugin_kind_info(kind);
        if (streq(name, "auto")) {
                if (kind == MODRUN_KIND_MOUNT) {
                        int r = resolve_auto_mount(origin, c, reterr);
                        if (r == -ENOMEM)
                                return error_new(reterr, ENOMEM, NULL, "choose the %s", ki->label);
                        return r;
                }
                name = ki->default_name;
                if (kind == MODRUN_KIND_CGROUP) {
                        /* crun's rule: without privileges there is no cgroup to manage;
                         * uid 0 of a rootless engine's user namespace has none either */
                        bool root = !userns_is_unprivileged_host();
                        name = root ? "cgroupfs" : "disabled";
                        if (asprintf(&c->reason, "auto%s%s: %s", origin ? " from " : "", origin ? origin : "",
                                     root ? "running as root, cgroups through the filesystem"
                                     : geteuid() == 0
                                             ? "uid 0 of a user namespace (rootless engine), no cgroup of its own"
                                             : "rootless without a delegated cgroup, no cgroup of its own") < 0)
                                return error_new(reterr, ENOMEM, NULL, "choose the %s", ki->label);
                } else if (!origin)
                        origin = plugin_builtin_find(kind, name) ? "built-in default" : "default";
                else if (asprintf(&c->reason, "auto from %s: the default", origin) < 0)
                        return error_new(reterr, ENOMEM, NULL, "choose the %s", ki->label);
        }
        c->name = strdup(name);
        if (!c->name || (!c->reason && !(c->reason = strdup(origin))))
                return error_new(reterr, ENOMEM, NULL, "choose the %s", ki->label);
        return 0;
}

/* FIELD-NOTES #2: one device filter. When nothing chose the devices
 * plugin, cgroupfs without the v1 devices controller (pure cgroup v2)
 * gets the eBPF filter; where v1 devices exists, cgroupfs writes it and
 * no second filter is added. */
static int auto_devices(struct plugin_selection *sel, struct modrun_error **reterr)
{
        struct plugin_choice *d = &sel->by_kind[MODRUN_KIND_DEVICES];
        if (!streq(d->name, "none") || !streq(d->reason, "default") ||
            !streq(sel->by_kind[MODRUN_KIND_CGROUP].name, "cgroupfs") || plugin_detect_devices_v1())
                return 0;
        free(d->name);
        free(d->reason);
        d->name = strdup("ebpf");
        d->reason = strdup("auto: cgroupfs on cgroup v2 without the v1 devices controller: an eBPF device filter");
        return d->name && d->reason ? 0 : error_new(reterr, ENOMEM, NULL, "choose the devices plugin");
}

/* The idmap plugin, where installed, is the default namespace plugin: it
 * acts only on a config with a new user namespace, which without it would
 * be refused; for a config without one it is not even loaded. */
static int auto_namespace(const struct plugin_options *opts, struct plugin_selection *sel,
                          struct modrun_error **reterr)
{
        struct plugin_choice *c = &sel->by_kind[MODRUN_KIND_NAMESPACE];
        if (!streq(c->name, "none") || !streq(c->reason, "default"))
                return 0;
        if (opts && opts->no_user_namespace) {
                free(c->reason);
                c->reason = strdup("auto: the config makes no user namespace");
                return c->reason ? 0 : error_new(reterr, ENOMEM, NULL, "choose the namespace plugin");
        }
        bool found = false;
        for (size_t i = 0; i < sel->n_dirs && !found; i++) {
                char path[PATH_MAX];
                (void)snprintf(path, sizeof(path), "%s/namespace-idmap.so", sel->dirs[i]);
                found = access(path, F_OK) == 0;
        }
        if (!found)
                return 0;
        free(c->name);
        free(c->reason);
        c->name = strdup("idmap");
        c->reason = strdup("auto: installed; it acts only on a config with a new user namespace");
        return c->name && c->reason ? 0 : error_new(reterr, ENOMEM, NULL, "choose the namespace plugin");
}

static int choose_kind(const struct plugin_options *opts, const struct plugin_conf *conf, uint32_t kind,
                       struct plugin_choice *c, struct modrun_error **reterr)
{
        if (opts && opts->choice[kind]) {
                const char *flag = opts->choice_flag[kind] ? opts->choice_flag[kind] : "--plugin";
                return choice_set(kind, opts->choice[kind], flag, c, reterr);
        }
        if (conf->choice[kind].value)
                return choice_set(kind, conf->choice[kind].value, conf->choice[kind].origin, c, reterr);
        return choice_set(kind, "auto", NULL, c, reterr);
}

int plugin_select(const struct plugin_options *opts, struct plugin_selection *ret, struct modrun_error **reterr)
{
        struct plugin_conf conf = {0};
        struct plugin_selection sel = {0};
        int r = plugin_conf_load(&conf, reterr);
        if (r >= 0 && dirs_build(opts, &conf, &sel.dirs, &sel.n_dirs) < 0)
                r = error_new(reterr, ENOMEM, NULL, "list the plugin directories");
        for (uint32_t k = 1; r >= 0 && k <= PLUGIN_KIND_MAX; k++) {
                r = choose_kind(opts, &conf, k, &sel.by_kind[k], reterr);
                if (r >= 0 && k == MODRUN_KIND_DEVICES)
                        r = auto_devices(&sel, reterr);
                if (r >= 0 && k == MODRUN_KIND_NAMESPACE)
                        r = auto_namespace(opts, &sel, reterr);
                if (r >= 0)
                        log_debug("%s: %s (%s)", plugin_kind_info(k)->label, sel.by_kind[k].name,
                                  sel.by_kind[k].reason);
        }
        plugin_conf_done(&conf);
        if (r < 0) {
                plugin_selection_done(&sel);
                return r;
        }
        for (size_t i = 0; i < sel.n_dirs; i++)
                log_debug("plugin directory %zu: %s", i + 1, sel.dirs[i]);
        *ret = sel;
        return 0;
}
