/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/mountinfo parsing and the initramfs-root detection that the
 * `auto` mount strategy uses. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct mountinfo_entry {
        int mount_id, parent_id;
        unsigned major, minor;
        char *root;        /* root of the mount within its filesystem */
        char *mount_point; /* unescaped (\040 -> ' ') */
        char *options;     /* per-mount options */
        char *optional;    /* optional fields ("shared:1 master:2"), may be "" */
        char *fstype;
        char *source;
        char *super_options;
};

/* Parse mountinfo text (the format of /proc/PID/mountinfo). */
int mountinfo_parse(const char *text, struct mountinfo_entry **ret_entries, size_t *ret_n,
                    struct modrun_error **reterr);
/* The same, keeping only the mounts at path or beneath it (path as
 * mountinfo prints it: no space, tab, newline or backslash in it): a
 * process that needs a few entries of a large table allocates (and, after
 * a fork, copies) only those. */
int mountinfo_parse_under(const char *text, const char *path, struct mountinfo_entry **ret_entries, size_t *ret_n,
                          struct modrun_error **reterr);
void mountinfo_free(struct mountinfo_entry *e, size_t n);
/* Read and parse /proc/self/mountinfo. */
int mountinfo_read_self(struct mountinfo_entry **ret_entries, size_t *ret_n, struct modrun_error **reterr);
/* The text of /proc/self/mountinfo read once per process and kept (the
 * runtime's own table, before the container's init: not for a process that
 * has since mounted or entered another mount namespace). */
int mountinfo_self_text(const char **ret_text, struct modrun_error **reterr);
/* The text mountinfo_self_text kept, or NULL when it was not read yet. */
const char *mountinfo_self_text_kept(void);
/* mountinfo_read_self on the text mountinfo_self_text keeps. */
int mountinfo_read_self_once(struct mountinfo_entry **ret_entries, size_t *ret_n, struct modrun_error **reterr);
/* The entry for mount_point, the last (topmost) one; NULL when none. */
const struct mountinfo_entry *mountinfo_find(const struct mountinfo_entry *e, size_t n, const char *mount_point);

/* Is a cgroup v1 hierarchy with the devices controller mounted? 1 yes, 0 no. */
int mountinfo_has_devices_v1(const struct mountinfo_entry *e, size_t n);

/* Is "/" the initial rootfs of an initramfs (fs type rootfs, or a root
 * mount without a parent: the kernel shows its own id as its parent id)?
 * A parent id merely absent from the table does NOT count: on an ordinary
 * host "/" hangs off the hidden initial rootfs, which mountinfo never lists.
 * Returns 1 yes, 0 no (also when no mount is at "/"), -ENOMEM; sets
 * *ret_why (may be NULL) to a malloc()ed explanation for --debug and
 * errors, e.g. "/ is ext4 from /dev/vda". */
int mountinfo_root_is_initramfs(const struct mountinfo_entry *e, size_t n, char **ret_why);
