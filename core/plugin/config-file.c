/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration files (docs/configuration.md): lines "key = value",
 * '#' comments, blank lines. The distribution default is read first, the
 * admin override second (key by key); MODRUN_CONFIG, when set, names the one
 * file read instead of both (ignored when running setuid: secure_getenv).
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modrun-config.h"
#include "plugin/plugin-internal.h"
#include "util/fs-util.h"
#include "util/log.h"

#define CONF_DISTRIBUTION MODRUN_DATADIR "/modrun.conf"
#define CONF_ADMIN MODRUN_SYSCONFDIR "/modrun/modrun.conf"

static const char *conf_distribution = CONF_DISTRIBUTION;
static const char *conf_admin = CONF_ADMIN;

void plugin_conf_set_paths(const char *distribution_file, const char *admin_file)
{
        conf_distribution = distribution_file ? distribution_file : CONF_DISTRIBUTION;
        conf_admin = admin_file ? admin_file : CONF_ADMIN;
}

static void conf_value_done(struct plugin_conf_value *v)
{
        free(v->value);
        free(v->origin);
        v->value = v->origin = NULL;
}

void plugin_conf_done(struct plugin_conf *conf)
{
        if (!conf)
                return;
        for (uint32_t k = 0; k <= PLUGIN_KIND_MAX; k++)
                conf_value_done(&conf->choice[k]);
        plugin_strv_free(conf->dirs);
        conf->dirs = NULL;
        conf->n_dirs = 0;
}

static char *strip(char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

static int strv_push(char ***v, size_t *n, const char *s)
{
        char **nv = realloc(*v, (*n + 2) * sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[*n] = strdup(s);
        if (!nv[*n])
                return -ENOMEM;
        nv[++*n] = NULL;
        return 0;
}

static const char known_keys[] = "cgroup-manager, devices, namespace, mount-strategy, checkpoint, plugin-dir";

/* One "key = value" line, already stripped and not a comment. */
static int conf_parse_line(const char *path, unsigned line, char *s, struct plugin_conf *file_conf,
                           struct modrun_error **reterr)
{
        char *eq = strchr(s, '=');
        if (!eq)
                return plugin_refuse(reterr, EINVAL, "write lines as \"key = value\"; '#' starts a comment",
                                     "%s:%u: expected \"key = value\", found \"%s\"", path, line, s);
        *eq = '\0';
        const char *key = strip(s), *value = strip(eq + 1);
        if (!*value)
                return plugin_refuse(reterr, EINVAL, "give a value or remove the line",
                                     "%s:%u: \"%s\" has no value", path, line, key);
        if (streq(key, "plugin-dir")) {
                if (value[0] != '/')
                        return plugin_refuse(reterr, EINVAL, "give an absolute directory",
                                             "%s:%u: plugin-dir \"%s\" is not an absolute path", path, line,
                                             value);
                if (strv_push(&file_conf->dirs, &file_conf->n_dirs, value) < 0)
                        return error_new(reterr, ENOMEM, NULL, "%s:%u", path, line);
                return 0;
        }
        for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++) {
                const struct plugin_kind_info *ki = plugin_kind_info(k);
                if (!streq(key, ki->conf_key))
                        continue;
                _cleanup_free_ char *what = NULL;
                if (asprintf(&what, "%s:%u: %s", path, line, key) < 0)
                        return error_new(reterr, ENOMEM, NULL, "%s:%u", path, line);
                int r = plugin_name_validate(value, what, reterr);
                if (r < 0)
                        return r;
                if (streq(value, "none") && !ki->none_allowed)
                        return plugin_refuse(reterr, EINVAL, "name a plugin, or \"auto\"",
                                             "%s: a %s is required, \"none\" is not allowed", what, ki->label);
                struct plugin_conf_value *v = &file_conf->choice[k];
                conf_value_done(v);
                v->value = strdup(value);
                if (!v->value || asprintf(&v->origin, "%s line %u", path, line) < 0)
                        return error_new(reterr, ENOMEM, NULL, "%s", what);
                return 0;
        }
        return plugin_refuse(reterr, EINVAL, NULL, "%s:%u: unknown key \"%s\" (known keys: %s)", path, line, key,
                             known_keys);
}

/* Move what file_conf set over conf: keys replace, a plugin-dir list replaces. */
static void conf_merge(struct plugin_conf *conf, struct plugin_conf *file_conf)
{
        for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++) {
                if (!file_conf->choice[k].value)
                        continue;
                conf_value_done(&conf->choice[k]);
                conf->choice[k] = file_conf->choice[k];
                file_conf->choice[k] = (struct plugin_conf_value){0};
        }
        if (file_conf->n_dirs > 0) {
                plugin_strv_free(conf->dirs);
                conf->dirs = TAKE_PTR(file_conf->dirs);
                conf->n_dirs = file_conf->n_dirs;
                file_conf->n_dirs = 0;
        }
}

int plugin_conf_parse(const char *path, const char *text, struct plugin_conf *conf, struct modrun_error **reterr)
{
        _cleanup_free_ char *copy = strdup(text);
        if (!copy)
                return error_new(reterr, ENOMEM, NULL, "parse %s", path);
        struct plugin_conf file_conf = {0};
        unsigned line = 0;
        int r = 0;
        for (char *s = copy, *next; s && r >= 0; s = next) {
                line++;
                next = strchr(s, '\n');
                if (next)
                        *next++ = '\0';
                char *hash = strchr(s, '#');
                if (hash)
                        *hash = '\0';
                s = strip(s);
                if (*s)
                        r = conf_parse_line(path, line, s, &file_conf, reterr);
        }
        if (r >= 0)
                conf_merge(conf, &file_conf);
        plugin_conf_done(&file_conf);
        return r < 0 ? r : 0;
}

/* Read and parse path; a missing file is skipped unless required. */
static int conf_read(const char *path, bool required, struct plugin_conf *conf, struct modrun_error **reterr)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ struct modrun_error *err = NULL;
        int r = fs_read_file(AT_FDCWD, path, &text, &err);
        if (r == -ENOENT && !required) {
                log_debug("config file %s: not present", path);
                return 0;
        }
        if (r < 0) {
                r = error_new(reterr, -r, required ? "MODRUN_CONFIG must name a readable file, or unset it" : NULL,
                              "read the modrun configuration file %s", path);
                return r;
        }
        log_debug("config file %s: read", path);
        return plugin_conf_parse(path, text, conf, reterr);
}

int plugin_conf_load(struct plugin_conf *conf, struct modrun_error **reterr)
{
        const char *env = secure_getenv("MODRUN_CONFIG");
        if (env && *env) {
                log_debug("MODRUN_CONFIG=%s: reading only that configuration file", env);
                return conf_read(env, true, conf, reterr);
        }
        int r = conf_read(conf_distribution, false, conf, reterr);
        if (r < 0)
                return r;
        return conf_read(conf_admin, false, conf, reterr);
}
