/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A new user namespace without linux.uidMappings/gidMappings (absent or
 * empty). runc refuses it; crun maps ids itself, and so do we, with
 * crun's map (idmap_default_set in maps.c): the runtime user's
 * subordinate range from /etc/subuid and /etc/subgid when it has one,
 * else the identity map of container 0 up to process.user's id for a
 * privileged runtime, or container 0 to the runtime's own id for an
 * unprivileged one. Called from init(), after the config is read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "idmap.h"

/* The first "NAME:FROM:COUNT" (or "UID:FROM:COUNT") line of path for the
 * runtime's user, as crun's getsubidrange; false when there is none. */
static bool read_subrange(const char *path, const char *name, uint32_t id, struct idmap_subrange *ret)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        char line[512], idstr[16];
        (void)snprintf(idstr, sizeof(idstr), "%" PRIu32, id);
        bool found = false;
        while (!found && fgets(line, sizeof(line), f)) {
                char *colon = strchr(line, ':');
                if (!colon || line[0] == '#')
                        continue;
                *colon = '\0';
                if (!((name[0] && strcmp(line, name) == 0) || strcmp(line, idstr) == 0))
                        continue;
                unsigned long long from = 0, count = 0;
                if (sscanf(colon + 1, "%llu:%llu", &from, &count) == 2 && from <= UINT32_MAX && count > 0 &&
                    count <= UINT32_MAX && from + count - 1 <= UINT32_MAX) {
                        *ret = (struct idmap_subrange){ .from = (uint32_t)from, .count = (uint32_t)count };
                        found = true;
                }
        }
        (void)fclose(f);
        return found;
}

static int apply_one(struct idmap_state *s, struct idmap_set *set, bool *ret_default, const char *subfile,
                     uint32_t container_id, uint32_t host_id)
{
        if (set->n > 0)
                return 0;
        struct idmap_subrange sub;
        bool have_sub = read_subrange(subfile, s->user, (uint32_t)s->euid, &sub);
        int r = idmap_default_set(set, container_id, host_id, have_sub ? &sub : NULL);
        if (r < 0)
                return r;
        *ret_default = true;
        _cleanup_free_ char *text = idmap_format_inline(set);
        s->host->log(s->host, MODRUN_LOG_DEBUG,
                     "linux.%s is not given for the new user namespace: writing \"%s\", as crun does (%s)", set->key,
                     text ? text : "?",
                     have_sub ? "the runtime user's subordinate range"
                     : host_id ? "the runtime's own id as container 0"
                               : "the identity map from container 0 up to process.user's id");
        return 0;
}

int idmap_defaults_apply(struct idmap_state *s)
{
        if (!s->cfg.new_userns)
                return 0;
        int r = apply_one(s, &s->cfg.uids, &s->cfg.uids_default, "/etc/subuid", s->cfg.process_uid, (uint32_t)s->euid);
        if (r >= 0)
                r = apply_one(s, &s->cfg.gids, &s->cfg.gids_default, "/etc/subgid", s->cfg.process_gid,
                              (uint32_t)s->egid);
        return r;
}
