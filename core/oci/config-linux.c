/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "linux": namespaces, ID mappings, devices, sysctl, masked
 * and read-only paths, time offsets, rootfs propagation, cgroupsPath, and
 * the borrowed linux.resources / linux.seccomp objects. */
#include <inttypes.h>
#include <json-c/json.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "config-internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define ID_MAX (UINT32_MAX - 1)

static const struct {
        const char *name;
        int clone_flag;
} ns_table[_OCI_NS_MAX] = {
        [OCI_NS_PID] = {"pid", CLONE_NEWPID},       [OCI_NS_NETWORK] = {"network", CLONE_NEWNET},
        [OCI_NS_MOUNT] = {"mount", CLONE_NEWNS},    [OCI_NS_IPC] = {"ipc", CLONE_NEWIPC},
        [OCI_NS_UTS] = {"uts", CLONE_NEWUTS},       [OCI_NS_USER] = {"user", CLONE_NEWUSER},
        [OCI_NS_CGROUP] = {"cgroup", CLONE_NEWCGROUP}, [OCI_NS_TIME] = {"time", CLONE_NEWTIME},
};

const char *oci_ns_type_to_string(enum oci_ns_type t)
{
        return (unsigned)t < _OCI_NS_MAX ? ns_table[t].name : NULL;
}

int oci_ns_type_to_clone_flag(enum oci_ns_type t)
{
        return (unsigned)t < _OCI_NS_MAX ? ns_table[t].clone_flag : -EINVAL;
}

static void namespace_done(void *elem)
{
        free(((struct oci_namespace *)elem)->path);
}

static int parse_namespace(const struct json_ctx *c, const struct json_path *p, struct json_object *v, void *elem,
                           void *userdata)
{
        struct oci_namespace *ns = elem;
        _cleanup_free_ char *type = NULL;
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = json_member_string(c, p, v, "type", true, &type)) < 0)
                return r;
        int t = -1;
        for (int i = 0; i < _OCI_NS_MAX; i++)
                if (streq(type, ns_table[i].name))
                        t = i;
        if (t < 0) {
                struct json_path tp = JSON_PATH_KEY(p, "type");
                return json_fail(c, &tp, NULL,
                                 "unknown namespace type \"%s\" (valid: pid, network, mount, ipc, uts, user, cgroup, time)",
                                 type);
        }
        ns->type = (enum oci_ns_type)t;
        /* "path": "" is no path (a new namespace), as runc */
        struct json_object *pv;
        if (json_object_object_get_ex(v, "path", &pv) && json_object_is_type(pv, json_type_string) &&
            json_object_get_string_len(pv) == 0)
                return 0;
        r = config_member_abspath(c, p, v, "path", false, &ns->path);
        return r < 0 ? r : 0;
}

static int parse_namespaces(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                            struct oci_linux *l)
{
        const struct json_array_of how = {sizeof(struct oci_namespace), parse_namespace, namespace_done, NULL};
        void *items;
        size_t n;
        int r = json_member_array_of(c, p, v, "namespaces", false, &how, &items, &n);
        if (r <= 0)
                return r;
        l->namespaces = items;
        l->n_namespaces = n;
        struct json_path np = JSON_PATH_KEY(p, "namespaces");
        for (size_t j = 0; j < n; j++)
                for (size_t i = 0; i < j; i++)
                        if (l->namespaces[i].type == l->namespaces[j].type) {
                                struct json_path ep = JSON_PATH_INDEX(&np, j), tp = JSON_PATH_KEY(&ep, "type");
                                return json_fail(c, &tp, "list each namespace type once",
                                                 "duplicate namespace type \"%s\" (also at index %zu)",
                                                 ns_table[l->namespaces[j].type].name, i);
                        }
        return 0;
}

static void device_done(void *elem)
{
        free(((struct oci_device *)elem)->path);
}

