/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include "procfs.h"
#include "sys-mount.h"

#define PROC_ROOT_INO 1

static int private_instance(void)
{
        _cleanup_close_ int fs = sys_fsopen("proc", FSOPEN_CLOEXEC);
        if (fs < 0)
                return fs;
        int r = sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
        if (r < 0)
                return r;
        return sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
}

/* Is fd the root of a procfs (whose "self" is this process, with
 * need_self)? A reason why not, or NULL. */
static const char *not_our_procfs_root(int fd, bool need_self)
{
        struct statfs sf;
        struct stat st;
        if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
                return "is not a procfs";
        if (fstat(fd, &st) < 0 || st.st_ino != PROC_ROOT_INO)
                return "is not the root of a procfs (a bind mount of part of one)";
        if (!need_self)
                return NULL;
        char self[32], want[32];
        ssize_t n = readlinkat(fd, "self", self, sizeof(self) - 1);
        if (n < 0)
                return "has no \"self\" (another pid namespace's)";
        self[n] = '\0';
        (void)snprintf(want, sizeof(want), "%d", (int)getpid());
        return streq(self, want) ? NULL : "belongs to another pid namespace";
}

int procfs_open_root(const char *what, bool need_self, struct modrun_error **reterr)
{
        int priv = private_instance();
        if (priv >= 0)
                return priv;
        _cleanup_close_ int fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_new(reterr, errno, "mount proc at /proc",
                                 "%s: no private procfs (fsopen: %s) and no /proc to fall back on", what,
                                 strerror(-priv));
        const char *why = not_our_procfs_root(fd, need_self);
        if (why)
                return error_new(reterr, EXDEV, "mount proc at /proc, and nothing over it",
                                 "%s: no private procfs (fsopen: %s), and /proc %s: refusing to use it", what,
                                 strerror(-priv), why);
        return TAKE_FD(fd);
}

static const char *kind_name(mode_t kind)
{
        return S_ISDIR(kind) ? "a directory" : S_ISREG(kind) ? "a regular file" : "of the expected type";
}

int procfs_open(int proc_root, const char *rel, int flags, mode_t kind, const char *what,
                struct modrun_error **reterr)
{
        struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
                               .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
                                          RESOLVE_NO_XDEV};
        _cleanup_close_ int fd = (int)syscall(SYS_openat2, proc_root, rel, &how, sizeof(how));
        if (fd < 0 && errno == EXDEV)
                return error_new(reterr, EXDEV, "unmount what covers it; the runtime only writes to procfs itself",
                                 "%s: /proc/%s is covered by another mount, refusing to use it", what, rel);
        if (fd < 0)
                return error_new(reterr, errno,
                                 errno == ENOENT ? "this kernel has no such file (check the name)" : NULL,
                                 "%s: open /proc/%s", what, rel);
        struct statfs sf;
        struct stat st;
        if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0)
                return error_new(reterr, errno, NULL, "%s: stat /proc/%s", what, rel);
        if (sf.f_type != PROC_SUPER_MAGIC || (st.st_mode & S_IFMT) != kind)
                return error_new(reterr, EXDEV, "unmount what covers it; the runtime only writes to procfs itself",
                                 "%s: /proc/%s is not %s on procfs (file system 0x%lx, mode 0%o), refusing to use it",
                                 what, rel, kind_name(kind), (unsigned long)sf.f_type, (unsigned)st.st_mode);
        return TAKE_FD(fd);
}

/* The parent pid in /proc/PID/stat, or -1 ("pid (comm) state ppid ...";
 * comm may hold spaces and parentheses: parse after the last ')'). */
static pid_t stat_ppid(int proc_root, const char *pid)
{
        char rel[64], buf[512];
        (void)snprintf(rel, sizeof(rel), "%s/stat", pid);
        _cleanup_close_ int fd = openat(proc_root, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        char state, *rp = strrchr(buf, ')');
        int ppid;
        return rp && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 ? (pid_t)ppid : -1;
}

void procfs_kill_children(int proc_root, pid_t ppid)
{
        int dfd = openat(proc_root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
        if (!d) {
                if (dfd >= 0)
                        (void)close(dfd);
                return;
        }
        for (struct dirent *de; (de = readdir(d));) {
                char *end = NULL;
                long pid = strtol(de->d_name, &end, 10);
                if (pid > 0 && end && !*end && stat_ppid(proc_root, de->d_name) == ppid)
                        (void)kill((pid_t)pid, SIGKILL);
        }
        closedir(d);
}
