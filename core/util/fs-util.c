/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-util.h"

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
        return (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

int fs_open_beneath(int dirfd, const char *path, int flags, mode_t mode, struct modrun_error **reterr)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        while (*path == '/')
                path++;
        int fd = sys_openat2(dirfd, *path ? path : ".", &how);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open %s beneath the container root (flags 0%o)", path,
                                 (unsigned)flags);
        return fd;
}

int fs_mkdir_beneath(int dirfd, const char *path, mode_t mode, struct modrun_error **reterr)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return error_new(reterr, ENOMEM, NULL, "mkdir %s", path);
        int cur = fs_open_beneath(dirfd, "/", O_PATH | O_DIRECTORY, 0, reterr);
        if (cur < 0)
                return cur;
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (mkdirat(cur, c, mode) < 0 && errno != EEXIST) {
                        int r = error_new(reterr, errno, NULL, "mkdir %s (component %s)", path, c);
                        close(cur);
                        return r;
                }
                /* Resolve the component again beneath the root: it may be a symlink. */
                int next = fs_open_beneath(cur, c, O_PATH | O_DIRECTORY, 0, NULL);
                if (next < 0) {
                        int r = error_new(reterr, -next, NULL, "mkdir %s: %s is not a directory beneath the root",
                                          path, c);
                        close(cur);
                        return r;
                }
                close(cur);
                cur = next;
        }
        return cur;
}

int fs_read_file(int dirfd, const char *path, char **ret_content, struct modrun_error **reterr)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open %s for reading", path);
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return error_new(reterr, ENOMEM, NULL, "read %s", path);
        for (;;) {
                if (len + 1 >= cap) {
                        char *n = realloc(buf, cap * 2);
                        if (!n)
                                return error_new(reterr, ENOMEM, NULL, "read %s", path);
                        buf = n;
                        cap *= 2;
                }
                ssize_t k = read(fd, buf + len, cap - len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return error_new(reterr, errno, NULL, "read %s", path);
                if (k == 0)
                        break;
                len += (size_t)k;
        }
        buf[len] = '\0';
        *ret_content = TAKE_PTR(buf);
        return (int)len;
}

int fs_write_file(int dirfd, const char *path, const char *value, struct modrun_error **reterr)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open %s for writing", path);
        size_t len = strlen(value);
        ssize_t k = write(fd, value, len);
        if (k < 0)
                return error_new(reterr, errno, NULL, "write \"%s\" to %s", value, path);
        if ((size_t)k != len)
                return error_new(reterr, EIO, NULL, "short write of \"%s\" to %s", value, path);
        return 0;
}

int fs_write_atomic(int dirfd, const char *name, const char *content, size_t len, struct modrun_error **reterr)
{
        char tmp[NAME_MAX + 1];
        int n = snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, (int)getpid());
        if (n < 0 || (size_t)n >= sizeof(tmp))
                return error_new(reterr, ENAMETOOLONG, NULL, "write %s", name);
        _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "create %s", tmp);
        size_t off = 0;
        while (off < len) {
                ssize_t k = write(fd, content + off, len - off);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int r = error_new(reterr, errno, NULL, "write %s", tmp);
                        (void)unlinkat(dirfd, tmp, 0);
                        return r;
                }
                off += (size_t)k;
        }
        if (fsync(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
                int r = error_new(reterr, errno, NULL, "commit %s", name);
                (void)unlinkat(dirfd, tmp, 0);
                return r;
        }
        return 0;
}

int fs_mkdir_p(const char *path, mode_t mode, struct modrun_error **reterr)
{
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return error_new(reterr, ENOMEM, NULL, "mkdir %s", path);
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return error_new(reterr, errno, NULL, "mkdir %s", p);
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return error_new(reterr, errno, NULL, "mkdir %s", p);
        return 0;
}

static int rm_rf_at(int parent_fd, const char *name, dev_t dev)
{
        struct stat st;
        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return RET_NERRNO(unlinkat(parent_fd, name, 0));
        if (st.st_dev != dev)
                return -EXDEV; /* never descend into another mount */
        int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        int ret = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                int r = rm_rf_at(dirfd(d), de->d_name, dev);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        closedir(d);
        if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && ret == 0)
                ret = -errno;
        return ret;
}

int fs_rm_rf(const char *path)
{
        struct stat st;
        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        return rm_rf_at(AT_FDCWD, path, st.st_dev);
}

static int cmp_int(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;
        return (x > y) - (x < y);
}

int fd_close_all_but(int from, const int *keep, size_t n_keep)
{
        int sorted[16];
        size_t n = 0;
        for (size_t i = 0; i < n_keep && n < ELEMENTSOF(sorted); i++)
                if (keep[i] >= from)
                        sorted[n++] = keep[i];
        if (n < n_keep && n == ELEMENTSOF(sorted))
                return -E2BIG;
        qsort(sorted, n, sizeof(int), cmp_int);
        unsigned lo = (unsigned)from;
        for (size_t i = 0; i < n; i++) {
                if ((unsigned)sorted[i] > lo && close_range(lo, (unsigned)sorted[i] - 1, 0) < 0)
                        return -errno;
                lo = (unsigned)sorted[i] + 1;
        }
        return RET_NERRNO(close_range(lo, ~0U, 0));
}
