/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <sys/stat.h>

#include "sys-mount.h"

static int nerrno(int r)
{
        return r < 0 ? (errno > 0 ? -errno : -EIO) : r;
}

int sys_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data)
{
        return nerrno(mount(source, target, fstype, flags, data));
}

int sys_umount2(const char *target, int flags)
{
        return nerrno(umount2(target, flags));
}

int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr, size_t size)
{
        return nerrno(mount_setattr(dfd, path, flags, attr, size));
}

int sys_open_tree(int dfd, const char *path, unsigned flags)
{
        return nerrno(open_tree(dfd, path, flags | OPEN_TREE_CLOEXEC));
}

int sys_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned flags)
{
        return nerrno(move_mount(from_dfd, from_path, to_dfd, to_path, flags));
}

int sys_fsopen(const char *fsname, unsigned flags)
{
        return nerrno(fsopen(fsname, flags | FSOPEN_CLOEXEC));
}

int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
        return nerrno(fsconfig(fd, cmd, key, value, aux));
}

int sys_fsmount(int fsfd, unsigned flags, unsigned attr_flags)
{
        return nerrno(fsmount(fsfd, flags | FSMOUNT_CLOEXEC, attr_flags));
}

int sys_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
        return nerrno(mknodat(dirfd, path, mode, dev));
}
