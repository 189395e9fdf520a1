/* SPDX-License-Identifier: Apache-2.0 */
/* File helpers: open beneath a root without escaping it, read/write small
 * files (proc, cgroup), write a file atomically, mkdir -p. */
#pragma once

#include <stdbool.h>
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
/* One write(2) of value to an existing file. */
int fs_write_file(int dirfd, const char *path, const char *value, struct modrun_error **reterr);
/* Write dir/name atomically (temp file + rename), mode 0600. */
int fs_write_atomic(int dirfd, const char *name, const char *content, size_t len, struct modrun_error **reterr);
/* mkdir -p of a plain host path. */
int fs_mkdir_p(const char *path, mode_t mode, struct modrun_error **reterr);
/* Remove a directory tree (no symlink following, stays on one fs). */
int fs_rm_rf(const char *path);
/* Close every fd >= from except those in keep (negative entries ignored),
 * with close_range(2). */
int fd_close_all_but(int from, const int *keep, size_t n_keep);
