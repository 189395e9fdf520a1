/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup manager "cgroupfs": the container's cgroup made directly in the
 * cgroup file systems, on cgroup v1, v2 and hybrid hosts (v1 controllers
 * plus a cgroup2 mount without them, as runc handles it).
 *
 * Internal header, shared by the plugin's topic files only:
 *   layout.c        the visible cgroup mounts, from /proc/self/mountinfo or
 *                   from their record in the state file (pure)
 *   paths.c         linux.cgroupsPath -> one directory per hierarchy (pure)
 *   convert.c       OCI values -> cgroup file values (pure)
 *   cgfile.c        reading and writing cgroup files, errors with hints
 *   tree.c          mkdir and rmdir of the container's directories
 *   resources*.c    linux.resources, devices-v1.c its devices rules
 *   freeze.c, kill.c, stats*.c
 *   cgroupfs.c      the ops table and the state
 * The pure files use neither the host table nor the state, so the unit
 * tests compile them alone.
 */
#ifndef CGROUPFS_H
#define CGROUPFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <modrun/plugin.h>
#include "../common/clock.h"
#include "../common/test-faults.h"

#define CG_MAX_MOUNTS 32
#define CG_MAX_MADE 64
#define CG_STATE_FILE "cgroup-cgroupfs.paths"

static inline void cg_freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ __attribute__((cleanup(cg_freep)))

/* ---- layout.c (pure) ---- */
enum cg_mode { CG_MODE_NONE, CG_MODE_V1, CG_MODE_V2, CG_MODE_HYBRID };

struct cg_mount {
        char *mountpoint;  /* "/sys/fs/cgroup/memory" */
        char *root;        /* the mount's root inside its hierarchy, "/" mostly */
        char *controllers; /* "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
        bool unified;      /* a cgroup2 mount */
        dev_t dev;         /* the hierarchy's superblock (mountinfo's MAJOR:MINOR) */
};

struct cg_layout {
        enum cg_mode mode;
        struct cg_mount m[CG_MAX_MOUNTS];
        size_t n;
};

/* Parse a mountinfo text into the visible cgroup mounts (one per
 * hierarchy, none hidden under a later mount) and the mode. */
int cg_layout_parse(const char *mountinfo, struct cg_layout *ret);
void cg_layout_done(struct cg_layout *l);
/* The mode of l's mounts (as cg_layout_parse sets it). */
void cg_layout_set_mode(struct cg_layout *l);
/* The layout as the state file records it, for the commands after create
 * (runc keeps its cgroup paths likewise): one line per mount,
 * "UNIFIED\tMAJOR:MINOR\tCONTROLLERS\tROOT\tMOUNTPOINT", UNIFIED 0 or 1,
 * the mount point last so that it may hold a tab. The line for m in *ret
 * (malloc()ed); -EINVAL when m cannot be written so (a newline, a tab
 * before the mount point). */
int cg_mount_record(const struct cg_mount *m, char **ret);
/* Append the mount of one recorded line to l (cg_layout_set_mode after
 * the last); -EINVAL for a line not of that form. */
int cg_layout_add_recorded(struct cg_layout *l, const char *line);
const char *cg_mode_to_string(enum cg_mode mode);
/* Is ctrl one of the comma-separated list? */
bool cg_list_has(const char *list, const char *ctrl);
/* The process's cgroup in the hierarchy of m, from a /proc/PID/cgroup
 * text: malloc()ed path, -ENOENT when the hierarchy is not listed. */
int cg_own_cgroup(const char *proc_cgroup, const struct cg_mount *m, char **ret);

/* ---- paths.c (pure) ---- */
/* runc's utils.CleanPath: "" stays "", an absolute path is cleaned, a
 * relative one cannot climb out ("../../a" -> "a", "" or ".." -> "."). */
char *cg_clean_path(const char *path);
/* The inner path runc uses: the cleaned cgroupsPath, or the container id
 * when it is empty. -EINVAL (with *ret_why) when it names a hierarchy's
 * root or the caller's own cgroup ("/", "."). */
int cg_inner_path(const char *cgroups_path, const char *id, char **ret, const char **ret_why);
/* The container's directory in mount m: an absolute inner path below the
 * mount point, a relative one below the caller's own cgroup `own` (on a
 * pure v2 host below its parent, as runc's fs2 does, since the own cgroup
 * holds processes). */
int cg_dir_for(const struct cg_mount *m, enum cg_mode mode, const char *inner, const char *own, char **ret,
               const char **ret_why);

