/* SPDX-License-Identifier: Apache-2.0 */
/* floor: the least a runtime must do to run /bin/true in a container, so the
 * benchmark can show what the kernel costs.
 *
 *   floor [--spec] ROOTFS [COMMAND [ARG...]]      (COMMAND defaults to /bin/true)
 *
 * Clones into new pid, mount, uts, ipc and net namespaces (the ones the
 * benchmark's config.json asks for), makes / private, binds ROOTFS onto
 * itself, pivot_root(".", "."), detaches the old root, execs COMMAND, and
 * waits for it. No cgroups, no /proc, /dev or other mounts, no config, no
 * state, no capabilities or seccomp: a floor, not a runtime.
 *
 * --spec adds the kernel work that the bench's bundle (`modrun spec`'s
 * default config) asks of any runtime: hostname, loopback up, the NOFILE
 * rlimit, the config's mounts (proc, a /dev tmpfs with devpts, shm and
 * mqueue, sysfs, the cgroup mount: a tmpfs with one read-only bind per v1
 * hierarchy, or a bind of the cgroup2 root), the default device nodes and
 * /dev symlinks, the old root made a slave before it is detached, the
 * read-only and masked paths, the bounding set, groups and ids,
 * no_new_privs and the capability sets. Still no config, state, cgroup or
 * plugin: what is left between it and a runtime is the runtime's own. The
 * calls are plain mount(2) ones; a runtime may make them otherwise (the
 * new mount API, binds of /dev/null), so compare totals, not steps. Left
 * out: the co-mount symlinks under /sys/fs/cgroup (cpu -> cpu,cpuacct), a
 * few system calls. */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
        perror(what);
        _exit(127);
}

#define CGROUP_MAGIC 0x27e0eb
#define CGROUP2_MAGIC 0x63677270
#define NOSUID_NODEV_NOEXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static void mnt(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)
{
        if (mount(src, dst, type, flags, data) < 0)
                die(dst);
}

static void bind_ro(const char *src, const char *dst)
{
        mnt(src, dst, NULL, MS_BIND | MS_REC, NULL);
        mnt(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | NOSUID_NODEV_NOEXEC, NULL);
}

/* The host's v1 hierarchies (cgroup mounts: not the hybrid cgroup2 one,
 * nor plain directories), each bound read-only beneath a tmpfs; on a pure
 * cgroup v2 host a read-only bind of its root (a new cgroup2 mount could
 * change the host's mount options). */
static void cgroup_mount(void)
{
        struct statfs sf;
        if (statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_MAGIC) {
                bind_ro("/sys/fs/cgroup", "sys/fs/cgroup");
                return;
        }
        mnt("tmpfs", "sys/fs/cgroup", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=755");
        DIR *d = opendir("/sys/fs/cgroup");
        if (!d)
                die("/sys/fs/cgroup");
        struct dirent *e;
        while ((e = readdir(d))) {
                char src[300], dst[300];
                snprintf(src, sizeof src, "/sys/fs/cgroup/%s", e->d_name);
                if (e->d_name[0] == '.' || e->d_type != DT_DIR || statfs(src, &sf) < 0 || sf.f_type != CGROUP_MAGIC)
                        continue;
                snprintf(dst, sizeof dst, "sys/fs/cgroup/%s", e->d_name);
                if (mkdir(dst, 0755) < 0)
                        die(dst);
                bind_ro(src, dst);
        }
        closedir(d);
        mnt(NULL, "sys/fs/cgroup", NULL, MS_REMOUNT | MS_RDONLY | NOSUID_NODEV_NOEXEC, "mode=755");
}

static void dev_nodes(void)
{
        static const struct {
                const char *name;
                unsigned major, minor;
        } nodes[] = {{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
        for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) {
                char path[64];
                snprintf(path, sizeof path, "dev/%s", nodes[i].name);
                if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0 || chmod(path, 0666) < 0)
                        die(path);
        }
        static const char *const links[][2] = {{"/proc/self/fd", "dev/fd"},     {"/proc/self/fd/0", "dev/stdin"},
                                                {"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"},
                                                {"pts/ptmx", "dev/ptmx"},          {"/proc/kcore", "dev/core"}};
        for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
                if (strcmp(links[i][1], "dev/core") == 0 && access("/proc/kcore", F_OK) < 0)
                        continue; /* as runc: only where the kernel has it */
                if (symlink(links[i][0], links[i][1]) < 0)
                        die(links[i][1]);
        }
}

