/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A procfs to trust (CVE-2025-52881, CVE-2019-19921 classes): whoever can
 * mount in our view (a container after the root switch, a shared mount
 * racing with us, a joined mount namespace) can put a tmpfs over /proc/sys,
 * bind /dev/null or a file over /proc/self/attr/exec or
 * /proc/sys/kernel/core_pattern, or make /proc a symlink. A write through
 * such a path lands somewhere else, or nowhere, silently.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* O_PATH|O_DIRECTORY fd of the root of a procfs: a private instance made
 * with fsopen/fsmount and attached nowhere (no one can mount over any of
 * its files), or, when that is not permitted (a user namespace that owns no
 * pid namespace), the /proc visible here once checked to be the root of a
 * procfs (fstatfs PROC_SUPER_MAGIC, inode 1) and, with need_self, one whose
 * "self" is this process (for paths by our pid; before the root switch in
 * a new pid namespace the host's /proc is not). what names the user for the
 * error ("linux.sysctl"). */
int procfs_open_root(const char *what, bool need_self, struct modrun_error **reterr);

/* Open rel ("sys/net/ipv4/ip_forward", "123/task/123/attr/exec") beneath
 * the procfs root with flags, following no symlink or magic link and
 * crossing no mount (a file or tmpfs mounted over it is refused, EXDEV),
 * then check the fd is on procfs (fstatfs) and of type kind (S_IFREG,
 * S_IFDIR). */
int procfs_open(int proc_root, const char *rel, int flags, mode_t kind, const char *what,
                struct modrun_error **reterr);

/* SIGKILL every process whose parent is ppid (as the procfs root shows
 * them: /proc/PID/stat), once; for a subreaper's orphans. */
void procfs_kill_children(int proc_root, pid_t ppid);
