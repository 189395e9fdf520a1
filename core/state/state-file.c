/* SPDX-License-Identifier: Apache-2.0 */
/* state.json: what `create` recorded about a container. */
#include <fcntl.h>
#include <json-c/json.h>
#include <string.h>

#include "state.h"
#include "util/fs-util.h"

#define STATE_FILE "state.json"

struct container_state *state_free(struct container_state *s)
{
        if (!s)
                return NULL;
        free(s->id);
        free(s->bundle);
        free(s->rootfs);
        free(s->created);
        for (size_t k = 0; k <= PLUGIN_KIND_MAX; k++)
                free(s->plugin[k]);
        for (char **p = s->plugin_dirs; p && *p; p++)
                free(*p);
        free(s->plugin_dirs);
        json_object_put(s->annotations);
        free(s);
        return NULL;
}

/* Add v (taking it) under key; false when anything is missing (a failed
 * allocation): a state.json without a member would be read back wrong. */
static bool add(struct json_object *o, const char *key, struct json_object *v)
{
        if (!o || !v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return false;
        }
        return true;
}

static bool add_str(struct json_object *o, const char *key, const char *v)
{
        return !v || add(o, key, json_object_new_string(v));
}

int state_save(const struct container_dir *d, const struct container_state *s, struct modrun_error **reterr)
{
        struct json_object *o = json_object_new_object();
        if (!o)
                return error_new(reterr, ENOMEM, NULL, "save state of %s", d->id);
        bool ok = add_str(o, "id", s->id);
        ok &= add(o, "pid", json_object_new_int(s->pid));
        ok &= add(o, "pidStartTime", json_object_new_uint64(s->pid_start_time));
        ok &= add_str(o, "bundle", s->bundle);
        ok &= add_str(o, "rootfs", s->rootfs);
        ok &= add_str(o, "created", s->created);
        ok &= add(o, "owner", json_object_new_int64(s->owner));
        ok &= add(o, "paused", json_object_new_boolean(s->paused));
        struct json_object *plugins = json_object_new_object();
        for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++)
                ok &= plugins && add_str(plugins, plugin_kind_to_string(k), s->plugin[k]);
        ok &= add(o, "plugins", plugins);
        struct json_object *dirs = json_object_new_array();
        for (char **p = s->plugin_dirs; p && *p; p++) {
                struct json_object *v = json_object_new_string(*p);
                if (!dirs || !v || json_object_array_add(dirs, v) < 0) {
                        json_object_put(v);
                        ok = false;
                }
        }
        ok &= add(o, "pluginDirs", dirs);
        if (s->annotations)
                ok &= add(o, "annotations", json_object_get(s->annotations));
        const char *text = ok ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;
        if (!text) {
                json_object_put(o);
                return error_new(reterr, ENOMEM, NULL, "save state of container %s in %s", d->id, d->path);
        }
        int r = fs_rewrite_atomic(d->dir_fd, STATE_FILE, text, strlen(text), reterr);
        json_object_put(o);
        if (r < 0)
                return error_wrap(reterr, "save state of container %s in %s", d->id, d->path);
        return 0;
}

static char *get_str(struct json_object *o, const char *key)
{
        struct json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return strdup(json_object_get_string(v));
}

static int64_t get_int(struct json_object *o, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static void load_plugins(struct json_object *o, struct container_state *s)
{
        struct json_object *plugins, *dirs;
        if (json_object_object_get_ex(o, "plugins", &plugins))
                for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++)
                        s->plugin[k] = get_str(plugins, plugin_kind_to_string(k));
        if (!json_object_object_get_ex(o, "pluginDirs", &dirs) || !json_object_is_type(dirs, json_type_array))
                return;
        size_t n = json_object_array_length(dirs);
        s->plugin_dirs = calloc(n + 1, sizeof(char *));
        for (size_t i = 0, j = 0; s->plugin_dirs && i < n; i++) {
                const char *v = json_object_get_string(json_object_array_get_idx(dirs, i));
                if (v && (s->plugin_dirs[j] = strdup(v)))
                        j++;
        }
}

int state_load(const struct container_dir *d, struct container_state **ret, struct modrun_error **reterr)
{
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ struct modrun_error *err = NULL;
        int r = fs_read_regular_file(d->dir_fd, STATE_FILE, O_NOFOLLOW, SIZE_MAX, &text, &err);
        if (r < 0) {
                if (r == -ENOENT)
                        return error_new(reterr, ENOENT, NULL, "container %s has no state yet (still being created)",
                                         d->id);
                if (r == -ELOOP || r == -EINVAL) /* a symlink, a FIFO: modrun never makes one */
                        error_hint(err, "remove %s if you did not put it there", d->path);
                if (!reterr)
                        return r;
                *reterr = TAKE_PTR(err);
                return error_wrap(reterr, "read the state of container %s in %s", d->id, d->path);
        }
        struct json_object *o = json_tokener_parse(text);
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return error_new(reterr, EUCLEAN,
                                 "modrun cannot find the container's process or cgroup without it: stop what is "
                                 "left of it by hand (processes, a cgroup named after it), then remove the "
                                 "directory with `rm -rf`",
                                 "state file %s/%s is corrupt", d->path, STATE_FILE);
        }
        _cleanup_state_ struct container_state *s = calloc(1, sizeof(*s));
        if (!s) {
                json_object_put(o);
                return error_new(reterr, ENOMEM, NULL, "load state of %s", d->id);
        }
        s->id = get_str(o, "id");
        s->pid = (pid_t)get_int(o, "pid");
        s->pid_start_time = (uint64_t)get_int(o, "pidStartTime");
        s->bundle = get_str(o, "bundle");
        s->rootfs = get_str(o, "rootfs");
        s->created = get_str(o, "created");
        s->owner = (uid_t)get_int(o, "owner");
        struct json_object *v;
        s->paused = json_object_object_get_ex(o, "paused", &v) && json_object_get_boolean(v);
        load_plugins(o, s);
        if (json_object_object_get_ex(o, "annotations", &v) && json_object_is_type(v, json_type_object))
                s->annotations = json_object_get(v);
        json_object_put(o);
        *ret = TAKE_PTR(s);
        return 0;
}
