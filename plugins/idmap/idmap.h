/* SPDX-License-Identifier: Apache-2.0 */
/*
 * namespace plugin "idmap": user namespaces from linux.uidMappings and
 * linux.gidMappings.
 *
 * Internal header, shared by the plugin's topic files only:
 *   maps.c     the maps: validation as the kernel does it, the text of
 *              /proc/PID/uid_map, lookups, ranges for messages (pure)
 *   diag.c     is the rootfs owner mapped, is a directory searchable by the
 *              mapped container root: decisions on stat results (pure)
 *   config.c   reading the maps and root.path from config.json (json-c)
 *   write.c    writing uid_map/gid_map/setgroups, or running
 *              newuidmap/newgidmap when unprivileged
 *   check.c    the pre-flight check of the rootfs and its parents
 *   idmap.c    the ops table and the state
 * The pure files use neither the host table nor the state, so the unit
 * tests compile them alone.
 */
#ifndef IDMAP_H
#define IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include <modrun/plugin.h>

/* The kernel's limit on lines in uid_map/gid_map (UID_GID_MAP_MAX_EXTENTS). */
#define IDMAP_MAX_LINES 340
/* The last id that can be mapped: (uid_t)-1 is never valid, and
 * first + count must not wrap (kernel/user_namespace.c). */
#define IDMAP_ID_LIMIT 4294967295ULL
/* One write(2) of a map must be shorter than a page. */
#define IDMAP_TEXT_MAX 4096
/* At most this many parents of the rootfs are inspected. */
#define IDMAP_MAX_DEPTH 64
/* newuidmap/newgidmap get this long. */
#define IDMAP_HELPER_TIMEOUT_MS 10000

static inline void idmap_freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ __attribute__((cleanup(idmap_freep)))

struct idmap_entry {
        uint32_t container_id, host_id, size;
};

struct idmap_set {
        const char *key; /* "uidMappings" or "gidMappings", for messages */
        struct idmap_entry *e;
        size_t n;
};

/* ---- maps.c (pure) ---- */
/* Validate a map as the kernel would, plus emptiness: 0, or -EINVAL /
 * -E2BIG with a malloc()ed sentence naming the entry in *ret_why. */
int idmap_validate(const struct idmap_set *m, char **ret_why);
/* "C H N\n" per entry, as written to /proc/PID/uid_map; malloc()ed. */
char *idmap_format(const struct idmap_set *m);
/* The same on one line for messages: "0 100000 65536, 65536 1 1". */
char *idmap_format_inline(const struct idmap_set *m);
/* "host 100000-165535 -> container 0-65535; ..." for messages. */
char *idmap_ranges(const struct idmap_set *m);
/* Host id of container id c (true), or false when c is not mapped. */
bool idmap_to_host(const struct idmap_set *m, uint32_t c, uint32_t *ret_host);
/* Container id of host id h (true), or false when h is not mapped. */
bool idmap_from_host(const struct idmap_set *m, uint32_t h, uint32_t *ret_container);
/* Is the map a single entry of size 1 whose host id is id? (what an
 * unprivileged process may write itself) */
bool idmap_is_single_own(const struct idmap_set *m, uint32_t id);

/* A subordinate id range of /etc/subuid or /etc/subgid ("name:from:count"). */
struct idmap_subrange {
        uint32_t from, count;
};
/* ret (its entries replaced) = crun's map for a new user namespace without
 * linux.uidMappings/gidMappings; sub is NULL when the runtime's user has
 * no subordinate range. -ENOMEM or 0. */
int idmap_default_set(struct idmap_set *ret, uint32_t container_id, uint32_t host_id, const struct idmap_subrange *sub);

/* ---- diag.c (pure) ---- */
/* What stat(2) said about a path. */
struct idmap_stat {
        uint32_t uid, gid;
        uint32_t mode; /* st_mode */
};

/* The container's root as the host sees it. */
struct idmap_root {
        bool uid_mapped, gid_mapped; /* container 0 is mapped */
        uint32_t uid, gid;           /* its host ids, when mapped */
};

