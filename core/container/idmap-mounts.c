/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Id-mapped bind mounts (FIELD-NOTES #3: no chown -R of a volume): a mount
 * with the "idmap"/"ridmap" option, or with uidMappings/gidMappings of its
 * own, is cloned here, in the runtime, with open_tree(OPEN_TREE_CLONE) and
 * given MOUNT_ATTR_IDMAP with mount_setattr(2): that needs CAP_SYS_ADMIN
 * over the filesystem's user namespace, which the container's init does
 * not have. The detached mount goes to the init over the sync socket
 * (SYNC_MOUNTFD, value = the mount's index), which attaches it with
 * move_mount(2) at its destination beneath the rootfs.
 *
 * The id mapping is the container's user namespace ("idmap" without
 * mappings: files owned by host uid 0 show as the container's root), or a
 * user namespace made for the mount's own uidMappings/gidMappings.
 *
 * The same way, every other bind mount of a container with a user
 * namespace: its source is opened here, with the runtime's credentials
 * (open_tree(OPEN_TREE_CLONE), as runc 1.2's mount source fds and crun),
 * because the init, root of its user namespace only, may not reach it (a
 * 0700 directory of host root on the way: EACCES/EPERM).
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap-mounts.h"
#include "init/rootfs/mount-options.h"
#include "init/rootfs/sys-mount.h"
#include "sync.h"
#include "util/fd-pass.h"
#include "util/fs-util.h"

static int write_map(pid_t pid, const char *file, const struct oci_idmap *m, size_t n)
{
        /* the kernel takes a map in one write shorter than a page; n == 0 is
         * an empty write, which it refuses */
        char text[4096] = "", path[64];
        size_t len = 0;
        for (size_t i = 0; i < n && len < sizeof(text); i++)
                len += (size_t)snprintf(text + len, sizeof(text) - len, "%u %u %u\n", m[i].container_id, m[i].host_id,
                                        m[i].size);
        if (len >= sizeof(text))
                return -E2BIG; /* never a cut line: "0 1000 6" would map another range */
        (void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        return fs_write_file(AT_FDCWD, path, text, NULL);
}

/* A user namespace with the mount's own mappings: a child that only
 * waits, its maps written, its ns opened, the child killed. */
static int userns_for_maps(const struct oci_mount *m, struct modrun_error **reterr)
{
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return error_new(reterr, errno, NULL, "mount %s: pipe for an id-mapping helper", m->destination);
        pid_t pid = fork();
        if (pid == 0) {
                char c;
                (void)close(pfd[1]);
                if (unshare(CLONE_NEWUSER) < 0)
                        _exit(1);
                (void)read(pfd[0], &c, 1); /* until the parent is done with us */
                _exit(0);
        }
        (void)close(pfd[0]);
        int fd = -1, r = pid < 0 ? -errno : 0;
        char path[64];
        (void)snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        /* wait (bounded) until the child has its own user namespace */
        for (int i = 0; r == 0 && i < 1000; i++) {
                char a[64] = "", b[64] = "";
                if (readlink(path, a, sizeof(a) - 1) > 0 && readlink("/proc/self/ns/user", b, sizeof(b) - 1) > 0 &&
                    strcmp(a, b) != 0)
                        break;
                usleep(1000);
        }
        if (r == 0 && (r = write_map(pid, "uid_map", m->uid_mappings, m->n_uid_mappings)) == 0 &&
            (r = write_map(pid, "gid_map", m->gid_mappings, m->n_gid_mappings)) == 0 &&
            (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                r = -errno;
        (void)close(pfd[1]);
        if (pid > 0)
                (void)waitpid(pid, NULL, 0);
        if (r < 0)
                return error_new(reterr, -r,
                                 r == -E2BIG ? "the kernel takes at most 4095 bytes of map text: merge adjacent "
                                               "ranges"
                                             : "check the mount's uidMappings and gidMappings",
                                 "mount %s: make a user namespace with its id mappings", m->destination);
        return fd;
}

/* A detached copy of the bind source (its submounts too when rec); a symlink
 * at its last component is followed unless src-nofollow. */
static int clone_source(const struct oci_mount *m, const struct mount_options *o, bool rec,
                        struct modrun_error **reterr)
{
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0) |
                         (o->src_nofollow ? AT_SYMLINK_NOFOLLOW : 0);
        int fd = sys_open_tree(AT_FDCWD, m->source, flags);
        if (fd < 0)
                return error_new(reterr, -fd, -fd == ENOENT ? "the bind source must exist on the host" : NULL,
                                 "mount %s: open the bind source %s (open_tree OPEN_TREE_CLONE%s%s)", m->destination,
                                 m->source, rec ? "|AT_RECURSIVE" : "", o->src_nofollow ? "|AT_SYMLINK_NOFOLLOW" : "");
        return fd;
}

static int clone_idmapped(const struct oci_mount *m, const struct mount_options *o, pid_t init,
                          struct modrun_error **reterr)
{
        if (!m->source || !mount_options_is_bind(o, m->type))
                return error_new(reterr, EOPNOTSUPP, "use idmap on bind mounts",
                                 "mount %s: id mapping is supported for bind mounts only", m->destination);
        _cleanup_close_ int userns = -1;
        if (m->n_uid_mappings || m->n_gid_mappings) {
                if ((userns = userns_for_maps(m, reterr)) < 0)
                        return userns;
        } else {
                char path[64];
                (void)snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)init);
                if ((userns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                        return error_new(reterr, errno, NULL, "mount %s: the container's user namespace", m->destination);
        }
        bool rec = o->ridmap || (o->flags & MS_REC);
        _cleanup_close_ int fd = clone_source(m, o, rec, reterr);
        if (fd < 0)
                return fd;
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
        int r = sys_mount_setattr(fd, "", AT_EMPTY_PATH | (o->ridmap ? AT_RECURSIVE : 0), &attr, sizeof(attr));
        if (r < 0)
                return error_new(reterr, -r,
                                 r == -EINVAL ? "the file system of the source cannot be id-mapped (needs kernel >= 5.12 "
                                                "and a file system that supports it); chown the source to the "
                                                "container's id range instead"
                                              : NULL,
                                 "mount %s: mount_setattr(MOUNT_ATTR_IDMAP) on %s", m->destination, m->source);
        return TAKE_FD(fd);
}

static int send_mount_fd(int sock, int fd, int32_t index, const char *what, struct modrun_error **reterr)
{
        char buf[SYNC_MSG_MAX];
        struct sync_msg msg = {.type = SYNC_MOUNTFD, .value = index};
        int n = sync_encode(&msg, buf, sizeof(buf));
        int r = n < 0 ? n : fd_send(sock, fd, buf, (size_t)n);
        return r < 0 ? error_new(reterr, -r, NULL, "send the mount of %s to the init", what) : 0;
}

/* org.modrun.rootfs-idmap=true: the rootfs itself, through the container's
 * maps (a rootfs owned by host root runs in a user namespace unchanged). */
static int send_rootfs(const struct oci_config *cfg, const char *rootfs, pid_t init, int sock,
                       struct modrun_error **reterr)
{
        const char *v = config_annotation(cfg, IDMAP_ROOTFS_ANNOTATION);
        if (!v || !streq(v, "true"))
                return 0;
        const struct oci_namespace *userns = config_namespace(cfg, OCI_NS_USER);
        if (!userns || userns->path)
                return error_new(reterr, EINVAL, "add a new user namespace with uidMappings and gidMappings",
                                 "annotation " IDMAP_ROOTFS_ANNOTATION ": the rootfs is mapped through a new user "
                                 "namespace of the container, and there is none");
        char *opts[] = {"rbind", "ridmap", NULL};
        struct oci_mount m = {.destination = "/", .type = "bind", .source = (char *)rootfs, .options = opts};
        struct mount_options o;
        int r = mount_options_parse(opts, &o, reterr);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = clone_idmapped(&m, &o, init, reterr);
        mount_options_done(&o);
        return fd < 0 ? fd : send_mount_fd(sock, fd, (int32_t)cfg->n_mounts, rootfs, reterr);
}

static bool is_idmapped(const struct oci_mount *m, const struct mount_options *o)
{
        return mount_options_is_idmapped(o, m->n_uid_mappings + m->n_gid_mappings);
}

/* A bind mount whose source the runtime opens for the init: every bind
 * of a container with a user namespace, unless id-mapped. */
static bool wants_bind_source(const struct oci_config *cfg, const struct oci_mount *m, struct mount_options *o)
{
        return !is_idmapped(m, o) && m->source && mount_options_is_bind(o, m->type) &&
               config_namespace(cfg, OCI_NS_USER);
}

struct bind_report {
        int32_t index; /* the mount, or -1: joining the mount namespace */
        int32_t err;
};

/* In a child of the runtime that joined the init's mount namespace (a copy
 * of the host's made by a less privileged user namespace, so the kernel
 * locked its flags and submounts): clone each bind source there and send
 * it to the init. A clone of the host's own mounts would carry no such
 * lock, and the container's root could then remount a read-only host mount
 * read-write or unmount what covers a directory (runc 1.2 clones in the
 * container's mount namespace for the same reason). The first failure is
 * reported on rep. */
_Noreturn static void bind_sources_child(const struct oci_config *cfg, int mntns, int sock, int rep, const char *cwd)
{
        struct bind_report br = {.index = -1};
        if (setns(mntns, CLONE_NEWNS) < 0) {
                br.err = errno == EPERM ? 0 : errno; /* EPERM: no privilege over it, the init binds */
                goto report;
        }
        for (size_t i = 0; i < cfg->n_mounts; i++) {
                const struct oci_mount *m = &cfg->mounts[i];
                struct mount_options o;
                if (mount_options_parse(m->options, &o, NULL) < 0)
                        continue; /* refused by the init with its message */
                bool want = wants_bind_source(cfg, m, &o);
                unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((o.flags & MS_REC) ? AT_RECURSIVE : 0) |
                                 (o.src_nofollow ? AT_SYMLINK_NOFOLLOW : 0);
                mount_options_done(&o);
                if (!want)
                        continue;
                /* setns() made "/" the cwd: a relative source is the runtime's */
                char path[PATH_MAX];
                if (m->source[0] != '/' &&
                    snprintf(path, sizeof(path), "%s/%s", cwd, m->source) >= (int)sizeof(path)) {
                        br = (struct bind_report){(int32_t)i, ENAMETOOLONG};
                        goto report;
                }
                int fd = sys_open_tree(AT_FDCWD, m->source[0] == '/' ? m->source : path, flags);
                if (fd < 0) {
                        br = (struct bind_report){(int32_t)i, -fd};
                        goto report;
                }
                int r = send_mount_fd(sock, fd, (int32_t)i, m->destination, NULL);
                (void)close(fd);
                if (r < 0) {
                        br = (struct bind_report){(int32_t)i, -r};
                        goto report;
                }
        }
report:
        (void)!write(rep, &br, br.err ? sizeof(br) : 0);
        _exit(br.err ? 1 : 0);
}

#define BIND_SOURCES_TIMEOUT_MS 30000

/* Run bind_sources_child() and wait for it, bounded. */
static int send_bind_sources(const struct oci_config *cfg, pid_t init, int sock, struct modrun_error **reterr)
{
        bool any = false;
        for (size_t i = 0; i < cfg->n_mounts && !any; i++) {
                struct mount_options o;
                if (mount_options_parse(cfg->mounts[i].options, &o, NULL) < 0)
                        continue;
                any = wants_bind_source(cfg, &cfg->mounts[i], &o);
                mount_options_done(&o);
        }
        /* rootless: the runtime cannot clone mounts; the init binds what it reaches */
        if (!any || geteuid() != 0)
                return 0;
        char path[64], cwd[PATH_MAX];
        (void)snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)init);
        _cleanup_close_ int mntns = open(path, O_RDONLY | O_CLOEXEC);
        if (mntns < 0)
                return error_new(reterr, errno, NULL, "open the mount namespace of the container init (%s)", path);
        if (!getcwd(cwd, sizeof(cwd)))
                return error_new(reterr, errno, NULL, "the working directory, for relative bind sources");
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0)
                return error_new(reterr, errno, NULL, "pipe for the bind-source helper");
        pid_t pid = fork();
        if (pid == 0) {
                (void)close(pfd[0]);
                bind_sources_child(cfg, mntns, sock, pfd[1], cwd);
        }
        (void)close(pfd[1]);
        _cleanup_close_ int rep = pfd[0];
        if (pid < 0)
                return error_new(reterr, errno, NULL, "fork the bind-source helper");
        struct pollfd p = {.fd = rep, .events = POLLIN};
        int n = poll(&p, 1, BIND_SOURCES_TIMEOUT_MS);
        struct bind_report br = {0};
        ssize_t got = n > 0 ? read(rep, &br, sizeof(br)) : 0;
        if (n <= 0)
                (void)kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
        if (n == 0)
                return error_new(reterr, ETIMEDOUT, "a bind source on a file system that does not answer (NFS, FUSE)?",
                                 "open the bind sources: no answer within %d ms", BIND_SOURCES_TIMEOUT_MS);
        if (got != (ssize_t)sizeof(br) || br.err == 0)
                return 0;
        if (br.index < 0)
                return error_new(reterr, br.err, NULL, "join the mount namespace of the container init to open the bind sources");
        const struct oci_mount *m = &cfg->mounts[br.index];
        return error_new(reterr, br.err,
                         br.err == ENOENT  ? "the bind source must exist on the host"
                         : br.err == EINVAL ? "in a user namespace the kernel refuses a non-recursive bind of a "
                                              "directory with mounts below it (they would uncover what they hide): "
                                              "use rbind"
                                            : NULL,
                         "mount %s: open the bind source %s (open_tree OPEN_TREE_CLONE) and send it to the init",
                         m->destination, m->source);
}

bool mount_fds_wanted(const struct oci_config *cfg)
{
        const char *v = config_annotation(cfg, IDMAP_ROOTFS_ANNOTATION);
        bool any = v && streq(v, "true");
        for (size_t i = 0; i < cfg->n_mounts && !any; i++) {
                const struct oci_mount *m = &cfg->mounts[i];
                struct mount_options o;
                if (mount_options_parse(m->options, &o, NULL) < 0)
                        continue; /* refused by the init with its message */
                any = is_idmapped(m, &o) || wants_bind_source(cfg, m, &o);
                mount_options_done(&o);
        }
        return any;
}

int mount_fds_send(const struct oci_config *cfg, const char *rootfs, pid_t init, int sock,
                   struct modrun_error **reterr)
{
        for (size_t i = 0; i < cfg->n_mounts; i++) {
                const struct oci_mount *m = &cfg->mounts[i];
                struct mount_options o;
                if (mount_options_parse(m->options, &o, reterr) < 0)
                        return -EINVAL;
                int fd = is_idmapped(m, &o) ? clone_idmapped(m, &o, init, reterr) : 0;
                mount_options_done(&o);
                if (fd < 0)
                        return fd;
                if (fd == 0)
                        continue;
                int r = send_mount_fd(sock, fd, (int32_t)i, cfg->mounts[i].destination, reterr);
                (void)close(fd);
                if (r < 0)
                        return r;
        }
        int r = send_bind_sources(cfg, init, sock, reterr);
        return r < 0 ? r : send_rootfs(cfg, rootfs, init, sock, reterr);
}
