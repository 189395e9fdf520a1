/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The parsed OCI runtime-spec (1.x) Linux configuration.
 *
 * config_parse() fills this from config.json; every field that the runtime
 * uses now or later is here. Absent optional values: NULL pointers, 0
 * counts, and has_* flags for scalars whose zero is meaningful. The raw
 * json-c document stays available (oci_config.json) for plugins, which read
 * the parts they own (linux.resources, annotations) through the host table.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct json_object;

/* The runtime-spec version modrun implements: `spec` writes it, state,
 * hooks and the seccomp listener report it, `features` lists it as
 * ociVersionMax. */
#define OCI_VERSION_IMPLEMENTED "1.3.0"

struct oci_rlimit {
        int resource; /* RLIMIT_* */
        char *type;   /* "RLIMIT_NOFILE" as written */
        uint64_t hard, soft;
};

struct oci_capabilities {
        /* each a NULL-terminated list of "CAP_..." names, NULL when absent.
         * An absent list, or process.capabilities absent altogether, is an
         * empty set, as in runc: a process never keeps the runtime's
         * capabilities by omission. */
        char **bounding, **effective, **inheritable, **permitted, **ambient;
};

struct oci_user {
        uid_t uid;
        gid_t gid;
        bool has_umask;
        mode_t umask;
        gid_t *additional_gids;
        size_t n_additional_gids;
        char *username; /* Windows field, ignored on Linux */
};

struct oci_console_size {
        unsigned height, width;
};

/* A set of CPU or NUMA node numbers ("0-3,7"), CPU_SETSIZE (1024) bits. */
#define OCI_BITMAP_BITS 1024
struct oci_bitmap {
        uint64_t bits[OCI_BITMAP_BITS / 64];
        unsigned highest; /* the highest number set + 1; 0 when empty */
};

struct oci_scheduler { /* sched_setattr(2) */
        bool present;
        uint32_t policy;  /* SCHED_* */
        int32_t nice;     /* -20..19 */
        uint32_t priority;
        uint64_t flags;   /* SCHED_FLAG_* */
        uint64_t runtime, deadline, period; /* ns, SCHED_DEADLINE */
};

struct oci_io_priority { /* ioprio_set(2) */
        bool present;
        int klass;    /* IOPRIO_CLASS_RT, _BE, _IDLE */
        int priority; /* 0..7 */
};

struct oci_cpu_affinity {
        bool has_initial, has_final; /* an absent or empty list is no change */
        struct oci_bitmap initial, final;
};

struct oci_process {
        bool terminal;
        bool has_console_size;
        struct oci_console_size console_size;
        char *cwd;   /* required, absolute */
        char **args; /* NULL-terminated, >= 1 element for a process that runs */
        char **env;  /* NULL-terminated "K=V" */
        struct oci_user user;
        struct oci_capabilities caps;
        struct oci_rlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        bool has_oom_score_adj;
        int oom_score_adj;
        char *apparmor_profile;
        char *selinux_label;
        struct oci_scheduler sched;         /* process.scheduler */
        struct oci_io_priority io_priority; /* process.ioPriority */
        struct oci_cpu_affinity affinity;   /* process.execCPUAffinity */
};

struct oci_root {
        char *path; /* as written: absolute or relative to the bundle */
        bool readonly;
};

struct oci_idmap {
        uint32_t container_id, host_id, size;
};

struct oci_mount {
        char *destination; /* absolute inside the container */
        char *type;        /* may be NULL ("bind" implied by options) */
        char *source;      /* may be NULL */
        char **options;    /* NULL-terminated, as written */
        struct oci_idmap *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
};

enum oci_ns_type {
        OCI_NS_PID,
        OCI_NS_NETWORK,
        OCI_NS_MOUNT,
        OCI_NS_IPC,
        OCI_NS_UTS,
        OCI_NS_USER,
        OCI_NS_CGROUP,
        OCI_NS_TIME,
        _OCI_NS_MAX,
};

struct oci_namespace {
        enum oci_ns_type type;
        char *path; /* NULL: create a new one; else join this one */
};

