/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
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

/* Append "/name" (len bytes of name) to the path being built. */
static int path_append(char **path, const char *name, size_t len)
{
        char *n = NULL;
        if (asprintf(&n, "%s/%.*s", *path, (int)len, name) < 0)
                return -ENOMEM;
        free(*path);
        *path = n;
        return 0;
}

/* A dangling symlink name in parent (the directory prefix names beneath
 * the root): the path to create instead, its target followed by rest (the
 * components still to go). */
static int follow_dangling(int parent, const char *prefix, const char *name, const char *rest, char **ret_path)
{
        char target[PATH_MAX];
        ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        char *p = NULL;
        if (asprintf(&p, "%s%s%s/%s", target[0] == '/' ? "" : prefix, target[0] == '/' ? "" : "/", target, rest) < 0)
                return -ENOMEM;
        *ret_path = p;
        return 0;
}

static bool is_symlink_at(int dirfd, const char *name)
{
        struct stat st;
        return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* mkdir -p beneath dirfd. Each prefix of the path is resolved by openat2
 * RESOLVE_IN_ROOT, so symlinks and ".." stay beneath dirfd; a missing
 * directory is made with mkdirat() in its parent's fd; a dangling symlink
 * is followed (its target made beneath dirfd), as runc's MkdirAllInRoot. */
int fs_mkdir_beneath(int dirfd, const char *path, mode_t mode, struct modrun_error **reterr)
{
        _cleanup_free_ char *todo = strdup(path), *prefix = strdup("");
        if (!todo || !prefix)
                return error_new(reterr, ENOMEM, NULL, "mkdir %s", path);
        /* The directory prefix names, opened by the step that reached it
         * (-1 while prefix is the root, dirfd itself): the parent of the
         * next component and, at the end, the result, without resolving
         * the same prefix again. */
        _cleanup_close_ int cur = -1;
        int links = 0;
        const char *c = todo;
        for (;;) {
                while (*c == '/')
                        c++;
                if (!*c)
                        return cur >= 0 ? TAKE_FD(cur) : fs_open_beneath(dirfd, "/", O_PATH | O_DIRECTORY, 0, reterr);
                size_t len = strcspn(c, "/");
                _cleanup_free_ char *next = strdup(prefix);
                if (!next || path_append(&next, c, len) < 0)
                        return error_new(reterr, ENOMEM, NULL, "mkdir %s", path);
                int fd = fs_open_beneath(dirfd, next, O_PATH | O_DIRECTORY, 0, NULL);
                if (fd == -ENOENT) {
                        int parent = cur >= 0 ? cur : dirfd;
                        _cleanup_free_ char *name = strndup(c, len);
                        if (!name)
                                return error_new(reterr, ENOMEM, NULL, "mkdir %s", path);
                        /* mkdir(2) does not follow a symlink at the end: EEXIST
                         * there is a dangling one (or a directory made meanwhile) */
                        int made = mkdirat(parent, name, mode) == 0 ? 0 : -errno;
                        if (made < 0 && made != -EEXIST)
                                return error_new(reterr, -made, NULL, "mkdir %s (component %s)", path, name);
                        if (made == -EEXIST && is_symlink_at(parent, name)) {
                                char *followed = NULL;
                                int r = ++links > 40 ? -ELOOP : follow_dangling(parent, prefix, name, c + len, &followed);
                                if (r < 0)
                                        return error_new(reterr, -r, NULL, "mkdir %s: follow the symlink %s/%s",
                                                         path, prefix, name);
                                free(todo);
                                todo = followed;
                                c = todo;
                                free(prefix);
                                prefix = strdup("");
                                if (!prefix)
                                        return error_new(reterr, ENOMEM, NULL, "mkdir %s", path);
                                closep(&cur);
                                cur = -1;
                                continue;
                        }
                        fd = fs_open_beneath(dirfd, next, O_PATH | O_DIRECTORY, 0, NULL);
                }
                if (fd < 0)
                        return error_new(reterr, -fd, NULL, "mkdir %s: %s is not a directory beneath the root",
                                         path, next);
                closep(&cur);
                cur = fd;
                free(prefix);
                prefix = TAKE_PTR(next);
                c += len;
        }
}

/* Read fd to the end, at most max bytes (more is EFBIG); name is for the
 * messages. Returns the length; the content is NUL-terminated. size is
 * what fstat() said of a regular file (0: unknown, as procfs and cgroupfs
 * say): a short read that has reached it is the end (read() returns fewer
 * bytes than asked only at the end of a regular file), which saves the
 * read() that would return 0, one syscall per state.json in `list`. */
static int read_fd(int fd, const char *name, size_t max, off_t size, char **ret_content,
                   struct modrun_error **reterr)
{
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return error_new(reterr, ENOMEM, NULL, "read %s", name);
        for (;;) {
                if (len + 1 >= cap) {
                        char *n = realloc(buf, cap * 2);
                        if (!n)
                                return error_new(reterr, ENOMEM, NULL, "read %s", name);
                        buf = n;
                        cap *= 2;
                }
                size_t want = cap - len - 1;
                if (max < SIZE_MAX && want > max + 1 - len) /* one byte past max tells "too large" */
                        want = max + 1 - len;
                ssize_t k = read(fd, buf + len, want);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return error_new(reterr, errno, NULL, "read %s", name);
                if (k == 0)
                        break;
                len += (size_t)k;
                if (len > max || len > INT_MAX)
                        return error_new(reterr, EFBIG, "the file may hold at most that much; check that the right file is named",
                                         "read %s: larger than %zu bytes", name, max < INT_MAX ? max : (size_t)INT_MAX);
                if (size > 0 && len == (size_t)size && (size_t)k < want)
                        break;
        }
        buf[len] = '\0';
        *ret_content = TAKE_PTR(buf);
        return (int)len;
}

int fs_read_fd(int fd, const char *name, size_t max, char **ret_content, struct modrun_error **reterr)
{
        return read_fd(fd, name, max, 0, ret_content, reterr);
}

int fs_read_file(int dirfd, const char *path, char **ret_content, struct modrun_error **reterr)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open %s for reading", path);
        return fs_read_fd(fd, path, SIZE_MAX, ret_content, reterr);
}

