/* SPDX-License-Identifier: Apache-2.0 */
/* Global options and the command table. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "modrun-config.h"
#include "state/state.h"
#include "util/log.h"
#include "util/self-exe.h"

enum {
        OPT_ROOT = 1,
        OPT_LOG,
        OPT_LOG_FORMAT,
        OPT_DEBUG,
        OPT_SYSTEMD_CGROUP,
        OPT_CGROUP_MANAGER,
        OPT_PLUGIN,
        OPT_PLUGIN_DIR,
        OPT_MOUNT_STRATEGY,
        OPT_ROOTLESS,
        OPT_CRIU,
        OPT_VERSION,
        OPT_HELP,
};

static const struct cli_option global_options[] = {
        {"root", 0, true, OPT_ROOT},
        {"log", 0, true, OPT_LOG},
        {"log-format", 0, true, OPT_LOG_FORMAT},
        {"debug", 0, false, OPT_DEBUG},
        {"systemd-cgroup", 0, false, OPT_SYSTEMD_CGROUP},
        {"cgroup-manager", 0, true, OPT_CGROUP_MANAGER},
        {"plugin", 0, true, OPT_PLUGIN},
        {"plugin-dir", 0, true, OPT_PLUGIN_DIR},
        {"mount-strategy", 0, true, OPT_MOUNT_STRATEGY},
        {"rootless", 0, true, OPT_ROOTLESS},
        {"criu", 0, true, OPT_CRIU},
        {"version", 'v', false, OPT_VERSION},
        {"help", 'h', false, OPT_HELP},
        {0},
};

static const struct {
        const char *name;
        int (*fn)(struct runtime_ctx *, struct cli_args *, struct modrun_error **);
        const char *summary;
} commands[] = {
        {"create", cmd_create, "create a container from a bundle; its process waits for `start`"},
        {"start", cmd_start, "run the user process of a created container"},
        {"run", cmd_run, "create and start a container (and wait for it unless --detach)"},
        {"exec", cmd_exec, "run a new process in a running container"},
        {"ps", cmd_ps, "list the processes of a container (--format table|json, ps(1) args after the id)"},
        {"pause", cmd_pause, "freeze every process of a container"},
        {"resume", cmd_resume, "thaw a paused container"},
        {"update", cmd_update, "change the resources of a running container"},
        {"events", cmd_events, "print the statistics of a container (--stats once, else every --interval)"},
        {"state", cmd_state, "print the state of a container as JSON"},
        {"kill", cmd_kill, "send a signal (default SIGTERM) to the container's init, or --all processes"},
        {"delete", cmd_delete, "delete a stopped container (--force: kill it first)"},
        {"list", cmd_list, "list the containers under --root"},
        {"spec", cmd_spec, "write a default config.json into the bundle"},
        {"features", cmd_features, "print what this runtime supports, and its plugins, as JSON"},
};

static void usage(FILE *f)
{
        fprintf(f, "usage: modrun [global options] COMMAND [options] [ID]\n\ncommands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
        fprintf(f, "\nglobal options:\n"
                   "  --root DIR              state directory (default %s)\n"
                   "  --log FILE              write logs to FILE (errors also go to stderr)\n"
                   "  --log-format text|json  format of --log (json: containerd's shim)\n"
                   "  --debug                 debug logs, including every automatic choice\n"
                   "  --plugin KIND=NAME      choose a plugin (kinds: cgroup, devices, namespace, mount)\n"
                   "  --plugin-dir DIR        also search DIR for plugins (e.g. <builddir>/plugins)\n"
                   "  --cgroup-manager NAME   same as --plugin cgroup=NAME\n"
                   "  --systemd-cgroup        same as --plugin cgroup=systemd\n"
                   "  --mount-strategy NAME   same as --plugin mount=NAME (pivot-root, move-mount, auto)\n"
                   "  -v, --version           print the version\n",
                state_default_root());
}

static int set_choice(struct runtime_ctx *ctx, uint32_t kind, const char *name, const char *flag,
                      struct modrun_error **reterr)
{
        _cleanup_free_ char *spec = NULL;
        if (asprintf(&spec, "%s=%s", plugin_kind_to_string(kind), name) < 0)
                return error_new(reterr, ENOMEM, NULL, "%s", flag);
        return plugin_options_set(&ctx->plugins, spec, flag, reterr);
}

static int add_plugin_dir(struct plugin_options *o, const char *dir, struct modrun_error **reterr)
{
        char **n = realloc(o->plugin_dirs, (o->n_plugin_dirs + 2) * sizeof(char *));
        if (!n)
                return error_new(reterr, ENOMEM, NULL, "--plugin-dir %s", dir);
        o->plugin_dirs = n;
        n[o->n_plugin_dirs] = strdup(dir);
        if (!n[o->n_plugin_dirs])
                return error_new(reterr, ENOMEM, NULL, "--plugin-dir %s", dir);
        n[++o->n_plugin_dirs] = NULL;
        return 0;
}

static int parse_log_format(const char *v, enum log_format *ret, struct modrun_error **reterr)
{
        if (streq(v, "text"))
                *ret = LOG_FORMAT_TEXT;
        else if (streq(v, "json"))
                *ret = LOG_FORMAT_JSON;
        else
                return error_new(reterr, EINVAL, "use text or json", "--log-format: unknown format \"%s\"", v);
        return 0;
}

struct global_settings {
        const char *log_path;
        enum log_format log_format;
        bool debug, version, help;
};

static int parse_global(struct runtime_ctx *ctx, struct cli_args *a, struct global_settings *g,
                        struct modrun_error **reterr)
{
        const char *v;
        int id, r = 0;
        while (r >= 0 && (id = cli_next(a, global_options, &v, reterr)) > 0) {
                switch (id) {
                case OPT_ROOT: ctx->root = v; break;
                case OPT_LOG: g->log_path = v; break;
                case OPT_LOG_FORMAT: r = parse_log_format(v, &g->log_format, reterr); break;
                case OPT_DEBUG: g->debug = cli_bool_value(v); break;
                case OPT_SYSTEMD_CGROUP:
                        if (cli_bool_value(v))
                                r = set_choice(ctx, MODRUN_KIND_CGROUP, "systemd", "--systemd-cgroup", reterr);
                        break;
                case OPT_CGROUP_MANAGER:
                        r = set_choice(ctx, MODRUN_KIND_CGROUP, v, "--cgroup-manager", reterr);
                        break;
                case OPT_PLUGIN: r = plugin_options_set(&ctx->plugins, v, "--plugin", reterr); break;
                case OPT_PLUGIN_DIR: r = add_plugin_dir(&ctx->plugins, v, reterr); break;
                case OPT_MOUNT_STRATEGY:
                        r = set_choice(ctx, MODRUN_KIND_MOUNT, v, "--mount-strategy", reterr);
                        break;
                case OPT_ROOTLESS: break; /* runc's flag: rootless is detected from the euid */
                case OPT_CRIU: break;     /* runc's flag: checkpointing is not supported */
                case OPT_VERSION: g->version = true; break;
                case OPT_HELP: g->help = true; break;
                }
        }
        return id < 0 ? id : r;
}

