/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the plugin reads from config.json: whether a user namespace is
 * created or joined, linux.uidMappings/gidMappings, and root.path as the
 * user wrote it (the core already checked the types; this stays defensive).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "idmap.h"

static struct json_object *member(const struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!o || !json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex((struct json_object *)o, key, &v))
                return NULL;
        return v;
}

static int read_id(struct json_object *entry, const char *key, uint32_t *ret)
{
        struct json_object *v = member(entry, key);
        if (!v || !json_object_is_type(v, json_type_int))
                return -EINVAL;
        int64_t x = json_object_get_int64(v);
        if (x < 0 || x > (int64_t)UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)x;
        return 0;
}

static int read_set(const struct json_object *linux_, const char *key, struct idmap_set *ret, char **ret_why)
{
        ret->key = key;
        struct json_object *arr = member(linux_, key);
        if (!arr)
                return 0;
        if (!json_object_is_type(arr, json_type_array)) {
                if (asprintf(ret_why, "linux.%s is not an array", key) < 0)
                        *ret_why = NULL;
                return -EINVAL;
        }
        size_t n = json_object_array_length(arr);
        if (n == 0)
                return 0;
        ret->e = calloc(n, sizeof(*ret->e));
        if (!ret->e)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct json_object *entry = json_object_array_get_idx(arr, i);
                struct idmap_entry *e = &ret->e[i];
                if (read_id(entry, "containerID", &e->container_id) < 0 || read_id(entry, "hostID", &e->host_id) < 0 ||
                    read_id(entry, "size", &e->size) < 0) {
                        if (asprintf(ret_why,
                                     "linux.%s[%zu] needs containerID, hostID and size as integers from 0 to "
                                     "4294967295",
                                     key, i) < 0)
                                *ret_why = NULL;
                        return -EINVAL;
                }
        }
        ret->n = n;
        return 0;
}

static void read_userns(const struct json_object *linux_, struct idmap_config *c)
{
        struct json_object *nss = member(linux_, "namespaces");
        if (!nss || !json_object_is_type(nss, json_type_array))
                return;
        for (size_t i = 0; i < json_object_array_length(nss); i++) {
                struct json_object *ns = json_object_array_get_idx(nss, i);
                struct json_object *type = member(ns, "type"), *path = member(ns, "path");
                if (!type || !json_object_is_type(type, json_type_string) ||
                    strcmp(json_object_get_string(type), "user") != 0)
                        continue;
                bool joins = path && json_object_is_type(path, json_type_string) && json_object_get_string(path)[0];
                c->joins_userns = joins;
                c->new_userns = !joins;
        }
}

static void read_cgroup_mount(const struct json_object *config, struct idmap_config *c)
{
        struct json_object *mounts = member(config, "mounts");
        if (!mounts || !json_object_is_type(mounts, json_type_array))
                return;
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *m = json_object_array_get_idx(mounts, i);
                struct json_object *type = member(m, "type"), *dest = member(m, "destination");
                if (!type || !dest || !json_object_is_type(type, json_type_string) ||
                    !json_object_is_type(dest, json_type_string))
                        continue;
                const char *t = json_object_get_string(type);
                if (strcmp(t, "cgroup") == 0 || strcmp(t, "cgroup2") == 0)
                        c->cgroup_mount = json_object_get_string(dest);
        }
}

static uint32_t read_process_id(const struct json_object *config, const char *key)
{
        uint32_t id = 0;
        struct json_object *user = member(member(config, "process"), "user");
        return user && read_id(user, key, &id) == 0 ? id : 0;
}

int idmap_config_read(const struct json_object *config, struct idmap_config *ret, char **ret_why)
{
        *ret = (struct idmap_config){ .uids.key = "uidMappings", .gids.key = "gidMappings" };
        if (!config)
                return 0;
        struct json_object *root = member(config, "root"), *path = member(root, "path");
        if (path && json_object_is_type(path, json_type_string))
                ret->root_path = json_object_get_string(path);
        const struct json_object *linux_ = member(config, "linux");
        read_userns(linux_, ret);
        read_cgroup_mount(config, ret);
        ret->process_uid = read_process_id(config, "uid");
        ret->process_gid = read_process_id(config, "gid");
        int r = read_set(linux_, "uidMappings", &ret->uids, ret_why);
        if (r >= 0)
                r = read_set(linux_, "gidMappings", &ret->gids, ret_why);
        if (r < 0)
                idmap_config_done(ret);
        return r;
}

void idmap_config_done(struct idmap_config *c)
{
        free(c->uids.e);
        free(c->gids.e);
        c->uids.e = c->gids.e = NULL;
        c->uids.n = c->gids.n = 0;
}