/* ---- convert.c (pure) ---- */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_weight_to_io(uint64_t weight);
/* OCI memory.swap (memory+swap) -> memory.swap.max; 0 = leave unset, -1 =
 * "max". -EINVAL with *ret_why on a combination the kernel cannot take. */
int cg_swap_to_v2(int64_t swap, int64_t memory, int64_t *ret, const char **ret_why);
/* "max" for a negative value, else the number. */
void cg_limit_string(int64_t v, char *buf, size_t size);
/* cpu.max for quota/period (runc: quota <= 0 is "max"). */
void cg_cpu_max(int64_t quota, uint64_t period, char *buf, size_t size);
/* "2MB" for 2097152 bytes, as runc names hugetlb files. */
void cg_hugepage_name(uint64_t bytes, char *buf, size_t size);

struct cg_dev_rule {
        bool allow;
        char type;           /* 'a', 'c', 'b' */
        int64_t major, minor; /* -1 = '*' */
        char access[4];      /* subset of "rwm" */
};
/* One OCI rule -> one or two lines for devices.allow/deny: "a" for the
 * whole-wildcard rule, "c 1:3 rwm"; a partial 'a' rule is written for
 * 'c' and 'b' both (the kernel would read any "a ..." as everything).
 * Returns the number of lines, or -EINVAL with *ret_why. */
int cg_dev_rule_lines(const struct cg_dev_rule *r, char lines[2][64], const char **ret_why);
/* A `unified` key: a file name of the container's cgroup ("memory.high"):
 * 0, or -EINVAL with *ret_why. *ret_ctrl gets the controller prefix. */
int cg_unified_key(const char *key, char *ret_ctrl, size_t size, const char **ret_why);

/* ---- the state (cgroupfs.c) ---- */
struct cg_place {
        const struct cg_mount *m;
        char *dir; /* the container's directory, absolute */
};

struct cgfs {
        const struct modrun_host *host;
        struct cg_layout layout;
        char *inner;                        /* cleaned path, for get_path */
        struct cg_place p[CG_MAX_MOUNTS];  /* p[i] for layout.m[i], dir may be NULL */
        size_t n;
        int unified;                        /* index of the cgroup2 place, or -1 */
        char *made[CG_MAX_MADE];           /* directories this plugin created, in order */
        size_t n_made;
        bool from_state;                    /* places read back from the state file */
        bool created;                       /* create() succeeded in this process */
};

/* The place whose hierarchy has controller ctrl, or NULL. */
const struct cg_place *cg_v1_place(const struct cgfs *s, const char *ctrl);
const struct cg_place *cg_unified_place(const struct cgfs *s);

/* ---- cgfile.c ---- */
/* Write value to dir/file; the error names the file, the value and the
 * kernel's errno, `what` (the OCI field, may be NULL) and a hint. */
int cg_write(const struct cgfs *s, const char *dir, const char *file, const char *value, const char *what,
             struct modrun_error **reterr);
/* The same without an error: -errno. */
int cg_write_raw(const char *dir, const char *file, const char *value);
/* cg_write() through *fd, opened (O_WRONLY) at the first call when it is
 * -1 and left open for the next values; the caller closes it. Each write()
 * is one value to the kernel: many lines to one file cost one open. */
int cg_write_at(const struct cgfs *s, int *fd, const char *dir, const char *file, const char *value,
                const char *what, struct modrun_error **reterr);
/* Open dir/file for writing: the fd or -errno. */
int cg_open_write(const char *dir, const char *file);
/* Read dir/file (NUL-terminated, trailing newline kept): -errno, no error set. */
int cg_read(const char *dir, const char *file, char **ret);
bool cg_file_exists(const char *dir, const char *file);
/* A number from dir/file ("max" -> UINT64_MAX): -errno. */
int cg_read_u64(const char *dir, const char *file, uint64_t *ret);
/* The value of "key N" in a flat keyed file (memory.stat, cpu.stat). */
int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret);
/* Is ctrl in dir/cgroup.controllers? */
bool cg_v2_has(const char *dir, const char *ctrl);
/* Every pid in dir and below (bounded depth), appended to *pids. */
int cg_collect_pids(const char *dir, pid_t **pids, size_t *n, size_t *cap);
/* The union of the pids of every place. */
int cg_all_pids(const struct cgfs *s, pid_t **ret, size_t *ret_n);

/* ---- tree.c ---- */
int cg_tree_create(struct cgfs *s, struct modrun_error **reterr);
/* rmdir each of the container's directories once: true when all are gone
 * (each was empty: no process, no child cgroup). */
