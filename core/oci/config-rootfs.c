/* SPDX-License-Identifier: Apache-2.0 */
/* root.path: absolute, or relative to the bundle; resolved once. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config-internal.h"

static const char rootfs_hint[] = "create the rootfs directory or fix root.path in config.json";

int config_resolve_rootfs(const struct oci_config *c, const char *bundle, char **ret_path,
                          struct modrun_error **reterr)
{
        if (!c->root.path || !c->root.path[0])
                return error_new(reterr, EINVAL, "set root.path in config.json, e.g. \"rootfs\"",
                                 "config.json: root.path is not set");
        _cleanup_free_ char *tried = NULL;
        int k = path_is_absolute(c->root.path) ? asprintf(&tried, "%s", c->root.path)
                                                : asprintf(&tried, "%s/%s", bundle, c->root.path);
        if (k < 0)
                return error_new(reterr, ENOMEM, NULL, "resolve root.path \"%s\"", c->root.path);

        _cleanup_free_ char *resolved = realpath(tried, NULL);
        if (!resolved) {
                int e = errno;
                return error_new(reterr, e, e == ENOENT || e == ENOTDIR ? rootfs_hint : NULL,
                                 "rootfs %s (root.path \"%s\" in config.json) %s", tried, c->root.path,
                                 e == ENOENT ? "is missing" : "cannot be resolved");
        }
        struct stat st;
        if (stat(resolved, &st) < 0)
                return error_new(reterr, errno, NULL, "rootfs %s (resolved from %s)", resolved, tried);
        if (!S_ISDIR(st.st_mode))
                return error_new(reterr, ENOTDIR, rootfs_hint,
                                 "rootfs %s (root.path \"%s\" in config.json) is not a directory", resolved,
                                 c->root.path);
        *ret_path = TAKE_PTR(resolved);
        return 0;
}
