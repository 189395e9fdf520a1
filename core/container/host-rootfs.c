/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rootfs mount of a container that has no mount namespace.
 *
 * runc 1.1 makes the host's "/" rslave (or rootfsPropagation) and the
 * mount holding the rootfs private, mounts beneath the bundle's rootfs and
 * leaves it all behind after delete; crun mounts beneath the rootfs
 * directory itself and leaves that behind. modrun changes no mount it did
 * not make: one private bind of the rootfs onto itself (so that nothing
 * mounted beneath it propagates to the host's peers), recorded here by id,
 * carries every mount of the container, and delete detaches it whole.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host-rootfs.h"
#include "init/rootfs/mount-util.h"
#include "init/rootfs/sys-mount.h"
#include "util/fault.h"
#include "util/log.h"
#include "util/mountinfo.h"

#define HOST_ROOTFS_FILE "host-rootfs-mount"

bool host_rootfs_wanted(const struct oci_config *cfg)
{
        return !config_namespace(cfg, OCI_NS_MOUNT);
}

static int bind_error(struct modrun_error **reterr, int r, const char *what, const char *rootfs)
{
        const char *hint = -r == EPERM ? "mounting needs CAP_SYS_ADMIN in the runtime's user namespace" : NULL;
        return error_new(reterr, -r, hint, "no mount namespace: %s the rootfs %s onto itself", what, rootfs);
}

static int forget(int state_dir_fd, struct modrun_error **reterr)
{
        if (unlinkat(state_dir_fd, HOST_ROOTFS_FILE, 0) < 0 && errno != ENOENT)
                return error_new(reterr, errno, NULL, "remove %s from the state directory", HOST_ROOTFS_FILE);
        return 0;
}

/* Detach the mount fd is the root of, through the fd: a path looked up
 * again could name another mount by then (a renamed or swapped bundle). */
static int umount_fd(int fd)
{
        char path[PROC_FD_PATH_MAX];
        return sys_umount2(proc_fd_path(fd, path), MNT_DETACH);
}

/* The recorded mount and the mount namespace it was made in. */
struct record {
        struct fs_mount_id id;
        uint64_t ns_dev, ns_ino;
};

/* 1 and *ret set when a rootfs mount is recorded, 0 when none. */
static int read_record(int state_dir_fd, struct record *ret, struct modrun_error **reterr)
{
        if (faccessat(state_dir_fd, HOST_ROOTFS_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
                return 0;
        _cleanup_free_ char *text = NULL;
        int r = fs_read_regular_file(state_dir_fd, HOST_ROOTFS_FILE, O_NOFOLLOW, 128, &text, reterr);
        if (r < 0)
                return r;
        uint64_t id, unique, ns_dev, ns_ino;
        int n = sscanf(text, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, &id, &unique, &ns_dev, &ns_ino);
        if (n != 4 || !id)
                return error_new(reterr, EINVAL, NULL, "%s in the state directory: not \"ID UNIQUE-ID NS-DEV NS-INO\"",
                                 HOST_ROOTFS_FILE);
        *ret = (struct record){.id = {.id = id, .unique = unique}, .ns_dev = ns_dev, .ns_ino = ns_ino};
        return 1;
}

/* The container (of the same state root) whose recorded rootfs bind is
 * the top mount top, into *ret_name (malloc()ed): 1, else 0. */
static int held_by(int state_dir_fd, const struct fs_mount_id *top, char **ret_name)
{
        int root = openat(state_dir_fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = root < 0 ? NULL : fdopendir(root);
        if (!d) {
                if (root >= 0)
                        close(root);
                return 0; /* nothing to compare with: as before */
        }
        struct stat self;
        int r = fstat(state_dir_fd, &self) < 0 ? -errno : 0;
        for (struct dirent *de; !r && (de = readdir(d));) {
                struct stat st;
                if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISDIR(st.st_mode) || (st.st_dev == self.st_dev && st.st_ino == self.st_ino))
                        continue;
                _cleanup_close_ int c = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                struct record rec;
                if (c >= 0 && read_record(c, &rec, NULL) > 0 && fs_mount_id_equal(&rec.id, top)) {
                        *ret_name = strdup(de->d_name);
                        r = *ret_name ? 1 : -ENOMEM;
                }
        }
        closedir(d);
        return r;
}

/* A second container on a rootfs another one's bind is on: a recursive
 * clone would take that one's /proc, /dev, ... with it. Refused. */
static int check_not_held(int dir, int state_dir_fd, const char *rootfs, struct modrun_error **reterr)
{
        struct fs_mount_id top;
        if (fs_mount_id(dir, &top) < 0)
                return 0; /* reported by the record of the bind */
        _cleanup_free_ char *other = NULL;
        int r = held_by(state_dir_fd, &top, &other);
        if (r < 0)
                return error_new(reterr, -r, NULL, "no mount namespace: look for containers using the rootfs %s",
                                 rootfs);
        if (!r)
                return 0;
        return error_new(reterr, EBUSY,
                         "delete that container first, give this one a rootfs of its own, or add {\"type\": "
                         "\"mount\"} to linux.namespaces",
                         "no mount namespace: the rootfs %s is the rootfs mount of container %s (mount id %" PRIu64
                         "), which has no mount namespace either: this container's would take that one's mounts",
                         rootfs, other, top.id);
}

int host_rootfs_bind(const char *rootfs, int state_dir_fd, struct fs_mount_id *ret_id, struct modrun_error **reterr)
{
        _cleanup_close_ int dir = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir < 0)
                return error_new(reterr, errno, "root.path must name an existing directory", "open the rootfs %s",
                                 rootfs);
        struct stat st, root;
        if (fstat(dir, &st) == 0 && stat("/", &root) == 0 && st.st_dev == root.st_dev && st.st_ino == root.st_ino)
                return error_new(reterr, EINVAL, "add {\"type\": \"mount\"} to linux.namespaces",
                                 "root.path %s is the runtime's \"/\" and there is no mount namespace: the "
                                 "container's mounts would cover the host's", rootfs);
        int r = check_not_held(dir, state_dir_fd, rootfs, reterr);
        if (r < 0)
                return r;
        _cleanup_close_ int tree = sys_open_tree(dir, "", OPEN_TREE_CLONE | AT_EMPTY_PATH | AT_RECURSIVE);
        if (tree < 0)
                return bind_error(reterr, tree, "clone (open_tree) to bind", rootfs);
        /* Recorded before it is attached: a runtime killed in between
         * leaves a record of a mount that is nowhere (delete forgets it),
         * never a mount without a record. */
        struct fs_mount_id id;
        struct stat ns;
        r = fs_mount_id(tree, &id);
        if (r < 0)
                return error_new(reterr, -r, "Linux 5.8 or newer reports mount ids (statx STATX_MNT_ID)",
                                 "no mount namespace: the mount id of the bind of the rootfs %s", rootfs);
        if (stat("/proc/self/ns/mnt", &ns) < 0)
                return error_new(reterr, errno, NULL, "no mount namespace: the runtime's mount namespace "
                                 "(/proc/self/ns/mnt), to record it with the bind of the rootfs %s", rootfs);
        char text[128];
        int n = snprintf(text, sizeof(text), "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", id.id, id.unique,
                         (uint64_t)ns.st_dev, (uint64_t)ns.st_ino);
        if ((r = fs_write_atomic(state_dir_fd, HOST_ROOTFS_FILE, text, (size_t)n, reterr)) < 0)
                return error_wrap(reterr, "record the rootfs mount of the container");
        if ((r = FAULT_POINT("host-rootfs-recorded", reterr)) < 0) {
                (void)forget(state_dir_fd, NULL);
                return r;
        }
        r = sys_move_mount(tree, "", dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
        if (r < 0) {
                (void)forget(state_dir_fd, NULL);
                return bind_error(reterr, r, "attach (move_mount) the bind of", rootfs);
        }
        /* Private once attached (beneath a shared mount it became shared, a
         * peer of its copies in that mount's peers), before anything is
         * mounted beneath it: nothing of the container's propagates. */
        struct mount_attr attr = {.propagation = MS_PRIVATE};
        r = sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr));
        if (r == -ENOSYS) /* before Linux 5.12: by its path, where it is the top mount */
                r = sys_mount(NULL, rootfs, NULL, MS_PRIVATE | MS_REC, NULL);
        if (r < 0) {
                (void)umount_fd(tree); /* attached: the fd is its root */
                (void)forget(state_dir_fd, NULL);
                return bind_error(reterr, r, "make private (mount_setattr) the bind of", rootfs);
        }
        log_debug("no mount namespace: the container's mounts go on a private bind of %s onto itself in the "
                  "runtime's mount namespace (mount id %" PRIu64 "), detached on delete; the init chroot()s into it",
                  rootfs, id.id);
        *ret_id = id;
        return 0;
}

/* The record's mount ids mean something in the mount namespace it was
 * made in only: elsewhere the rootfs is a copy, and the bind is not found
 * there (the record would be forgotten and every mount left). */
static int check_namespace(const struct record *rec, const char *rootfs, struct modrun_error **reterr)
{
        struct stat ns;
        if (stat("/proc/self/ns/mnt", &ns) < 0)
                return error_new(reterr, errno, NULL, "no mount namespace: the runtime's mount namespace "
                                 "(/proc/self/ns/mnt)");
        if ((uint64_t)ns.st_dev == rec->ns_dev && (uint64_t)ns.st_ino == rec->ns_ino)
                return 0;
        return error_new(reterr, EXDEV,
                         "run delete in the mount namespace the container was created in (e.g. nsenter "
                         "--mount=/proc/PID/ns/mnt of a process there); the state is kept",
                         "no mount namespace: the container's rootfs mount %s (mount id %" PRIu64 ") was made in "
                         "mount namespace mnt:[%" PRIu64 "], this runtime runs in mnt:[%" PRIu64 "]", rootfs,
                         rec->id.id, rec->ns_ino, (uint64_t)ns.st_ino);
}

/* Where the mount with this id (as mountinfo shows it) is: 1 and
 * *ret_mount_point (malloc()ed) when it is mounted, 0 when not. */
static int find_mount(uint64_t id, char **ret_mount_point, struct modrun_error **reterr)
{
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        int r = mountinfo_read_self(&e, &n, reterr);
        if (r < 0)
                return r;
        r = 0;
        for (size_t i = 0; i < n && !r; i++)
                if ((uint64_t)e[i].mount_id == id) {
                        *ret_mount_point = strdup(e[i].mount_point);
                        r = *ret_mount_point ? 1 : error_new(reterr, ENOMEM, NULL, "a mount point");
                }
        mountinfo_free(e, n);
        return r;
}

/* The recorded mount is not the top mount at the rootfs path: find it
 * wherever it is mounted (a directory above the rootfs was renamed, or it
 * is covered), detach it through an fd opened there and checked; forget
 * the record only when it is mounted nowhere. */
static int release_elsewhere(int state_dir_fd, const char *rootfs, const struct fs_mount_id *want,
                             struct modrun_error **reterr)
{
        _cleanup_free_ char *mp = NULL;
        int r = find_mount(want->id, &mp, reterr);
        if (r < 0)
                return r;
        if (!r)
                return forget(state_dir_fd, reterr); /* unmounted already */
        _cleanup_close_ int fd = open(mp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct fs_mount_id there = {0};
        if (fd >= 0 && fs_mount_id(fd, &there) == 0) {
                if (fs_mount_id_equal(&there, want)) {
                        if ((r = umount_fd(fd)) < 0)
                                return error_new(reterr, -r, NULL,
                                                 "no mount namespace: unmount (MNT_DETACH) the container's rootfs "
                                                 "mount (mount id %" PRIu64 ") at %s", want->id, mp);
                        log_debug("no mount namespace: the container's rootfs mount %s was at %s; detached there",
                                  rootfs, mp);
                        return forget(state_dir_fd, reterr);
                }
                if (there.id == want->id && there.unique && want->unique && there.unique != want->unique)
                        return forget(state_dir_fd, reterr); /* gone; its id was reused */
        }
        if (fd < 0)
                return error_new(reterr, errno, "unmount it there (umount -l), then delete again",
                                 "no mount namespace: the container's rootfs mount (mount id %" PRIu64 ") is at %s, "
                                 "which cannot be opened to check and unmount it", want->id, mp);
        /* Covered: by another container without a mount namespace on the
         * same rootfs, or by a mount the container made over its "/".
         * Only a mount recorded here is ever unmounted. */
        if (streq(mp, rootfs))
                return error_new(reterr, EBUSY,
                                 "delete the other container using this rootfs first, or unmount what covers it "
                                 "(umount -l), then delete this one again",
                                 "no mount namespace: the container's rootfs mount %s (mount id %" PRIu64 ") is "
                                 "covered by mount id %" PRIu64 ", which is not this container's", rootfs, want->id,
                                 there.id);
        return error_new(reterr, EBUSY, "unmount what covers it there (umount -l), then delete again",
                         "no mount namespace: the container's rootfs mount (mount id %" PRIu64 ") is not at the "
                         "rootfs %s but at %s, covered there by mount id %" PRIu64, want->id, rootfs, mp, there.id);
}

int host_rootfs_release(int state_dir_fd, const char *rootfs, struct modrun_error **reterr)
{
        struct record rec = {0};
        int r = read_record(state_dir_fd, &rec, reterr);
        if (r <= 0)
                return r;
        const struct fs_mount_id want = rec.id;
        if (!rootfs)
                return error_new(reterr, EINVAL, NULL, "the state names no rootfs to unmount mount id %" PRIu64,
                                 want.id);
        if ((r = check_namespace(&rec, rootfs, reterr)) < 0)
                return r;
        _cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct fs_mount_id top = {0};
        if (fd < 0 && errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
                return error_new(reterr, errno, NULL, "no mount namespace: open the rootfs %s to unmount it", rootfs);
        if (fd >= 0 && (r = fs_mount_id(fd, &top)) < 0)
                return error_new(reterr, -r, NULL, "no mount namespace: the mount id of the rootfs %s", rootfs);
        if (fd < 0 || !fs_mount_id_equal(&top, &want))
                return release_elsewhere(state_dir_fd, rootfs, &want, reterr);
        if ((r = umount_fd(fd)) < 0)
                return error_new(reterr, -r, NULL,
                                 "no mount namespace: unmount (MNT_DETACH) the container's rootfs mount %s "
                                 "(mount id %" PRIu64 ")", rootfs, want.id);
        return forget(state_dir_fd, reterr);
}
