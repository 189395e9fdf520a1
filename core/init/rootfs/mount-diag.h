/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Diagnosis of a failed mount (FIELD-NOTES #1 and #3): the error names the
 * source, the container destination and the resolved host path, the fs
 * type, the flags and the data, and the hint names the likely cause after
 * inspecting the mount point (owner, mode, whether the owner is mapped into
 * the user namespace), the cgroup directory and the umask.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

struct mount_call {
        const char *source;      /* as in config.json, or NULL */
        const char *target;      /* destination inside the container */
        const char *host_target; /* resolved host path of the mount point, or NULL */
        const char *fstype;      /* NULL for bind, remount, propagation */
        unsigned long flags;     /* MS_* */
        const char *data;        /* fs data, or NULL */
        int target_fd;           /* fd of the mount point (inspected), or -1 */
        const char *cgroup_dir;  /* host cgroup directory behind a cgroup mount, or NULL */
        const char *locked;      /* flags of a bind source that a userns cannot clear ("nosuid,nodev"), or NULL */
        bool in_userns;
        bool source_on_host;     /* a bind: the source is a host path */
};

/* Build *reterr for err (> 0) and return -err. */
int mount_error(struct modrun_error **reterr, int err, const struct mount_call *c);
/* The same for mount_setattr(2) of attr_set/attr_clr/propagation on target. */
int mount_setattr_error(struct modrun_error **reterr, int err, const struct mount_call *c, uint64_t attr_set,
                        uint64_t attr_clr, uint64_t propagation, bool recursive);

/* Pieces, exported for the unit tests and for other diagnoses. */
/* Is uid (as seen from inside this process's user namespace) unmapped?
 * An unmapped owner shows up as the overflow uid (65534 by default). */
bool mount_diag_uid_unmapped(uid_t uid, bool in_userns);
/* The process umask from /proc/self/status, or -1. */
int mount_diag_umask(void);
/* The first directory on the way to the absolute path (path included)
 * that this process cannot search (x); malloc()ed, or NULL. */
char *mount_diag_unsearchable(const char *path);
/* "host path of fd" via /proc/self/fd; malloc()ed or NULL. */
char *mount_diag_fd_path(int fd);
