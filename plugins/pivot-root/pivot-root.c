/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mount strategy "pivot-root" (the default): pivot_root(2) as runc does it.
 *
 * With the rootfs as the working directory, pivot_root(".", ".") makes it
 * the root and stacks the old root on top of it at "/". The old root is then
 * made MS_SLAVE|MS_REC, so that unmounting it cannot propagate back to the
 * host, and detached with umount2(MNT_DETACH): nothing of the host's mount
 * tree is left in the container's mount namespace.
 *
 * pivot_root(2) fails with EINVAL when the current root mount has no parent,
 * which is the case when / is the initramfs rootfs; check() refuses that
 * case before the container is created, naming move-mount as the fix.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <modrun/plugin.h>

#define INITRAMFS_HINT "use --mount-strategy=move-mount or auto"

struct pivot_state {
        const struct modrun_host *host;
};

/* The topmost mount on "/" as /proc/self/mountinfo shows it. */
struct root_mount {
        int id, parent;
        char fstype[64], source[256];
};

/* Read the root mount (a deliberately tiny parse: the core's full parser is
 * core/util/mountinfo.c, which a plugin cannot call). The kernel escapes
 * blanks inside fields, so scanf's %s reads whole fields. From the table the
 * core read once for the command when host is given (the runtime, before
 * the init exists, ABI 1.3), else from /proc/self/mountinfo. Returns 0,
 * -ENOENT when no mount is at "/", or -errno. */
static int root_mount_read(const struct modrun_host *host, struct root_mount *ret)
{
        const char *text = NULL;
        FILE *f = host && MODRUN_HAS_MEMBER(host, mount_table) && host->mount_table(host, &text, NULL) == 0
                          ? fmemopen((void *)text, strlen(text), "r")
                          : fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        char *line = NULL;
        size_t cap = 0;
        int r = -ENOENT;
        while (getline(&line, &cap, f) > 0) {
                struct root_mount m = {.source = "?"};
                char mp[8];
                const char *dash = strstr(line, " - ");
                if (!dash || sscanf(line, "%d %d %*s %*s %7s", &m.id, &m.parent, mp) != 3 || strcmp(mp, "/") != 0 ||
                    sscanf(dash + 3, "%63s %255s", m.fstype, m.source) < 1)
                        continue;
                *ret = m; /* keep going: the last mount on "/" is the topmost */
                r = 0;
        }
        free(line);
        (void)fclose(f);
        return r;
}

/* The initramfs rootfs, or any other root mount without a parent (the
 * kernel prints a parentless mount as its own parent). */
static int root_mount_is_parentless(const struct root_mount *m)
{
        return strcmp(m->fstype, "rootfs") == 0 || m->id == m->parent;
}

static int pivot_init(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr)
{
        struct pivot_state *s = calloc(1, sizeof(*s));
        if (!s)
                return host->error(reterr, ENOMEM, NULL, "pivot-root: allocate the plugin state");
        s->host = host;
        *ret_state = s;
        return 0;
}

static void pivot_fini(void *state)
{
        free(state);
}

static int pivot_check(void *state, struct modrun_error **reterr)
{
        const struct pivot_state *s = state;
        struct root_mount m;
        int r = root_mount_read(s->host, &m);
        if (r < 0) {
                /* Not fatal: enter_rootfs() explains a failure of its own. */
                s->host->log(s->host, MODRUN_LOG_DEBUG, "pivot-root: cannot inspect / in /proc/self/mountinfo (%s)",
                             strerror(-r));
                return 0;
        }
        if (root_mount_is_parentless(&m))
                return s->host->error(reterr, 0, INITRAMFS_HINT,
                                      "pivot_root(2) cannot work: / is the initramfs rootfs (no parent mount; "
                                      "/ is mount %d, fs type %s from %s)",
                                      m.id, m.fstype, m.source);
        s->host->log(s->host, MODRUN_LOG_DEBUG, "pivot-root: / is %s from %s (mount %d on parent %d), pivot_root(2) can work",
                     m.fstype, m.source, m.id, m.parent);
        return 0;
}