bool cg_tree_remove_empty(const struct cgfs *s);
/* Remove the container's directories (and child cgroups; none left to
 * remove when dirs_gone), then the parents create made; rmdir retried on
 * EBUSY until the deadline. */
int cg_tree_remove(struct cgfs *s, bool dirs_gone, int64_t deadline_ms, struct modrun_error **reterr);
/* rmdir only what create made, deepest first (a failed create). */
void cg_tree_undo(struct cgfs *s);

/* ---- resources.c, resources-v1.c, resources-v2.c, devices-v1.c ---- */
int cg_set_resources(struct cgfs *s, const struct json_object *res, struct modrun_error **reterr);
/* Accessors for json members: false when absent or null. */
bool cg_json_i64(const struct json_object *o, const char *key, int64_t *ret);
bool cg_json_u64(const struct json_object *o, const char *key, uint64_t *ret);
bool cg_json_bool(const struct json_object *o, const char *key, bool *ret);
const char *cg_json_str(const struct json_object *o, const char *key);
struct json_object *cg_json_get(const struct json_object *o, const char *key);
/* Controllers a resources object needs, as "memory cpu ..." flags. */
void cg_needed_controllers(const struct json_object *res, char *buf, size_t size);

int cg_v1_memory(const struct cgfs *s, const char *dir, const struct json_object *m, struct modrun_error **reterr);
int cg_v1_cpu(const struct cgfs *s, const char *dir, const struct json_object *c, struct modrun_error **reterr);
int cg_v1_blkio(const struct cgfs *s, const char *dir, const struct json_object *b, struct modrun_error **reterr);
int cg_v1_network(const struct cgfs *s, const struct json_object *n, struct modrun_error **reterr);
int cg_v2_memory(const struct cgfs *s, const char *dir, const struct json_object *m, struct modrun_error **reterr);
int cg_v2_cpu(const struct cgfs *s, const char *dir, const struct json_object *c, struct modrun_error **reterr);
int cg_v2_io(const struct cgfs *s, const char *dir, const struct json_object *b, struct modrun_error **reterr);
int cg_v2_unified(const struct cgfs *s, const char *dir, const struct json_object *u, struct modrun_error **reterr);
/* Throttle/weight device lists, shared by v1 and v2. */
int cg_write_dev_list(const struct cgfs *s, const char *dir, const struct json_object *b, const char *key,
                      const char *vkey, const char *file, const char *v2_prefix, struct modrun_error **reterr);
int cg_devices_v1(const struct cgfs *s, const char *dir, const struct json_object *rules,
                  struct modrun_error **reterr);

/* ---- freeze.c, kill.c, stats.c ---- */
int cg_freeze(const struct cgfs *s, bool frozen, int timeout_ms, struct modrun_error **reterr);
/* Is the container frozen now (paused): FROZEN or FREEZING in the v1
 * freezer, or cgroup.freeze 1 in cgroup v2? */
bool cg_is_frozen(const struct cgfs *s);
/* ---- sub.c ---- */
/* exec --cgroup: pid into the sub-cgroups subs name (modrun_cgroup_ops.enter_sub). */
int cg_enter_sub(const struct cgfs *s, pid_t pid, const struct modrun_sub_cgroup *subs, size_t n,
                 struct modrun_error **reterr);
/* create: -EBUSY (error set) when the container's cgroup is frozen already
 * (v1 freezer, by itself or an ancestor, or cgroup.freeze in cgroup v2). */
int cg_check_not_frozen(const struct cgfs *s, struct modrun_error **reterr);
int cg_kill_all(const struct cgfs *s, int signo, int timeout_ms, struct modrun_error **reterr);
int cg_stats(const struct cgfs *s, struct json_object **ret, struct modrun_error **reterr);
/* modrun_cgroup_ops.oom_count */
int cg_oom_count(const struct cgfs *s, uint64_t *ret, struct modrun_error **reterr);
void cg_stats_v1(const struct cgfs *s, struct json_object *out);
void cg_stats_v2(const char *dir, struct json_object *out, bool want_cpu, bool want_memory, bool want_pids,
                 bool want_io, bool want_hugetlb);
void cg_stats_v2_hugetlb(const char *dir, struct json_object *out);
/* Small helpers for stats-*.c. */
struct json_object *cg_stats_section(struct json_object *out, const char *key);
void cg_stats_set_u64(struct json_object *o, const char *key, uint64_t v, bool omitempty);

#endif
