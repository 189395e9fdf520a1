/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pre-flight check (FIELD-NOTES #3), in the runtime before the
 * container exists: the maps are valid, and the container's root can
 * search every directory on the way to the rootfs and the rootfs itself.
 * It refuses only what certainly fails: a rootfs owned by an id the maps
 * do not hold is used read-only-ish by runc and crun, so it gets a
 * warning (cause and fix) and runs. Each refusal names the resolved
 * rootfs (and how root.path was written), the id or directory at fault,
 * the mapped ranges, and the fixes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "idmap.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

#define MAX_DENIED 8

int idmap_check_maps(struct idmap_state *s, struct modrun_error **reterr)
{
        const struct idmap_set *sets[] = { &s->cfg.uids, &s->cfg.gids };
        for (size_t i = 0; i < 2; i++) {
                _cleanup_free_ char *why = NULL;
                int r = idmap_validate(sets[i], &why);
                if (r == -ENOMEM)
                        return s->host->error(reterr, ENOMEM, NULL, "idmap: check linux.%s", sets[i]->key);
                if (r < 0)
                        return s->host->error(reterr, 0,
                                              "fix linux.uidMappings/gidMappings in config.json: entries of "
                                              "{\"containerID\", \"hostID\", \"size\" >= 1} whose container "
                                              "ranges and host ranges do not overlap",
                                              "idmap: %s", why ? why : "invalid map");
        }
        return 0;
}

/* "(root.path \"rootfs\", relative to the bundle /b)" */
static void describe_root_path(const struct idmap_state *s, char *buf, size_t size)
{
        const char *p = s->cfg.root_path;
        if (!p)
                (void)snprintf(buf, size, "(root.path not in config.json)");
        else if (p[0] == '/')
                (void)snprintf(buf, size, "(root.path \"%s\", absolute)", p);
        else
                (void)snprintf(buf, size, "(root.path \"%s\", relative to the bundle %s)", p, s->host->bundle);
}

/* The host ids the fix would use: those of container 0, else the first entry's. */
static uint32_t fix_id(const struct idmap_set *m)
{
        uint32_t h = 0;
        if (idmap_to_host(m, 0, &h))
                return h;
        return m->n ? m->e[0].host_id : 0;
}

/* "chown the rootfs into the mapped range ..., or ... org.modrun.rootfs-idmap=true" */
static void owner_fix(const struct idmap_state *s, char *buf, size_t size)
{
        uint32_t u = fix_id(&s->cfg.uids), g = fix_id(&s->cfg.gids);
        uint32_t first = s->cfg.uids.n ? s->cfg.uids.e[0].host_id : 0;
        uint32_t cfirst = s->cfg.uids.n ? s->cfg.uids.e[0].container_id : 0;
        char shift[96];
        if (cfirst == 0)
                (void)snprintf(shift, sizeof(shift), "%" PRIu32 " + container id", first);
        else
                (void)snprintf(shift, sizeof(shift), "%" PRIu32 " + container id - %" PRIu32, first, cfirst);
        (void)snprintf(buf, size,
                       "chown the rootfs into the mapped range (host id = %s; for a rootfs owned only by root: "
                       "chown -R %" PRIu32 ":%" PRIu32 " %s), or let modrun mount it id-mapped with the annotation "
                       "org.modrun.rootfs-idmap=true (Linux >= 5.12), so that no chown is needed",
                       shift, u, g, s->host->rootfs);
}

/* The rootfs is owned by an unmapped uid, but the container's root can
 * reach and search it: runc and crun run such a container, and so do we,
 * saying what will not work inside and how to fix it. */
static void warn_owner(struct idmap_state *s, const struct idmap_stat *st)
{
        char how[512], fix[1024];
        _cleanup_free_ char *ranges = idmap_ranges(&s->cfg.uids);
        describe_root_path(s, how, sizeof(how));
        owner_fix(s, fix, sizeof(fix));
        s->host->log(s->host, MODRUN_LOG_WARNING,
                     "the rootfs %s %s is owned by host uid %" PRIu32 " (gid %" PRIu32
                     "), which is not mapped into the container's user namespace (linux.uidMappings: %s): its files "
                     "show as the overflow uid (nobody) inside, so the container's root can read and search them but "
                     "not write to them or change their owner; running it anyway. To fix: %s",
                     s->host->rootfs, how, st->uid, st->gid, ranges ? ranges : "?", fix);
}

static int stat_of(const char *path, struct idmap_stat *ret)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        *ret = (struct idmap_stat){ .uid = (uint32_t)st.st_uid, .gid = (uint32_t)st.st_gid, .mode = st.st_mode };
        return 0;
}

