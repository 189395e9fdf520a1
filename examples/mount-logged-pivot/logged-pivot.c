/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logged-pivot: an out-of-tree example of a modrun mount-strategy plugin.
 *
 * It does what the built-in pivot-root strategy does, and says so: it logs
 * (through the host, never to stdout/stderr) the rootfs and the mounts that
 * are present in the container's mount namespace, then makes the rootfs the
 * root with pivot_root(".", ".") and detaches the old root.
 *
 * It includes nothing of modrun but <modrun/plugin.h>, links nothing of it,
 * and exports one symbol, modrun_plugin. Build: see Makefile / build.sh.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <modrun/plugin.h>

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

struct state {
        const struct modrun_host *host;
};

static int lp_init(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr)
{
        /* Everything this plugin uses is in the ABI 1.0 host table. */
        if (host->size < MODRUN_HOST_SIZE_1_0)
                return host->error(reterr, EPROTO, "rebuild the plugin against this modrun",
                                   "logged-pivot: the host table is %u bytes, expected at least %zu", host->size,
                                   (size_t)MODRUN_HOST_SIZE_1_0);
        struct state *s = calloc(1, sizeof(*s));
        if (!s)
                return host->error(reterr, ENOMEM, NULL, "logged-pivot: allocate state");
        s->host = host;
        host->log(host, MODRUN_LOG_DEBUG, "logged-pivot: ready for container %s, rootfs %s", host->container_id,
                  host->rootfs);
        *ret_state = s;
        return 0;
}

static void lp_fini(void *state) { free(state); }

/* Log "mount point (fs type)" for every line of /proc/self/mountinfo. */
static void log_mounts(const struct modrun_host *host)
{
        char *text = NULL;
        /* reterr NULL: this failure is not ours to report, just log it */
        if (host->read_file(host, AT_FDCWD, "/proc/self/mountinfo", &text, NULL) < 0) {
                host->log(host, MODRUN_LOG_DEBUG, "logged-pivot: cannot read /proc/self/mountinfo");
                return;
        }
        unsigned n = 0;
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                /* id parent major:minor root mount-point options ... - fstype source ... */
                char *f[5] = {0}, *save = NULL, *p = line;
                for (int i = 0; i < 5 && (f[i] = strtok_r(p, " ", &save)); i++)
                        p = NULL;
                char *dash = save ? strstr(save, " - ") : NULL;
                char *fstype = dash ? dash + 3 : NULL;
                if (fstype) {
                        char *end = strchr(fstype, ' ');
                        if (end)
                                *end = '\0';
                }
                if (f[4])
                        host->log(host, MODRUN_LOG_DEBUG, "logged-pivot: mount %s (%s)", f[4],
                                  fstype ? fstype : "?");
                n++;
        }
        host->log(host, MODRUN_LOG_DEBUG, "logged-pivot: %u mounts present before the switch", n);
        free(text);
}

static int lp_enter_rootfs(void *state, int rootfs_fd, const char *rootfs, struct modrun_error **reterr)
{
        struct state *s = state;
        const struct modrun_host *h = s->host;
        h->log(h, MODRUN_LOG_DEBUG, "logged-pivot: entering rootfs %s", rootfs);
        log_mounts(h);
        if (fchdir(rootfs_fd) < 0)
                return h->error(reterr, errno, NULL, "logged-pivot: fchdir to the rootfs %s", rootfs);
        /* The new root and the old one on the same directory: afterwards the
         * old root is stacked on top of "." and can be detached. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return h->error(reterr, errno,
                                errno == EINVAL ? "/ may be an initramfs: use --plugin mount=move-mount" : NULL,
                                "logged-pivot: pivot_root(\".\", \".\") in %s", rootfs);
        /* Do not let the unmount propagate to the host. */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return h->error(reterr, errno, NULL, "logged-pivot: make the old root a slave (MS_SLAVE|MS_REC)");
        if (umount2(".", MNT_DETACH) < 0)
                return h->error(reterr, errno, NULL, "logged-pivot: detach the old root (umount2 MNT_DETACH)");
        if (chdir("/") < 0)
                return h->error(reterr, errno, NULL, "logged-pivot: chdir / in the new root");
        h->log(h, MODRUN_LOG_DEBUG, "logged-pivot: %s is now /, the old root is detached", rootfs);
        return 0;
}

static const struct modrun_mount_ops lp_ops = {
        .size = sizeof(struct modrun_mount_ops),
        .init = lp_init,
        .fini = lp_fini,
        .enter_rootfs = lp_enter_rootfs,
        /* .check is optional and left out: the core treats it as absent */
};

MODRUN_PLUGIN_DEFINE(MODRUN_KIND_MOUNT, "logged-pivot", "1.0",
                     "pivot_root(2) that logs the rootfs and the mounts it sees (example)", &lp_ops);
