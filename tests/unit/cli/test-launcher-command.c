/* SPDX-License-Identifier: Apache-2.0 */
/* The launcher (core/launcher/) reads the command line as the runtime
 * does: every global option that takes a value has its value skipped (the
 * value "run" is no command), every other is not, and of the command
 * table exactly create, run and exec are copied sealed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "launcher/command.h"

static bool seals(const char *a1, const char *a2, const char *a3, const char *a4)
{
        char *argv[] = {"modrun", (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL};
        int argc = 1;
        while (argv[argc])
                argc++;
        return launcher_seals(argc, argv);
}

static void global_options_agree(void **state)
{
        (void)state;
        for (const struct cli_option *o = cli_global_options; o->id; o++) {
                char flag[128], with_value[128];
                (void)snprintf(flag, sizeof(flag), "--%s", o->name);
                (void)snprintf(with_value, sizeof(with_value), "--%s=run", o->name);
                if (o->has_arg) {
                        if (seals(flag, "run", "state", "c1") || !seals(flag, "x", "run", "c1") ||
                            seals(flag + 1, "run", "state", "c1"))
                                fail_msg("the launcher does not skip the value of %s", flag);
                        if (seals(with_value, "state", "c1", NULL))
                                fail_msg("the launcher reads %s's value as the command", with_value);
                } else if (!seals(flag, "run", "c1", NULL)) {
                        fail_msg("the launcher skips an argument after %s, which takes none", flag);
                }
        }
}

static void commands_agree(void **state)
{
        (void)state;
        int n = 0;
        for (size_t i = 0; i < cli_n_commands; i++) {
                const struct cli_command *c = &cli_commands[i];
                bool expect = !strcmp(c->name, "create") || !strcmp(c->name, "run") || !strcmp(c->name, "exec");
                assert_int_equal(command_starts_container_process(c->name), expect);
                assert_int_equal(seals(c->name, "c1", NULL, NULL), expect);
                n += expect;
        }
        assert_int_equal(n, 3);
        assert_false(seals(NULL, NULL, NULL, NULL));
        assert_false(seals("delete", "run", NULL, NULL)); /* a container named "run" */
        assert_true(seals("--", "run", "c1", NULL)); /* cli_next: "--", then the command */
        assert_false(seals("--", NULL, NULL, NULL));
        assert_true(seals("-root", "/x", "run", "c1")); /* a long option with one dash */
        assert_false(seals("-root", "run", "state", "c1"));
        assert_false(seals("-", "run", NULL, NULL)); /* "-" is the command, an unknown one */
        assert_false(seals("--root", NULL, NULL, NULL)); /* a value missing: no command */
        assert_true(seals("-v", "exec", "c1", NULL));
        assert_false(command_starts_container_process("runx"));
        assert_false(command_starts_container_process("ru"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(global_options_agree),
                cmocka_unit_test(commands_agree),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
