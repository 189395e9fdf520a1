/* SPDX-License-Identifier: Apache-2.0 */
/* linux.namespaces: the ones joined by path (checked to be of the listed
 * type), the new ones created with the init, the time namespace and its
 * offsets, hostname and domainname. */
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

bool ns_is_new(const struct oci_config *cfg, enum oci_ns_type t)
{
        const struct oci_namespace *ns = config_namespace(cfg, t);
        return ns && !ns->path;
}

int ns_check_config(const struct oci_config *cfg, struct modrun_error **reterr)
{
        /* Without a mount namespace the mounts are made in the runtime's
         * (container/host-rootfs.c), which the runtime's user namespace
         * owns: an init in another one may not mount there. */
        const struct oci_namespace *userns = config_namespace(cfg, OCI_NS_USER);
        if (!config_namespace(cfg, OCI_NS_MOUNT) && userns)
                return error_new(reterr, EINVAL, "add {\"type\": \"mount\"} to linux.namespaces",
                                 "linux.namespaces: a %s user namespace and no mount namespace: the container's "
                                 "mounts would be made in the runtime's mount namespace, where a process of another "
                                 "user namespace may not mount", userns->path ? "joined" : "new");
        /* The container's uts namespace, new or joined by path (runc sets
         * the name in a joined one too); never the runtime's. */
        if (cfg->hostname && *cfg->hostname && !config_namespace(cfg, OCI_NS_UTS))
                return error_new(reterr, EINVAL, "add {\"type\": \"uts\"} to linux.namespaces or remove \"hostname\"",
                                 "hostname \"%s\": setting it needs a uts namespace of the container", cfg->hostname);
        if (cfg->domainname && *cfg->domainname && !config_namespace(cfg, OCI_NS_UTS))
                return error_new(reterr, EINVAL,
                                 "add {\"type\": \"uts\"} to linux.namespaces or remove \"domainname\"",
                                 "domainname \"%s\": setting it needs a uts namespace of the container", cfg->domainname);
        if ((cfg->linux_.time_boottime.present || cfg->linux_.time_monotonic.present) &&
            !ns_is_new(cfg, OCI_NS_TIME))
                return error_new(reterr, EINVAL, "add {\"type\": \"time\"} to linux.namespaces",
                                 "linux.timeOffsets: time offsets need a new time namespace");
        return 0;
}

static const char *nstype_name(int flag)
{
        switch (flag) {
        case CLONE_NEWNS:
                return "mount";
        case CLONE_NEWPID:
                return "pid";
        case CLONE_NEWNET:
                return "network";
        case CLONE_NEWIPC:
                return "ipc";
        case CLONE_NEWUTS:
                return "uts";
        case CLONE_NEWUSER:
                return "user";
        case CLONE_NEWCGROUP:
                return "cgroup";
        case CLONE_NEWTIME:
                return "time";
        default:
                return "unknown";
        }
}

void ns_close_fds(int fds[_OCI_NS_MAX])
{
        for (int t = 0; t < _OCI_NS_MAX; t++)
                if (fds[t] >= 0) {
                        (void)close(fds[t]);
                        fds[t] = -1;
                }
}

int ns_open_paths(const struct oci_config *cfg, int fds[_OCI_NS_MAX], struct modrun_error **reterr)
{
        for (int t = 0; t < _OCI_NS_MAX; t++)
                fds[t] = -1;
        for (size_t i = 0; i < cfg->linux_.n_namespaces; i++) {
                const struct oci_namespace *ns = &cfg->linux_.namespaces[i];
                if (!ns->path)
                        continue;
                const char *want = oci_ns_type_to_string(ns->type);
                int fd = open(ns->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0) {
                        int r = error_new(reterr, errno, NULL, "linux.namespaces: open the %s namespace %s", want,
                                          ns->path);
                        ns_close_fds(fds);
                        return r;
                }
                fds[ns->type] = fd;
                int type = ioctl(fd, NS_GET_NSTYPE);
                if (type < 0 || type != oci_ns_type_to_clone_flag(ns->type)) {
                        int r = type < 0 ? error_new(reterr, errno == ENOTTY ? EINVAL : errno,
                                                     "give a namespace file, such as /proc/PID/ns/TYPE",
                                                     "linux.namespaces: %s (listed as %s) is not a namespace file",
                                                     ns->path, want)
                                         : error_new(reterr, EINVAL, NULL,
                                                     "linux.namespaces: %s is a %s namespace, but it is listed as %s",
                                                     ns->path, nstype_name(type), want);
                        ns_close_fds(fds);
                        return r;
                }
        }
        return 0;
}

