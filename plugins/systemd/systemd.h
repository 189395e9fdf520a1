/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup manager "systemd": the container's cgroup is a transient scope
 * unit started through sd-bus (docs/systemd.md).
 *
 * Internal header, shared by the plugin's topic files only:
 *   unit-name.c  linux.cgroupsPath "slice:prefix:name" -> slice, unit, cgroup (pure)
 *   props.c      linux.resources and org.systemd.property.* -> unit properties,
 *                and the cgroup files properties cannot express (pure)
 *   props-io.c   blockIO device weights and throttles, hugepageLimits, rdma:
 *                IO*Max=/IODeviceWeight= or files in the delegated cgroup (pure)
 *   devices.c    linux.resources.devices -> DeviceAllow + DevicePolicy (pure)
 *   bus.c        connect, call, wait for a job (JobRemoved, bounded)
 *   libsystemd.c sd-bus, dlopen()ed by the first connect (libsystemd.h)
 *   cgdir.c      the scope's cgroup2 directory: files, pids, freeze, kill, stats
 *   delegate.c   what the plugin writes itself in the delegated cgroup: the
 *                files, /dev/block links, controllers systemd does not manage
 *   systemd.c    the ops table and the state
 * The pure files use neither the host table nor sd-bus, so the unit tests
 * compile them alone.
 */
#ifndef MODRUN_SYSTEMD_H
#define MODRUN_SYSTEMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include <modrun/plugin.h>
#include "../common/clock.h"
#include "../common/test-faults.h"

struct json_object;

static inline void sdp_freep(void *p) { free(*(void **)p); }
#define _cleanup_free_ __attribute__((cleanup(sdp_freep)))

#define SD_INFINITY UINT64_MAX

/* ---- unit-name.c (pure) ---- */
struct sd_unit_name {
        char *slice; /* "system.slice" */
        char *unit;  /* "modrun-ID.scope" */
};
/* runc's "slice:prefix:name"; "" means "<default_slice>:modrun:<id>". An
 * empty slice is default_slice. -EINVAL with *ret_why (static text). */
int sd_unit_name_parse(const char *cgroups_path, const char *id, const char *default_slice,
                       struct sd_unit_name *ret, const char **ret_why);
void sd_unit_name_done(struct sd_unit_name *n);
/* Unit name characters and length (systemd's unit_name_is_valid, simplified). */
bool sd_unit_name_valid(const char *name, const char *suffix);
/* "a-b.slice" -> "/a.slice/a-b.slice"; "-.slice" -> "" (the root). */
int sd_slice_expand(const char *slice, char **ret);

/* ---- props.c (pure) ---- */
struct sd_dev_allow {
        char *path;      /* "/dev/char/1:3", "char-pts", "char-*" */
        char access[4];  /* subset of "rwm" */
};

/* One entry of an a(st) property: IOReadBandwidthMax=/dev/block/8:0 1048576 */
struct sd_dev_value {
        char *path;
        uint64_t value;
};

struct sd_prop {
        char name[64];
        char type; /* 'b' 't' 'u' 'i' 'x' 's' 'd'; 'y' = ay; 'D' = a(ss); 'P' = au; 'V' = a(st) */
        uint64_t u;
        int64_t i;
        double d;
        char *s;
        uint8_t *bytes;
        size_t n;
        struct sd_dev_allow *devs;
        uint32_t *pids;
        struct sd_dev_value *dvals; /* 'V', n entries */
};

struct sd_file {
        char *file; /* "memory.high" */
        char *value;
};

struct sd_props {
        struct sd_prop *v;
        size_t n, cap;
        struct sd_file *files; /* written in the delegated cgroup */
        size_t n_files, cap_files;
        /* files for a sub-cgroup: the same limits as the properties */
        struct sd_file *sub;
        size_t n_sub, cap_sub;
};

