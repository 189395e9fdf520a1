/* SPDX-License-Identifier: Apache-2.0 */
/* exec [options] ID [COMMAND [ARG...]] (runc's flags) */
#include <stdio.h>
#include <string.h>

#include "commands.h"

enum {
        OPT_PROCESS = 1,
        OPT_CWD,
        OPT_ENV,
        OPT_TTY,
        OPT_USER,
        OPT_ADDITIONAL_GIDS,
        OPT_CAP,
        OPT_NO_NEW_PRIVS,
        OPT_DETACH,
        OPT_PID_FILE,
        OPT_CONSOLE_SOCKET,
        OPT_PRESERVE_FDS,
        OPT_PROCESS_LABEL,
        OPT_APPARMOR,
        OPT_CGROUP,
        OPT_IGNORE_PAUSED,
        OPT_PIDFD_SOCKET,
};

const struct cli_option cli_exec_options[] = {
        {"process", 'p', true, OPT_PROCESS, "FILE", "the process as a JSON file (config.json's process); other flags add to it"},
        {"cwd", 0, true, OPT_CWD, "DIR", "working directory in the container"},
        {"env", 'e', true, OPT_ENV, "NAME=VALUE", "set an environment variable (repeatable)"},
        {"tty", 't', false, OPT_TTY, NULL, "allocate a pty (sent to --console-socket)"},
        {"user", 'u', true, OPT_USER, "UID[:GID]", "run as this user id (and group id)"},
        {"additional-gids", 'g', true, OPT_ADDITIONAL_GIDS, "GID", "add a supplementary group id (repeatable)"},
        {"cap", 'c', true, OPT_CAP, "CAP", "add a capability, e.g. CAP_NET_ADMIN (repeatable)"},
        {"no-new-privs", 0, false, OPT_NO_NEW_PRIVS, NULL, "set no_new_privs for the process"},
        {"detach", 'd', false, OPT_DETACH, NULL, "return once the process runs, instead of waiting for it"},
        {"pid-file", 0, true, OPT_PID_FILE, "FILE", "write the process's pid to FILE"},
        {"console-socket", 0, true, OPT_CONSOLE_SOCKET, "SOCKET", "send the pty master (--tty) to this AF_UNIX socket"},
        {"preserve-fds", 0, true, OPT_PRESERVE_FDS, "N", "pass N more file descriptors (3 and up) to the process"},
        {"process-label", 0, true, OPT_PROCESS_LABEL, "LABEL", "SELinux label of the process"},
        {"apparmor", 0, true, OPT_APPARMOR, "PROFILE", "AppArmor profile of the process"},
        {"cgroup", 0, true, OPT_CGROUP, "[CTRL[,CTRL]:]PATH",
         "run in this existing sub-cgroup of the container's (per controller with CTRL:, repeatable)"},
        {"ignore-paused", 0, false, OPT_IGNORE_PAUSED, NULL, "exec even when the container is paused"},
        {"pidfd-socket", 0, true, OPT_PIDFD_SOCKET, "SOCKET", "send a pidfd of the process to this AF_UNIX socket"},
        {0},
};

/* Append value to a NULL-terminated list of borrowed strings. */
static int strv_push(char ***list, const char *value, struct modrun_error **reterr)
{
        size_t n = 0;
        while (*list && (*list)[n])
                n++;
        char **l = realloc(*list, (n + 2) * sizeof(char *));
        if (!l)
                return error_new(reterr, ENOMEM, NULL, "parse exec options");
        l[n] = (char *)value;
        l[n + 1] = NULL;
        *list = l;
        return 0;
}

/* True when a "/"-separated path has a ".." component (runc refuses it in
 * exec --cgroup: a sub-cgroup is beneath the container's, never above). */
static bool path_has_dotdot(const char *path)
{
        for (const char *c = path; *c;) {
                size_t n = strcspn(c, "/");
                if (n == 2 && c[0] == '.' && c[1] == '.')
                        return true;
                c += n + (c[n] == '/');
        }
        return false;
}

static void sub_cgroups_free(struct exec_opts *o)
{
        for (size_t i = 0; i < o->n_cgroups; i++) {
                free((char *)o->cgroups[i].controller);
                free((char *)o->cgroups[i].path);
        }
        free(o->cgroups);
        o->cgroups = NULL;
        o->n_cgroups = 0;
}

static int sub_cgroup_add(struct exec_opts *o, const char *ctrl, size_t ctrl_len, const char *path,
                          struct modrun_error **reterr)
{
        struct modrun_sub_cgroup *n = realloc(o->cgroups, (o->n_cgroups + 1) * sizeof(*n));
        if (!n)
                return error_new(reterr, ENOMEM, NULL, "exec --cgroup");
        o->cgroups = n;
        char *c = ctrl ? strndup(ctrl, ctrl_len) : NULL, *p = strdup(path);
        if ((ctrl && !c) || !p) {
                free(c);
                free(p);
                return error_new(reterr, ENOMEM, NULL, "exec --cgroup");
        }
        o->cgroups[o->n_cgroups++] = (struct modrun_sub_cgroup){.controller = c, .path = p};
        return 0;
}

