/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "mount-diag.h"
#include "mount-options.h"
#include "util/fs-util.h"

#define OR_NONE(s) ((s) ? (s) : "none")

static long read_long_file(const char *path, long fallback)
{
        _cleanup_free_ char *s = NULL;
        if (fs_read_file(AT_FDCWD, path, &s, NULL) < 0)
                return fallback;
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 10);
        return errno || end == s ? fallback : v;
}

bool mount_diag_uid_unmapped(uid_t uid, bool in_userns)
{
        if (!in_userns)
                return false;
        return (long)uid == read_long_file("/proc/sys/kernel/overflowuid", 65534);
}

int mount_diag_umask(void)
{
        _cleanup_free_ char *status = NULL;
        if (fs_read_file(AT_FDCWD, "/proc/self/status", &status, NULL) < 0)
                return -1;
        const char *u = strstr(status, "\nUmask:");
        if (!u)
                return -1;
        char *end = NULL;
        long v = strtol(u + strlen("\nUmask:"), &end, 8);
        return end == u + strlen("\nUmask:") ? -1 : (int)v;
}

char *mount_diag_fd_path(int fd)
{
        char proc[64], buf[PATH_MAX];
        if (fd < 0)
                return NULL;
        (void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc, buf, sizeof(buf) - 1);
        if (n < 0)
                return NULL;
        buf[n] = '\0';
        return strdup(buf);
}

/* The host uid of container uid 0, from /proc/self/uid_map, or -1. */
static long host_uid_of_root(void)
{
        _cleanup_free_ char *map = NULL;
        if (fs_read_file(AT_FDCWD, "/proc/self/uid_map", &map, NULL) < 0)
                return -1;
        for (char *l = map; l && *l;) {
                unsigned long c, h, n;
                if (sscanf(l, "%lu %lu %lu", &c, &h, &n) == 3 && c == 0 && n > 0)
                        return (long)h;
                l = strchr(l, '\n');
                l = l ? l + 1 : NULL;
        }
        return -1;
}

/* The first directory on the way to path, path included, that this
 * process cannot search; malloc()ed, or NULL when all can be. */
char *mount_diag_unsearchable(const char *path)
{
        if (!path || path[0] != '/')
                return NULL;
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return NULL;
        for (char *slash = p + 1;; slash++) {
                bool end = *slash == '\0';
                if (!end && *slash != '/')
                        continue;
                *slash = '\0';
                if (faccessat(AT_FDCWD, p, X_OK, AT_EACCESS) < 0 && (errno == EACCES || errno == EPERM))
                        return strdup(p);
                if (end)
                        return NULL;
                *slash = '/';
        }
}

/* FIELD-NOTES #1, the cgroup directory behind a cgroup mount: which of
 * owner not mapped, mode (0700) and umask keeps the container's root out,
 * with the fix. Returns whether a cause was found. */
static bool diagnose_cgroup_dir(char **hint, const struct mount_call *c, int um)
{
        struct stat st;
        _cleanup_free_ char *blocker = mount_diag_unsearchable(c->cgroup_dir);
        const char *dir = blocker ? blocker : c->cgroup_dir;
        if (stat(dir, &st) < 0) {
                hint_append(hint, "the cgroup directory %s cannot be inspected (%s)", c->cgroup_dir, strerror(errno));
                return false;
        }
        bool unmapped = mount_diag_uid_unmapped(st.st_uid, c->in_userns);
        unsigned mode = (unsigned)(st.st_mode & 07777);
        hint_append(hint, "%s %s is owned by %u:%u%s, mode %04o%s", blocker ? "the directory" : "the cgroup directory",
                 dir, (unsigned)st.st_uid, (unsigned)st.st_gid,
                 unmapped ? " (an owner not mapped into the user namespace)" : "", mode,
                 blocker && !streq(blocker, c->cgroup_dir) ? ", on the path to the cgroup directory" : "");
        if (!blocker) {
                if (unmapped) {
                        hint_append(hint, "cause: the cgroup's owner is not mapped; fix: map it, or chown %s to the "
                                       "container's root", c->cgroup_dir);
                        return true;
                }
                if ((st.st_mode & 0055) != 0055) {
                        hint_append(hint, "cause: mode %04o; fix: relax the mode of %s to 0755", mode, c->cgroup_dir);
                        return true;
                }
                return false;
        }
        long root = host_uid_of_root();
        char who[80] = "the container's root";
        if (root >= 0)
                (void)snprintf(who, sizeof(who), "the container's root (host uid %ld)", root);
        if (unmapped)
                hint_append(hint, "cause: owner not mapped and mode %04o: %s is neither its owner nor in its group, "
                               "and the mode gives others no search (x) bit; fix: chmod 0755 %s on the host, or "
                               "chown it to %s",
                         mode, who, dir, who);
        else
                hint_append(hint, "cause: mode %04o: %s cannot search it; fix: chmod 0755 %s on the host", mode, who,
                         dir);
        if (um >= 0 && S_ISDIR(st.st_mode) && mode == (0777 & ~(unsigned)um))
                hint_append(hint, "mode %04o is what the umask %04o gives a new directory (the runtime's, which "
                               "the container inherits): the cgroup was made under it; fix: run modrun with umask "
                               "0022",
                         mode, (unsigned)um);
        return true;
}

/* FIELD-NOTES #1: owner, mode, mapping and umask of the mount point and of
 * the cgroup directory behind a cgroup mount. */