void sd_props_done(struct sd_props *p);
struct sd_prop *sd_props_add(struct sd_props *p, const char *name, char type);
int sd_props_add_u64(struct sd_props *p, const char *name, uint64_t v);
int sd_props_add_bool(struct sd_props *p, const char *name, bool v);
int sd_props_add_str(struct sd_props *p, const char *name, const char *v);
int sd_props_add_file(struct sd_file **files, size_t *n, size_t *cap, const char *file, const char *value);
const struct sd_prop *sd_props_find(const struct sd_props *p, const char *name);

uint64_t sd_shares_to_weight(uint64_t shares);
uint64_t sd_blkio_weight_to_io(uint64_t weight);
/* runc's CPUQuotaPerSecUSec: quota per second, rounded up to 10 ms. */
uint64_t sd_cpu_quota_per_sec(int64_t quota, uint64_t period);
/* "0-3,5" -> bit mask, byte i/8 bit i%8 for CPU i (systemd's "ay"). */
int sd_cpuset_to_mask(const char *list, uint8_t **ret, size_t *ret_n);
/* Does /dev/block/MAJ:MIN resolve to that block device? systemd takes IO
 * limits and device weights only for a device path. NULL: never. */
typedef bool (*sd_block_dev_fn)(int64_t major, int64_t minor, void *userdata);
/* linux.resources (not devices) -> properties and files. -EINVAL with
 * *ret_why (malloc()ed) naming the field. */
int sd_props_from_resources(const struct json_object *resources, sd_block_dev_fn block_dev, void *userdata,
                            struct sd_props *p, char **ret_why);

/* ---- props-io.c (pure) ---- */
/* blockIO.weightDevice and throttle*Device: with a /dev/block path the
 * IODeviceWeight= / IO{Read,Write}{Bandwidth,IOPS}Max= properties (a
 * throttle also as an io.max line, so a value the kernel refuses is an
 * error and not only a line in systemd's log), else io.weight / io.max
 * lines written directly. */
int sd_blockio_device_props(const struct json_object *blkio, sd_block_dev_fn block_dev, void *userdata,
                            struct sd_props *p, char **ret_why);