static int join_one(const struct oci_config *cfg, enum oci_ns_type t, int fd, struct modrun_error **reterr)
{
        if (fd < 0)
                return 0;
        if (setns(fd, oci_ns_type_to_clone_flag(t)) < 0) {
                const struct oci_namespace *ns = config_namespace(cfg, t);
                return error_new(reterr, errno,
                                 errno == EPERM ? "joining needs CAP_SYS_ADMIN over the namespace's owning user namespace"
                                                : NULL,
                                 "linux.namespaces: join the %s namespace %s", oci_ns_type_to_string(t),
                                 ns && ns->path ? ns->path : "?");
        }
        return 0;
}

int ns_join(const struct oci_config *cfg, const int fds[_OCI_NS_MAX], struct modrun_error **reterr)
{
        /* runc's order (libcontainer's NamespaceTypes, followed by nsexec):
         * user first, since it grants the rights over the others and owns
         * the namespaces created after it; the mount namespace changes root
         * and working directory, which the open fds do not care about. */
        static const enum oci_ns_type order[] = {OCI_NS_USER, OCI_NS_IPC,   OCI_NS_UTS,    OCI_NS_NETWORK,
                                                 OCI_NS_PID,  OCI_NS_MOUNT, OCI_NS_CGROUP, OCI_NS_TIME};
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                int r = join_one(cfg, order[i], fds[order[i]], reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int ns_setup_time(const struct oci_config *cfg, struct modrun_error **reterr)
{
        if (!ns_is_new(cfg, OCI_NS_TIME))
                return 0;
        if (unshare(CLONE_NEWTIME) < 0)
                return error_new(reterr, errno, errno == EINVAL ? "the kernel needs CONFIG_TIME_NS (5.6 or newer)" : NULL,
                                 "linux.namespaces: create a time namespace (unshare CLONE_NEWTIME)");
        const struct oci_time_offset *off[2] = {&cfg->linux_.time_monotonic, &cfg->linux_.time_boottime};
        const char *clock[2] = {"monotonic", "boottime"};
        for (int i = 0; i < 2; i++) {
                if (!off[i]->present)
                        continue;
                char line[96];
                int n = snprintf(line, sizeof(line), "%s %lld %u\n", clock[i], (long long)off[i]->secs,
                                 off[i]->nanosecs);
                _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, line, (size_t)n) != n)
                        return error_new(reterr, errno, NULL,
                                         "linux.timeOffsets.%s: write \"%lld %u\" to /proc/self/timens_offsets",
                                         clock[i], (long long)off[i]->secs, off[i]->nanosecs);
        }
        return 0;
}

uint64_t ns_clone_flags(const struct oci_config *cfg)
{
        uint64_t flags = 0;
        for (size_t i = 0; i < cfg->linux_.n_namespaces; i++) {
                const struct oci_namespace *ns = &cfg->linux_.namespaces[i];
                if (!ns->path && ns->type != OCI_NS_TIME && ns->type != OCI_NS_CGROUP)
                        flags |= (uint64_t)oci_ns_type_to_clone_flag(ns->type);
        }
        return flags;
}

int ns_set_hostname(const struct oci_config *cfg, struct modrun_error **reterr)
{
        if (cfg->hostname && *cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
                return error_new(reterr, errno, errno == EINVAL ? "a hostname has at most 64 bytes" : NULL,
                                 "sethostname \"%s\"", cfg->hostname);
        if (cfg->domainname && *cfg->domainname && setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0)
                return error_new(reterr, errno, errno == EINVAL ? "a domainname has at most 64 bytes" : NULL,
                                 "setdomainname \"%s\"", cfg->domainname);
        return 0;
}

int ns_open_of_pid(const struct oci_config *cfg, pid_t pid, int fds[_OCI_NS_MAX], struct modrun_error **reterr)
{
        static const char *const proc_name[_OCI_NS_MAX] = {
                [OCI_NS_PID] = "pid", [OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt",    [OCI_NS_IPC] = "ipc",
                [OCI_NS_UTS] = "uts", [OCI_NS_USER] = "user",   [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
        };
        for (int t = 0; t < _OCI_NS_MAX; t++)
                fds[t] = -1;
        for (size_t i = 0; i < cfg->linux_.n_namespaces; i++) {
                enum oci_ns_type t = cfg->linux_.namespaces[i].type;
                char path[64], self[64];
                (void)snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, proc_name[t]);
                (void)snprintf(self, sizeof(self), "/proc/self/ns/%s", proc_name[t]);
                struct stat a, b;
                if (stat(path, &a) < 0) {
                        int r = error_new(reterr, errno, NULL, "the %s namespace of the container init %s",
                                          oci_ns_type_to_string(t), path);
                        ns_close_fds(fds);
                        return r;
                }
                if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
                        continue; /* ours already: setns() would refuse the user namespace */
                fds[t] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[t] < 0) {
                        int r = error_new(reterr, errno, NULL, "open the %s namespace of the container init %s",
                                          oci_ns_type_to_string(t), path);
                        ns_close_fds(fds);
                        return r;
                }
        }
        return 0;
}