int fs_read_regular_file(int dirfd, const char *path, int flags, size_t max, char **ret_content,
                         struct modrun_error **reterr)
{
        /* O_NONBLOCK: opening a FIFO without a writer must not wait */
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open %s for reading", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_new(reterr, errno, NULL, "stat %s", path);
        if (!S_ISREG(st.st_mode))
                return error_new(reterr, EINVAL, "give a regular file (a symlink to one is fine)",
                                 "%s is not a regular file (it is a %s)", path, fs_type_noun(st.st_mode));
        if ((uint64_t)st.st_size > max)
                return error_new(reterr, EFBIG, "the file may hold at most that much; check that the right file is named",
                                 "%s: %jd bytes is larger than the limit of %zu bytes", path, (intmax_t)st.st_size,
                                 max);
        return read_fd(fd, path, max, st.st_size, ret_content, reterr);
}

const char *fs_type_noun(mode_t mode)
{
        switch (mode & S_IFMT) {
        case S_IFREG: return "regular file";
        case S_IFDIR: return "directory";
        case S_IFCHR: return "character device";
        case S_IFBLK: return "block device";
        case S_IFIFO: return "FIFO";
        case S_IFSOCK: return "socket";
        case S_IFLNK: return "symlink";
        }
        return "file of unknown type";
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

/* A new file for fs_write_atomic, ".NAME.tmp.<random>" in dirfd, created
 * with O_EXCL: never an existing file, symlink or FIFO that someone else
 * made under a name we would use (a shared directory such as /tmp). A
 * name taken is not an error: another random one is tried. */
static int create_temp(int dirfd, const char *name, char *tmp, size_t size, struct modrun_error **reterr)
{
        for (int tries = 0; tries < 16; tries++) {
                uint64_t rnd;
                if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                        return error_new(reterr, errno, NULL, "getrandom for a temporary name next to %s", name);
                int n = snprintf(tmp, size, ".%s.tmp.%016" PRIx64, name, rnd);
                if (n < 0 || (size_t)n >= size)
                        return error_new(reterr, ENAMETOOLONG, "choose a shorter file name",
                                         "write %s: its temporary name is too long", name);
                int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
                if (fd >= 0 || errno != EEXIST)
                        return fd >= 0 ? fd : error_new(reterr, errno, NULL, "create %s", tmp);
        }
        return error_new(reterr, EEXIST, "remove the files .NAME.tmp.* someone left in the directory",
                         "write %s: 16 random temporary names were all taken", name);
}

static int write_all(int fd, const char *content, size_t len)
{
        for (size_t off = 0; off < len;) {
                ssize_t k = write(fd, content + off, len - off);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                off += (size_t)k;
        }
        return 0;
}

/* Put the finished temporary file tmp in name's place. */
static int replace_with(int dirfd, const char *tmp, const char *name, bool exchange, struct modrun_error **reterr)
{
        /* Exchanged with the file it replaces, the old one is unlinked under
         * the temporary name: readers still see the old or the new file.
         * A rename() over an existing file instead makes ext4 allocate and
         * write the new file's blocks at once (auto_da_alloc), and the
         * later unlink of that file frees them, a synchronous discard on a
         * disk without a journal: 3-4 ms per container on a /run outside
         * tmpfs (bench/README.md). No name yet (ENOENT), or a file system
         * without RENAME_EXCHANGE (EINVAL): the plain rename below. */
        if (exchange && renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) == 0) {
                if (unlinkat(dirfd, tmp, 0) == 0)
                        return 0;
                /* a directory at name: put it back, and fail as rename() does */
                int e = errno;
                (void)renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE);
                (void)unlinkat(dirfd, tmp, 0);
                return error_new(reterr, e, NULL, "replace %s", name);
        }
        /* No fsync: rename() already shows readers the old or the new file,
         * never half of one, and what is written here is a container's
         * runtime state (lost with the machine, like runc's and crun's) or
         * a spec; a flush to disk cost 2 ms per file outside tmpfs.
         * rename() replaces whatever name is (a planted symlink or FIFO
         * too) without following or opening it. */
        if (renameat(dirfd, tmp, dirfd, name) < 0) {
                int e = errno;
                (void)unlinkat(dirfd, tmp, 0);
                return error_new(reterr, e,
                                 e == EPERM || e == EACCES
                                         ? "in a sticky directory (such as /tmp) only its owner may replace it: "
                                           "remove it, or choose another path"
                                         : NULL,
                                 "replace %s", name);
        }
        return 0;
}

