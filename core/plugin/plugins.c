/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugins_load(): choose (select.c), load and check (loader.c or a built-in)
 * and init() one plugin per kind, all before the caller does anything with
 * the container. On failure what was initialised is fini()ed and nothing
 * stays loaded; after success nothing is ever dlclose()d.
 */
#include <dlfcn.h>
#include <string.h>

#include "plugin/plugin-internal.h"
#include "util/log.h"

/* The members every ops table begins with. */
struct plugin_ops_common {
        MODRUN_OPS_COMMON;
};

struct plugins_priv {
        struct modrun_host hosts[PLUGIN_KIND_MAX + 1];
        struct host_params hp; /* points at the copies below */
        char *container_id, *bundle, *state_dir, *rootfs;
        void *handles[PLUGIN_KIND_MAX + 1];
};

static struct plugin *plugin_free(struct plugin *pl)
{
        if (!pl)
                return NULL;
        free(pl->name);
        free(pl->path);
        free(pl->reason);
        free(pl);
        return NULL;
}

static void fini_all(struct plugins *p)
{
        for (uint32_t k = PLUGIN_KIND_MAX; k >= 1; k--) {
                struct plugin *pl = p->by_kind[k];
                if (!pl || !pl->initialized)
                        continue;
                const struct plugin_ops_common *ops = pl->ops;
                ops->fini(pl->state);
                pl->initialized = false;
                pl->state = NULL;
        }
}

static struct plugins_priv *priv_free(struct plugins_priv *priv)
{
        if (priv) {
                free(priv->container_id);
                free(priv->bundle);
                free(priv->state_dir);
                free(priv->rootfs);
                free(priv);
        }
        return NULL;
}

static void free_all(struct plugins *p)
{
        for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++)
                p->by_kind[k] = plugin_free(p->by_kind[k]);
        priv_free(p->priv);
        free(p);
}

struct plugins *plugins_free(struct plugins *p)
{
        if (!p)
                return NULL;
        fini_all(p);
        free_all(p); /* no dlclose(): a plugin may have left code to run */
        return NULL;
}

/* The failure path of plugins_load(): nothing stays initialised or loaded. */
static void plugins_unload(struct plugins *p)
{
        fini_all(p);
        struct plugins_priv *priv = p->priv;
        for (uint32_t k = 1; priv && k <= PLUGIN_KIND_MAX; k++)
                if (priv->handles[k])
                        (void)dlclose(priv->handles[k]);
        free_all(p);
}

static int dup_or_null(const char *s, char **ret)
{
        *ret = NULL;
        return s && !(*ret = strdup(s)) ? -ENOMEM : 0;
}

static int priv_new(const struct host_params *hp, struct plugins_priv **ret)
{
        struct plugins_priv *priv = calloc(1, sizeof(*priv));
        if (!priv)
                return -ENOMEM;
        if (!hp) {
                *ret = priv;
                return 0;
        }
        if (dup_or_null(hp->container_id, &priv->container_id) < 0 || dup_or_null(hp->bundle, &priv->bundle) < 0 ||
            dup_or_null(hp->state_dir, &priv->state_dir) < 0 || dup_or_null(hp->rootfs, &priv->rootfs) < 0) {
                priv_free(priv);
                return -ENOMEM;
        }
        *ret = priv;
        priv->hp = (struct host_params){
                .container_id = priv->container_id,
                .bundle = priv->bundle,
                .state_dir = priv->state_dir,
                .rootfs = priv->rootfs,
                .config = hp->config,
                .rootless = hp->rootless,
        };
        return 0;
}

