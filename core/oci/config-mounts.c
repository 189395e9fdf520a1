/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "mounts", and the ID mappings shared by mounts and linux. */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "config-internal.h"

static int parse_idmap(const struct json_ctx *c, const struct json_path *p, struct json_object *v, void *elem,
                       void *userdata)
{
        struct oci_idmap *m = elem;
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = json_member_uint32(c, p, v, "containerID", true, UINT32_MAX - 1, &m->container_id)) < 0 ||
            (r = json_member_uint32(c, p, v, "hostID", true, UINT32_MAX - 1, &m->host_id)) < 0 ||
            (r = json_member_uint32(c, p, v, "size", true, UINT32_MAX, &m->size)) < 0)
                return r;
        if (m->size == 0) {
                struct json_path sp = JSON_PATH_KEY(p, "size");
                return json_fail(c, &sp, NULL, "expected a range of at least 1 ID, got 0");
        }
        /* The kernel refuses ranges that wrap the 32-bit ID space. */
        uint64_t end_c = (uint64_t)m->container_id + m->size, end_h = (uint64_t)m->host_id + m->size;
        if (end_c > UINT32_MAX || end_h > UINT32_MAX)
                return json_fail(c, p, NULL, "%s %" PRIu32 " + size %" PRIu32 " goes beyond the last ID %" PRIu32,
                                 end_c > UINT32_MAX ? "containerID" : "hostID",
                                 end_c > UINT32_MAX ? m->container_id : m->host_id, m->size, UINT32_MAX - 1);
        return 0;
}

int config_parse_idmaps(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                        const char *key, struct oci_idmap **ret, size_t *ret_n)
{
        const struct json_array_of how = {sizeof(struct oci_idmap), parse_idmap, NULL, NULL};
        void *items;
        size_t n;
        int r = json_member_array_of(c, p, obj, key, false, &how, &items, &n);
        if (r <= 0)
                return r;
        *ret = items;
        *ret_n = n;
        return 1;
}

void config_mount_done(void *elem)
{
        struct oci_mount *m = elem;
        free(m->destination);
        free(m->type);
        free(m->source);
        oci_strv_free(m->options);
        free(m->uid_mappings);
        free(m->gid_mappings);
}

/* runtime-spec 1.1+: a relative destination is deprecated and means
 * relative to "/"; store it absolute, as config.h promises. */
static int parse_destination(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                             struct oci_mount *m)
{
        _cleanup_free_ char *d = NULL;
        int r = json_member_string(c, p, v, "destination", true, &d);
        if (r < 0)
                return r;
        if (!d[0]) {
                struct json_path dp = JSON_PATH_KEY(p, "destination");
                return json_fail(c, &dp, NULL, "expected a path inside the container, got \"\"");
        }
        if (!path_is_absolute(d)) {
                char *abs = NULL;
                if (asprintf(&abs, "/%s", d) < 0)
                        return json_fail_oom(c, p);
                free(d);
                d = abs;
        }
        m->destination = TAKE_PTR(d);
        return 0;
}

/* "idmap=uids=...;gids=..." is crun's syntax: a bind mount would drop it
 * silently (its data is ignored), so the mount would not be mapped. */
static int check_idmap_options(const struct json_ctx *c, const struct json_path *p, const struct oci_mount *m)
{
        for (size_t i = 0; m->options && m->options[i]; i++) {
                const char *o = m->options[i];
                if (strncmp(o, "idmap=", 6) != 0 && strncmp(o, "ridmap=", 7) != 0)
                        continue;
                struct json_path op = JSON_PATH_KEY(p, "options"), ip = JSON_PATH_INDEX(&op, i);
                return json_fail(c, &ip,
                                 "give the option idmap (or ridmap) alone and the mapping in the mount's "
                                 "uidMappings and gidMappings",
                                 "\"%s\": a mapping in the option is crun's syntax, not the runtime-spec's", o);
        }
        return 0;
}

/* An id-mapped mount maps user and group ids through one user namespace
 * whose uid_map and gid_map both come from the mount: with only one of
 * them there is nothing to write the other from (runtime-spec config.md:
 * "If specified, it MUST be specified along with gidMappings", and the
 * other way round; runc refuses it as an invalid mount). An empty array
 * counts as absent, as for linux.uidMappings. */
static int check_idmaps_paired(const struct json_ctx *c, const struct json_path *p, const struct oci_mount *m)
{
        if (!m->n_uid_mappings == !m->n_gid_mappings)
                return 0;
        const char *has = m->n_uid_mappings ? "uidMappings" : "gidMappings";
        const char *lacks = m->n_uid_mappings ? "gidMappings" : "uidMappings";
        return json_fail(c, p, "set both uidMappings and gidMappings, or neither",
                         "mount on %s has %s but no %s: an id-mapped mount needs both", m->destination, has, lacks);
}

static int parse_mount(const struct json_ctx *c, const struct json_path *p, struct json_object *v, void *elem,
                       void *userdata)
{
        struct oci_mount *m = elem;
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = parse_destination(c, p, v, m)) < 0 ||
            (r = json_member_string(c, p, v, "type", false, &m->type)) < 0 ||
            (r = json_member_string(c, p, v, "source", false, &m->source)) < 0 ||
            (r = json_member_strv(c, p, v, "options", false, &m->options)) < 0 ||
            (r = config_parse_idmaps(c, p, v, "uidMappings", &m->uid_mappings, &m->n_uid_mappings)) < 0 ||
            (r = config_parse_idmaps(c, p, v, "gidMappings", &m->gid_mappings, &m->n_gid_mappings)) < 0)
                return r;
        if ((r = check_idmaps_paired(c, p, m)) < 0)
                return r;
        return check_idmap_options(c, p, m);
}

int config_parse_mounts(const struct json_ctx *c, struct json_object *top, struct oci_config *cfg)
{
        const struct json_array_of how = {sizeof(struct oci_mount), parse_mount, config_mount_done, NULL};
        void *items;
        size_t n;
        int r = json_member_array_of(c, NULL, top, "mounts", false, &how, &items, &n);
        if (r <= 0)
                return r;
        cfg->mounts = items;
        cfg->n_mounts = n;
        return 0;
}
