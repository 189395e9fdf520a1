/* SPDX-License-Identifier: Apache-2.0 */
/* linux.sysctl: only namespaced keys (runc's rules), written to /proc/sys
 * by the init in its namespaces: /proc/sys resolves net.*, kernel.shm* ...
 * to the writer's namespaces, whichever procfs it goes through. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "process.h"

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
                                         "fs.mqueue.* (ipc), net.* (network), kernel.hostname/domainname (uts)",
                                         "linux.sysctl \"%s\": not namespaced, setting it would change the host", key);
                if (!ns_private(cfg, t))
                        return error_new(reterr, EINVAL, NULL,
                                         "linux.sysctl \"%s\": needs a %s namespace of the container's own, "
                                         "else it would change the host's",
                                         key, ns);
        }
        return 0;
}

int sysctl_apply(const struct oci_sysctl *s, size_t n, struct modrun_error **reterr)
{
        for (size_t i = 0; i < n; i++) {
                char path[PATH_MAX];
                int len = snprintf(path, sizeof(path), "/proc/sys/%s", s[i].key);
                if (len < 0 || (size_t)len >= sizeof(path))
                        return error_new(reterr, ENAMETOOLONG, NULL, "linux.sysctl \"%s\"", s[i].key);
                for (char *p = path + strlen("/proc/sys/"); !strchr(s[i].key, '/') && *p; p++)
                        if (*p == '.')
                                *p = '/';
                _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
                if (fd < 0)
                        return error_new(reterr, errno,
                                         errno == ENOENT ? "this kernel has no such sysctl (check the key)" : NULL,
                                         "linux.sysctl %s=%s: open %s", s[i].key, s[i].value, path);
                size_t vl = strlen(s[i].value);
                ssize_t k = write(fd, s[i].value, vl);
                if (k < 0)
                        return error_new(reterr, errno, NULL, "linux.sysctl %s=%s: write %s", s[i].key, s[i].value,
                                         path);
                if ((size_t)k != vl)
                        return error_new(reterr, EIO, NULL, "linux.sysctl %s=%s: short write to %s", s[i].key,
                                         s[i].value, path);
        }
        return 0;
}
