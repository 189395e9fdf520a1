/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI mount options ("ro", "rbind", "rnosuid", "mode=755" ...) turned into
 * what the kernel takes: mount(2) flags, propagation changes in order,
 * recursive attributes for mount_setattr(AT_RECURSIVE), the idmap and
 * tmpcopyup requests, and the file system data string (everything else).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define MOUNT_PROPAGATION_MAX 8

struct mount_options {
        unsigned long flags;   /* MS_* to set (no propagation bits) */
        unsigned long cleared; /* MS_* an option explicitly cleared ("rw", "suid", "atime" ...) */
        unsigned long propagation[MOUNT_PROPAGATION_MAX]; /* MS_SHARED[|MS_REC] ..., in order */
        size_t n_propagation;
        uint64_t rec_attr_set, rec_attr_clr; /* MOUNT_ATTR_* for mount_setattr(AT_RECURSIVE) */
        bool idmap, ridmap;                  /* applied by the idmap support, not here */
        bool tmpcopyup;
        bool src_nofollow, dest_nofollow; /* crun's: a symlink at the last component is bound, not followed */
        char *data; /* unknown options, comma-joined ("mode=755,size=65536k"); NULL when none */
};

/* Parse a NULL-terminated option list (NULL = none). Unknown options are
 * file system data, as the spec says. */
int mount_options_parse(char *const *options, struct mount_options *ret, struct modrun_error **reterr);
void mount_options_done(struct mount_options *o);

/* A bind mount: type "bind" or an option "bind"/"rbind" (type is then a no-op). */
bool mount_options_is_bind(const struct mount_options *o, const char *type);
/* An id-mapped mount: "idmap"/"ridmap", or id mappings of its own
 * (n_id_mappings: its uidMappings and gidMappings together). */
bool mount_options_is_idmapped(const struct mount_options *o, size_t n_id_mappings);
bool mount_options_has_rec_attr(const struct mount_options *o);

/* The flags mount(2) gets for a new mount or a bind remount. */
#define MOUNT_PER_MOUNT_FLAGS                                                                           \
        (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME |      \
         MS_STRICTATIME | MS_NOSYMFOLLOW)
#define MOUNT_ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

/* Every option name understood, NULL-terminated (for `features`). */
const char *const *mount_option_names(void);

/* "rprivate" ... -> MS_PRIVATE|MS_REC; -EINVAL when not a propagation. */
int mount_propagation_from_string(const char *s, unsigned long *ret);

/* "MS_BIND|MS_REC|MS_RDONLY" ("0" for none), always NUL-terminated. */
const char *mount_flags_to_string(unsigned long flags, char *buf, size_t size);
/* "MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID" ("0" for none). */
const char *mount_attr_to_string(uint64_t attr, char *buf, size_t size);
#define MOUNT_FLAGS_STRMAX 512