/* hugepageLimits -> hugetlb.<size>.max; rdma -> rdma.max (no property). */
int sd_hugetlb_files(const struct json_object *limits, struct sd_props *p, char **ret_why);
int sd_rdma_files(const struct json_object *rdma, struct sd_props *p, char **ret_why);
/* "why" helper shared by props*.c: sets *ret_why once, returns -EINVAL. */
int sd_why(char **ret_why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append one entry to an 'V' property named name (created on first use). */
int sd_props_add_dev_value(struct sd_props *p, const char *name, const char *path, uint64_t value);
/* One org.systemd.property.NAME=VALUE annotation (runc's syntax: VALUE is
 * a GVariant text literal: true, 'text', uint64 5, @t 5, 5t, 5u, 5;
 * NAME ending in a lowercase letter + "Sec" becomes ...USec, in usec). */
int sd_props_from_annotation(const char *name, const char *value, struct sd_props *p, char **ret_why);

/* ---- devices.c (pure) ---- */
struct sd_dev_link {
        char type; /* 'c' 'b' */
        int64_t major, minor;
};
struct sd_devices {
        bool allow_all; /* DevicePolicy=auto, no DeviceAllow */
        struct sd_dev_allow *allow;
        size_t n;
        struct sd_dev_link *links; /* /dev/{char,block}/M:m paths used */
        size_t n_links;
};
/* OCI rules (json array, in order, last match wins) -> DeviceAllow entries.
 * proc_devices is /proc/devices' text (majors by name); linux_devices the
 * config's linux.devices (may be NULL). -EINVAL with *ret_why (malloc()ed)
 * naming the rule and the fix. */
int sd_devices_translate(const struct json_object *rules, const char *proc_devices,
                         const struct json_object *linux_devices, struct sd_devices *ret, char **ret_why);
void sd_devices_done(struct sd_devices *d);
/* The name of char ('c') or block ('b') major in /proc/devices' text, or NULL. */
const char *sd_proc_devices_name(const char *proc_devices, char type, int64_t major, char *buf, size_t size);
/* Append DeviceAllow then DevicePolicy to p. */
int sd_devices_to_props(const struct sd_devices *d, struct sd_props *p);

/* ---- bus.c ---- */
struct sd_bus;
struct sdlib;
struct sdb {
        const struct modrun_host *host;
        const struct sdlib *lib; /* libsystemd, loaded by sdb_connect() */
        struct sd_bus *bus;
        bool user; /* the user manager */
        pid_t pid; /* the process that connected (sd-bus does not survive fork) */
        /* JobRemoved signals seen: job path and result */
        struct {
                char path[128];
                char result[32];
        } done[16];
        size_t n_done;
};
int sdb_connect(struct sdb *b, bool user, struct modrun_error **reterr);
void sdb_close(struct sdb *b);
/* StartTransientUnit(unit, "fail", props, []) and wait for its job: 1. */
int sdb_start_unit(struct sdb *b, const char *unit, const struct sd_props *p, int timeout_ms,
                   struct modrun_error **reterr);
/* SetUnitProperties(unit, runtime=true, props). */
int sdb_set_properties(struct sdb *b, const char *unit, const struct sd_props *p, int timeout_ms,
                       struct modrun_error **reterr);
/* StopUnit(unit, "replace") and wait for its job; then ResetFailedUnit:
 * 1. 0 when the unit does not exist. */
int sdb_stop_unit(struct sdb *b, const char *unit, int timeout_ms, struct modrun_error **reterr);
/* 1 when the unit is loaded, 0 when not; its ControlGroup when asked. */
int sdb_unit_cgroup(struct sdb *b, const char *unit, char **ret_cgroup, int timeout_ms,
                    struct modrun_error **reterr);
/* KillUnit(unit, "all", signo). */
int sdb_kill_unit(struct sdb *b, const char *unit, int signo, int timeout_ms, struct modrun_error **reterr);

/* ---- delegate.c ---- */
/* Controllers systemd does not manage (hugetlb, rdma, misc) that files
 * need: "+ctrl" in cgroup.subtree_control of every ancestor of dir, from
 * root down, that lacks it. The error names the file and the value. */
int sdd_enable_unmanaged(const char *root, const char *dir, const struct sd_file *files, size_t n,
                         const struct modrun_host *host, struct modrun_error **reterr);
/* Is /dev/block/M:m (or /dev/char) a link to that device? When it is
 * missing and a node of that number exists in /dev, make the link as udev
 * would. The log callback may be NULL. */
bool sdd_dev_link(char type, int64_t major, int64_t minor, const struct modrun_host *host);
/* A hint for a failed write of file (ENOENT of hugetlb.* ...), or NULL. */
const char *sdd_write_hint(const char *file, int err);

/* ---- cgdir.c ---- */
/* The cgroup2 mount ("/sys/fs/cgroup" or "/sys/fs/cgroup/unified"), or NULL. */
const char *sdc_unified_root(void);
/* dir/file, never through a symlink: read whole, or value in one write() */
int sdc_read(const char *dir, const char *file, char **ret);
int sdc_write(const char *dir, const char *file, const char *value);
/* Every pid in dir and its children. */
int sdc_pids(const char *dir, pid_t **ret, size_t *ret_n);
/* pid's cgroup2 directory below root when its last component is unit: 1
 * and *ret (absolute), 0 when it is elsewhere, or -errno. sdc_scope_in()
 * does it for the text of a /proc/PID/cgroup (changed by strtok_r). */
int sdc_pid_scope(const char *root, pid_t pid, const char *unit, char **ret);
int sdc_scope_in(char *proc_cgroup, const char *root, const char *unit, char **ret);
/* The scope's directory, as create() found it, kept in the container's
 * state directory so that later commands need no bus: save; load gives 1
 * and *ret while that directory exists, 0 once it is gone, -ENOENT when
 * nothing usable was recorded (a container of an older modrun, a path not
 * below root, the cgroup2 mount): then ask systemd. */
#define SDC_RECORD "cgroup-systemd.scope"
int sdc_record_save(const char *state_dir, const char *scope);
int sdc_record_load(const char *state_dir, const char *root, char **ret);

#endif
