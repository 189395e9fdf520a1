/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading and writing cgroup files. A write's error names the OCI field,
 * the value, the file and the kernel's errno, and says what the errno
 * usually means for a cgroup file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroupfs.h"

#define PIDS_MAX_DEPTH 16

int cg_read(const char *dir, const char *file, char **ret)
{
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap);
        int r = buf ? 0 : -ENOMEM;
        while (r == 0) {
                if (len + 1 >= cap) {
                        char *g = realloc(buf, cap * 2);
                        if (!g) {
                                r = -ENOMEM;
                                break;
                        }
                        buf = g;
                        cap *= 2;
                }
                ssize_t k = read(fd, buf + len, cap - len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        r = -errno;
                else if (k == 0)
                        break;
                else
                        len += (size_t)k;
        }
        (void)close(fd);
        if (r < 0) {
                free(buf);
                return r;
        }
        buf[len] = '\0';
        *ret = buf;
        return 0;
}

bool cg_file_exists(const char *dir, const char *file)
{
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
                return false;
        return access(path, F_OK) == 0;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *ret)
{
        _cleanup_free_ char *text = NULL;
        int r = cg_read(dir, file, &text);
        if (r < 0)
                return r;
        if (strncmp(text, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (errno || end == text)
                return -EINVAL;
        *ret = v;
        return 0;
}

int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *ret)
{
        _cleanup_free_ char *text = NULL;
        int r = cg_read(dir, file, &text);
        if (r < 0)
                return r;
        size_t n = strlen(key);
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n');
                if (strncmp(line, key, n) == 0 && line[n] == ' ') {
                        *ret = strtoull(line + n + 1, NULL, 10);
                        return 0;
                }
                line = nl ? nl + 1 : NULL;
        }
        return -ENOENT;
}

