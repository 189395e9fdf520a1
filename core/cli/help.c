/* SPDX-License-Identifier: Apache-2.0 */
/* Help and version text, generated from the command and option tables (the
 * parser's own), so that what --help shows is what the parser accepts. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "init/process/libseccomp.h"
#include "modrun-commit.h"
#include "modrun-config.h"
#include "oci/config.h"
#include "plugin/plugin-internal.h"
#include "state/state.h"

#define OPTION_COLUMN 30

static void print_option(FILE *f, const struct cli_option *o)
{
        char lhs[128];
        int k = o->short_name ? snprintf(lhs, sizeof(lhs), "-%c, --%s", o->short_name, o->name)
                              : snprintf(lhs, sizeof(lhs), "    --%s", o->name);
        if (o->has_arg && k > 0 && (size_t)k < sizeof(lhs))
                (void)snprintf(lhs + k, sizeof(lhs) - (size_t)k, " %s", o->arg ? o->arg : "VALUE");
        if (strlen(lhs) + 2 >= OPTION_COLUMN)
                fprintf(f, "  %s\n  %-*s  %s\n", lhs, OPTION_COLUMN - 2, "", o->help ? o->help : "");
        else
                fprintf(f, "  %-*s  %s\n", OPTION_COLUMN - 2, lhs, o->help ? o->help : "");
}

static void print_options(FILE *f, const struct cli_option *opts)
{
        for (const struct cli_option *o = opts; o && o->id; o++)
                print_option(f, o);
        print_option(f, &(struct cli_option){"help", 'h', false, -1, NULL, "print this help"});
}

void cli_help_command(FILE *f, const struct cli_command *c)
{
        fprintf(f, "usage: modrun [global options] %s%s%s\n\n%s\n", c->name, *c->args ? " " : "", c->args, c->summary);
        fprintf(f, "\noptions:\n");
        print_options(f, c->options);
        fprintf(f, "\nGlobal options go before the command (`modrun --help`); see modrun-%s(8).\n", c->name);
}

void cli_help_global(FILE *f)
{
        fprintf(f, "usage: modrun [global options] COMMAND [options] [ID]\n\ncommands:\n");
        for (size_t i = 0; i < cli_n_commands; i++)
                fprintf(f, "  %-11s %s\n", cli_commands[i].name, cli_commands[i].summary);
        fprintf(f, "\nglobal options:\n");
        print_options(f, cli_global_options);
        fprintf(f, "\nThe state root defaults to %s. `modrun COMMAND --help` shows the options of a command;\n"
                   "modrun(8) and modrun-COMMAND(8) are the manuals.\n",
                state_default_root());
}

void cli_print_version(FILE *f, const struct plugin_options *o)
{
        _cleanup_error_ struct modrun_error *lib_err = NULL;
        const struct libseccomp *lib = libseccomp_load(&lib_err);
        const struct scmp_version *sv = lib ? lib->version() : NULL;
        fprintf(f, "modrun version %s\ncommit: %s\nspec: %s\n", MODRUN_VERSION, MODRUN_COMMIT, OCI_VERSION_IMPLEMENTED);
        if (sv)
                fprintf(f, "libseccomp: %u.%u.%u\n", sv->major, sv->minor, sv->micro);
        else
                fprintf(f, "libseccomp: not loaded (%s)\n", lib_err ? lib_err->msg : "no version");
        fprintf(f, "plugin ABI: %d\n", MODRUN_ABI_MAJOR);
        char **dirs = NULL;
        size_t n = 0;
        _cleanup_error_ struct modrun_error *err = NULL;
        if (plugin_search_dirs(o, &dirs, &n, &err) < 0) {
                fprintf(f, "plugin directories: unknown (%s)\n", err->msg);
                return;
        }
        for (size_t i = 0; i < n; i++)
                fprintf(f, "plugin directory: %s\n", dirs[i]);
        plugin_strv_free(dirs);
}
