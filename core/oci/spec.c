/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The default config.json that `modrun spec` writes: the same content as
 * `runc spec` (runc 1.1, libcontainer/specconv/example.go) with our
 * ociVersion and hostname, and `--rootless` applying runc's ToRootless():
 * a user namespace mapping container root to the caller, no network
 * namespace, /sys bind-mounted from the host, no uid=/gid= mount options
 * and no linux.resources.
 *
 * Built with json-c; every builder returns a new object or NULL when an
 * allocation failed (the only way building can fail).
 */
#include <json-c/json.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define SPEC_OCI_VERSION OCI_VERSION_IMPLEMENTED
#define SPEC_HOSTNAME "modrun"

static void json_putp(struct json_object **o) { (void)json_object_put(*o); }
#define _cleanup_json_ _cleanup_(json_putp)

#define STRV(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char *const spec_env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                       "TERM=xterm", NULL};
static const char *const spec_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
static const char *const spec_cap_sets[] = {"bounding", "effective", "permitted", "ambient", NULL};

struct spec_mount {
        const char *destination, *type, *source;
        const char *const *options; /* NULL-terminated, or NULL for none */
};

static const struct spec_mount spec_mounts[] = {
        {"/proc", "proc", "proc", NULL},
        {"/dev", "tmpfs", "tmpfs", STRV("nosuid", "strictatime", "mode=755", "size=65536k")},
        {"/dev/pts", "devpts", "devpts",
         STRV("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")},
        {"/dev/shm", "tmpfs", "shm", STRV("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")},
        {"/dev/mqueue", "mqueue", "mqueue", STRV("nosuid", "noexec", "nodev")},
        {"/sys", "sysfs", "sysfs", STRV("nosuid", "noexec", "nodev", "ro")},
        {"/sys/fs/cgroup", "cgroup", "cgroup", STRV("nosuid", "noexec", "nodev", "relatime", "ro")},
};

/* Rootless: sysfs cannot be mounted without owning the network namespace,
 * so /sys is a read-only recursive bind of the host's. */
static const struct spec_mount spec_rootless_sys = {"/sys", "none", "/sys",
                                                    STRV("rbind", "nosuid", "noexec", "nodev", "ro")};

static const char *const spec_namespaces[] = {"pid", "network", "ipc", "uts", "mount", NULL};

static const char *const spec_masked_paths[] = {
        "/proc/acpi",         "/proc/asound",     "/proc/kcore",       "/proc/keys",    "/proc/latency_stats",
        "/proc/timer_list",   "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
        NULL};
static const char *const spec_readonly_paths[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                  "/proc/sysrq-trigger", NULL};

/* o[key] = v; takes v (also on failure). False when v is NULL or on OOM. */
static bool add(struct json_object *o, const char *key, struct json_object *v)
{
        if (!v)
                return false;
        if (json_object_object_add(o, key, v) < 0) {
                (void)json_object_put(v);
                return false;
        }
        return true;
}

/* a[] += v; takes v (also on failure). */
static bool append(struct json_object *a, struct json_object *v)
{
        if (!v)
                return false;
        if (json_object_array_add(a, v) < 0) {
                (void)json_object_put(v);
                return false;
        }
        return true;
}

/* A string array; with skip_ids, "uid=" and "gid=" entries are left out. */
static struct json_object *new_strv(const char *const *l, bool skip_ids)
{
        _cleanup_json_ struct json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        for (; *l; l++) {
                if (skip_ids && (strncmp(*l, "uid=", 4) == 0 || strncmp(*l, "gid=", 4) == 0))
                        continue;
                if (!append(a, json_object_new_string(*l)))
                        return NULL;
        }
        return TAKE_PTR(a);
}

static struct json_object *new_process(void)
{
        _cleanup_json_ struct json_object *p = json_object_new_object(), *user = json_object_new_object(),
                                          *caps = json_object_new_object(), *rlimits = json_object_new_array(),
                                          *nofile = json_object_new_object();
        if (!p || !user || !caps || !rlimits || !nofile)
                return NULL;
        if (!add(user, "uid", json_object_new_int(0)) || !add(user, "gid", json_object_new_int(0)))
                return NULL;
        for (const char *const *set = spec_cap_sets; *set; set++)
                if (!add(caps, *set, new_strv(spec_caps, false)))
                        return NULL;
        if (!add(nofile, "type", json_object_new_string("RLIMIT_NOFILE")) ||
            !add(nofile, "hard", json_object_new_int64(1024)) || !add(nofile, "soft", json_object_new_int64(1024)) ||
            !append(rlimits, TAKE_PTR(nofile)))
                return NULL;
        if (!add(p, "terminal", json_object_new_boolean(true)) || !add(p, "user", TAKE_PTR(user)) ||
            !add(p, "args", new_strv(STRV("sh"), false)) || !add(p, "env", new_strv(spec_env, false)) ||
            !add(p, "cwd", json_object_new_string("/")) || !add(p, "capabilities", TAKE_PTR(caps)) ||
            !add(p, "rlimits", TAKE_PTR(rlimits)) || !add(p, "noNewPrivileges", json_object_new_boolean(true)))
                return NULL;
        return TAKE_PTR(p);
}

