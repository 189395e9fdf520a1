/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoint engine "criu": checkpoint and restore through the criu
 * command line (criu dump / pre-dump / restore, Debian's criu 3.17 and
 * later). Before either, `criu check` says whether CRIU works on this
 * kernel at all; if not, the command fails at once with CRIU's reason,
 * touching nothing. See docs/checkpoint.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "criu.h"

static int criu_init(const struct modrun_host *host, void **ret_state, struct modrun_error **reterr)
{
        struct criu_state *s = calloc(1, sizeof(*s));
        if (!s)
                return host->error(reterr, ENOMEM, NULL, "criu: allocate the plugin state");
        s->host = host;
        *ret_state = s;
        return 0;
}

static void criu_fini(void *state) { free(state); }

/* "3.17.1" from `criu --version` ("Version: 3.17.1"), malloc()ed. */
static int criu_version(const struct modrun_host *host, const char *criu, char **ret_version,
                        struct modrun_error **reterr)
{
        char *const argv[] = {(char *)criu, (char *)"--version", NULL};
        char *out = NULL;
        int status = 0;
        int r = criu_run(host,
                         &(struct criu_run){.argv = argv, .timeout_ms = CRIU_CHECK_TIMEOUT_MS, .capture_stdout = true},
                         &status, &out, reterr);
        if (r < 0)
                return r;
        const char *v = out ? strstr(out, "Version: ") : NULL;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !v) {
                free(out);
                return host->error(reterr, ENOEXEC, "check that it is CRIU's program",
                                   "criu: %s --version did not print a version", criu);
        }
        v += strlen("Version: ");
        *ret_version = strndup(v, strcspn(v, "\n "));
        free(out);
        return *ret_version ? 0 : host->error(reterr, ENOMEM, NULL, "criu: version");
}

int criu_describe(void *state, const char *engine_path, char **ret_text, struct modrun_error **reterr)
{
        struct criu_state *s = state;
        char *criu = NULL, *version = NULL;
        int r = criu_find(s->host, engine_path, &criu, reterr);
        if (r >= 0)
                r = criu_version(s->host, criu, &version, reterr);
        if (r >= 0 && asprintf(ret_text, "criu %s at %s", version, criu) < 0)
                r = s->host->error(reterr, ENOMEM, NULL, "criu: describe");
        free(version);
        free(criu);
        return r;
}

static int check_failed(const struct modrun_host *host, const char *criu, const char *version, int status,
                        const char *out, struct modrun_error **reterr)
{
        struct utsname u = {0};
        (void)uname(&u);
        char hint[1024];
        (void)snprintf(hint, sizeof(hint),
                       "CRIU %s (%s) does not support this kernel (%s): checkpoint and restore need a kernel it "
                       "supports (Debian 12's criu 3.17 works on Debian 12's own 6.1 kernel) or a newer criu "
                       "(modrun --criu PATH); `criu check` shows the whole reason",
                       version, criu, u.release);
        (void)criu_fail(host, "criu check", status, NULL, out, hint, reterr);
        return -EOPNOTSUPP;
}

int criu_check(void *state, const char *engine_path, struct modrun_error **reterr)
{
        struct criu_state *s = state;
        char *criu = NULL, *version = NULL, *out = NULL;
        int r = criu_find(s->host, engine_path, &criu, reterr);
        if (r >= 0)
                r = criu_version(s->host, criu, &version, reterr);
        int status = 0;
        /* the log explicitly on stderr: a log-file line of criu's own
         * config (/etc/criu/default.conf) would otherwise take it away */
        char *const argv[] = {criu, (char *)"check", (char *)"--log-file=/dev/stderr", NULL};
        if (r >= 0)
                r = criu_run(s->host, &(struct criu_run){.argv = argv, .timeout_ms = CRIU_CHECK_TIMEOUT_MS,
                                                         .capture_stdout = true},
                             &status, &out, reterr);
        if (r >= 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
                r = check_failed(s->host, criu, version, status, out, reterr);
        else if (r >= 0)
                s->host->log(s->host, MODRUN_LOG_DEBUG, "criu check (%s %s): passed", criu, version);
        free(out);
        free(version);
        free(criu);
        return r;
}

static const struct modrun_checkpoint_ops ops = {
        .size = sizeof(struct modrun_checkpoint_ops),
        .init = criu_init,
        .fini = criu_fini,
        .checkpoint = criu_checkpoint,
        .restore = criu_restore,
        .check = criu_check,
        .describe = criu_describe,
};

MODRUN_PLUGIN_DEFINE(MODRUN_KIND_CHECKPOINT, "criu", "1.0",
                     "checkpoint and restore through the criu command (CRIU >= 3.17)", &ops);