static void who_is_root(const struct idmap_root *root, char *buf, size_t size)
{
        if (root->uid_mapped && root->gid_mapped)
                (void)snprintf(buf, size, "host uid %" PRIu32 ", gid %" PRIu32, root->uid, root->gid);
        else if (root->uid_mapped)
                (void)snprintf(buf, size, "host uid %" PRIu32 ", container gid 0 not mapped", root->uid);
        else
                (void)snprintf(buf, size, "container uid 0 is not mapped, so it runs as the overflow uid");
}

/* Append "DIR (mode 0700, owner 0:0: ...)". */
static void denied_add(char *buf, size_t size, const char *dir, const struct idmap_stat *st, const char *class,
                       const struct idmap_set *uids)
{
        size_t len = strlen(buf);
        const char *why = streq(class, "owner") ? "it is the owner and the owner's x bit is off"
                          : streq(class, "group") ? "it is in the group and the group's x bit is off"
                                                  : "it is neither owner nor in the group, and the x bit for others is off";
        if (!S_ISDIR(st->mode))
                (void)snprintf(buf + len, size - len, "%s%s is not a directory", len ? "; " : "", dir);
        else
                (void)snprintf(buf + len, size - len,
                               "%s%s (mode %04o, owner %" PRIu32 ":%" PRIu32 "%s) is not searchable by it: %s", len ? "; " : "",
                               dir, (unsigned)(st->mode & 07777), st->uid, st->gid,
                               idmap_from_host(uids, st->uid, NULL) ? "" : ", owner not mapped", why);
}

/* Every directory on the way to the rootfs, and the rootfs itself, must be
 * searchable by the container's root: else nothing in it can be executed,
 * and the container certainly fails. owner is the rootfs's owner when it
 * is not mapped (the refusal then names it and the chown fix), else NULL. */
static int check_parents(struct idmap_state *s, const struct idmap_root *root, const struct idmap_stat *owner,
                         struct modrun_error **reterr)
{
        const char *rootfs = s->host->rootfs;
        char *parents[IDMAP_MAX_DEPTH + 1] = {0};
        int n = idmap_parents(rootfs, parents, IDMAP_MAX_DEPTH);
        if (n < 0)
                return s->host->error(reterr, -n, NULL, "idmap: the parent directories of the rootfs %s", rootfs);
        parents[n++] = strdup(rootfs); /* and the rootfs itself */
        char denied[2048] = "", first[4096] = "";
        int n_denied = 0, r = 0;
        for (int i = 0; i < n && r == 0; i++) {
                struct idmap_stat st;
                const char *class = NULL;
                if (!parents[i])
                        r = -ENOMEM;
                else if ((r = stat_of(parents[i], &st)) < 0)
                        r = s->host->error(reterr, -r, NULL, "idmap: stat %s on the path to the rootfs %s", parents[i],
                                           rootfs);
                else if (!idmap_search_ok(idmap_diag_search(&st, root, &s->cfg.uids, &s->cfg.gids, &class))) {
                        if (n_denied++ == 0)
                                (void)snprintf(first, sizeof(first), "%s", parents[i]);
                        if (n_denied <= MAX_DENIED)
                                denied_add(denied, sizeof(denied), parents[i], &st, class, &s->cfg.uids);
                }
        }
        for (int i = 0; i < n; i++)
                free(parents[i]);
        if (r == -ENOMEM)
                return s->host->error(reterr, ENOMEM, NULL, "idmap: the parent directories of the rootfs %s", rootfs);
        if (r < 0 || n_denied == 0)
                return r;
        char who[128], how[512], fix[1024] = "", owned[256] = "";
        who_is_root(root, who, sizeof(who));
        describe_root_path(s, how, sizeof(how));
        if (owner) {
                _cleanup_free_ char *ranges = idmap_ranges(&s->cfg.uids);
                owner_fix(s, fix, sizeof(fix));
                (void)snprintf(owned, sizeof(owned),
                               " (the rootfs is owned by host uid %" PRIu32 ", which linux.uidMappings does not map: %s)",
                               owner->uid, ranges ? ranges : "?");
        }
        /* allocated: the path in it may be long (a fixed buffer truncated it) */
        _cleanup_free_ char *hint = NULL;
        if (asprintf(&hint,
                     "%s%slet others search it: chmod o+x %s (e.g. mode 0711), or move the bundle to a path whose "
                     "every directory is searchable by the container's root (%s)",
                     fix, owner ? "; or " : "", first, who) < 0)
                hint = NULL;
        return s->host->error(reterr, 0, hint, "idmap: the container's root (%s) cannot reach the rootfs %s %s%s: %s",
                              who, rootfs, how, owned, denied);
}