static int write_atomic(int dirfd, const char *name, const char *content, size_t len, bool exchange,
                        struct modrun_error **reterr)
{
        char tmp[NAME_MAX + 1];
        _cleanup_close_ int fd = create_temp(dirfd, name, tmp, sizeof(tmp), reterr);
        if (fd < 0)
                return fd;
        int r = write_all(fd, content, len);
        if (r < 0) {
                (void)unlinkat(dirfd, tmp, 0);
                return error_new(reterr, -r, NULL, "write %s", tmp);
        }
        return replace_with(dirfd, tmp, name, exchange, reterr);
}

int fs_write_atomic(int dirfd, const char *name, const char *content, size_t len, struct modrun_error **reterr)
{
        return write_atomic(dirfd, name, content, len, false, reterr);
}

int fs_rewrite_atomic(int dirfd, const char *name, const char *content, size_t len, struct modrun_error **reterr)
{
        return write_atomic(dirfd, name, content, len, true, reterr);
}

/* Open path to append to (a --log file): O_NOFOLLOW, so a planted symlink
 * does not send the lines into a file of the caller's; O_NONBLOCK, so a
 * planted FIFO does not hang the open; then only a regular file of the
 * invoking user's with one link (not one another user made first, nor a
 * hard link), or a character device (/dev/null, a tty). */
bool fs_is_own_stream(const char *path)
{
        return streq(path, "/dev/stdin") || streq(path, "/dev/stdout") || streq(path, "/dev/stderr") ||
               strncmp(path, "/dev/fd/", 8) == 0 || strncmp(path, "/proc/self/fd/", 14) == 0;
}