struct oci_device {
        char *path; /* absolute inside the container */
        char type;  /* 'c', 'b', 'u' (= c) or 'p' */
        int64_t major, minor;
        bool has_file_mode;
        mode_t file_mode;
        bool has_uid, has_gid;
        uid_t uid;
        gid_t gid;
};

struct oci_sysctl {
        char *key, *value;
};

struct oci_hook {
        char *path;
        char **args; /* NULL-terminated or NULL */
        char **env;  /* NULL-terminated or NULL */
        bool has_timeout;
        int timeout; /* seconds, > 0 */
};

enum oci_hook_kind {
        OCI_HOOK_PRESTART,
        OCI_HOOK_CREATE_RUNTIME,
        OCI_HOOK_CREATE_CONTAINER,
        OCI_HOOK_START_CONTAINER,
        OCI_HOOK_POSTSTART,
        OCI_HOOK_POSTSTOP,
        _OCI_HOOK_MAX,
};

struct oci_time_offset {
        int64_t secs;
        uint32_t nanosecs;
        bool present;
};

struct oci_personality {
        bool present;
        unsigned long domain; /* PER_LINUX or PER_LINUX32 */
};

struct oci_memory_policy { /* set_mempolicy(2) */
        bool present;
        int mode;       /* MPOL_* */
        unsigned flags; /* MPOL_F_STATIC_NODES | ... */
        struct oci_bitmap nodes;
};

struct oci_net_device {
        char *host_name; /* the key: the interface in the runtime's netns */
        char *name;      /* its name in the container (the key when unset) */
};

struct oci_intel_rdt {
        bool present;
        char *clos_id;          /* NULL: the container's id */
        char *l3_cache_schema;  /* "L3:0=ffff;1=ffff", or NULL */
        char *mem_bw_schema;    /* "MB:0=70", or NULL */
        char **schemata;        /* NULL-terminated lines, or NULL */
        bool enable_monitoring;
};

struct oci_linux {
        struct oci_namespace *namespaces;
        size_t n_namespaces;
        struct oci_idmap *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
        struct oci_device *devices;
        size_t n_devices;
        char *cgroups_path; /* NULL when absent */
        struct oci_sysctl *sysctl;
        size_t n_sysctl;
        char **masked_paths;   /* NULL-terminated or NULL */
        char **readonly_paths; /* NULL-terminated or NULL */
        char *rootfs_propagation; /* "private", "rslave", ... or NULL */
        char *mount_label;
        struct oci_time_offset time_boottime, time_monotonic;
        /* runtime-spec 1.1-1.3 (config-spec13.c) */
        struct oci_personality personality;
        struct oci_memory_policy memory_policy;
        struct oci_net_device *net_devices;
        size_t n_net_devices;
        struct oci_intel_rdt intel_rdt;
        /* linux.resources, linux.seccomp: read from the raw json by the
         * component that owns them */
        const struct json_object *resources; /* borrowed from json, or NULL */
        const struct json_object *seccomp;   /* borrowed from json, or NULL */
};

struct oci_annotation {
        char *key, *value;
};

struct oci_config {
        char *oci_version;
        char *hostname; /* NULL when absent */
        char *domainname;
        struct oci_root root;
        bool has_process;
        struct oci_process process;
        struct oci_mount *mounts;
        size_t n_mounts;
        struct oci_hook *hooks[_OCI_HOOK_MAX];
        size_t n_hooks[_OCI_HOOK_MAX];
        struct oci_annotation *annotations;
        size_t n_annotations;
        bool has_linux;
        struct oci_linux linux_;
        struct json_object *json; /* the whole document (owned) */
};

/* The largest config.json (or exec --process file) read: 4 MiB, hundreds
 * of times a real one (runc's default spec is 3 KiB, a Kubernetes pod's
 * with a seccomp profile about 100 KiB). A bigger file, a FIFO, a device
 * (config.json -> /dev/zero) or a directory is refused before it is read. */