/* Find (built-in first, then the directories) and check one plugin. */
static int load_one(struct plugins *p, uint32_t kind, struct plugin_choice *c, char *const *dirs,
                    struct modrun_error **reterr)
{
        struct plugins_priv *priv = p->priv;
        const struct plugin_kind_info *ki = plugin_kind_info(kind);
        if (streq(c->name, "none")) {
                log_debug("%s: none, no plugin loaded", ki->label);
                return 0;
        }
        struct plugin *pl = calloc(1, sizeof(*pl));
        if (!pl)
                return error_new(reterr, ENOMEM, NULL, "load the %s", ki->label);
        p->by_kind[kind] = pl;
        pl->kind = kind;
        pl->name = TAKE_PTR(c->name);
        pl->reason = TAKE_PTR(c->reason);
        pl->desc = plugin_builtin_find(kind, pl->name);
        if (!pl->desc) {
                int r = plugin_load_search(dirs, kind, pl->name, &priv->handles[kind], &pl->desc, &pl->path,
                                           reterr);
                if (r < 0)
                        return error_wrap(reterr, "%s \"%s\" (%s)", ki->label, pl->name, pl->reason);
        }
        pl->ops = pl->desc->ops;
        log_debug("%s %s: %s, version %s", ki->label, pl->name, pl->path ? pl->path : "built-in",
                  pl->desc->version ? pl->desc->version : "unknown");
        return 0;
}

static int init_one(struct plugins *p, uint32_t kind, struct modrun_error **reterr)
{
        struct plugins_priv *priv = p->priv;
        struct plugin *pl = p->by_kind[kind];
        if (!pl)
                return 0;
        const struct plugin_ops_common *ops = pl->ops;
        struct modrun_host *host = &priv->hosts[kind];
        plugin_host_init(host, &priv->hp, pl);
        void *state = NULL;
        int r = ops->init(host, &state, reterr);
        if (r < 0) {
                if (!reterr || !*reterr)
                        error_new(reterr, -r, NULL, "the plugin returned an error without a message");
                return error_wrap(reterr, "initialise the %s %s", plugin_kind_info(kind)->label, pl->name);
        }
        pl->state = state;
        pl->initialized = true;
        return 0;
}

int plugins_load(const struct plugin_options *opts, const struct host_params *hp, struct plugins **ret,
                 struct modrun_error **reterr)
{
        struct plugin_selection sel = {0};
        int r = plugin_select(opts, &sel, reterr);
        if (r < 0)
                return r;
        struct plugins *p = calloc(1, sizeof(*p));
        struct plugins_priv *priv = NULL;
        if (!p || priv_new(hp, &priv) < 0) {
                free(p);
                plugin_selection_done(&sel);
                return error_new(reterr, ENOMEM, NULL, "load plugins");
        }
        p->priv = priv;
        plugin_host_init(&p->host, &priv->hp, NULL);
        p->host.core = p;
        for (uint32_t k = 1; r >= 0 && k <= PLUGIN_KIND_MAX; k++)
                if ((!opts || !opts->kinds || (opts->kinds & PLUGIN_KIND_BIT(k))) &&
                    (plugin_kind_is_per_container(k) || (opts && opts->load_checkpoint)))
                        r = load_one(p, k, &sel.by_kind[k], sel.dirs, reterr);
        for (uint32_t k = 1; r >= 0 && k <= PLUGIN_KIND_MAX; k++)
                r = init_one(p, k, reterr);
        plugin_selection_done(&sel);
        if (r < 0) {
                plugins_unload(p);
                return r;
        }
        *ret = p;
        return 0;
}

static const void *plugins_get(const struct plugins *p, uint32_t kind, void **ret_state)
{
        const struct plugin *pl = p ? p->by_kind[kind] : NULL;
        if (ret_state)
                *ret_state = pl ? pl->state : NULL;
        return pl ? pl->ops : NULL;
}

const struct modrun_mount_ops *plugins_mount(const struct plugins *p, void **ret_state)
{
        return plugins_get(p, MODRUN_KIND_MOUNT, ret_state);
}

const struct modrun_cgroup_ops *plugins_cgroup(const struct plugins *p, void **ret_state)
{
        return plugins_get(p, MODRUN_KIND_CGROUP, ret_state);
}

const struct modrun_devices_ops *plugins_devices(const struct plugins *p, void **ret_state)
{
        return plugins_get(p, MODRUN_KIND_DEVICES, ret_state);
}

const struct modrun_namespace_ops *plugins_namespace(const struct plugins *p, void **ret_state)
{
        return plugins_get(p, MODRUN_KIND_NAMESPACE, ret_state);
}

const struct modrun_checkpoint_ops *plugins_checkpoint(const struct plugins *p, void **ret_state)
{
        return plugins_get(p, MODRUN_KIND_CHECKPOINT, ret_state);
}
