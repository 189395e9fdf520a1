/* SPDX-License-Identifier: Apache-2.0 */
/* Global options and the command table. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "launcher/command.h"
#include "modrun-config.h"
#include "state/state.h"
#include "util/log.h"
#include "util/self-exe.h"
#include "util/signals.h"

enum {
        OPT_ROOT = 1,
        OPT_LOG,
        OPT_LOG_FORMAT,
        OPT_LOG_LEVEL,
        OPT_DEBUG,
        OPT_SYSTEMD_CGROUP,
        OPT_CGROUP_MANAGER,
        OPT_PLUGIN,
        OPT_PLUGIN_DIR,
        OPT_MOUNT_STRATEGY,
        OPT_ROOTLESS,
        OPT_CRIU,
        OPT_VERSION,
};

const struct cli_option cli_global_options[] = {
        {"root", 0, true, OPT_ROOT, "DIR", "state directory (default /run/modrun, or $XDG_RUNTIME_DIR/modrun rootless)"},
        {"log", 0, true, OPT_LOG, "FILE", "also write logs to FILE, or to the journal with journald[:IDENT] (errors and warnings still go to stderr)"},
        {"log-format", 0, true, OPT_LOG_FORMAT, "text|json", "format of --log: logfmt text, or runc's JSON lines"},
        {"log-level", 0, true, OPT_LOG_LEVEL, "LEVEL", "debug, info (default), warn or error"},
        {"debug", 0, false, OPT_DEBUG, NULL, "the same as --log-level debug: every automatic choice explained"},
        {"plugin", 0, true, OPT_PLUGIN, "KIND=NAME", "choose a plugin (kinds: cgroup, devices, namespace, mount, checkpoint)"},
        {"plugin-dir", 0, true, OPT_PLUGIN_DIR, "DIR", "also search DIR for plugins (e.g. <builddir>/plugins)"},
        {"cgroup-manager", 0, true, OPT_CGROUP_MANAGER, "NAME", "the same as --plugin cgroup=NAME"},
        {"systemd-cgroup", 0, false, OPT_SYSTEMD_CGROUP, NULL, "the same as --plugin cgroup=systemd (runc's flag)"},
        {"mount-strategy", 0, true, OPT_MOUNT_STRATEGY, "NAME",
         "the same as --plugin mount=NAME (pivot-root, move-mount, auto)"},
        {"rootless", 0, true, OPT_ROOTLESS, "true|false|auto",
         "accepted for compatibility (runc's flag): rootless is detected from the euid"},
        {"criu", 0, true, OPT_CRIU, "PATH", "the criu program of checkpoint and restore (default: criu in $PATH)"},
        {"version", 'v', false, OPT_VERSION, NULL, "print the version, commit, spec, libseccomp, plugin ABI and directories"},
        {0},
};

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
                return error_new(reterr, 0, "use text or json", "--log-format: unknown format \"%s\"", v);
        return 0;
}

/* crun's names, and logrus's (runc, containerd): warning, fatal, panic. */
static int parse_log_level(const char *v, int *ret, struct modrun_error **reterr)
{
        static const struct {
                const char *name;
                int level;
        } levels[] = {{"debug", LOG_DEBUG}, {"trace", LOG_DEBUG},   {"info", LOG_INFO},   {"warn", LOG_WARNING},
                      {"warning", LOG_WARNING}, {"error", LOG_ERR}, {"fatal", LOG_ERR}, {"panic", LOG_ERR}};
        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                if (strcasecmp(v, levels[i].name) == 0) {
                        *ret = levels[i].level;
                        return 0;
                }
        return error_new(reterr, 0, "use debug, info, warn or error", "--log-level: unknown level \"%s\"", v);
}

struct global_settings {
        const char *log_path;
        enum log_format log_format;
        int log_level;
        bool version;
};

