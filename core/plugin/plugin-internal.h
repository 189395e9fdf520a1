/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the plugin host, shared by the files of core/plugin and its tests:
 * the per-kind facts (baseline sizes, mandatory ops, defaults), the config
 * files, the selection, the loader and the built-in plugins.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugin/plugins.h"

/* ---- kinds (kind.c) ---- */

struct plugin_op_ref {
        size_t offset;
        const char *name;
};

struct plugin_kind_info {
        uint32_t kind;
        const char *name;         /* "cgroup": the file name prefix and --plugin KIND */
        const char *label;        /* "cgroup manager": for --debug and errors */
        const char *conf_key;     /* "cgroup-manager": the config file key */
        const char *default_name; /* what "auto" becomes (mount: detected) */
        bool none_allowed;        /* "none" means no plugin of this kind */
        size_t baseline;          /* MODRUN_<KIND>_OPS_SIZE_1_0 */
        size_t core_size;         /* sizeof(struct modrun_<kind>_ops) here */
        struct plugin_op_ref mandatory[6]; /* terminated by name == NULL */
};

const struct plugin_kind_info *plugin_kind_info(uint32_t kind);
/* Is name a plugin name ([a-z0-9-_.], not empty, no "..", at most 64
 * bytes)? what says where it came from ("--plugin mount=NAME", a config
 * file line) for the error. */
int plugin_name_validate(const char *name, const char *what, struct modrun_error **reterr);

/* Build an error whose errnum is errnum but whose message gets no strerror()
 * text appended (a refusal, not a failed syscall). */
int plugin_refuse(struct modrun_error **reterr, int errnum, const char *hint, const char *fmt, ...)
        _printf_(4, 5);

/* ---- config files (config-file.c) ---- */

struct plugin_conf_value {
        char *value;  /* a plugin name, "auto" or "none" */
        char *origin; /* "from /etc/modrun/modrun.conf line 3" */
};

struct plugin_conf {
        struct plugin_conf_value choice[PLUGIN_KIND_MAX + 1];
        char **dirs; /* plugin-dir entries, NULL-terminated or NULL */
        size_t n_dirs;
};

/* Parse one config file's text (path is for messages) into conf: keys
 * override what conf had; plugin-dir lines, if any, replace conf's list. */
int plugin_conf_parse(const char *path, const char *text, struct plugin_conf *conf, struct modrun_error **reterr);
/* Read the config files by precedence: MODRUN_CONFIG alone when set, else
 * the distribution default then the admin override (each optional). */
int plugin_conf_load(struct plugin_conf *conf, struct modrun_error **reterr);
void plugin_conf_done(struct plugin_conf *conf);
/* Tests: read these files instead of MODRUN_DATADIR/modrun.conf and
 * MODRUN_SYSCONFDIR/modrun/modrun.conf (NULL: back to the defaults). */
void plugin_conf_set_paths(const char *distribution_file, const char *admin_file);

/* ---- selection (select.c) ---- */

struct plugin_choice {
        char *name;   /* a plugin name or "none" ("auto" is resolved) */
        char *reason; /* "--cgroup-manager", "built-in default", "auto: ..." */
};

struct plugin_selection {
        struct plugin_choice by_kind[PLUGIN_KIND_MAX + 1];
        char **dirs; /* search order, NULL-terminated */
        size_t n_dirs;
};

/* Choose one name per kind (flags > config files > automatic defaults) and
 * the plugin directories (--plugin-dir, config plugin-dir, MODRUN_PLUGINDIR).
 * Logs every choice and its reason at debug level. */
int plugin_select(const struct plugin_options *opts, struct plugin_selection *ret, struct modrun_error **reterr);
void plugin_selection_done(struct plugin_selection *sel);
/* Only the directories (for plugins_list). */
int plugin_search_dirs(const struct plugin_options *opts, char ***ret_dirs, size_t *ret_n,
                       struct modrun_error **reterr);
void plugin_strv_free(char **v);

/* Is "/" an initramfs? 1 yes, 0 no, *ret_why explains (detect.c reads
 * this process's mount table once for both questions; a test may define
 * these itself to replace them). */
int plugin_detect_initramfs(char **ret_why, struct modrun_error **reterr);
/* Is the cgroup v1 devices controller mounted (1), or not (0)? */
int plugin_detect_devices_v1(void);

/* ---- descriptor check (desc-check.c, pure) ---- */

/* Check a descriptor read from path against what the file name promises
 * (kind, name) and the ABI: 0, or -ENOEXEC with *reterr naming the field
 * and the fix (-EINVAL when kind itself is not a kind). Reads the
 * descriptor, its name and no more of the ops table than its size says. */
int plugin_validate(const char *path, const struct modrun_plugin *desc, uint32_t kind, const char *name,
                    struct modrun_error **reterr);

/* ---- loader (loader.c) ---- */

/* Open dir/<kind>-<name>.so (O_PATH|O_NOFOLLOW), check the file and its
 * directory, dlopen it through /proc/self/fd and validate its descriptor.
 * Returns 1 and fills the outputs when loaded, 0 when the file is not in
 * dir (no error set), -errno with *reterr on a refusal. */
int plugin_load_from_dir(const char *dir, uint32_t kind, const char *name, void **ret_handle,
                         const struct modrun_plugin **ret_desc, char **ret_path, struct modrun_error **reterr);
/* Search dirs in order; a name not found anywhere is an error that lists the
 * directories searched and the plugins of that kind available. */
int plugin_load_search(char *const *dirs, uint32_t kind, const char *name, void **ret_handle,
                       const struct modrun_plugin **ret_desc, char **ret_path, struct modrun_error **reterr);
/* Names of the <kind>-*.so files in dirs plus the built-ins, ", "-joined. */
char *plugin_available_names(char *const *dirs, uint32_t kind);

/* ---- built-ins (builtin.c) ---- */

const struct modrun_plugin *plugin_builtin_find(uint32_t kind, const char *name);
/* The built-in descriptors, NULL-terminated. */
extern const struct modrun_plugin *const plugin_builtins[];

/* ---- host table (host.c) ---- */

/* Fill host for plugin pl: strings point into hp (which must outlive the
 * table), logs are prefixed with pl's kind and name, host->core = pl. */
void plugin_host_init(struct modrun_host *host, const struct host_params *hp, const struct plugin *pl);

/* ---- probing for features (list.c) ---- */

/* Probe dir/file in a forked child: fills obj's usable/error/version/abi. */
void plugin_probe(const char *dir, const char *file, uint32_t kind, const char *name, int timeout_ms,
                  struct json_object *obj);
