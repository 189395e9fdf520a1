/* SPDX-License-Identifier: Apache-2.0 */
/* process.user: supplementary groups, gid, uid (keeping the capabilities
 * for caps_apply(), as runc does), umask. */
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.h"

static const char *unmapped_hint(bool in_userns, int e)
{
        if (in_userns && e == EINVAL)
                return "the id is not mapped in the container's user namespace: add it to linux.uidMappings/gidMappings";
        return NULL;
}

int user_apply(const struct oci_user *u, bool in_userns, struct modrun_error **reterr)
{
        if (prctl(PR_SET_KEEPCAPS, 1UL, 0UL, 0UL, 0UL) < 0)
                return error_new(reterr, errno, NULL, "prctl PR_SET_KEEPCAPS");

        if (setgroups(u->n_additional_gids, u->additional_gids) < 0) {
                /* In a user namespace whose setgroups is "deny" (rootless),
                 * having no supplementary groups is the only possible state. */
                if (!(errno == EPERM && in_userns && u->n_additional_gids == 0)) {
                        int e = errno;
                        return error_new(reterr, e,
                                         e == EPERM && in_userns
                                                 ? "setgroups is denied in this user namespace (/proc/PID/setgroups)"
                                                 : unmapped_hint(in_userns, e),
                                         "setgroups to process.user.additionalGids (%zu groups)",
                                         u->n_additional_gids);
                }
        }
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return error_new(reterr, errno, unmapped_hint(in_userns, errno), "setresgid to process.user.gid %u",
                                 (unsigned)u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return error_new(reterr, errno, unmapped_hint(in_userns, errno), "setresuid to process.user.uid %u",
                                 (unsigned)u->uid);
        if (prctl(PR_SET_KEEPCAPS, 0UL, 0UL, 0UL, 0UL) < 0)
                return error_new(reterr, errno, NULL, "prctl PR_SET_KEEPCAPS 0");
        (void)umask(u->has_umask ? u->umask : 0022);
        return 0;
}
