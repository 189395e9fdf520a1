/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "util/userns.h"

#define ID_MAX 1024

int state_validate_id(const char *id, struct modrun_error **reterr)
{
        static const char hint[] = "use letters, digits and _ + - . only, e.g. \"web-1\"";
        if (!id || !*id)
                return error_new(reterr, EINVAL, "give the container ID as the last argument", "container ID is empty");
        if (streq(id, ".") || streq(id, ".."))
                return error_new(reterr, EINVAL, hint, "invalid container ID \"%s\"", id);
        size_t len = strlen(id);
        if (len > ID_MAX)
                return error_new(reterr, EINVAL, hint, "invalid container ID: %zu bytes, at most %d allowed", len,
                                 ID_MAX);
        for (const char *c = id; *c; c++) {
                bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                          strchr("_+-.", *c);
                if (!ok)
                        return error_new(reterr, EINVAL, hint,
                                         "invalid container ID \"%s\": character '%c' is not allowed", id, *c);
        }
        return 0;
}

/* runc's rule: the host's root uses /run/modrun; unprivileged, and as uid 0
 * of a rootless engine's user namespace (podman passes no --root), the
 * user's $XDG_RUNTIME_DIR, unless USER says root. */
const char *state_default_root(void)
{
        static char buf[4096];
        if (!userns_is_unprivileged_host())
                return "/run/modrun";
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        const char *user = getenv("USER");
        bool honor_xdg = geteuid() != 0 || !user || !streq(user, "root");
        if (honor_xdg && xdg && *xdg) {
                int n = snprintf(buf, sizeof(buf), "%s/modrun", xdg);
                if (n > 0 && (size_t)n < sizeof(buf))
                        return buf;
        }
        if (geteuid() == 0)
                return "/run/modrun";
        int n = snprintf(buf, sizeof(buf), "/tmp/modrun-%u", (unsigned)geteuid());
        return n > 0 ? buf : "/tmp/modrun";
}
