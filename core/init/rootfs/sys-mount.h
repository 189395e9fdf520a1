/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thin named wrappers of the mount-related system calls, so that unit tests
 * can replace them with -Wl,--wrap=sys_mount,--wrap=sys_mount_setattr ...
 * Every wrapper returns -errno on failure (0 or an fd on success) and sets
 * errno as well.
 */
#pragma once

#include <stddef.h>
#include <sys/mount.h>
#include <sys/types.h>

int sys_mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data);
int sys_umount2(const char *target, int flags);
int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr, size_t size);
int sys_open_tree(int dfd, const char *path, unsigned flags);
int sys_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path, unsigned flags);
int sys_fsopen(const char *fsname, unsigned flags);
int sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux);
int sys_fsmount(int fsfd, unsigned flags, unsigned attr_flags);
int sys_mknodat(int dirfd, const char *path, mode_t mode, dev_t dev);