static struct json_object *new_root(void)
{
        _cleanup_json_ struct json_object *r = json_object_new_object();
        if (!r || !add(r, "path", json_object_new_string("rootfs")) ||
            !add(r, "readonly", json_object_new_boolean(true)))
                return NULL;
        return TAKE_PTR(r);
}

static struct json_object *new_mount(const struct spec_mount *m, bool rootless)
{
        _cleanup_json_ struct json_object *o = json_object_new_object();
        if (!o || !add(o, "destination", json_object_new_string(m->destination)) ||
            !add(o, "type", json_object_new_string(m->type)) || !add(o, "source", json_object_new_string(m->source)))
                return NULL;
        /* runc's ToRootless() drops uid=/gid= options: ids outside the
         * mapping cannot be used. */
        if (m->options && !add(o, "options", new_strv(m->options, rootless)))
                return NULL;
        return TAKE_PTR(o);
}

static struct json_object *new_mounts(bool rootless)
{
        _cleanup_json_ struct json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(spec_mounts); i++) {
                const struct spec_mount *m = &spec_mounts[i];
                if (rootless && streq(m->destination, "/sys"))
                        m = &spec_rootless_sys;
                if (!append(a, new_mount(m, rootless)))
                        return NULL;
        }
        return TAKE_PTR(a);
}

/* [{"containerID": 0, "hostID": host_id, "size": 1}] */
static struct json_object *new_idmaps(unsigned host_id)
{
        _cleanup_json_ struct json_object *a = json_object_new_array(), *m = json_object_new_object();
        if (!a || !m || !add(m, "containerID", json_object_new_int64(0)) ||
            !add(m, "hostID", json_object_new_int64(host_id)) || !add(m, "size", json_object_new_int64(1)) ||
            !append(a, TAKE_PTR(m)))
                return NULL;
        return TAKE_PTR(a);
}

/* {"devices": [{"allow": false, "access": "rwm"}]}: deny every device. */
static struct json_object *new_resources(void)
{
        _cleanup_json_ struct json_object *r = json_object_new_object(), *devices = json_object_new_array(),
                                          *deny = json_object_new_object();
        if (!r || !devices || !deny || !add(deny, "allow", json_object_new_boolean(false)) ||
            !add(deny, "access", json_object_new_string("rwm")) || !append(devices, TAKE_PTR(deny)) ||
            !add(r, "devices", TAKE_PTR(devices)))
                return NULL;
        return TAKE_PTR(r);
}

static struct json_object *new_namespace(const char *type)
{
        _cleanup_json_ struct json_object *ns = json_object_new_object();
        if (!ns || !add(ns, "type", json_object_new_string(type)))
                return NULL;
        return TAKE_PTR(ns);
}

static struct json_object *new_namespaces(bool rootless)
{
        _cleanup_json_ struct json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        for (const char *const *t = spec_namespaces; *t; t++) {
                /* Rootless: no network namespace, so the host's network is
                 * usable (and /sys can be bound from the host). */
                if (rootless && streq(*t, "network"))
                        continue;
                if (!append(a, new_namespace(*t)))
                        return NULL;
        }
        if (rootless && !append(a, new_namespace("user")))
                return NULL;
        return TAKE_PTR(a);
}

static struct json_object *new_linux(bool rootless)
{
        _cleanup_json_ struct json_object *l = json_object_new_object();
        if (!l)
                return NULL;
        /* Key order as runc writes it: the mappings, resources, namespaces. */
        if (rootless && (!add(l, "uidMappings", new_idmaps(geteuid())) ||
                         !add(l, "gidMappings", new_idmaps(getegid()))))
                return NULL;
        /* Rootless: no cgroup settings, the caller may not own a cgroup. */
        if (!rootless && !add(l, "resources", new_resources()))
                return NULL;
        if (!add(l, "namespaces", new_namespaces(rootless)) ||
            !add(l, "maskedPaths", new_strv(spec_masked_paths, false)) ||
            !add(l, "readonlyPaths", new_strv(spec_readonly_paths, false)))
                return NULL;
        return TAKE_PTR(l);
}

static struct json_object *new_spec(bool rootless)
{
        _cleanup_json_ struct json_object *s = json_object_new_object();
        if (!s || !add(s, "ociVersion", json_object_new_string(SPEC_OCI_VERSION)) ||
            !add(s, "process", new_process()) || !add(s, "root", new_root()) ||
            !add(s, "hostname", json_object_new_string(SPEC_HOSTNAME)) || !add(s, "mounts", new_mounts(rootless)) ||
            !add(s, "linux", new_linux(rootless)))
                return NULL;
        return TAKE_PTR(s);
}

int spec_generate(bool rootless, char **ret_json, struct modrun_error **reterr)
{
        _cleanup_json_ struct json_object *s = new_spec(rootless);
        if (!s)
                return error_new(reterr, ENOMEM, NULL, "spec: building the default config.json");
        const char *text =
                json_object_to_json_string_ext(s, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE);
        char *copy = text ? strdup(text) : NULL;
        if (!copy)
                return error_new(reterr, ENOMEM, NULL, "spec: formatting the default config.json");
        *ret_json = copy;
        return 0;
}