static int parse_device_type(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                             struct oci_device *d)
{
        _cleanup_free_ char *type = NULL;
        int r = json_member_string(c, p, v, "type", true, &type);
        if (r < 0)
                return r;
        if (strlen(type) != 1 || !strchr("cbup", type[0])) {
                struct json_path tp = JSON_PATH_KEY(p, "type");
                return json_fail(c, &tp, NULL, "expected a device type c, b, u or p, got \"%s\"", type);
        }
        d->type = type[0];
        return 0;
}

static int parse_device(const struct json_ctx *c, const struct json_path *p, struct json_object *v, void *elem,
                        void *userdata)
{
        struct oci_device *d = elem;
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = config_member_abspath(c, p, v, "path", true, &d->path)) < 0 ||
            (r = parse_device_type(c, p, v, d)) < 0)
                return r;
        /* major/minor are required except for FIFOs */
        bool need_numbers = d->type != 'p';
        if ((r = json_member_int64(c, p, v, "major", need_numbers, 0, UINT32_MAX, &d->major)) < 0 ||
            (r = json_member_int64(c, p, v, "minor", need_numbers, 0, UINT32_MAX, &d->minor)) < 0)
                return r;
        uint32_t mode, uid, gid;
        if ((r = json_member_uint32(c, p, v, "fileMode", false, 0177777, &mode)) < 0)
                return r;
        d->has_file_mode = r > 0;
        d->file_mode = r > 0 ? (mode_t)mode : 0;
        if ((r = json_member_uint32(c, p, v, "uid", false, ID_MAX, &uid)) < 0)
                return r;
        d->has_uid = r > 0;
        d->uid = r > 0 ? uid : 0;
        if ((r = json_member_uint32(c, p, v, "gid", false, ID_MAX, &gid)) < 0)
                return r;
        d->has_gid = r > 0;
        d->gid = r > 0 ? gid : 0;
        return 0;
}

static void sysctl_done(void *elem)
{
        struct oci_sysctl *s = elem;
        free(s->key);
        free(s->value);
}

static int parse_sysctl(const struct json_ctx *c, const struct json_path *p, const char *key, struct json_object *v,
                        void *elem, void *userdata)
{
        struct oci_sysctl *s = elem;
        if (!key[0])
                return json_fail(c, p, NULL, "expected a sysctl name like \"net.ipv4.ip_forward\", got \"\"");
        int r = json_get_string(c, p, v, &s->value);
        if (r < 0)
                return r;
        s->key = strdup(key);
        return s->key ? 0 : json_fail_oom(c, p);
}

static int parse_lists(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                       struct oci_linux *l)
{
        const struct json_array_of dev = {sizeof(struct oci_device), parse_device, device_done, NULL};
        const struct json_map_of sys = {sizeof(struct oci_sysctl), parse_sysctl, sysctl_done, NULL};
        void *items;
        size_t n;
        int r = json_member_array_of(c, p, v, "devices", false, &dev, &items, &n);
        if (r < 0)
                return r;
        if (r > 0) {
                l->devices = items;
                l->n_devices = n;
        }
        if ((r = json_member_map_of(c, p, v, "sysctl", false, &sys, &items, &n)) < 0)
                return r;
        if (r > 0) {
                l->sysctl = items;
                l->n_sysctl = n;
        }
        if ((r = config_parse_idmaps(c, p, v, "uidMappings", &l->uid_mappings, &l->n_uid_mappings)) < 0 ||
            (r = config_parse_idmaps(c, p, v, "gidMappings", &l->gid_mappings, &l->n_gid_mappings)) < 0 ||
            (r = config_member_abspaths(c, p, v, "maskedPaths", &l->masked_paths)) < 0 ||
            (r = config_member_abspaths(c, p, v, "readonlyPaths", &l->readonly_paths)) < 0)
                return r;
        return 0;
}

static int parse_time_offset(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                             struct oci_time_offset *t)
{
        int64_t secs = 0;
        uint32_t ns = 0;
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = json_member_int64(c, p, v, "secs", false, INT64_MIN, INT64_MAX, &secs)) < 0 ||
            (r = json_member_uint32(c, p, v, "nanosecs", false, 999999999, &ns)) < 0)
                return r;
        *t = (struct oci_time_offset){.secs = secs, .nanosecs = ns, .present = true};
        return 0;
}

