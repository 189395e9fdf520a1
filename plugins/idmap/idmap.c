/* SPDX-License-Identifier: Apache-2.0 */
/*
 * namespace plugin "idmap": the ops table and the state.
 *
 * init() reads the maps from config.json, or makes crun's default ones
 * when a new user namespace has none (defaults.c); check() validates them and
 * checks the rootfs before the container exists (check.c); set_id_maps()
 * writes them for the new init (write.c). set_id_maps() runs the same
 * checks first when check() was not called in this process, so a caller
 * that knows only the mandatory op still gets the diagnosis before the
 * init does anything. Idmapped mounts (idmap_mount) are not offered yet.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "idmap.h"

static void idmap_fini(void *state)
{
        struct idmap_state *s = state;
        if (!s)
                return;
        idmap_config_done(&s->cfg);
        free(s);
}

/* The caller's name for /etc/subuid (NSS only here, in init). */
static void lookup_user(struct idmap_state *s)
{
        struct passwd pw, *res = NULL;
        char buf[1024];
        if (getpwuid_r(s->euid, &pw, buf, sizeof(buf), &res) == 0 && res && res->pw_name)
                (void)snprintf(s->user, sizeof(s->user), "%s", res->pw_name);
}

static int idmap_init(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr)
{
        if (!host || host->size < MODRUN_HOST_SIZE_1_0)
                return -EINVAL;
        struct idmap_state *s = calloc(1, sizeof(*s));
        if (!s)
                return host->error(reterr, ENOMEM, NULL, "idmap: allocate the plugin state");
        s->host = host;
        s->euid = geteuid();
        s->egid = getegid();
        _cleanup_free_ char *why = NULL;
        int r = idmap_config_read(host->config, &s->cfg, &why);
        if (r == -ENOMEM) {
                idmap_fini(s);
                return host->error(reterr, ENOMEM, NULL, "idmap: read the id maps of config.json");
        }
        if (r < 0) {
                /* delete and kill load the plugin too: refuse only when the
                 * maps are needed (check, set_id_maps). */
                host->log(host, MODRUN_LOG_DEBUG, "config.json: %s", why ? why : "invalid id maps");
                idmap_config_done(&s->cfg);
        } else
                s->have_cfg = true;
        if (s->cfg.new_userns)
                lookup_user(s); /* hints about /etc/subuid, and the default maps */
        if (s->have_cfg && idmap_defaults_apply(s) < 0) {
                idmap_fini(s);
                return host->error(reterr, ENOMEM, NULL, "idmap: the default id maps of the new user namespace");
        }
        *ret_state = s;
        return 0;
}

static int config_usable(struct idmap_state *s, struct modrun_error **reterr)
{
        if (s->have_cfg)
                return 0;
        _cleanup_free_ char *why = NULL;
        struct idmap_config c;
        int r = idmap_config_read(s->host->config, &c, &why);
        if (r >= 0)
                idmap_config_done(&c);
        return s->host->error(reterr, r == -ENOMEM ? ENOMEM : 0, "fix linux.uidMappings/gidMappings in config.json",
                              "idmap: %s", why ? why : "cannot read the id maps of config.json");
}

static int idmap_check(void *state, struct modrun_error **reterr)
{
        struct idmap_state *s = state;
        int r = config_usable(s, reterr);
        if (r < 0)
                return r;
        if (!s->cfg.new_userns) {
                s->host->log(s->host, MODRUN_LOG_DEBUG, "no new user namespace in config.json: nothing to check");
                return 0;
        }
        if ((r = idmap_check_maps(s, reterr)) < 0 || (r = idmap_check_rootfs(s, reterr)) < 0)
                return r;
        idmap_check_umask(s);
        s->checked = true;
        return 0;
}

static int idmap_set_id_maps(void *state, pid_t pid, struct modrun_error **reterr)
{
        struct idmap_state *s = state;
        int r = config_usable(s, reterr);
        if (r < 0)
                return r;
        /* The core calls this only for a new user namespace; the config's
         * namespaces list says the same, or the maps would mean nothing. */
        if (!s->checked && (r = idmap_check_maps(s, reterr)) < 0)
                return r;
        if (!s->checked && s->cfg.new_userns) {
                if ((r = idmap_check_rootfs(s, reterr)) < 0)
                        return r;
                idmap_check_umask(s);
        }
        s->checked = true;
        return idmap_write_maps(s, pid, reterr);
}

static const struct modrun_namespace_ops idmap_ops = {
        .size = sizeof(struct modrun_namespace_ops),
        .init = idmap_init,
        .fini = idmap_fini,
        .set_id_maps = idmap_set_id_maps,
        .check = idmap_check,
        .idmap_mount = NULL, /* idmapped mounts: not yet (see docs/plugins.md) */
};

MODRUN_PLUGIN_DEFINE(MODRUN_KIND_NAMESPACE, "idmap", "1.0",
                     "user namespaces from linux.uidMappings/gidMappings (newuidmap/newgidmap when unprivileged), "
                     "with a pre-flight check of the rootfs's ownership and path",
                     &idmap_ops);