/* Explain pivot_root's EINVAL: which of its preconditions is not met. */
static int pivot_einval(const struct modrun_host *h, const char *rootfs, struct modrun_error **reterr)
{
        struct root_mount m;
        if (root_mount_read(NULL, &m) == 0 && root_mount_is_parentless(&m))
                return h->error(reterr, EINVAL, INITRAMFS_HINT,
                                "pivot_root(\".\", \".\") in %s: / is the initramfs rootfs (mount %d, fs type %s), "
                                "it has no parent mount, so pivot_root(2) cannot work",
                                rootfs, m.id, m.fstype);
        return h->error(reterr, EINVAL,
                        "if / is an initramfs or the runtime runs in a chroot, " INITRAMFS_HINT,
                        "pivot_root(\".\", \".\") in %s: the rootfs is not a mount point, / is not a mount "
                        "(a chroot?) or has no parent mount (an initramfs), or a mount is shared",
                        rootfs);
}

static int pivot_enter(const struct modrun_host *h, int old_root_fd, int rootfs_fd, const char *rootfs,
                       struct modrun_error **reterr)
{
        if (fchdir(rootfs_fd) < 0)
                return h->error(reterr, errno, NULL, "fchdir to the rootfs %s", rootfs);
        if (syscall(SYS_pivot_root, ".", ".") < 0) {
                if (errno == EINVAL)
                        return pivot_einval(h, rootfs, reterr);
                return h->error(reterr, errno, NULL, "pivot_root(\".\", \".\") in %s", rootfs);
        }
        /* The kernel promises nothing about our cwd after pivot_root(2):
         * go to the old root explicitly (it is stacked on "/" now). */
        if (fchdir(old_root_fd) < 0)
                return h->error(reterr, errno, NULL, "fchdir to the old root after pivot_root into %s", rootfs);
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return h->error(reterr, errno, NULL,
                                "mount(NULL, \"/\" (the old root), NULL, MS_SLAVE|MS_REC) after pivot_root into %s",
                                rootfs);
        if (umount2(".", MNT_DETACH) < 0)
                return h->error(reterr, errno, NULL, "umount2(\"/\" (the old root), MNT_DETACH) after pivot_root into %s",
                                rootfs);
        if (chdir("/") < 0)
                return h->error(reterr, errno, NULL, "chdir(\"/\") after pivot_root into %s", rootfs);
        return 0;
}

static int pivot_enter_rootfs(void *state, int rootfs_fd, const char *rootfs, struct modrun_error **reterr)
{
        const struct pivot_state *s = state;
        int old_root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (old_root_fd < 0)
                return s->host->error(reterr, errno, NULL, "open(\"/\", O_PATH|O_DIRECTORY) (the old root)");
        int r = pivot_enter(s->host, old_root_fd, rootfs_fd, rootfs, reterr);
        (void)close(old_root_fd); /* the last reference to the old root */
        if (r == 0)
                s->host->log(s->host, MODRUN_LOG_DEBUG,
                             "pivot-root: pivot_root(2) into %s, old root made rslave and detached", rootfs);
        return r;
}

static const struct modrun_mount_ops pivot_ops = {
        .size = sizeof(struct modrun_mount_ops),
        .init = pivot_init,
        .fini = pivot_fini,
        .enter_rootfs = pivot_enter_rootfs,
        .check = pivot_check,
        .flags = MODRUN_MOUNT_SHARES_MEMORY, /* enter_rootfs writes no state, closes what it opens */
};

MODRUN_PLUGIN_DEFINE(MODRUN_KIND_MOUNT, "pivot-root", "1.0", "pivot_root(2) into the rootfs, old root detached (default)",
                     &pivot_ops);
