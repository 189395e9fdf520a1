/* SPDX-License-Identifier: Apache-2.0 */
/* process.user: supplementary groups, gid, uid (keeping the capabilities
 * for caps_apply(), as runc does), umask; what follows from it and runc
 * and crun set up: HOME, and the cwd created when missing. */
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "process.h"
#include "util/fs-util.h"

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

/* The home directory of uid in the passwd text ("name:pw:uid:gid:gecos:home:shell"
 * lines), or NULL. */
static char *passwd_home(const char *text, uid_t uid)
{
        for (const char *line = text; line && *line;) {
                const char *end = strchrnul(line, '\n');
                const char *f[7] = {line};
                size_t n = 1;
                for (const char *p = line; p < end && n < 7; p++)
                        if (*p == ':')
                                f[n++] = p + 1;
                char *num_end = NULL;
                if (n == 7 && *f[2] != ':' && (uid_t)strtoul(f[2], &num_end, 10) == uid && *num_end == ':')
                        return strndup(f[5], (size_t)(f[6] - 1 - f[5]));
                line = *end ? end + 1 : NULL;
        }
        return NULL;
}

/* The index in e[0..n) of the entry naming the variable of kv, or n. */
static size_t env_find(char *const *e, size_t n, const char *kv)
{
        size_t len = strcspn(kv, "=");
        for (size_t i = 0; kv[len] == '=' && i < n; i++)
                if (strncmp(e[i], kv, len + 1) == 0)
                        return i;
        return n;
}

int env_with_home(char *const *env, uid_t uid, char ***ret_env, struct modrun_error **reterr)
{
        size_t n = 0, kept = 0;
        while (env && env[n])
                n++;
        char **e = calloc(n + 2, sizeof(char *));
        if (!e)
                return error_new(reterr, ENOMEM, NULL, "process.env");
        for (size_t i = 0; i < n; i++) { /* borrowed: the config outlives the init */
                size_t at = env_find(e, kept, env[i]);
                e[at] = env[i];
                kept += at == kept;
        }
        size_t h = env_find(e, kept, "HOME=");
        if (h < kept && e[h][5]) {
                *ret_env = e;
                return 0;
        }
        /* a missing or unreadable /etc/passwd (or no entry) means "/" */
        _cleanup_free_ char *text = NULL, *home = NULL;
        if (fs_read_regular_file(AT_FDCWD, "/etc/passwd", 0, 4u << 20, &text, NULL) >= 0)
                home = passwd_home(text, uid);
        if (asprintf(&e[h], "HOME=%s", home && *home ? home : "/") < 0) {
                free(e);
                return error_new(reterr, ENOMEM, NULL, "set HOME for process.user.uid %u", (unsigned)uid);
        }
        *ret_env = e;
        return 0;
}

int cwd_create(const char *cwd, struct modrun_error **reterr)
{
        struct stat st;
        if (stat(cwd, &st) == 0 || errno != ENOENT)
                return 0; /* there, or the chdir reports why not */
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return error_new(reterr, errno, NULL, "process.cwd: open the container's root");
        _cleanup_close_ int fd = fs_mkdir_beneath(root, cwd, 0755, reterr);
        if (fd < 0)
                return error_wrap(reterr, "process.cwd: create %s in the container", cwd);
        return 0;
}