int fs_open_append(const char *path, mode_t mode, struct modrun_error **reterr)
{
        static const char hint[] = "remove it, or give a path in a directory only you can write";
        /* The caller's own streams (runc's --log default is /dev/stderr),
         * which no other user can plant. */
        if (fs_is_own_stream(path)) {
                int sfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
                return sfd >= 0 ? sfd : error_new(reterr, errno, NULL, "open %s", path);
        }
        _cleanup_close_ int fd =
                open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK, mode);
        struct stat st;
        /* a symlink fails with ELOOP, or EACCES with O_CREAT; a FIFO
         * without a reader with ENXIO */
        if (fd < 0 && lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
                return error_new(reterr, errno, hint, "refusing %s: it is a %s", path, fs_type_noun(st.st_mode));
        if (fd < 0)
                return error_new(reterr, errno, NULL, "open %s", path);
        if (fstat(fd, &st) < 0)
                return error_new(reterr, errno, NULL, "stat %s", path);
        if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
                return error_new(reterr, EINVAL, hint, "refusing %s: it is a %s", path, fs_type_noun(st.st_mode));
        if (S_ISREG(st.st_mode) && st.st_uid != geteuid())
                return error_new(reterr, EPERM, hint, "refusing %s: it belongs to uid %u, not to you (uid %u)", path,
                                 (unsigned)st.st_uid, (unsigned)geteuid());
        if (S_ISREG(st.st_mode) && st.st_nlink != 1)
                return error_new(reterr, EPERM, hint, "refusing %s: it has %ju hard links", path,
                                 (uintmax_t)st.st_nlink);
        if (fcntl(fd, F_SETFL, O_APPEND) < 0) /* writes to a tty may block again */
                return error_new(reterr, errno, NULL, "fcntl %s", path);
        return TAKE_FD(fd);
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

/* Without a heap allocation (getdents64 into a stack buffer, not
 * opendir()): removing what a failed create made must work when memory is
 * what ran out. */
static int rm_rf_at(int parent_fd, const char *name, dev_t dev, const char *last)
{
        struct stat st;
        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return RET_NERRNO(unlinkat(parent_fd, name, 0));
        if (st.st_dev != dev)
                return -EXDEV; /* never descend into another mount */
        _cleanup_close_ int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int ret = 0;
        for (;;) {
                char buf[4096] __attribute__((aligned(8)));
                long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
                if (n < 0 && ret == 0)
                        ret = -errno;
                if (n <= 0)
                        break;
                for (long off = 0; off < n;) {
                        struct dirent64 *de = (struct dirent64 *)(void *)(buf + off);
                        off += de->d_reclen;
                        if (streq(de->d_name, ".") || streq(de->d_name, "..") ||
                            (last && streq(de->d_name, last)))
                                continue;
                        int r = rm_rf_at(fd, de->d_name, dev, NULL);
                        if (r < 0 && ret == 0)
                                ret = r;
                }
        }
        if (last && ret == 0 && unlinkat(fd, last, 0) < 0 && errno != ENOENT)
                ret = -errno;
        if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && ret == 0)
                ret = -errno;
        return ret;
}

int fs_rm_rf_at_last(int dirfd, const char *name, const char *last)
{
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        return rm_rf_at(dirfd, name, st.st_dev, last);
}

int fs_rm_rf_at(int dirfd, const char *name) { return fs_rm_rf_at_last(dirfd, name, NULL); }

int fs_rm_rf(const char *path) { return fs_rm_rf_at(AT_FDCWD, path); }

static int cmp_int(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;
        return (x > y) - (x < y);
}

static bool fd_kept(long fd, const int *keep, size_t n_keep)
{
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] == fd)
                        return true;
        return false;
}

/* close_range() refused (a seccomp profile without it, as a startContainer
 * hook's supervisor runs under the container's filter): one close() per
 * fd /proc/self/fd lists. */
static int close_listed(int from, const int *keep, size_t n_keep)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -errno;
        struct dirent *e;
        while ((e = readdir(d))) {
                char *end = NULL;
                long fd = strtol(e->d_name, &end, 10);
                if (e->d_name[0] != '.' && !*end && fd >= from && fd != dirfd(d) && !fd_kept(fd, keep, n_keep))
                        (void)close((int)fd);
        }
        (void)closedir(d);
        return 0;
}

static int close_ranges_but(int from, const int *keep, size_t n_keep)
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

int fd_close_all_but(int from, const int *keep, size_t n_keep)
{
        int r = close_ranges_but(from, keep, n_keep);
        return r == -EPERM || r == -ENOSYS ? close_listed(from, keep, n_keep) : r;
}

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x00001000U
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif

int fs_mount_id(int fd, struct fs_mount_id *ret)
{
        struct statx sx = {0};
        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) < 0)
                return -errno;
        if (!(sx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP; /* before Linux 5.8 */
        uint64_t id = sx.stx_mnt_id, unique = 0;
        if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID_UNIQUE, &sx) == 0 &&
            (sx.stx_mask & STATX_MNT_ID_UNIQUE))
                unique = sx.stx_mnt_id;
        *ret = (struct fs_mount_id){.id = id, .unique = unique};
        return 0;
}

bool fs_mount_id_equal(const struct fs_mount_id *a, const struct fs_mount_id *b)
{
        if (a->unique && b->unique)
                return a->unique == b->unique;
        return a->id == b->id;
}
