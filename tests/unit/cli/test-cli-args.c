/* SPDX-License-Identifier: Apache-2.0 */
/* Option parsing as runc accepts it, and signal names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>

#include "cli/args.h"
#include "util/signals.h"

static const struct cli_option opts[] = {
        {"bundle", 'b', true, 1},
        {"detach", 'd', false, 2},
        {"pid-file", 0, true, 3},
        {0},
};

static void test_forms(void **unused)
{
        char *argv[] = {"x", "--bundle", "/b1", "-b", "/b2", "--bundle=/b3", "-bundle", "/b4", "-d",
                        "id1", "--pid-file=/p", "--detach=false", "--", "-notanoption"};
        struct cli_args a = {.argc = (int)(sizeof(argv) / sizeof(argv[0])), .argv = argv, .i = 1};
        const char *v;
        const char *expect[] = {"/b1", "/b2", "/b3", "/b4"};
        for (int i = 0; i < 4; i++) {
                assert_int_equal(cli_next(&a, opts, &v, NULL), 1);
                assert_string_equal(v, expect[i]);
        }
        assert_int_equal(cli_next(&a, opts, &v, NULL), 2);
        assert_true(cli_bool_value(v));
        assert_int_equal(cli_next(&a, opts, &v, NULL), 3);
        assert_string_equal(v, "/p");
        assert_int_equal(cli_next(&a, opts, &v, NULL), 2);
        assert_false(cli_bool_value(v));
        assert_int_equal(cli_next(&a, opts, &v, NULL), 0);
        assert_int_equal(a.n_positional, 2);
        assert_string_equal(a.positional[0], "id1");
        assert_string_equal(a.positional[1], "-notanoption");
        cli_args_done(&a);
}

static void test_errors(void **unused)
{
        char *argv[] = {"x", "--nope"};
        struct cli_args a = {.argc = 2, .argv = argv, .i = 1};
        const char *v;
        struct modrun_error *err = NULL;
        assert_int_equal(cli_next(&a, opts, &v, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "unknown option --nope"));
        err = error_free(err);
        char *argv2[] = {"x", "--bundle"};
        struct cli_args b = {.argc = 2, .argv = argv2, .i = 1};
        assert_int_equal(cli_next(&b, opts, &v, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "needs a value"));
        err = error_free(err);
        /* a boolean's value: Go's ParseBool words, nothing else */
        char *argv3[] = {"x", "--detach=True", "-d=0", "--detach=yes"};
        struct cli_args c = {.argc = 4, .argv = argv3, .i = 1};
        assert_int_equal(cli_next(&c, opts, &v, &err), 2);
        assert_true(cli_bool_value(v));
        assert_int_equal(cli_next(&c, opts, &v, &err), 2);
        assert_false(cli_bool_value(v));
        assert_int_equal(cli_next(&c, opts, &v, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "--detach: \"yes\" is not a boolean"));
        error_free(err);
        cli_args_done(&a);
        cli_args_done(&b);
        cli_args_done(&c);
}

static void test_stop_at_positional(void **unused)
{
        char *argv[] = {"x", "--detach", "run", "--bundle", "b"};
        struct cli_args a = {.argc = 5, .argv = argv, .i = 1, .stop_at_positional = true};
        const char *v;
        assert_int_equal(cli_next(&a, opts, &v, NULL), 2);
        assert_int_equal(cli_next(&a, opts, &v, NULL), 0);
        assert_int_equal(a.n_positional, 3);
        assert_string_equal(a.positional[0], "run");
        cli_args_done(&a);
}

static void test_signals(void **unused)
{
        assert_int_equal(signal_parse("KILL", NULL), SIGKILL);
        assert_int_equal(signal_parse("SIGTERM", NULL), SIGTERM);
        assert_int_equal(signal_parse("sigusr1", NULL), SIGUSR1);
        assert_int_equal(signal_parse("9", NULL), 9);
        assert_int_equal(signal_parse("RTMIN+3", NULL), SIGRTMIN + 3);
        assert_int_equal(signal_parse("SIGRTMAX-1", NULL), SIGRTMAX - 1);
        struct modrun_error *err = NULL;
        assert_int_equal(signal_parse("SIGNOPE", &err), -EINVAL);
        assert_non_null(strstr(err->msg, "unknown signal \"SIGNOPE\""));
        err = error_free(err);
        assert_int_equal(signal_parse("0", NULL), 0); /* checks the process exists, as runc's kill 0 */
        assert_int_equal(signal_parse("-1", &err), -EINVAL);
        err = error_free(err);
        assert_int_equal(signal_parse("65", &err), -EINVAL);
        error_free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_forms),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_stop_at_positional),
                cmocka_unit_test(test_signals),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
