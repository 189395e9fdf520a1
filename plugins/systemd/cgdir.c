/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scope's cgroup2 directory: small file reads and writes, its pids
 * (sub-cgroups included), and the clock.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
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
        int fd = open(path, O_RDONLY | O_CLOEXEC);
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

int sdc_write(const char *dir, const char *file, const char *value)
{
        char path[4096];
        (void)snprintf(path, sizeof(path), "%s/%s", dir, file);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t len = strlen(value);
        ssize_t n = write(fd, value, len);
        int e = n < 0 ? errno : (size_t)n != len ? EIO : 0;
        close(fd);
        return -e;
}

static int collect(const char *dir, int depth, pid_t **pids, size_t *n, size_t *cap)
{
        char *text = NULL;
        int r = sdc_read(dir, "cgroup.procs", &text);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
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
