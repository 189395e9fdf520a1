/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mount strategy "move-mount": MS_MOVE the rootfs onto "/" and chroot into
 * it, for a root that pivot_root(2) cannot leave: the initramfs rootfs, which
 * has no parent mount (the same steps as busybox switch_root and the manual
 * fix users applied; FIELD-NOTES #5).
 *
 * Isolation, compared with pivot-root:
 *  - Propagation: the core made the container's mount namespace private
 *    before binding the rootfs onto itself; MS_MOVE keeps that.
 *  - The old root cannot be unmounted (it is the namespace's root mount), so
 *    it stays, with the host's /proc, /sys and /dev on it, underneath the
 *    rootfs, which now covers its "/". Path lookup always descends to the
 *    topmost mount on a dentry, and ".." stops at the process root or climbs
 *    from the rootfs's root onto the covered "/" and descends again into the
 *    rootfs. So no path, not even after the classic chroot escape (chroot
 *    into a subdirectory while the cwd stays outside, then ".." repeatedly),
 *    leads into the old root: that escape only ever reaches "/" of the mount
 *    namespace, and here "/" is covered by the rootfs.
 *  - What would still reach the old root is a file descriptor or working
 *    directory opened beneath it before the move. This plugin keeps none
 *    (the cwd is the rootfs before the move, rootfs_fd is the rootfs), and
 *    the core's init closes every other descriptor before exec. The host's
 *    processes, and so their /proc/PID/root and /proc/PID/cwd, are hidden
 *    by the container's PID namespace and its own /proc.
 *  - The host's procfs and sysfs mounts, though unreachable, would still be
 *    in the mount namespace, and the kernel lets a process of a nested user
 *    namespace mount a fresh proc or sysfs when a fully visible one exists
 *    there (mount_too_revealing), bare, without the container's masks.
 *    So every proc and sysfs mount outside the rootfs is detached first,
 *    or covered by an empty tmpfs when it cannot be (runc's msMoveRoot).
 * enter_rootfs() verifies the result ("/" is the rootfs, "/.." is "/", and
 * neither is the old root) and fails otherwise.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <modrun/plugin.h>

struct move_state {
        const struct modrun_host *host;
};

static int move_init(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr)
{
        struct move_state *s = calloc(1, sizeof(*s));
        if (!s)
                return host->error(reterr, ENOMEM, NULL, "move-mount: allocate the plugin state");
        s->host = host;
        *ret_state = s;
        return 0;
}

static void move_fini(void *state)
{
        free(state);
}

static int move_check(void *state, struct modrun_error **reterr)
{
        const struct move_state *s = state;
        s->host->log(s->host, MODRUN_LOG_DEBUG,
                     "move-mount: the container's init will MS_MOVE the rootfs %s onto / and chroot into it; "
                     "the old root stays mounted underneath, covered and unreachable",
                     s->host->rootfs ? s->host->rootfs : "(unknown)");
        return 0;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
        return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* After the chroot: "/" must be the rootfs, "/.." must be "/" itself, and
 * neither may be the old root. */
static int move_verify(const struct modrun_host *h, int rootfs_fd, const struct stat *old_root, const char *rootfs,
                       struct modrun_error **reterr)
{
        struct stat want, root, dotdot;
        if (fstat(rootfs_fd, &want) < 0 || stat("/", &root) < 0 || stat("/..", &dotdot) < 0)
                return h->error(reterr, errno, NULL, "stat \"/\" and \"/..\" after the chroot into %s", rootfs);
        if (!same_inode(&root, &want) || !same_inode(&root, &dotdot) || same_inode(&root, old_root) ||
            same_inode(&dotdot, old_root))
                return h->error(reterr, EXDEV, "report this as a bug of the move-mount plugin",
                                "after MS_MOVE and chroot into %s, \"/\" is not the rootfs or \"/..\" leads "
                                "out of it",
                                rootfs);
        return 0;
}

/* mountinfo's octal escapes (\040 for a space) undone in place */
static void unescape(char *s)
{
        char *w = s;
        for (char *r = s; *r; w++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
                    r[3] <= '7') {
                        *w = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 4;
                } else
                        *w = *r++;
        }
        *w = '\0';
}

static bool path_under(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Detach (or cover with an empty tmpfs) one proc or sysfs mount outside the
 * rootfs; one already gone with an earlier one is skipped. */
static int hide_mount(const struct modrun_host *h, const char *mp, const char *type, struct modrun_error **reterr)
{
        if (umount2(mp, MNT_DETACH) == 0)
                return 0;
        if (errno == ENOENT)
                return 0;
        if (errno != EINVAL && errno != EPERM)
                return h->error(reterr, errno, NULL, "move-mount: detach the host's %s mount at %s", type, mp);
        if (mount("tmpfs", mp, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0k") < 0 &&
            errno != ENOENT)
                return h->error(reterr, errno, "without that a nested user namespace could mount a bare proc",
                                "move-mount: cover the host's %s mount at %s (it could not be detached) with an "
                                "empty tmpfs",
                                type, mp);
        return 0;
}

/* Every proc and sysfs mount outside the rootfs (root: its path on the
 * host), detached or covered. The mount namespace is the container's and
 * private: the host keeps its mounts. */
static int hide_host_procfs(const struct modrun_host *h, const char *root, struct modrun_error **reterr)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return h->error(reterr, errno, NULL, "move-mount: open /proc/self/mountinfo");
        char *line = NULL, *list = NULL;
        size_t cap = 0, list_len = 0;
        FILE *l = open_memstream(&list, &list_len);
        int r = l ? 0 : h->error(reterr, errno, NULL, "move-mount: allocate the list of mounts");
        /* read every line first: detaching changes the file */
        while (r == 0 && getline(&line, &cap, f) > 0) {
                char mp[PATH_MAX], type[64];
                const char *sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 || sscanf(sep, " - %63s", type) != 1)
                        continue;
                unescape(mp);
                if ((strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0) && !path_under(mp, root))
                        fprintf(l, "%s%c%s%c", type, '\0', mp, '\0');
        }
        free(line);
        fclose(f);
        if (l && fclose(l) != 0 && r == 0)
                r = h->error(reterr, ENOMEM, NULL, "move-mount: allocate the list of mounts");
        for (const char *p = list; r == 0 && p && p < list + list_len;) {
                const char *type = p, *mp = type + strlen(type) + 1;
                p = mp + strlen(mp) + 1;
                r = hide_mount(h, mp, type, reterr);
                if (r == 0)
                        h->log(h, MODRUN_LOG_DEBUG, "move-mount: hid the host's %s mount at %s", type, mp);
        }
        free(list);
        return r;
}

static int move_enter_rootfs(void *state, int rootfs_fd, const char *rootfs, struct modrun_error **reterr)
{
        const struct move_state *s = state;
        const struct modrun_host *h = s->host;
        struct stat old_root;
        if (stat("/", &old_root) < 0)
                return h->error(reterr, errno, NULL, "stat the old root \"/\"");
        char fdp[32], root[PATH_MAX];
        (void)snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", rootfs_fd);
        ssize_t n = readlink(fdp, root, sizeof(root) - 1);
        if (n < 0)
                return h->error(reterr, errno, NULL, "move-mount: find the path of the rootfs %s", rootfs);
        root[n] = '\0';
        int r = hide_host_procfs(h, root, reterr);
        if (r < 0)
                return r;
        if (fchdir(rootfs_fd) < 0)
                return h->error(reterr, errno, NULL, "fchdir to the rootfs %s", rootfs);
        /* "." is the mount the core prepared and handed over as rootfs_fd;
         * the path is not resolved again. */
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                return h->error(reterr, errno,
                                errno == EINVAL ? "the rootfs must be a mount point whose parent mount is not shared"
                                                : NULL,
                                "mount(\"%s\", \"/\", NULL, MS_MOVE) (move the rootfs onto /)", rootfs);
        if (chroot(".") < 0)
                return h->error(reterr, errno, NULL, "chroot(\".\") into %s after MS_MOVE onto /", rootfs);
        if (chdir("/") < 0)
                return h->error(reterr, errno, NULL, "chdir(\"/\") after the chroot into %s", rootfs);
        r = move_verify(h, rootfs_fd, &old_root, rootfs, reterr);
        if (r < 0)
                return r;
        h->log(h, MODRUN_LOG_DEBUG, "move-mount: moved %s onto / (MS_MOVE) and chrooted into it; \"/..\" is \"/\"",
               rootfs);
        return 0;
}

static const struct modrun_mount_ops move_ops = {
        .size = sizeof(struct modrun_mount_ops),
        .init = move_init,
        .fini = move_fini,
        .enter_rootfs = move_enter_rootfs,
        .check = move_check,
        .flags = MODRUN_MOUNT_SHARES_MEMORY,
};

MODRUN_PLUGIN_DEFINE(MODRUN_KIND_MOUNT, "move-mount", "1.0",
                     "MS_MOVE the rootfs onto / and chroot (works where / is the initramfs rootfs)", &move_ops);
