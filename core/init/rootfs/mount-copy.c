/* SPDX-License-Identifier: Apache-2.0 */
/* tmpcopyup (crun): the content of the directory a tmpfs is mounted on is
 * copied into the new tmpfs, keeping modes, owners and symlinks. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "mount-util.h"
#include "sys-mount.h"

static int copy_data(int in, int out)
{
        char buf[65536];
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : 0;
                for (ssize_t off = 0; off < n;) {
                        ssize_t k = write(out, buf + off, (size_t)(n - off));
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0)
                                return -errno;
                        off += k;
                }
        }
}

static int copy_entry(int src, int dst, const char *name, const struct stat *st, int depth);

static int copy_dir(int src, int dst, int depth)
{
        if (depth > 64)
                return -ELOOP;
        int dfd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        DIR *d = fdopendir(dfd);
        if (!d) {
                int r = -errno;
                close(dfd);
                return r;
        }
        int ret = 0;
        for (struct dirent *de; ret == 0 && (de = readdir(d));) {
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(src, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        ret = -errno;
                else
                        ret = copy_entry(src, dst, de->d_name, &st, depth);
        }
        closedir(d);
        return ret;
}

static int copy_entry(int src, int dst, const char *name, const struct stat *st, int depth)
{
        mode_t perm = st->st_mode & 07777;
        if (S_ISDIR(st->st_mode)) {
                if (mkdirat(dst, name, 0700) < 0 && errno != EEXIST)
                        return -errno;
                _cleanup_close_ int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_close_ int d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (s < 0 || d < 0)
                        return -errno;
                int r = copy_dir(s, d, depth + 1);
                if (r < 0)
                        return r;
        } else if (S_ISREG(st->st_mode)) {
                _cleanup_close_ int s = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (s < 0)
                        return -errno;
                _cleanup_close_ int d = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (d < 0)
                        return -errno;
                int r = copy_data(s, d);
                if (r < 0)
                        return r;
        } else if (S_ISLNK(st->st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
                if (n < 0)
                        return -errno;
                target[n] = '\0';
                if (symlinkat(target, dst, name) < 0)
                        return -errno;
        } else {
                int r = sys_mknodat(dst, name, st->st_mode, st->st_rdev);
                if (r < 0)
                        return r;
        }
        if (fchownat(dst, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (!S_ISLNK(st->st_mode) && fchmodat(dst, name, perm, 0) < 0)
                return -errno;
        return 0;
}

int mount_copy_tree(int src_dirfd, int dst_dirfd, struct modrun_error **reterr)
{
        struct stat st;
        if (fstat(src_dirfd, &st) < 0)
                return error_new(reterr, errno, NULL, "stat the directory under the tmpfs");
        int r = copy_dir(src_dirfd, dst_dirfd, 0);
        if (r < 0)
                return error_new(reterr, -r, NULL, "copy the directory content into the tmpfs");
        /* The tmpfs root takes the mode and owner of the directory it hides. */
        if (fchownat(dst_dirfd, "", st.st_uid, st.st_gid, AT_EMPTY_PATH) < 0)
                return error_new(reterr, errno, NULL, "chown the tmpfs root");
        char p[PROC_FD_PATH_MAX];
        if (chmod(proc_fd_path(dst_dirfd, p), st.st_mode & 07777) < 0)
                return error_new(reterr, errno, NULL, "chmod the tmpfs root");
        return 0;
}