static int dispatch(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *name = a->positional[0];
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(commands[i].name, name)) {
                        struct cli_args sub = {.argc = a->argc, .argv = a->argv, .i = a->i};
                        int r = commands[i].fn(ctx, &sub, reterr);
                        cli_args_done(&sub);
                        return r;
                }
        return error_new(reterr, EINVAL, "see `modrun --help` for the commands", "unknown command \"%s\"", name);
}

static bool starts_container_process(const char *command)
{
        return streq(command, "create") || streq(command, "run") || streq(command, "exec");
}

int cli_main(int argc, char **argv)
{
        struct runtime_ctx ctx = {.root = NULL, .rootless = geteuid() != 0};
        struct global_settings g = {.log_format = LOG_FORMAT_TEXT};
        _cleanup_error_ struct modrun_error *err = NULL;
        /* Global options end at the command name. */
        struct cli_args a = {.argc = argc, .argv = argv, .i = 1, .stop_at_positional = true};
        int r = parse_global(&ctx, &a, &g, &err);
        /* The log before anything else can fail: an engine reads the error
         * of every failed command from --log (a bad option after --log, a
         * failed re-exec too), and has nothing else to show ("unknown"). */
        _cleanup_error_ struct modrun_error *log_err = NULL;
        int lr = log_setup(g.log_path, g.log_format, g.debug, &log_err);
        if (r >= 0 && lr < 0) {
                r = lr;
                err = TAKE_PTR(log_err);
        }
        /* Whatever starts a process in a container runs from a sealed
         * copy of the runtime (CVE-2019-5736, self-exe.c). */
        self_exe_set_argv(argv);
        if (r >= 0 && a.n_positional > 0 && starts_container_process(a.positional[0]))
                r = self_exe_reexec_sealed(&err);
        if (r >= 0 && g.version)
                printf("modrun version %s\nspec: 1.2.0\nplugin ABI: %d\n", MODRUN_VERSION, MODRUN_ABI_MAJOR);
        else if (r >= 0 && (g.help || a.n_positional == 0)) {
                usage(g.help ? stdout : stderr);
                r = g.help ? 0 : error_new(&err, EINVAL, NULL, "no command given");
        } else if (r >= 0) {
                if (!ctx.root)
                        ctx.root = state_default_root();
                /* Re-parse from the command on: the command parses its own flags. */
                a.i = argc - a.n_positional + 1;
                r = dispatch(&ctx, &a, &err);
        }
        if (r < 0)
                log_report_error(err, a.n_positional > 0 ? a.positional[0] : "modrun", r);
        cli_args_done(&a);
        plugin_options_done(&ctx.plugins);
        log_close();
        return r < 0 ? 1 : r;
}
