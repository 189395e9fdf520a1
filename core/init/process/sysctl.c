/* SPDX-License-Identifier: Apache-2.0 */
/* linux.sysctl: only namespaced keys (runc's rules), written to /proc/sys
 * by the init in its namespaces: /proc/sys resolves net.*, kernel.shm* ...
 * to the writer's namespaces, whichever procfs it goes through, so the
 * init writes through a procfs it can trust (init/rootfs/procfs.h). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "process.h"
#include "init/rootfs/procfs.h"

static const char *const ipc_keys[] = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

/* Does the container have its own namespace of type t (new, or joined by a
 * path that is not the runtime's own)? */
static bool ns_private(const struct oci_config *cfg, enum oci_ns_type t)
{
        const struct oci_namespace *ns = config_namespace(cfg, t);
        if (!ns)
                return false;
        if (!ns->path)
                return true;
        struct stat a, b;
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/ns/%s", t == OCI_NS_NETWORK ? "net" : oci_ns_type_to_string(t));
        if (stat(ns->path, &a) < 0 || stat(self, &b) < 0)
                return true; /* the join reports the real problem */
        return !(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

static const char *key_namespace(const struct oci_config *cfg, const char *key, enum oci_ns_type *ret)
{
        for (size_t i = 0; i < ELEMENTSOF(ipc_keys); i++)
                if (streq(key, ipc_keys[i])) {
                        *ret = OCI_NS_IPC;
                        return "ipc";
                }
        if (strncmp(key, "fs.mqueue.", 10) == 0) {
                *ret = OCI_NS_IPC;
                return "ipc";
        }
        if (strncmp(key, "net.", 4) == 0) {
                *ret = OCI_NS_NETWORK;
                return "network";
        }
        if (streq(key, "kernel.hostname") || streq(key, "kernel.domainname")) {
                *ret = OCI_NS_UTS;
                return "uts";
        }
        return NULL;
}

int sysctl_check(const struct oci_config *cfg, struct modrun_error **reterr)
{
        for (size_t i = 0; i < cfg->linux_.n_sysctl; i++) {
                const char *key = cfg->linux_.sysctl[i].key;
                if (strstr(key, "..") || key[0] == '/' || key[0] == '.')
                        return error_new(reterr, EINVAL, NULL, "linux.sysctl \"%s\": invalid key", key);
                /* "net/ipv4/conf/eth0.100/forwarding" is the form for names with dots */
                _cleanup_free_ char *dotted = strdup(key);
                if (!dotted)
                        return error_new(reterr, ENOMEM, NULL, "linux.sysctl \"%s\"", key);
                for (char *p = dotted; *p; p++)
                        if (*p == '/')
                                *p = '.';
                enum oci_ns_type t;
                const char *ns = key_namespace(cfg, dotted, &t);
                if (!ns)
                        return error_new(reterr, EINVAL,
                                         "only namespaced sysctls may be set: kernel.msg*, kernel.sem, kernel.shm*, "
                                         "fs.mqueue.* (ipc), net.* (network), kernel.domainname (uts)",
                                         "linux.sysctl \"%s\": not namespaced, setting it would change the host", key);
                if (!ns_private(cfg, t))
                        return error_new(reterr, EINVAL, NULL,
                                         "linux.sysctl \"%s\": needs a %s namespace of the container's own, "
                                         "else it would change the host's",
                                         key, ns);
                /* namespaced, but the hostname has its own field, as runc and crun */
                if (streq(dotted, "kernel.hostname"))
                        return error_new(reterr, EINVAL, "set the hostname with the \"hostname\" field instead",
                                         "linux.sysctl \"%s\": not allowed, it conflicts with the \"hostname\" "
                                         "field of config.json", key);
        }
        return 0;
}

static int sysctl_write(int proc, const struct oci_sysctl *s, struct modrun_error **reterr)
{
        char rel[PATH_MAX];
        int len = snprintf(rel, sizeof(rel), "sys/%s", s->key);
        if (len < 0 || (size_t)len >= sizeof(rel))
                return error_new(reterr, ENAMETOOLONG, NULL, "linux.sysctl \"%s\"", s->key);
        for (char *p = rel + strlen("sys/"); !strchr(s->key, '/') && *p; p++)
                if (*p == '.')
                        *p = '/';
        _cleanup_free_ char *what = NULL;
        if (asprintf(&what, "linux.sysctl %s=%s", s->key, s->value) < 0)
                return error_new(reterr, ENOMEM, NULL, "linux.sysctl \"%s\"", s->key);
        _cleanup_close_ int fd = procfs_open(proc, rel, O_WRONLY | O_NOCTTY, S_IFREG, what, reterr);
        if (fd < 0)
                return fd;
        size_t vl = strlen(s->value);
        ssize_t k = write(fd, s->value, vl);
        if (k < 0)
                return error_new(reterr, errno, NULL, "%s: write /proc/%s", what, rel);
        if ((size_t)k != vl)
                return error_new(reterr, EIO, NULL, "%s: short write to /proc/%s", what, rel);
        return 0;
}

/* Through a procfs checked by procfs_open_root() and procfs_open(): a
 * tmpfs or a file mounted over /proc/sys (a joined mount namespace) is
 * refused, never written to. */
int sysctl_apply(const struct oci_sysctl *s, size_t n, struct modrun_error **reterr)
{
        if (n == 0)
                return 0;
        _cleanup_close_ int proc = procfs_open_root("linux.sysctl", false, reterr);
        if (proc < 0)
                return proc;
        for (size_t i = 0; i < n; i++) {
                int r = sysctl_write(proc, &s[i], reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}