struct idmap_root idmap_root_of(const struct idmap_set *uids, const struct idmap_set *gids);

enum idmap_owner_verdict {
        IDMAP_OWNER_OK,
        IDMAP_OWNER_UID_UNMAPPED, /* refused: the container cannot own its files */
        IDMAP_OWNER_GID_UNMAPPED, /* only the group: a warning */
};
enum idmap_owner_verdict idmap_diag_owner(const struct idmap_stat *st, const struct idmap_set *uids,
                                          const struct idmap_set *gids);

enum idmap_search_verdict {
        IDMAP_SEARCH_OK_CAPABLE, /* owner and group mapped: CAP_DAC_READ_SEARCH in the userns applies */
        IDMAP_SEARCH_OK_OWNER,   /* the x bit of the class the container root falls in */
        IDMAP_SEARCH_OK_GROUP,
        IDMAP_SEARCH_OK_OTHER,
        IDMAP_SEARCH_DENIED, /* not a directory the container root can search */
};
/* Can the container root (root, with its capabilities inside the user
 * namespace) search (x) the directory st? The kernel's order: the owner's
 * bits when the fsuid is the owner, else the group's when the fsgid is the
 * group, else the others'; then CAP_DAC_READ_SEARCH, which counts only when
 * the directory's owner and group are both mapped. Supplementary groups
 * are not considered. *ret_class (may be NULL) is "owner", "group" or
 * "other": the class whose bits decided. */
enum idmap_search_verdict idmap_diag_search(const struct idmap_stat *st, const struct idmap_root *root,
                                            const struct idmap_set *uids, const struct idmap_set *gids,
                                            const char **ret_class);
static inline bool idmap_search_ok(enum idmap_search_verdict v) { return v != IDMAP_SEARCH_DENIED; }

/* Would directories made under umask (mode 0777 & ~umask, as a cgroup
 * manager's mkdir) keep the others' r and x bits, which the container's
 * root needs for a host-root-owned cgroup directory bound into it? */
static inline bool idmap_diag_umask_ok(unsigned umask) { return (umask & 0005) == 0; }

/* The parents of an absolute, clean path, from "/" down, excluding the
 * path itself: "/a/b/c" -> "/", "/a", "/a/b". Returns the count, fills
 * ret[] (malloc()ed strings) up to max; -EINVAL for a relative path,
 * -ENOMEM. */
int idmap_parents(const char *path, char **ret, size_t max);

/* ---- config.c ---- */
struct idmap_config {
        bool new_userns;  /* linux.namespaces has "user" without "path" */
        bool joins_userns;
        struct idmap_set uids, gids;
        bool uids_default, gids_default; /* absent or empty in config.json: crun's map (defaults.c) */
        uint32_t process_uid, process_gid; /* process.user.uid/gid (0 when absent) */
        const char *root_path; /* root.path as written, or NULL */
        const char *cgroup_mount; /* destination of a cgroup/cgroup2 mount, or NULL */
};
/* Read from the config json; -ENOMEM or -EINVAL with *ret_why. */
int idmap_config_read(const struct json_object *config, struct idmap_config *ret, char **ret_why);
void idmap_config_done(struct idmap_config *c);

/* ---- the state (idmap.c) ---- */
struct idmap_state {
        const struct modrun_host *host;
        struct idmap_config cfg;
        bool have_cfg;
        bool checked; /* check() passed in this process */
        uid_t euid;
        gid_t egid;
        char user[64]; /* the caller's name (rootless hints), "" when unknown */
};

/* ---- write.c ---- */
int idmap_write_maps(struct idmap_state *s, pid_t pid, struct modrun_error **reterr);

int idmap_defaults_apply(struct idmap_state *s);

/* ---- check.c ---- */
int idmap_check_rootfs(struct idmap_state *s, struct modrun_error **reterr);
/* Validation of both maps, with the error naming the entry. */
int idmap_check_maps(struct idmap_state *s, struct modrun_error **reterr);
/* A warning when the umask would hide the cgroup mount's directories. */
void idmap_check_umask(struct idmap_state *s);

#endif
