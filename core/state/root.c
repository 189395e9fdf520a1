/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state root and the trust modrun puts in it. Every later command runs
 * what a container's stored config.json says (hooks), as the invoking
 * user: so the root and each container directory must belong to that user
 * (the euid) and be writable by nobody else. Another user who could make
 * or write them could plant a container whose poststop hook `delete` runs.
 * The root is opened once (O_DIRECTORY|O_NOFOLLOW) and checked with fstat;
 * everything beneath it is reached through that fd.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "util/fs-util.h"
#include "util/userns.h"

/* runc's rule: the host's root uses /run/modrun; unprivileged, and as uid 0
 * of a rootless engine's user namespace (podman passes no --root), the
 * user's $XDG_RUNTIME_DIR, unless USER says root. Without XDG_RUNTIME_DIR
 * the runtime directory logind makes for the user (/run/user/UID, which
 * pam_systemd exports as XDG_RUNTIME_DIR): never a name in a shared
 * directory such as /tmp, which another user could make first. */
const char *state_default_root(void)
{
        static char buf[4096];
        if (!userns_is_unprivileged_host())
                return "/run/modrun";
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        const char *user = getenv("USER");
        bool honor_xdg = geteuid() != 0 || !user || !streq(user, "root");
        if (honor_xdg && xdg && *xdg) {
                int n = snprintf(buf, sizeof(buf), "%s/modrun", xdg);
                if (n > 0 && (size_t)n < sizeof(buf))
                        return buf;
        }
        if (geteuid() == 0)
                return "/run/modrun";
        (void)snprintf(buf, sizeof(buf), "/run/user/%u/modrun", (unsigned)geteuid());
        return buf;
}

/* Mode of a directory modrun makes: the root's own state is private; as
 * the host's root, 0711 lets a container's init, running as a mapped uid,
 * reach the exec fifo through its directory fd. */
static mode_t dir_mode(void) { return userns_is_unprivileged_host() ? 0700 : 0711; }

int state_check_private(const struct stat *st, const char *what, const char *path, const char *fix,
                        struct modrun_error **reterr)
{
        /* once per process: `list` checks every container directory, and
         * the CLI never changes its euid */
        static uid_t me = (uid_t)-1;
        if (me == (uid_t)-1)
                me = geteuid();
        if (!S_ISDIR(st->st_mode))
                return error_new(reterr, ENOTDIR, fix, "%s %s is not a directory (mode 0%o)", what, path,
                                 (unsigned)st->st_mode);
        if (st->st_uid != me)
                return error_new(reterr, EPERM, fix,
                                 "refusing %s %s: it belongs to uid %u, not to you (uid %u); its containers' "
                                 "stored configs (hooks) would run as you, and its owner could have planted them",
                                 what, path, (unsigned)st->st_uid, me);
        if (st->st_mode & (S_IWGRP | S_IWOTH))
                return error_new(reterr, EPERM, fix,
                                 "refusing %s %s: mode 0%03o (owner uid %u) lets group or others write it, so "
                                 "anyone could plant a container whose stored config (hooks) would run as you",
                                 what, path, (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid);
        return 0;
}

/* The hint for a refused root: what to do about it. */
static char *root_fix(const char *root, const struct stat *st)
{
        char *fix = NULL;
        int n;
        if (S_ISDIR(st->st_mode) && st->st_uid == geteuid())
                n = asprintf(&fix, "run `chmod go-w %s` if it is yours to trust, or pass --root DIR", root);
        else
                n = asprintf(&fix,
                             "remove %s (as its owner or root) if you did not make it, `chown %u %s` if it is "
                             "yours, set XDG_RUNTIME_DIR to a directory only you can write (mode 0700), or pass "
                             "--root DIR",
                             root, (unsigned)geteuid(), root);
        return n < 0 ? NULL : fix;
}

int state_root_open(const char *root, bool create, struct modrun_error **reterr)
{
        if (create) {
                int r = fs_mkdir_p(root, dir_mode(), reterr);
                if (r < 0) {
                        error_hint(reterr ? *reterr : NULL, "pass --root DIR naming a directory you may create, or set "
                                            "XDG_RUNTIME_DIR to a directory only you can write (mode 0700)");
                        (void)error_wrap(reterr, "create the state root %s", root);
                        return r;
                }
        }
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0 && (errno == ELOOP || errno == ENOTDIR) && lstat(root, &st) == 0 && !S_ISDIR(st.st_mode))
                return error_new(reterr, ELOOP, "pass --root naming the directory itself, not a symlink to it",
                                 "refusing the state root %s: it is a %s, not a directory", root,
                                 S_ISLNK(st.st_mode) ? "symlink" : "file");
        if (fd < 0)
                return error_new(reterr, errno, errno == ENOENT ? "it is made by `modrun create`" : NULL,
                                 "open the state root %s", root);
        if (fstat(fd, &st) < 0)
                return error_new(reterr, errno, NULL, "stat the state root %s", root);
        _cleanup_free_ char *fix = root_fix(root, &st);
        int r = state_check_private(&st, "the state root", root, fix, reterr);
        return r < 0 ? r : TAKE_FD(fd);
}