bool cg_v2_has(const char *dir, const char *ctrl)
{
        _cleanup_free_ char *text = NULL;
        if (cg_read(dir, "cgroup.controllers", &text) < 0)
                return false;
        size_t n = strlen(ctrl);
        for (char *p = text; (p = strstr(p, ctrl)); p += n)
                if ((p == text || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
                        return true;
        return false;
}

/* For cpuset.cpus/mems: the parent's value, the range a child may use. */
static const char *cpuset_hint(const char *dir, const char *file, char *buf, size_t size)
{
        _cleanup_free_ char *parent = strdup(dir), *allowed = NULL;
        char *slash = parent ? strrchr(parent, '/') : NULL;
        if (!slash || strncmp(file, "cpuset.", 7) != 0)
                return NULL;
        *slash = '\0';
        char eff[64];
        (void)snprintf(eff, sizeof(eff), "%s.effective", file);
        if (cg_read(parent, file, &allowed) < 0 && cg_read(parent, eff, &allowed) < 0)
                return NULL;
        allowed[strcspn(allowed, "\n")] = '\0';
        (void)snprintf(buf, size, "the kernel rejected the value: it must lie within the parent's %s, \"%s\"", file,
                       allowed);
        return buf;
}

/* A hint for the errno of a cgroup file write; buf may be filled. */
static const char *write_hint(const char *dir, const char *file, int err, char *buf, size_t size)
{
        const char *h = err == EINVAL || err == ERANGE ? cpuset_hint(dir, file, buf, size) : NULL;
        if (h)
                return h;
        switch (err) {
        case ENOENT:
                return "the file does not exist: the controller is not mounted or not enabled for this cgroup "
                       "(cgroup v2: the parent's cgroup.subtree_control), or the kernel lacks the feature";
        case EACCES:
        case EPERM:
        case EROFS:
                return "writing cgroup files needs root (CAP_SYS_ADMIN) or a cgroup delegated to the caller";
        case EBUSY:
                return "the cgroup is busy: a limit below the current usage, or a setting that cannot change "
                       "while processes or children are in the cgroup";
        case ENOSPC:
                return "cpuset.cpus or cpuset.mems of the cgroup is empty (cgroup v1 cpuset)";
        case EOPNOTSUPP:
                return "the kernel does not support this setting in this cgroup";
        case ERANGE:
                return "the value is out of the range the kernel accepts for this file";
        case EINVAL:
                return "the kernel rejected the value: check its range and format for this file";
        default:
                return NULL;
        }
}

int cg_open_write(const char *dir, const char *file)
{
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        return fd < 0 ? -errno : fd;
}

static int write_value(int fd, const char *value)
{
        size_t len = strlen(value);
        ssize_t k = write(fd, value, len);
        return k < 0 ? -errno : (size_t)k != len ? -EIO : 0;
}

int cg_write_raw(const char *dir, const char *file, const char *value)
{
        int fd = cg_open_write(dir, file);
        if (fd < 0)
                return fd;
        int r = write_value(fd, value);
        (void)close(fd);
        return r;
}

static int write_result(const struct cgfs *s, int r, const char *dir, const char *file, const char *value,
                        const char *what, struct modrun_error **reterr)
{
        if (r == 0) {
                s->host->log(s->host, MODRUN_LOG_DEBUG, "cgroupfs: %s/%s <- \"%s\"", dir, file, value);
                return 0;
        }
        char buf[512];
        const char *hint = write_hint(dir, file, -r, buf, sizeof(buf));
        return s->host->error(reterr, -r, hint, "cgroupfs: %s%swrite \"%s\" to %s/%s", what ? what : "",
                              what ? ": " : "", value, dir, file);
}

int cg_write(const struct cgfs *s, const char *dir, const char *file, const char *value, const char *what,
             struct modrun_error **reterr)
{
        return write_result(s, cg_write_raw(dir, file, value), dir, file, value, what, reterr);
}

int cg_write_at(const struct cgfs *s, int *fd, const char *dir, const char *file, const char *value,
                const char *what, struct modrun_error **reterr)
{
        if (*fd < 0)
                *fd = cg_open_write(dir, file);
        int r = *fd < 0 ? *fd : write_value(*fd, value);
        return write_result(s, r, dir, file, value, what, reterr);
}

static int pids_append(pid_t **pids, size_t *n, size_t *cap, pid_t pid)
{
        for (size_t i = 0; i < *n; i++)
                if ((*pids)[i] == pid)
                        return 0;
        if (*n == *cap) {
                size_t c = *cap ? *cap * 2 : 32;
                pid_t *g = realloc(*pids, c * sizeof(pid_t));
                if (!g)
                        return -ENOMEM;
                *pids = g;
                *cap = c;
        }
        (*pids)[(*n)++] = pid;
        return 0;
}

static int collect(const char *dir, int depth, pid_t **pids, size_t *n, size_t *cap)
{
        _cleanup_free_ char *text = NULL;
        int r = cg_read(dir, "cgroup.procs", &text);
        if (r == -ENOENT || r == -ENODEV)
                return 0; /* removed meanwhile */
        if (r < 0)
                return r;
        for (char *p = text; *p;) {
                char *end = NULL;
                long v = strtol(p, &end, 10);
                if (end == p)
                        break;
                if (v > 0 && (r = pids_append(pids, n, cap, (pid_t)v)) < 0)
                        return r;
                p = end + strspn(end, "\n");
        }
        DIR *d = depth < PIDS_MAX_DEPTH ? opendir(dir) : NULL;
        if (!d)
                return 0;
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0)
                        r = -ENOMEM;
                else
                        r = collect(sub, depth + 1, pids, n, cap);
        }
        (void)closedir(d);
        return r;
}

int cg_collect_pids(const char *dir, pid_t **pids, size_t *n, size_t *cap)
{
        return collect(dir, 0, pids, n, cap);
}

int cg_all_pids(const struct cgfs *s, pid_t **ret, size_t *ret_n)
{
        pid_t *pids = NULL;
        size_t n = 0, cap = 0;
        for (size_t i = 0; i < s->n; i++) {
                if (!s->p[i].dir)
                        continue;
                int r = cg_collect_pids(s->p[i].dir, &pids, &n, &cap);
                if (r < 0) {
                        free(pids);
                        return r;
                }
        }
        *ret = pids;
        *ret_n = n;
        return 0;
}
