/* SPDX-License-Identifier: Apache-2.0 */
/* create, run, start, kill, delete */
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "state/state.h"
#include "util/log.h"
#include "util/signals.h"

enum {
        OPT_BUNDLE = 1,
        OPT_PID_FILE,
        OPT_CONSOLE_SOCKET,
        OPT_NO_PIVOT,
        OPT_NO_NEW_KEYRING,
        OPT_PRESERVE_FDS,
        OPT_DETACH,
        OPT_KEEP,
        OPT_NO_SUBREAPER,
        OPT_ALL,
        OPT_FORCE,
        OPT_PIDFD_SOCKET,
        OPT_CONFIG,
        OPT_REGEX,
};

#define CREATE_OPTIONS                                                                                                 \
        {"bundle", 'b', true, OPT_BUNDLE, "DIR", "the bundle: config.json and the rootfs (default: the current directory)"}, \
        {"config", 'f', true, OPT_CONFIG, "FILE", "read the configuration from FILE instead of the bundle's config.json"}, \
        {"pid-file", 0, true, OPT_PID_FILE, "FILE", "write the container init's pid to FILE"},                          \
        {"console-socket", 0, true, OPT_CONSOLE_SOCKET, "SOCKET",                                                       \
         "send the pty master (process.terminal) to this AF_UNIX socket"},                                              \
        {"pidfd-socket", 0, true, OPT_PIDFD_SOCKET, "SOCKET", "send a pidfd of the container init to this AF_UNIX socket"}, \
        {"no-pivot", 0, false, OPT_NO_PIVOT, NULL, "move the rootfs onto / instead of pivot_root (rootfs on a ramdisk)"}, \
        {"no-new-keyring", 0, false, OPT_NO_NEW_KEYRING, NULL, "accepted for compatibility: modrun never makes a session keyring"}, \
        {"preserve-fds", 0, true, OPT_PRESERVE_FDS, "N", "pass N more file descriptors (3 and up) to the process"},      \
        {"no-subreaper", 0, false, OPT_NO_SUBREAPER, NULL, "accepted for compatibility: modrun is never a subreaper"}

const struct cli_option cli_create_options[] = {CREATE_OPTIONS, {0}};
const struct cli_option cli_run_options[] = {
        CREATE_OPTIONS,
        {"detach", 'd', false, OPT_DETACH, NULL, "return once the process runs, instead of waiting for it"},
        {"keep", 0, false, OPT_KEEP, NULL, "do not delete the container after its process exits"},
        {0},
};

int cli_expect_args(const struct cli_args *a, int n, const char *usage, struct modrun_error **reterr)
{
        if (a->n_positional != n)
                return error_new(reterr, 0, "see `modrun help`, or `modrun COMMAND --help`",
                                 "usage: modrun %s (%d argument%s expected, %d given)", usage, n, n == 1 ? "" : "s",
                                 a->n_positional);
        return 0;
}

struct create_flags {
        struct create_opts o;
        bool detach, keep, is_run;
};

static int parse_create(struct runtime_ctx *ctx, struct cli_args *a, struct create_flags *f,
                        struct modrun_error **reterr)
{
        const char *v;
        int id, r = 0;
        while (r >= 0 && (id = cli_next(a, f->is_run ? cli_run_options : cli_create_options, &v, reterr)) > 0) {
                switch (id) {
                case OPT_BUNDLE: f->o.bundle = v; break;
                case OPT_CONFIG: f->o.config_file = v; break;
                case OPT_PID_FILE: f->o.pid_file = v; break;
                case OPT_CONSOLE_SOCKET: f->o.console_socket = v; break;
                case OPT_PIDFD_SOCKET: f->o.pidfd_socket = v; break;
                case OPT_PRESERVE_FDS: r = cli_parse_preserve_fds(v, &f->o.preserve_fds, reterr); break;
                case OPT_NO_PIVOT:
                        if (cli_bool_value(v))
                                r = plugin_options_set(&ctx->plugins, "mount=move-mount", "--no-pivot", reterr);
                        break;
                case OPT_NO_NEW_KEYRING: break; /* runc's flag; modrun never creates a session keyring */
                case OPT_NO_SUBREAPER: break;   /* runc's flag; modrun does not become a subreaper */
                case OPT_DETACH:
                case OPT_KEEP:
                        *(id == OPT_DETACH ? &f->detach : &f->keep) = cli_bool_value(v);
                        break;
                }
        }
        if (id < 0 || r < 0)
                return id < 0 ? id : r;
        return cli_expect_args(a, 1, f->is_run ? "run [options] ID" : "create [options] ID", reterr);
}