/* runc 1.1.5's --cgroup forms: PATH (given once, alone: every hierarchy),
 * or CONTROLLER[,CONTROLLER]:PATH (those hierarchies; repeatable); a path
 * stays beneath the container's cgroup. */
static int parse_cgroups(char *const *args, struct exec_opts *o, struct modrun_error **reterr)
{
        size_t n_args = 0;
        for (char *const *a = args; a && *a; a++)
                n_args++;
        for (char *const *a = args; a && *a; a++) {
                const char *v = *a, *colon = strchr(v, ':');
                const char *path = colon ? colon + 1 : v;
                if (colon && strchr(path, ':'))
                        return error_new(reterr, EINVAL, "give [CONTROLLER[,CONTROLLER]:]PATH",
                                         "exec --cgroup %s: invalid argument (more than one ':')", v);
                if (!colon && n_args != 1)
                        return error_new(reterr, EINVAL, "give CONTROLLER:PATH for each, or one PATH alone",
                                         "exec --cgroup %s: invalid argument (missing CONTROLLER: prefix)", v);
                if (!*path || path_has_dotdot(path))
                        return error_new(reterr, EINVAL, "name a sub-cgroup beneath the container's, without \"..\"",
                                         "exec --cgroup %s: %s is not a sub cgroup path", v, *path ? path : "\"\"");
                if (!colon) {
                        int r = sub_cgroup_add(o, NULL, 0, path, reterr);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (colon == v)
                        return error_new(reterr, EINVAL, "give [CONTROLLER[,CONTROLLER]:]PATH",
                                         "exec --cgroup %s: an empty controller name", v);
                for (const char *c = v; c < colon;) {
                        size_t len = strcspn(c, ",:");
                        if (len == 0)
                                return error_new(reterr, EINVAL, "give [CONTROLLER[,CONTROLLER]:]PATH",
                                                 "exec --cgroup %s: an empty controller name", v);
                        int r = sub_cgroup_add(o, c, len, path, reterr);
                        if (r < 0)
                                return r;
                        c += len + (c[len] == ',');
                }
        }
        return 0;
}

static int parse_exec(struct cli_args *a, struct exec_opts *o, char ***cgroup_args, struct modrun_error **reterr)
{
        const char *v;
        int id, r = 0;
        while (r >= 0 && (id = cli_next(a, cli_exec_options, &v, reterr)) > 0) {
                switch (id) {
                case OPT_PROCESS: o->process_file = v; break;
                case OPT_CWD: o->cwd = v; break;
                case OPT_ENV: r = strv_push(&o->env, v, reterr); break;
                case OPT_TTY: o->tty = cli_bool_value(v); break;
                case OPT_USER: o->user = v; break;
                case OPT_ADDITIONAL_GIDS: r = strv_push(&o->additional_gids, v, reterr); break;
                case OPT_CAP: r = strv_push(&o->caps, v, reterr); break;
                case OPT_NO_NEW_PRIVS: o->no_new_privs_set = true; o->no_new_privs = cli_bool_value(v); break;
                case OPT_DETACH: o->detach = cli_bool_value(v); break;
                case OPT_PID_FILE: o->pid_file = v; break;
                case OPT_CONSOLE_SOCKET: o->console_socket = v; break;
                case OPT_PRESERVE_FDS: r = cli_parse_preserve_fds(v, &o->preserve_fds, reterr); break;
                case OPT_PIDFD_SOCKET: o->pidfd_socket = v; break;
                case OPT_PROCESS_LABEL: o->process_label = v; break;
                case OPT_APPARMOR: o->apparmor = v; break;
                case OPT_CGROUP: r = strv_push(cgroup_args, v, reterr); break;
                case OPT_IGNORE_PAUSED: o->ignore_paused = cli_bool_value(v); break;
                }
        }
        if (id < 0 || r < 0)
                return id < 0 ? id : r;
        if (a->n_positional < 1)
                return error_new(reterr, 0, "see `modrun exec --help`", "usage: modrun exec [options] ID [COMMAND [ARG...]]");
        o->args = a->positional + 1;
        return 0;
}

int cmd_exec(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        struct exec_opts o = {0};
        char **cgroup_args = NULL;
        a->stop_at_positional = true; /* the command's own options follow the id */
        int r = parse_exec(a, &o, &cgroup_args, reterr);
        int status = 0;
        if (r >= 0) {
                /* As runc: 1 for bad arguments, 255 when exec itself fails
                 * (no such container, binary or pid file directory; a bad
                 * --cgroup, which runc parses there), so that the caller can
                 * tell it from the process's own exit code. */
                ctx->error_exit = 255;
                r = parse_cgroups(cgroup_args, &o, reterr);
        }
        if (r >= 0)
                r = lifecycle_exec(ctx, a->positional[0], &o, &status, reterr);
        free(cgroup_args);
        free(o.env);
        free(o.additional_gids);
        free(o.caps);
        sub_cgroups_free(&o);
        return r < 0 ? r : status;
}
