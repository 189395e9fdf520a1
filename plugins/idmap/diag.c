/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Can the mapped container root use the rootfs? (FIELD-NOTES #3; pure:
 * decisions on stat results and maps, the syscalls are in check.c.)
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "idmap.h"

struct idmap_root idmap_root_of(const struct idmap_set *uids, const struct idmap_set *gids)
{
        struct idmap_root r = {0};
        r.uid_mapped = idmap_to_host(uids, 0, &r.uid);
        r.gid_mapped = idmap_to_host(gids, 0, &r.gid);
        return r;
}

enum idmap_owner_verdict idmap_diag_owner(const struct idmap_stat *st, const struct idmap_set *uids,
                                          const struct idmap_set *gids)
{
        if (!idmap_from_host(uids, st->uid, NULL))
                return IDMAP_OWNER_UID_UNMAPPED;
        if (!idmap_from_host(gids, st->gid, NULL))
                return IDMAP_OWNER_GID_UNMAPPED;
        return IDMAP_OWNER_OK;
}

enum idmap_search_verdict idmap_diag_search(const struct idmap_stat *st, const struct idmap_root *root,
                                            const struct idmap_set *uids, const struct idmap_set *gids,
                                            const char **ret_class)
{
        /* An unmapped container root runs as the overflow id, which owns
         * nothing and is in no group. */
        const char *class = "other";
        mode_t bit = S_IXOTH;
        enum idmap_search_verdict ok = IDMAP_SEARCH_OK_OTHER;
        if (root->uid_mapped && st->uid == root->uid) {
                class = "owner";
                bit = S_IXUSR;
                ok = IDMAP_SEARCH_OK_OWNER;
        } else if (root->gid_mapped && st->gid == root->gid) {
                class = "group";
                bit = S_IXGRP;
                ok = IDMAP_SEARCH_OK_GROUP;
        }
        if (ret_class)
                *ret_class = class;
        if (!S_ISDIR(st->mode))
                return IDMAP_SEARCH_DENIED;
        if (st->mode & bit)
                return ok;
        /* capable_wrt_inode_uidgid(): the capability counts only over
         * inodes whose owner and group are both mapped. */
        if (root->uid_mapped && idmap_from_host(uids, st->uid, NULL) && idmap_from_host(gids, st->gid, NULL))
                return IDMAP_SEARCH_OK_CAPABLE;
        return IDMAP_SEARCH_DENIED;
}

int idmap_parents(const char *path, char **ret, size_t max)
{
        if (!path || path[0] != '/')
                return -EINVAL;
        size_t n = 0, len = strlen(path);
        while (len > 1 && path[len - 1] == '/')
                len--;
        for (size_t i = 0; i < len; i++) {
                if (path[i] != '/' || (i > 0 && path[i - 1] == '/'))
                        continue;
                /* the prefix before this slash: "/" for the first one */
                size_t plen = i == 0 ? 1 : i;
                if (i == 0 && len == 1)
                        break; /* "/" has no parent */
                if (n < max) {
                        char *p = strndup(path, plen);
                        if (!p) {
                                for (size_t k = 0; k < n && k < max; k++)
                                        free(ret[k]);
                                return -ENOMEM;
                        }
                        ret[n] = p;
                }
                n++;
        }
        return (int)(n < max ? n : max);
}