int idmap_check_rootfs(struct idmap_state *s, struct modrun_error **reterr)
{
        const char *rootfs = s->host->rootfs;
        if (!rootfs || !rootfs[0]) {
                s->host->log(s->host, MODRUN_LOG_DEBUG, "no rootfs known: its ownership is not checked");
                return 0;
        }
        struct idmap_stat st;
        int r = stat_of(rootfs, &st);
        if (r < 0)
                return s->host->error(reterr, -r, NULL, "idmap: stat the rootfs %s", rootfs);
        enum idmap_owner_verdict v = idmap_diag_owner(&st, &s->cfg.uids, &s->cfg.gids);
        const char *idmapped = s->host->annotation(s->host, "org.modrun.rootfs-idmap");
        if (idmapped && strcmp(idmapped, "true") == 0) {
                /* the core mounts the rootfs id-mapped: host ids show through the container's maps */
                s->host->log(s->host, MODRUN_LOG_DEBUG, "the rootfs %s is mounted id-mapped (org.modrun.rootfs-idmap)",
                             rootfs);
                v = IDMAP_OWNER_OK;
        }
        if (v == IDMAP_OWNER_GID_UNMAPPED) {
                _cleanup_free_ char *ranges = idmap_ranges(&s->cfg.gids);
                s->host->log(s->host, MODRUN_LOG_WARNING,
                             "the rootfs %s is owned by host gid %" PRIu32
                             ", which linux.gidMappings does not map (%s): inside it shows as the overflow gid",
                             rootfs, st.gid, ranges ? ranges : "?");
        }
        struct idmap_root root = idmap_root_of(&s->cfg.uids, &s->cfg.gids);
        bool uid_unmapped = v == IDMAP_OWNER_UID_UNMAPPED;
        if ((r = check_parents(s, &root, uid_unmapped ? &st : NULL, reterr)) < 0)
                return r;
        if (uid_unmapped) {
                warn_owner(s, &st);
                return 0;
        }
        s->host->log(s->host, MODRUN_LOG_DEBUG, "the rootfs %s (owner %" PRIu32 ":%" PRIu32
                     ") is owned by a mapped id and reachable by the container's root", rootfs, st.uid, st.gid);
        return 0;
}

static int read_umask(void)
{
        FILE *f = fopen("/proc/self/status", "re");
        if (!f)
                return -1;
        char line[256];
        int um = -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "Umask:", 6) == 0) {
                        char *end = NULL;
                        long v = strtol(line + 6, &end, 8);
                        um = end != line + 6 ? (int)v : -1;
                        break;
                }
        (void)fclose(f);
        return um;
}

void idmap_check_umask(struct idmap_state *s)
{
        if (!s->cfg.cgroup_mount)
                return;
        int um = read_umask();
        if (um < 0 || idmap_diag_umask_ok((unsigned)um))
                return;
        struct idmap_root root = idmap_root_of(&s->cfg.uids, &s->cfg.gids);
        char who[128];
        who_is_root(&root, who, sizeof(who));
        s->host->log(s->host, MODRUN_LOG_WARNING,
                     "the runtime's umask is %04o: cgroup directories created for the container get mode %04o, "
                     "owned by host root, which its root (%s) cannot list through the cgroup mount on %s: run "
                     "modrun with umask 0022",
                     (unsigned)um, 0777 & ~(unsigned)um, who, s->cfg.cgroup_mount);
}
