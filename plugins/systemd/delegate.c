/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the plugin does itself around the delegated cgroup, where systemd
 * has no property for it:
 *  - the /dev/{char,block}/M:m links udev would make (systemd resolves
 *    DeviceAllow= and IO*Max= device paths with stat());
 *  - controllers systemd does not manage (hugetlb, rdma, misc): systemd
 *    never enables them below the root, so a hugetlb.2MB.max or rdma.max
 *    of the scope only exists once every ancestor's cgroup.subtree_control
 *    has them (crun does the same). systemd leaves controllers it does not
 *    know alone, so they stay enabled;
 *  - hints for the files the kernel refuses.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "systemd.h"

static const char *const unmanaged[] = {"hugetlb", "rdma", "misc", NULL};

static bool is_dev(const struct stat *st, char type, dev_t want)
{
        return st->st_rdev == want && (type == 'b' ? S_ISBLK(st->st_mode) : S_ISCHR(st->st_mode));
}

bool sdd_dev_link(char type, int64_t major, int64_t minor, const struct modrun_host *host)
{
        if (major < 0 || minor < 0 || major > 4095 || minor > 1048575)
                return false;
        char path[64], dir[16];
        (void)snprintf(dir, sizeof(dir), "/dev/%s", type == 'b' ? "block" : "char");
        (void)snprintf(path, sizeof(path), "%s/%" PRId64 ":%" PRId64, dir, major, minor);
        dev_t want = makedev((unsigned)major, (unsigned)minor);
        struct stat st;
        if (stat(path, &st) == 0)
                return is_dev(&st, type, want);
        if (lstat(path, &st) == 0)
                return false; /* a dangling link of someone else's: leave it */
        DIR *d = opendir("/dev");
        if (!d)
                return false;
        bool ok = false;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !is_dev(&st, type, want))
                        continue;
                char target[300];
                (void)snprintf(target, sizeof(target), "../%s", e->d_name);
                (void)mkdir(dir, 0755);
                if (symlink(target, path) == 0) {
                        if (host)
                                host->log(host, MODRUN_LOG_DEBUG, "systemd: created %s -> %s", path, target);
                        ok = stat(path, &st) == 0 && is_dev(&st, type, want);
                }
                break;
        }
        closedir(d);
        return ok;
}

static bool has_word(const char *text, const char *word)
{
        size_t n = strlen(word);
        for (const char *t = text; (t = strstr(t, word)); t += n)
                if ((t == text || t[-1] == ' ' || t[-1] == '\n') && (t[n] == '\0' || t[n] == ' ' || t[n] == '\n'))
                        return true;
        return false;
}

/* The controller a file belongs to, if it is one systemd does not manage. */
static const char *unmanaged_controller(const char *file)
{
        for (size_t i = 0; unmanaged[i]; i++) {
                size_t n = strlen(unmanaged[i]);
                if (strncmp(file, unmanaged[i], n) == 0 && file[n] == '.')
                        return unmanaged[i];
        }
        return NULL;
}

/* "+ctrl" in subtree_control of root, ..., parent of dir. */
static int enable_below(const char *root, const char *dir, const char *ctrl, const struct modrun_host *host,
                        struct modrun_error **reterr)
{
        char level[4096], v[32];
        size_t rl = strlen(root), dl = strlen(dir);
        (void)snprintf(v, sizeof(v), "+%s", ctrl);
        for (size_t end = rl; end < dl;) {
                (void)snprintf(level, sizeof(level), "%.*s", (int)end, dir);
                char *cur = NULL;
                int r = sdc_read(level, "cgroup.subtree_control", &cur);
                bool on = r == 0 && has_word(cur, ctrl);
                free(cur);
                if (!on && (r = sdc_write(level, "cgroup.subtree_control", v)) < 0)
                        return host->error(reterr, -r,
                                           r == -EACCES || r == -EPERM
                                                   ? "systemd does not delegate this controller: enable it as root, or "
                                                     "drop the limit"
                                                   : "a cgroup with processes cannot enable controllers for children",
                                           "systemd: enable the %s controller for %s: write \"%s\" to "
                                           "%s/cgroup.subtree_control",
                                           ctrl, dir, v, level);
                if (!on)
                        host->log(host, MODRUN_LOG_DEBUG, "systemd: %s/cgroup.subtree_control <- %s (not managed by "
                                  "systemd)", level, v);
                const char *slash = strchr(dir + end + 1, '/');
                end = slash ? (size_t)(slash - dir) : dl;
        }
        return 0;
}

int sdd_enable_unmanaged(const char *root, const char *dir, const struct sd_file *files, size_t n,
                         const struct modrun_host *host, struct modrun_error **reterr)
{
        bool done[sizeof(unmanaged) / sizeof(unmanaged[0])] = {false};
        for (size_t i = 0; i < n; i++) {
                const char *ctrl = unmanaged_controller(files[i].file);
                size_t k = 0;
                while (ctrl && unmanaged[k] != ctrl)
                        k++;
                if (!ctrl || done[k])
                        continue;
                done[k] = true;
                char *avail = NULL;
                bool there = sdc_read(dir, "cgroup.controllers", &avail) == 0 && has_word(avail, ctrl);
                free(avail);
                if (there)
                        continue;
                bool in_root = sdc_read(root, "cgroup.controllers", &avail) == 0 && has_word(avail, ctrl);
                free(avail);
                if (!in_root)
                        return host->error(reterr, EOPNOTSUPP, "drop the limit, or use a kernel with that controller",
                                           "systemd: %s needs the %s controller, which this kernel does not offer "
                                           "(not in %s/cgroup.controllers)",
                                           files[i].file, ctrl, root);
                int r = enable_below(root, dir, ctrl, host, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

const char *sdd_write_hint(const char *file, int err)
{
        if (strncmp(file, "hugetlb.", 8) == 0 && err == ENOENT)
                return "the kernel has no huge pages of that size: see /sys/kernel/mm/hugepages";
        if (strcmp(file, "rdma.max") == 0 && err == ENODEV)
                return "no RDMA device of that name: see /sys/class/infiniband";
        if ((strcmp(file, "io.max") == 0 || strcmp(file, "io.weight") == 0) && err == ENODEV)
                return "no whole block device of that MAJ:MIN (a partition cannot be limited): see /sys/dev/block";
        if (strcmp(file, "io.weight") == 0 && err == EOPNOTSUPP)
                return "per-device io.weight needs io.cost enabled for the device (io.cost.qos) or the BFQ scheduler";
        if (strncmp(file, "cpu.", 4) == 0 && err == ENOENT)
                return "systemd enables the cpu controller for a unit with a CPU weight or quota: set one too "
                       "(cpu.idle needs Linux 5.15, cpu.max.burst 5.14)";
        if (err == ENOENT)
                return "is the controller enabled? (cgroup.controllers)";
        return NULL;
}