static void loopback_up(void)
{
        struct ifreq ifr = {.ifr_name = "lo", .ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING};
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                die("lo up");
        close(fd);
}

static void mounts(void)
{
        mnt("proc", "proc", "proc", 0, NULL); /* the config gives no options */
        mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
        static const char *const dirs[] = {"dev/pts", "dev/shm", "dev/mqueue"};
        for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
                if (mkdir(dirs[i], 0755) < 0)
                        die(dirs[i]);
        mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        mnt("shm", "dev/shm", "tmpfs", NOSUID_NODEV_NOEXEC, "mode=1777,size=65536k");
        mnt("mqueue", "dev/mqueue", "mqueue", NOSUID_NODEV_NOEXEC, NULL);
        mnt("sysfs", "sys", "sysfs", NOSUID_NODEV_NOEXEC | MS_RDONLY, NULL);
        cgroup_mount();
        dev_nodes();
}

/* linux.readonlyPaths and linux.maskedPaths of `modrun spec`, after the
 * root switch: a missing path is skipped, as runtimes do. */
static void paths(void)
{
        static const char *const readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
        static const char *const masked[] = {"/proc/acpi",      "/proc/asound",     "/proc/kcore",
                                             "/proc/keys",      "/proc/latency_stats", "/proc/timer_list",
                                             "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                                             "/proc/scsi"};
        struct stat st;
        for (size_t i = 0; i < sizeof readonly / sizeof *readonly; i++)
                if (stat(readonly[i], &st) == 0)
                        bind_ro(readonly[i], readonly[i]);
        for (size_t i = 0; i < sizeof masked / sizeof *masked; i++) {
                if (stat(masked[i], &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        mnt("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
                else
                        mnt("/dev/null", masked[i], NULL, MS_BIND, NULL);
        }
}

/* The bundle's process: capabilities CAP_AUDIT_WRITE, CAP_KILL and
 * CAP_NET_BIND_SERVICE in every set, user 0:0, noNewPrivileges. */
static void process(void)
{
        const unsigned keep[] = {CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE};
        unsigned long long set = 0;
        for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
                set |= 1ull << keep[i];
        for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
                if (!(set >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                        die("PR_CAPBSET_DROP");
        if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                die("groups and ids");
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                die("no_new_privs");
        struct __user_cap_header_struct head = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[2] = {{.effective = (unsigned)set, .permitted = (unsigned)set,
                                                  .inheritable = (unsigned)set}};
        if (syscall(SYS_capset, &head, data) < 0)
                die("capset");
        for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, keep[i], 0, 0) < 0)
                        die("ambient");
}

/* --spec: what the config asks for before the root switch */
static void spec_before_pivot(void)
{
        struct rlimit nofile = {1024, 1024};
        if (sethostname("floor", 5) < 0 || setrlimit(RLIMIT_NOFILE, &nofile) < 0)
                die("hostname, rlimit");
        loopback_up();
        mounts();
}

static void child(const char *rootfs, char **cmd, bool spec)
{
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                die("make / private");
        if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                die("bind the rootfs");
        if (chdir(rootfs) < 0)
                die("chdir rootfs");
        if (spec)
                spec_before_pivot();
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                die("pivot_root");
        if (spec)
                mnt(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL);
        if (umount2(".", MNT_DETACH) < 0)
                die("detach the old root");
        if (chdir("/") < 0)
                die("chdir /");
        if (spec) {
                paths();
                process();
        }
        execv(cmd[0], cmd);
        die("execv");
}

int main(int argc, char **argv)
{
        bool spec = argc > 1 && strcmp(argv[1], "--spec") == 0;
        if (argc < 2 + spec) {
                fprintf(stderr, "usage: floor [--spec] ROOTFS [COMMAND [ARG...]]\n");
                return 2;
        }
        const char *rootfs = argv[1 + spec];
        char *def[] = {"/bin/true", NULL};
        char **cmd = argc > 2 + spec ? &argv[2 + spec] : def;

        long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD;
        pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
        if (pid < 0)
                die("clone");
        if (pid == 0)
                child(rootfs, cmd, spec);
        int status;
        if (waitpid(pid, &status, 0) < 0)
                die("waitpid");
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