static int parse_global(struct runtime_ctx *ctx, struct cli_args *a, struct global_settings *g,
                        struct modrun_error **reterr)
{
        const char *v;
        int id, r = 0;
        while (r >= 0 && (id = cli_next(a, cli_global_options, &v, reterr)) > 0) {
                switch (id) {
                case OPT_ROOT: ctx->root = v; break;
                case OPT_LOG: g->log_path = v; break;
                case OPT_LOG_FORMAT: r = parse_log_format(v, &g->log_format, reterr); break;
                case OPT_LOG_LEVEL: r = parse_log_level(v, &g->log_level, reterr); break;
                case OPT_DEBUG:
                        if (cli_bool_value(v))
                                g->log_level = LOG_DEBUG;
                        break;
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
                case OPT_CRIU: ctx->criu_path = v; break;
                case OPT_VERSION: g->version = true; break;
                }
        }
        return id < 0 ? id : r;
}

/* `modrun help [COMMAND]` */
static int cmd_help(const struct cli_args *sub, struct modrun_error **reterr)
{
        if (sub->i >= sub->argc) {
                cli_help_global(stdout);
                return 0;
        }
        const char *name = sub->argv[sub->i];
        const struct cli_command *c = cli_command_find(name);
        if (!c)
                return error_new(reterr, 0, "`modrun help` lists the commands", "help: unknown command \"%s\"", name);
        cli_help_command(stdout, c);
        return 0;
}

/* Does the command line ask for the command's help? Options are read as the
 * command reads them (an option's value, or what follows the id of exec or
 * ps, is not a --help); an error is left to the command to report. */
static bool wants_help(const struct cli_command *c, const struct cli_args *a)
{
        struct cli_args scan = {.argc = a->argc, .argv = a->argv, .i = a->i, .stop_at_positional = c->stop_at_positional};
        const char *v;
        while (cli_next(&scan, c->options, &v, NULL) > 0)
                ;
        cli_args_done(&scan);
        return scan.help;
}

static int dispatch(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *name = a->positional[0];
        const struct cli_command *c = cli_command_find(name);
        if (!c)
                return error_new(reterr, 0, "`modrun help` lists the commands", "unknown command \"%s\"", name);
        struct cli_args sub = {.argc = a->argc, .argv = a->argv, .i = a->i, .stop_at_positional = c->stop_at_positional};
        if (wants_help(c, &sub)) {
                cli_help_command(stdout, c);
                return 0;
        }
        if (!c->fn)
                return cmd_help(&sub, reterr);
        int r = c->fn(ctx, &sub, reterr);
        cli_args_done(&sub);
        return r;
}

int cli_main(int argc, char **argv)
{
        cli_note_inherited_fds(); /* before modrun opens anything */
        signal_child_default(); /* before anything waits for a child */
        struct runtime_ctx ctx = {.root = NULL, .rootless = geteuid() != 0};
        struct global_settings g = {.log_format = LOG_FORMAT_TEXT, .log_level = LOG_INFO};
        _cleanup_error_ struct modrun_error *err = NULL;
        /* Global options end at the command name. */
        struct cli_args a = {.argc = argc, .argv = argv, .i = 1, .stop_at_positional = true};
        int r = parse_global(&ctx, &a, &g, &err);
        /* The log before anything else can fail: an engine reads the error
         * of every failed command from --log (a bad option after --log, a
         * failed re-exec too), and has nothing else to show ("unknown"). */
        _cleanup_error_ struct modrun_error *log_err = NULL;
        int lr = log_setup(g.log_path, g.log_format, g.log_level, &log_err);
        if (r >= 0 && lr < 0) {
                r = lr;
                err = TAKE_PTR(log_err);
        }
        /* Whatever starts a process in a container runs from a sealed
         * copy of the runtime (CVE-2019-5736, self-exe.c). */
        self_exe_set_argv(argv, argc - a.n_positional);
        if (r >= 0 && a.n_positional > 0 && command_starts_container_process(a.positional[0]))
                r = self_exe_reexec_sealed(&err);
        if (r >= 0 && g.version)
                cli_print_version(stdout, &ctx.plugins);
        else if (r >= 0 && (a.help || a.n_positional == 0)) {
                cli_help_global(a.help ? stdout : stderr);
                r = a.help ? 0 : error_new(&err, 0, "give a command: `modrun help` lists them", "no command given");
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
        return r < 0 ? (ctx.error_exit ? ctx.error_exit : 1) : r;
}
