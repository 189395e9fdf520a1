/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scope's cgroup2 directory: small file reads and writes, its pids
 * (sub-cgroups included), where the init landed (/proc/PID/cgroup), and
 * the record of it in the container's state directory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "systemd.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

const char *sdc_unified_root(void)
{
        static const char *const roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
        for (size_t i = 0; i < 2; i++) {
                struct statfs f;
                if (statfs(roots[i], &f) == 0 && f.f_type == CGROUP2_SUPER_MAGIC)
                        return roots[i];
        }
        return NULL;
}

int sdc_read(const char *dir, const char *file, char **ret)
{
        char path[4096];
        (void)snprintf(path, sizeof(path), "%s/%s", dir, file);
        int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap);
        for (;;) {
                if (!buf) {
                        close(fd);
                        return -ENOMEM;
                }
                ssize_t n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        int e = errno;
                        free(buf);
                        close(fd);
                        return -e;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
                if (len + 1 == cap) {
                        char *b = realloc(buf, cap * 2);
                        if (!b)
                                free(buf);
                        buf = b;
                        cap *= 2;
                }
        }
        close(fd);
        buf[len] = '\0';
        *ret = buf;
        return 0;
}

/* value, in one write(), to dir/file opened with flags (never through a symlink) */
static int write_file(const char *dir, const char *file, const char *value, int flags)
{
        char path[4096];
        (void)snprintf(path, sizeof(path), "%s/%s", dir, file);
        int fd = open(path, flags | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        size_t len = strlen(value);
        ssize_t n = write(fd, value, len);
        int e = n < 0 ? errno : (size_t)n != len ? EIO : 0;
        if (close(fd) < 0 && !e)
                e = errno;
        return -e;
}

int sdc_write(const char *dir, const char *file, const char *value)
{
        return write_file(dir, file, value, 0);
}

static int collect(const char *dir, int depth, pid_t **pids, size_t *n, size_t *cap)
{
        char *text = NULL;
        int r = sdc_read(dir, "cgroup.procs", &text);
        if (r < 0) /* ENODEV: a cgroup being removed, its files no longer open */
                return r == -ENOENT || r == -ENODEV ? 0 : r;
        char *save = NULL;
        for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (*n == *cap) {
                        size_t c = *cap ? *cap * 2 : 64;
                        pid_t *v = realloc(*pids, c * sizeof(*v));
                        if (!v) {
                                free(text);
                                return -ENOMEM;
                        }
                        *pids = v;
                        *cap = c;
                }
                (*pids)[(*n)++] = (pid_t)strtol(l, NULL, 10);
        }
        free(text);
        if (depth >= 16)
                return 0;
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                if (e->d_type != DT_DIR || e->d_name[0] == '.')
                        continue;
                char sub[4096];
                if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= sizeof(sub))
                        continue;
                if ((r = collect(sub, depth + 1, pids, n, cap)) < 0)
                        break;
        }
        closedir(d);
        return r < 0 ? r : 0;
}

int sdc_pids(const char *dir, pid_t **ret, size_t *ret_n)
{
        pid_t *pids = NULL;
        size_t n = 0, cap = 0;
        int r = collect(dir, 0, &pids, &n, &cap);
        if (r < 0) {
                free(pids);
                return r;
        }
        *ret = pids;
        *ret_n = n;
        return 0;
}

int sdc_scope_in(char *proc_cgroup, const char *root, const char *unit, char **ret)
{
        *ret = NULL;
        char *save = NULL;
        for (char *l = strtok_r(proc_cgroup, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                const char *slash = strrchr(l, '/');
                /* "/.." leads out of our cgroup namespace: not a path here */
                if (strncmp(l, "0::/", 4) != 0 || strcmp(slash + 1, unit) != 0 || strstr(l, "/../"))
                        continue;
                if (asprintf(ret, "%s%s", root, l + 3) < 0) {
                        *ret = NULL;
                        return -ENOMEM;
                }
                return 1;
        }
        return 0;
}

int sdc_pid_scope(const char *root, pid_t pid, const char *unit, char **ret)
{
        char dir[32], *text = NULL;
        (void)snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
        int r = sdc_read(dir, "cgroup", &text);
        if (r < 0)
                return r;
        r = sdc_scope_in(text, root, unit, ret);
        free(text);
        struct stat st;
        if (r > 0 && (stat(*ret, &st) < 0 || !S_ISDIR(st.st_mode))) {
                free(*ret);
                *ret = NULL;
                r = 0;
        }
        return r;
}

int sdc_record_save(const char *state_dir, const char *scope)
{
        return write_file(state_dir, SDC_RECORD, scope, O_CREAT | O_TRUNC);
}

int sdc_record_load(const char *state_dir, const char *root, char **ret)
{
        char *scope = NULL;
        int r = sdc_read(state_dir, SDC_RECORD, &scope);
        if (r < 0)
                return r;
        size_t lr = root ? strlen(root) : 0;
        struct stat st;
        if (!root || strncmp(scope, root, lr) != 0 || scope[lr] != '/' || strstr(scope, "/../"))
                r = -ENOENT; /* not one of ours: ask systemd */
        else if (stat(scope, &st) < 0)
                r = errno == ENOENT ? 0 : -errno;
        else
                r = S_ISDIR(st.st_mode) ? 1 : -ENOENT;
        if (r == 1)
                *ret = scope;
        else
                free(scope);
        return r;
}
