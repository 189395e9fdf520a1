/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The plugin host: choose one plugin per kind (flags > config files >
 * automatic defaults), load it from the configured directories only, check
 * it, build the host table and init() it. Everything is loaded before the
 * container's namespaces are entered; nothing is dlclose()d while running.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <modrun/plugin.h>

#include "util/error.h"

struct json_object;

#define PLUGIN_KIND_MAX 5 /* kinds are MODRUN_KIND_* (1..5) */
#define PLUGIN_KIND_BIT(k) (1u << (k))

/* What the command line chose (NULL = not given). */
struct plugin_options {
        char *choice[PLUGIN_KIND_MAX + 1]; /* by MODRUN_KIND_*: --plugin KIND=NAME and its aliases */
        const char *choice_flag[PLUGIN_KIND_MAX + 1]; /* which flag set it, for --debug */
        char **plugin_dirs;                /* --plugin-dir, repeatable, NULL-terminated or NULL */
        size_t n_plugin_dirs;
        bool no_user_namespace; /* create: the config makes none, so no automatic namespace plugin */
        bool load_checkpoint;   /* checkpoint, restore: also load the checkpoint engine (else never) */
        uint32_t kinds;         /* load only these kinds (bits PLUGIN_KIND_BIT(k)); 0: every kind */
};

/* What the host table describes. */
struct host_params {
        const char *container_id;
        const char *bundle;
        const char *state_dir;
        const char *rootfs;
        const struct json_object *config; /* may be NULL */
        bool rootless;
};

struct plugin {
        uint32_t kind;
        char *name;
        char *path;    /* NULL for a built-in plugin */
        char *reason;  /* why it was chosen, for --debug */
        const struct modrun_plugin *desc;
        const void *ops; /* cast by kind */
        void *state;     /* from ops->init */
        bool initialized;
};

struct plugins {
        struct plugin *by_kind[PLUGIN_KIND_MAX + 1]; /* NULL when the kind is "none" */
        struct modrun_host host;
        /* private to the host implementation */
        void *priv;
};

/* "cgroup", "devices", "namespace", "mount", "checkpoint"; and back (0 when unknown). */
const char *plugin_kind_to_string(uint32_t kind);
uint32_t plugin_kind_from_string(const char *s);

/* Parse "KIND=NAME" of --plugin into opts. */
int plugin_options_set(struct plugin_options *opts, const char *kind_eq_name, const char *flag,
                       struct modrun_error **reterr);
void plugin_options_done(struct plugin_options *opts);

/* Choose, load, check and init a plugin for every kind. On failure nothing
 * stays loaded or initialised. */
int plugins_load(const struct plugin_options *opts, const struct host_params *hp, struct plugins **ret,
                 struct modrun_error **reterr);
/* fini() every plugin, free everything (no dlclose). NULL-safe. */
struct plugins *plugins_free(struct plugins *p);
static inline void plugins_freep(struct plugins **p) { plugins_free(*p); }
#define _cleanup_plugins_ _cleanup_(plugins_freep)

/* Typed access; NULL when the kind is "none". */
const struct modrun_mount_ops *plugins_mount(const struct plugins *p, void **ret_state);
const struct modrun_cgroup_ops *plugins_cgroup(const struct plugins *p, void **ret_state);
const struct modrun_devices_ops *plugins_devices(const struct plugins *p, void **ret_state);
const struct modrun_namespace_ops *plugins_namespace(const struct plugins *p, void **ret_state);
const struct modrun_checkpoint_ops *plugins_checkpoint(const struct plugins *p, void **ret_state);
/* Is kind one that every container command loads (all but checkpoint)? */
static inline bool plugin_kind_is_per_container(uint32_t kind) { return kind != MODRUN_KIND_CHECKPOINT; }

/* For `modrun features`: every plugin file found in the configured
 * directories, each probed in a forked child: a json array of objects
 * {kind,name,version,abi,path,description,usable,error}. Never fails
 * because a plugin is broken. */
int plugins_list(const struct plugin_options *opts, struct json_object **ret_array,
                 struct modrun_error **reterr);