int cmd_create(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        struct create_flags f = {.o.console_fd = -1};
        int r = parse_create(ctx, a, &f, reterr);
        if (r < 0)
                return r;
        pid_t pid;
        return lifecycle_create(ctx, a->positional[0], &f.o, &pid, reterr);
}

int cmd_run(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        struct create_flags f = {.o.console_fd = -1, .is_run = true};
        int r = parse_create(ctx, a, &f, reterr);
        if (r < 0)
                return r;
        int status = 0;
        r = lifecycle_run(ctx, a->positional[0], &f.o, f.detach, f.keep, &status, reterr);
        return r < 0 ? r : status;
}

int cmd_start(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v;
        int r = cli_next(a, cli_no_options, &v, reterr);
        if (r < 0 || (r = cli_expect_args(a, 1, "start ID", reterr)) < 0)
                return r;
        return lifecycle_start(ctx, a->positional[0], reterr);
}

const struct cli_option cli_kill_options[] = {
        {"all", 'a', false, OPT_ALL, NULL, "send the signal to every process of the container"}, {0}};

int cmd_kill(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v;
        bool all = false;
        int id;
        while ((id = cli_next(a, cli_kill_options, &v, reterr)) > 0)
                all = cli_bool_value(v);
        if (id < 0)
                return id;
        if (a->n_positional < 1 || a->n_positional > 2)
                return cli_expect_args(a, 1, "kill [--all] ID [SIGNAL]", reterr);
        int signo = SIGTERM;
        if (a->n_positional == 2 && (signo = signal_parse(a->positional[1], reterr)) < 0)
                return signo;
        return lifecycle_kill(ctx, a->positional[0], signo, all, reterr);
}

const struct cli_option cli_delete_options[] = {
        {"force", 'f', false, OPT_FORCE, NULL, "kill a container that still runs (SIGKILL), then delete it"},
        {"regex", 'r', false, OPT_REGEX, NULL, "ID is an extended regular expression: delete every container it matches (crun's option)"},
        {0}};

/* delete --regex (crun's): every container under the root whose id the
 * extended regular expression matches; each one as `delete ID`, going on
 * after a failure, which is reported (the first error is returned). */
static int delete_matching(const struct runtime_ctx *ctx, const char *pattern, bool force,
                           struct modrun_error **reterr)
{
        regex_t re;
        int rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
                char why[256];
                regerror(rc, &re, why, sizeof(why));
                return error_new(reterr, EINVAL, "give a POSIX extended regular expression, e.g. '^web-'",
                                 "delete --regex %s: %s", pattern, why);
        }
        _cleanup_error_ struct modrun_error *err = NULL;
        _cleanup_close_ int root_fd = state_root_open(ctx->root, false, &err);
        char **ids = NULL;
        int r = root_fd == -ENOENT ? 0 : root_fd < 0 ? root_fd : state_list_ids(root_fd, ctx->root, &ids, &err);
        for (char **i = ids; i && *i; i++) {
                _cleanup_error_ struct modrun_error *e = NULL;
                if (regexec(&re, *i, 0, NULL, 0) == 0 && lifecycle_delete(ctx, *i, force, &e) < 0) {
                        if (err) { /* the first is returned, the others logged */
                                log_error("%s", e->msg);
                        } else {
                                err = TAKE_PTR(e);
                                r = error_ret(err);
                        }
                }
                free(*i);
        }
        free(ids);
        regfree(&re);
        if (r < 0 && err)
                *reterr = TAKE_PTR(err);
        return r < 0 ? error_wrap(reterr, "delete --regex %s", pattern) : 0;
}

int cmd_delete(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v;
        bool force = false, regex = false;
        int id;
        while ((id = cli_next(a, cli_delete_options, &v, reterr)) > 0)
                *(id == OPT_FORCE ? &force : &regex) = cli_bool_value(v);
        if (id < 0)
                return id;
        int r = cli_expect_args(a, 1, "delete [--force] [--regex] ID", reterr);
        if (r < 0)
                return r;
        if (regex)
                return delete_matching(ctx, a->positional[0], force, reterr);
        return lifecycle_delete(ctx, a->positional[0], force, reterr);
}