static void diagnose_permission(char **hint, const struct mount_call *c)
{
        struct stat st;
        int um = mount_diag_umask();
        bool cause = false;

        if (c->target_fd >= 0 && fstat(c->target_fd, &st) == 0) {
                bool unmapped = mount_diag_uid_unmapped(st.st_uid, c->in_userns);
                hint_append(hint, "the mount point %s is owned by %u:%u, mode %04o%s", c->target,
                         (unsigned)st.st_uid, (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777),
                         unmapped ? ", and that owner is not mapped into the container's user namespace" : "");
                if (unmapped) {
                        hint_append(hint, "fix: chown the rootfs to the mapped range, or use an idmapped mount");
                        cause = true;
                }
        }
        if (c->cgroup_dir && diagnose_cgroup_dir(hint, c, um))
                cause = true;
        else if (um >= 0 && (um & 0055) == 0055) {
                hint_append(hint, "the umask is %04o, so directories created for the mount are not searchable "
                               "by others: set the umask to 0022", um);
                cause = true;
        }
        if (c->locked) {
                hint_append(hint, "the source is mounted %s and a bind remount cannot clear those flags "
                               "(locked from a user namespace, or the source's): do not ask for the opposite",
                         c->locked);
                cause = true;
        }
        if (c->in_userns) {
                if (!cause)
                        hint_append(hint, "inside a user namespace the kernel only mounts %s when the namespace "
                                       "owns the matching namespace (cgroup, pid, net) and the owner of the "
                                       "mount point is mapped",
                                 OR_NONE(c->fstype));
        } else if (!cause)
                hint_append(hint, "the process lacks CAP_SYS_ADMIN in the mount namespace's user namespace, "
                               "or an LSM (AppArmor, SELinux) denied the mount");
}

static char *mount_hint(int err, const struct mount_call *c)
{
        char *hint = NULL;
        switch (err) {
        case EPERM:
        case EACCES:
                diagnose_permission(&hint, c);
                break;
        case EINVAL:
                if (c->flags & (MS_REMOUNT | MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE))
                        hint_append(&hint, "%s is not a mount point, or the flags do not apply to it", c->target);
                else if (c->fstype && c->data)
                        hint_append(&hint, "the file system %s rejected an option of \"%s\" (unknown or invalid "
                                        "option)", c->fstype, c->data);
                else if (c->source_on_host)
                        hint_append(&hint, "the source is not in this mount namespace, or is unbindable");
                else
                        hint_append(&hint, "invalid flags or data for %s", OR_NONE(c->fstype));
                break;
        case ENOENT:
                hint_append(&hint, c->source_on_host ? "source %s does not exist on the host"
                                                  : "the mount point (or its path through /proc/self/fd) "
                                                    "vanished: %s",
                         c->source_on_host ? OR_NONE(c->source) : c->target);
                break;
        case ENODEV:
                hint_append(&hint, "file system type %s is not supported by the kernel (see /proc/filesystems; "
                                "load its module)", OR_NONE(c->fstype));
                break;
        case ENOTDIR:
                hint_append(&hint, "source and destination are not both directories: a file can only be mounted "
                                "onto a file");
                break;
        case EBUSY:
                hint_append(&hint, "%s is busy or already mounted with other options", c->target);
                break;
        case ENOTBLK:
                hint_append(&hint, "the source %s of a %s mount must be a block device", OR_NONE(c->source),
                         OR_NONE(c->fstype));
                break;
        default:
                break;
        }
        return hint;
}

int mount_error(struct modrun_error **reterr, int err, const struct mount_call *c)
{
        char fl[MOUNT_FLAGS_STRMAX];
        _cleanup_free_ char *hint = mount_hint(err, c);
        return error_new(reterr, err, hint, "mount %s on %s (host path %s) (type %s, flags %s, data %s)",
                         OR_NONE(c->source), c->target, OR_NONE(c->host_target), OR_NONE(c->fstype),
                         mount_flags_to_string(c->flags, fl, sizeof(fl)), OR_NONE(c->data));
}

int mount_setattr_error(struct modrun_error **reterr, int err, const struct mount_call *c, uint64_t attr_set,
                        uint64_t attr_clr, uint64_t propagation, bool recursive)
{
        char s[MOUNT_FLAGS_STRMAX], k[MOUNT_FLAGS_STRMAX], p[MOUNT_FLAGS_STRMAX];
        _cleanup_free_ char *hint = NULL;
        if (err == ENOSYS)
                hint_append(&hint, "the kernel lacks mount_setattr(2) (Linux >= 5.12): drop the recursive options");
        else if (err == EINVAL)
                hint_append(&hint, "an attribute is not supported by this kernel (rnosymfollow needs Linux >= 5.14) "
                                "or %s is not a mount", c->target);
        else if (err == EPERM || err == EACCES)
                diagnose_permission(&hint, c);
        else
                hint = mount_hint(err, c);
        return error_new(reterr, err, hint,
                         "mount_setattr %s (host path %s, %s, set %s, clear %s, propagation %s)", c->target,
                         OR_NONE(c->host_target), recursive ? "recursive" : "not recursive",
                         mount_attr_to_string(attr_set, s, sizeof(s)), mount_attr_to_string(attr_clr, k, sizeof(k)),
                         mount_flags_to_string((unsigned long)propagation, p, sizeof(p)));
}
