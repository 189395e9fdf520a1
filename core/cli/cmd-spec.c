/* SPDX-License-Identifier: Apache-2.0 */
/* spec: write a default config.json */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "oci/config.h"
#include "util/fs-util.h"

enum { OPT_BUNDLE = 1, OPT_ROOTLESS };
const struct cli_option cli_spec_options[] = {
        {"bundle", 'b', true, OPT_BUNDLE, "DIR", "write DIR/config.json (default: the current directory)"},
        {"rootless", 0, false, OPT_ROOTLESS, NULL, "a config for a container run by an unprivileged user"},
        {0},
};

int cmd_spec(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v, *bundle = ".";
        bool rootless = false;
        int id;
        while ((id = cli_next(a, cli_spec_options, &v, reterr)) > 0) {
                if (id == OPT_BUNDLE)
                        bundle = v;
                else
                        rootless = cli_bool_value(v);
        }
        if (id < 0 || (id = cli_expect_args(a, 0, "spec [--bundle DIR] [--rootless]", reterr)) < 0)
                return id;
        _cleanup_close_ int dfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return error_new(reterr, errno, "create the bundle directory first", "spec: open bundle %s", bundle);
        struct stat st;
        if (fstatat(dfd, "config.json", &st, AT_SYMLINK_NOFOLLOW) == 0)
                return error_new(reterr, EEXIST, "remove it first, or choose another --bundle",
                                 "spec: %s/config.json already exists", bundle);
        _cleanup_free_ char *json = NULL;
        int r = spec_generate(rootless, &json, reterr);
        if (r < 0)
                return r;
        r = fs_write_atomic(dfd, "config.json", json, strlen(json), reterr);
        if (r < 0)
                return error_wrap(reterr, "spec: write %s/config.json", bundle);
        /* runc writes 0666 & ~umask; the atomic writer uses 0600: widen to 0644. */
        (void)fchmodat(dfd, "config.json", 0644, 0);
        (void)ctx;
        return 0;
}
