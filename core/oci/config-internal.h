/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the config-*.c parsers; not used outside core/oci. Each
 * config_parse_<part>() fills its part of an oci_config that the caller
 * frees with config_free() on failure, so partial results never leak. */
#pragma once

#include "config.h"
#include "json-util.h"

/* "/..." */
static inline bool path_is_absolute(const char *p) { return p && p[0] == '/'; }

/* process */
int config_parse_process(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                         struct oci_process *ret);

/* mounts */
int config_parse_mounts(const struct json_ctx *c, struct json_object *top, struct oci_config *cfg);
void config_mount_done(void *mount);
/* uidMappings/gidMappings entries, shared with linux.* */
int config_parse_idmaps(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                        const char *key, struct oci_idmap **ret, size_t *ret_n);

/* linux */
int config_parse_linux(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                       struct oci_linux *ret);
void config_linux_done(struct oci_linux *l);

/* runtime-spec 1.1-1.3 fields (config-spec13.c) */
int config_parse_process_spec13(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                                struct oci_process *proc);
int config_parse_linux_spec13(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                              struct oci_linux *l);
void config_linux_spec13_done(struct oci_linux *l);

/* Type and range checks of the parts kept only as raw json (config-ranges.c):
 * linux.resources and linux.seccomp. */
int config_check_resources(const struct json_ctx *c, const struct json_path *p, struct json_object *resources);
int config_check_seccomp(const struct json_ctx *c, const struct json_path *p, struct json_object *seccomp);

/* A string member that must be an absolute path: 1 set, 0 absent. */
int config_member_abspath(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                          const char *key, bool required, char **ret);
/* A list of absolute paths (maskedPaths, readonlyPaths). */
int config_member_abspaths(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                           const char *key, char ***ret);

/* The variant of config_parse() whose messages start with `name`. */
int config_parse_named(const char *text, size_t len, const char *name, struct oci_config **ret,
                       struct modrun_error **reterr);
