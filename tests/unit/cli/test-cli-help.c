/* SPDX-License-Identifier: Apache-2.0 */
/* The option tables are the one source of the parser and the help: every
 * option has a help line (and a value name when it takes a value), the
 * parser accepts every option of its table in each spelling, no table
 * defines help or h itself, and the help text names every option. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"

static void check_table(const char *cmd, const struct cli_option *opts)
{
        for (const struct cli_option *o = opts; o && o->id; o++) {
                if (!o->help || !*o->help || (o->has_arg && !o->arg))
                        fail_msg("%s --%s: no help line or no value name", cmd, o->name);
                if (streq(o->name, "help") || o->short_name == 'h')
                        fail_msg("%s: --help/-h is the parser's, not a table's", cmd);
                char flag[128];
                (void)snprintf(flag, sizeof(flag), "--%s", o->name);
                char *argv[] = {"modrun", flag, "1", NULL};
                struct cli_args a = {.argc = o->has_arg ? 3 : 2, .argv = argv, .i = 1};
                const char *v;
                struct modrun_error *err = NULL;
                if (cli_next(&a, opts, &v, &err) != o->id)
                        fail_msg("%s: the parser does not accept %s", cmd, flag);
                cli_args_done(&a);
                error_free(err);
        }
}

static char *help_of(const struct cli_command *c)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        if (c)
                cli_help_command(f, c);
        else
                cli_help_global(f);
        fclose(f);
        return buf;
}

static void check_help_names(const char *text, const struct cli_option *opts)
{
        for (const struct cli_option *o = opts; o && o->id; o++) {
                char flag[128];
                (void)snprintf(flag, sizeof(flag), "--%s ", o->name);
                char flag_nl[128];
                (void)snprintf(flag_nl, sizeof(flag_nl), "--%s\n", o->name);
                if (!strstr(text, flag) && !strstr(text, flag_nl))
                        fail_msg("--%s is not in the help", o->name);
        }
}

static void test_tables(void **unused)
{
        check_table("modrun", cli_global_options);
        for (size_t i = 0; i < cli_n_commands; i++)
                check_table(cli_commands[i].name, cli_commands[i].options);
}

static void test_help_lists_every_option(void **unused)
{
        char *g = help_of(NULL);
        check_help_names(g, cli_global_options);
        for (size_t i = 0; i < cli_n_commands; i++)
                assert_non_null(strstr(g, cli_commands[i].name));
        free(g);
        for (size_t i = 0; i < cli_n_commands; i++) {
                char *t = help_of(&cli_commands[i]);
                check_help_names(t, cli_commands[i].options);
                free(t);
        }
}

static void test_help_option(void **unused)
{
        char *argv[] = {"modrun", "--bundle", "-h", "x", "-h"};
        struct cli_args a = {.argc = 5, .argv = argv, .i = 1};
        const char *v;
        /* -h as the value of --bundle is a value, the second -h asks for help */
        assert_int_equal(cli_next(&a, cli_create_options, &v, NULL), 1);
        assert_string_equal(v, "-h");
        assert_int_equal(cli_next(&a, cli_create_options, &v, NULL), 0);
        assert_true(a.help);
        cli_args_done(&a);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_tables),
                cmocka_unit_test(test_help_lists_every_option),
                cmocka_unit_test(test_help_option),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