#define CONFIG_FILE_MAX_BYTES ((size_t)4 << 20)
/* json-c spends ~750 bytes on an empty object: 4 MiB of "{}," would take
 * 1 GiB. So a document may hold at most this many objects and arrays, and
 * this many values (about 60 MiB of json-c objects at worst). */
#define CONFIG_JSON_MAX_CONTAINERS 32768
#define CONFIG_JSON_MAX_VALUES 262144

/* Parse config.json text. Errors name the JSON path and what was expected:
 * "process.args[0]: expected a string, got number". Unknown fields are
 * ignored; ociVersion outside 1.x is refused. */
int config_parse(const char *text, size_t len, struct oci_config **ret, struct modrun_error **reterr);
/* Read and parse <bundle>/config.json, or file instead when not NULL (crun's
 * create/run --config; relative to the current directory). The error names
 * the file. */
int config_load(const char *bundle, const char *file, struct oci_config **ret, struct modrun_error **reterr);
/* Read a JSON object from a file the user names (exec --process, update
 * -r; "-" is standard input): a regular file, or one of the caller's own
 * streams (fs_is_own_stream: a pipe is fine), of at most
 * CONFIG_FILE_MAX_BYTES; syntax errors carry line and column, prefixed
 * with path. */
int config_read_json_object(const char *path, struct json_object **ret, struct modrun_error **reterr);
struct oci_config *config_free(struct oci_config *c);
static inline void config_freep(struct oci_config **c) { config_free(*c); }
#define _cleanup_config_ _cleanup_(config_freep)

/* Parse a process object alone (`exec --process FILE`); name prefixes the
 * messages. On success *ret owns its strings: free with config_process_done(). */
int config_parse_process_json(const char *text, size_t len, const char *name, struct oci_process *ret,
                              struct modrun_error **reterr);
void config_process_done(struct oci_process *proc);

/* The type and range checks config_parse() makes of linux.resources, for a
 * resources object given alone (`update -r FILE`); name prefixes the
 * messages. */
int config_check_resources_json(const char *name, struct json_object *resources, struct modrun_error **reterr);

/* Append runc's default device rules (mknod of any device; null, zero,
 * full, random, urandom, tty, ptmx, pts usable) to linux.resources.devices
 * in the json, creating it when absent (so every config reaches the device
 * owner, which reads it as an allow-list). A value that is not an array is
 * left for the device owner to refuse. */
int config_add_default_device_rules(struct oci_config *cfg);

/* An annotation's value or NULL. */
const char *config_annotation(const struct oci_config *c, const char *key);
/* The namespace entry of that type, or NULL when the config has none. */
const struct oci_namespace *config_namespace(const struct oci_config *c, enum oci_ns_type t);
/* "prestart", "createRuntime", ... */
const char *oci_hook_kind_to_string(enum oci_hook_kind k);
/* "pid", "network", ... */
const char *oci_ns_type_to_string(enum oci_ns_type t);
/* CLONE_NEWPID, ... for the type. */
int oci_ns_type_to_clone_flag(enum oci_ns_type t);

/* Resolve root.path (absolute, or relative to bundle) once into an absolute,
 * canonical path; the error says which path was tried. */
int config_resolve_rootfs(const struct oci_config *c, const char *bundle, char **ret_path,
                          struct modrun_error **reterr);

/* "0-3,7" (a cpuset list) into ret; the error names what (a JSON path)
 * and the bad part. An empty string is an empty set. */
int config_parse_bitmap(const char *what, const char *list, struct oci_bitmap *ret, struct modrun_error **reterr);
static inline bool oci_bitmap_test(const struct oci_bitmap *b, unsigned n)
{
        return n < OCI_BITMAP_BITS && (b->bits[n / 64] >> (n % 64) & 1);
}
/* Names for `features`: NULL-terminated. */
const char *const *config_memory_policy_modes(void);
const char *const *config_memory_policy_flags(void);

/* The default spec `modrun spec` writes (runc's, busybox "sh"); rootless
 * adds a user namespace and the rootless adjustments. Returns JSON text. */
int spec_generate(bool rootless, char **ret_json, struct modrun_error **reterr);