static int parse_time_offsets(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                              struct oci_linux *l)
{
        struct json_object *o;
        int r = json_member_object(c, p, v, "timeOffsets", false, &o);
        if (r <= 0)
                return r;
        struct json_path tp = JSON_PATH_KEY(p, "timeOffsets");
        json_object_object_foreach(o, clock, off)
        {
                struct json_path kp = JSON_PATH_KEY(&tp, clock);
                struct oci_time_offset *t = streq(clock, "boottime")    ? &l->time_boottime
                                            : streq(clock, "monotonic") ? &l->time_monotonic
                                                                        : NULL;
                if (!t)
                        return json_fail(c, &kp, NULL,
                                         "unknown clock (valid: boottime, monotonic)");
                if ((r = parse_time_offset(c, &kp, off, t)) < 0)
                        return r;
        }
        return 0;
}

static int parse_propagation(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                             struct oci_linux *l)
{
        static const char *const valid[] = {"shared",  "slave",  "private",  "unbindable",
                                            "rshared", "rslave", "rprivate", "runbindable"};
        _cleanup_free_ char *s = NULL;
        int r = json_member_string(c, p, v, "rootfsPropagation", false, &s);
        if (r <= 0 || !s[0]) /* "" is the default, as in runc */
                return r < 0 ? r : 0;
        for (size_t i = 0; i < ELEMENTSOF(valid); i++)
                if (streq(s, valid[i])) {
                        l->rootfs_propagation = TAKE_PTR(s);
                        return 0;
                }
        struct json_path rp = JSON_PATH_KEY(p, "rootfsPropagation");
        return json_fail(c, &rp, NULL,
                         "expected one of shared, slave, private, unbindable (or the r* recursive forms), got \"%s\"",
                         s);
}

int config_parse_linux(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                       struct oci_linux *l)
{
        struct json_object *res = NULL, *sec = NULL;
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = parse_namespaces(c, p, v, l)) < 0 || (r = parse_lists(c, p, v, l)) < 0 ||
            (r = parse_time_offsets(c, p, v, l)) < 0 || (r = parse_propagation(c, p, v, l)) < 0 ||
            (r = json_member_string(c, p, v, "cgroupsPath", false, &l->cgroups_path)) < 0 ||
            (r = json_member_string(c, p, v, "mountLabel", false, &l->mount_label)) < 0 ||
            (r = json_member_object(c, p, v, "resources", false, &res)) < 0 ||
            (r = json_member_object(c, p, v, "seccomp", false, &sec)) < 0 ||
            (r = config_parse_linux_spec13(c, p, v, l)) < 0)
                return r;
        struct json_path rp = JSON_PATH_KEY(p, "resources"), sp = JSON_PATH_KEY(p, "seccomp");
        if ((res && (r = config_check_resources(c, &rp, res)) < 0) || (sec && (r = config_check_seccomp(c, &sp, sec)) < 0))
                return r;
        l->resources = res;
        l->seccomp = sec;
        return 0;
}

void config_linux_done(struct oci_linux *l)
{
        for (size_t i = 0; i < l->n_namespaces; i++)
                namespace_done(&l->namespaces[i]);
        free(l->namespaces);
        free(l->uid_mappings);
        free(l->gid_mappings);
        for (size_t i = 0; i < l->n_devices; i++)
                device_done(&l->devices[i]);
        free(l->devices);
        free(l->cgroups_path);
        for (size_t i = 0; i < l->n_sysctl; i++)
                sysctl_done(&l->sysctl[i]);
        free(l->sysctl);
        oci_strv_free(l->masked_paths);
        oci_strv_free(l->readonly_paths);
        free(l->rootfs_propagation);
        free(l->mount_label);
        config_linux_spec13_done(l);
}
