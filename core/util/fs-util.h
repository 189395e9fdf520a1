/* SPDX-License-Identifier: Apache-2.0 */
/* File helpers: open beneath a root without escaping it, read/write small
 * files (proc, cgroup), write a file atomically, mkdir -p. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Open path beneath dirfd; symlinks and ".." resolve as if dirfd were "/"
 * (openat2 RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS). O_CREAT creates the last
 * component. Returns an O_CLOEXEC fd or -errno (*reterr names path). */
int fs_open_beneath(int dirfd, const char *path, int flags, mode_t mode, struct modrun_error **reterr);
/* mkdir -p of path beneath dirfd (each component resolved safely); returns
 * an O_PATH|O_DIRECTORY fd of the last directory. */
int fs_mkdir_beneath(int dirfd, const char *path, mode_t mode, struct modrun_error **reterr);
/* Read a whole small file at dirfd/path (AT_FDCWD for a plain path). */
int fs_read_file(int dirfd, const char *path, char **ret_content, struct modrun_error **reterr);
/* Read a file a user or a bundle names (config.json, exec --process) or
 * one modrun keeps in a checked directory (flags O_NOFOLLOW: not through a
 * symlink, ELOOP): it must be a regular file (a symlink to one is followed
 * unless flags say O_NOFOLLOW) of at most max bytes. A FIFO, device or
 * directory is refused without blocking (EINVAL), a larger file with
 * EFBIG; nothing beyond max+1 bytes is ever read. */
int fs_read_regular_file(int dirfd, const char *path, int flags, size_t max, char **ret_content,
                         struct modrun_error **reterr);
/* Read fd to its end, at most max bytes (EFBIG past that); name is for
 * the messages. */
int fs_read_fd(int fd, const char *name, size_t max, char **ret_content, struct modrun_error **reterr);
/* "regular file", "FIFO", "character device", ... for st_mode. */
const char *fs_type_noun(mode_t mode);
/* One write(2) of value to an existing file. */
int fs_write_file(int dirfd, const char *path, const char *value, struct modrun_error **reterr);
/* Write dir/name atomically, mode 0600: a new temporary file (random name,
 * O_EXCL: never one someone else made), then rename() over name, which
 * replaces a planted file, symlink or FIFO instead of writing through it. */
int fs_write_atomic(int dirfd, const char *name, const char *content, size_t len, struct modrun_error **reterr);
/* fs_write_atomic for a file of our own directory that is rewritten
 * (state.json): renameat2(RENAME_EXCHANGE) with the old file, which is
 * then unlinked, instead of rename() over it (see replace_with). */
int fs_rewrite_atomic(int dirfd, const char *name, const char *content, size_t len, struct modrun_error **reterr);
/* Is path one of the caller's own open files (/dev/stdin, /dev/stdout,
 * /dev/stderr, /dev/fd/N, /proc/self/fd/N), which no other user can plant? */
bool fs_is_own_stream(const char *path);
/* Open path for appending (--log): refuses a symlink, a FIFO and a regular
 * file that is not the euid's alone (another owner, hard links); the
 * caller's own streams (fs_is_own_stream) are opened as they are. */
int fs_open_append(const char *path, mode_t mode, struct modrun_error **reterr);
/* mkdir -p of a plain host path. */
int fs_mkdir_p(const char *path, mode_t mode, struct modrun_error **reterr);
/* Remove a directory tree (no symlink following, stays on one fs). */
int fs_rm_rf(const char *path);
/* The same for dirfd/name. */
int fs_rm_rf_at(int dirfd, const char *name);
/* The same, removing the entry `last` of the top directory only once all
 * the others are gone (and keeping it when one could not be removed). */
int fs_rm_rf_at_last(int dirfd, const char *name, const char *last);
/* The mount an fd is on: its mount id as /proc/PID/mountinfo shows it
 * (reused once the mount is gone) and, from Linux 6.8 on, its unique
 * 64-bit id (never reused; 0 on older kernels). statx(2) STATX_MNT_ID. */
struct fs_mount_id {
        uint64_t id, unique;
};
int fs_mount_id(int fd, struct fs_mount_id *ret);
/* Is a the same mount as b (the unique id when both have one)? */
bool fs_mount_id_equal(const struct fs_mount_id *a, const struct fs_mount_id *b);
/* Close every fd >= from except those in keep (negative entries ignored),
 * with close_range(2), or one by one where a seccomp filter refuses it. */
int fd_close_all_but(int from, const int *keep, size_t n_keep);
