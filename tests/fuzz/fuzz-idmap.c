/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the idmap plugin's parsing and pure decisions, as its
 * init() and check() use them (plugins/idmap/idmap.c, check.c):
 * idmap_config_read() on a config.json (linux.uidMappings/gidMappings,
 * linux.namespaces, root.path, mounts), idmap_validate() of both maps (the
 * kernel's rules), idmap_format() / _inline() / idmap_ranges() (what is
 * written to /proc/PID/uid_map and shown in messages), the lookups, the
 * stat-based diagnoses and idmap_parents() of root.path. The plugin reads
 * no /etc/subuid itself (newuidmap does).
 *
 * Input: the config.json text, then optionally a NUL byte and 12 bytes: a
 * stat result (uid, gid, st_mode; u32 each, native order) for the
 * diagnoses.
 *
 * Invariants: a refusal says why; a valid map is what the kernel would
 * take (at most 340 lines, shorter than a page, one line per entry that
 * reads back as the entry) and a bijection (every id it maps to the host
 * maps back); the diagnoses pick the class the kernel would.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz-json.h"
#include "idmap.h"

static void check_format(const struct idmap_set *m, bool valid)
{
        char *text = idmap_format(m), *inl = idmap_format_inline(m), *ranges = idmap_ranges(m);
        if (text) {
                const char *s = text;
                size_t lines = 0;
                for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1, lines++) {
                        uint32_t c, h, n;
                        int used = 0;
                        if (lines >= m->n ||
                            sscanf(s, "%" SCNu32 " %" SCNu32 " %" SCNu32 "%n", &c, &h, &n, &used) != 3 ||
                            s + used != nl || c != m->e[lines].container_id || h != m->e[lines].host_id ||
                            n != m->e[lines].size)
                                abort();
                }
                if (*s || lines != m->n || (valid && strlen(text) >= IDMAP_TEXT_MAX))
                        abort();
        }
        if (inl && m->n && (inl[strlen(inl) - 1] == ' ' || inl[strlen(inl) - 1] == ','))
                abort(); /* ", " only between entries */
        if (valid && (!text || !inl || !ranges))
                abort(); /* these are only short of memory */
        free(text);
        free(inl);
        free(ranges);
}

static void check_bijection(const struct idmap_set *m)
{
        for (size_t i = 0; i < m->n; i++) {
                const struct idmap_entry *e = &m->e[i];
                const uint32_t probes[] = {e->container_id, e->container_id + (e->size - 1),
                                           e->container_id + e->size / 2};
                for (size_t k = 0; k < 3; k++) {
                        uint32_t h = 0, back = 0;
                        if (!idmap_to_host(m, probes[k], &h) || !idmap_from_host(m, h, &back) || back != probes[k])
                                abort();
                }
                uint32_t h = 0;
                if (!idmap_to_host(m, e->container_id, &h) || h != e->host_id)
                        abort(); /* no earlier entry may claim it: no overlaps */
        }
}

static void check_set(const struct idmap_set *m)
{
        char *why = NULL;
        int r = idmap_validate(m, &why);
        if (r < 0) {
                if ((r != -EINVAL && r != -E2BIG && r != -ENOMEM) || (r != -ENOMEM && !why))
                        abort();
                free(why);
                check_format(m, false);
                return;
        }
        if (why || m->n == 0 || m->n > IDMAP_MAX_LINES)
                abort();
        check_format(m, true);
        check_bijection(m);
}

static void check_diag(const struct idmap_config *c, const struct idmap_stat *st)
{
        struct idmap_root root = idmap_root_of(&c->uids, &c->gids);
        uint32_t h;
        if (root.uid_mapped != idmap_to_host(&c->uids, 0, &h) || (root.uid_mapped && h != root.uid))
                abort();
        enum idmap_owner_verdict ov = idmap_diag_owner(st, &c->uids, &c->gids);
        bool um = idmap_from_host(&c->uids, st->uid, NULL), gm = idmap_from_host(&c->gids, st->gid, NULL);
        if (ov != (!um ? IDMAP_OWNER_UID_UNMAPPED : !gm ? IDMAP_OWNER_GID_UNMAPPED : IDMAP_OWNER_OK))
                abort();
        const char *class = NULL;
        enum idmap_search_verdict sv = idmap_diag_search(st, &root, &c->uids, &c->gids, &class);
        if (!class || (!S_ISDIR(st->mode) && sv != IDMAP_SEARCH_DENIED))
                abort();
        if (sv == IDMAP_SEARCH_OK_OWNER && !(root.uid_mapped && st->uid == root.uid && (st->mode & S_IXUSR)))
                abort();
        if (sv == IDMAP_SEARCH_OK_CAPABLE && !(root.uid_mapped && um && gm))
                abort();
        (void)idmap_diag_umask_ok(st->mode & 0777);
        (void)idmap_is_single_own(&c->uids, st->uid);
        (void)idmap_is_single_own(&c->gids, st->gid);
}

static void check_parents(const char *path)
{
        char *parents[IDMAP_MAX_DEPTH + 1] = {0};
        int n = idmap_parents(path, parents, IDMAP_MAX_DEPTH);
        if (n < 0) {
                if (n != -EINVAL && n != -ENOMEM)
                        abort();
                if (n == -EINVAL && path && path[0] == '/')
                        abort();
                return;
        }
        if (n > IDMAP_MAX_DEPTH)
                abort();
        size_t prev = 0;
        for (int i = 0; i < n; i++) {
                size_t len = parents[i] ? strlen(parents[i]) : 0;
                /* "/", then ever longer proper prefixes of path */
                if (!parents[i] || parents[i][0] != '/' || strncmp(parents[i], path, len) != 0 ||
                    len >= strlen(path) || (i > 0 && len <= prev) || (i == 0 && len != 1))
                        abort();
                prev = len;
                free(parents[i]);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const uint8_t *rest;
        size_t rest_size;
        struct json_object *config = fuzz_json_config(data, size, &rest, &rest_size);
        if (!config)
                return 0;
        struct idmap_stat st = {.uid = 0, .gid = 0, .mode = S_IFDIR | 0755};
        if (rest && rest_size >= 12) {
                memcpy(&st.uid, rest, 4);
                memcpy(&st.gid, rest + 4, 4);
                memcpy(&st.mode, rest + 8, 4);
        }
        struct idmap_config c;
        char *why = NULL;
        int r = idmap_config_read(config, &c, &why);
        if (r < 0) {
                if ((r != -EINVAL && r != -ENOMEM) || (r == -EINVAL && !why) || c.uids.e || c.gids.e)
                        abort();
                free(why);
        } else {
                if (why || strcmp(c.uids.key, "uidMappings") != 0 || strcmp(c.gids.key, "gidMappings") != 0 ||
                    (c.new_userns && c.joins_userns))
                        abort();
                check_set(&c.uids);
                check_set(&c.gids);
                check_diag(&c, &st);
                if (c.root_path)
                        check_parents(c.root_path);
                idmap_config_done(&c);
        }
        json_object_put(config);
        return 0;
}
