/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the command line. The input is argv, NUL-separated;
 * the first argument picks the option table and the mode (stop at the
 * first positional, as for the global options, or mixed, as for a verb). */
#include <stddef.h>
#include <stdint.h>

#include "cli/args.h"
#include "fuzz-common.h"

#define MAX_ARGS 64

/* Like the global options (long only, one short each for -v/-h). */
static const struct cli_option global_options[] = {
        {"root", 0, true, 1},       {"log", 0, true, 2},     {"log-format", 0, true, 3},
        {"debug", 0, false, 4},     {"plugin", 0, true, 5},  {"systemd-cgroup", 0, false, 6},
        {"version", 'v', false, 7}, {"help", 'h', false, 8}, {0},
};
/* Like exec's: short options with and without values. */
static const struct cli_option exec_options[] = {
        {"process", 'p', true, 1}, {"cwd", 0, true, 2},      {"env", 'e', true, 3},
        {"tty", 't', false, 4},    {"user", 'u', true, 5},   {"detach", 'd', false, 6},
        {"preserve-fds", 0, true, 7}, {"x", 'x', true, 8},   {0},
};
static const struct cli_option no_options[] = {{0}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *argv[MAX_ARGS + 1] = {0};
        size_t argc = fuzz_split(data, size, argv, MAX_ARGS);
        if (argc == 0)
                return 0;
        unsigned sel = argv[0][0] ? (unsigned char)argv[0][0] : 0;
        const struct cli_option *opts = sel % 3 == 0 ? global_options : sel % 3 == 1 ? exec_options : no_options;
        struct cli_args a = {.argc = (int)argc, .argv = argv, .i = 1, .stop_at_positional = sel & 4};
        struct modrun_error *err = NULL;
        const char *v;
        int id, rounds = 0;
        while ((id = cli_next(&a, opts, &v, &err)) > 0) {
                if (++rounds > MAX_ARGS + 1) /* each call consumes an argument */
                        abort();
                int x;
                (void)cli_bool_value(v);
                if (v)
                        (void)cli_parse_uint("--flag", v, &x, NULL);
        }
        if (id < 0 && (!err || !err->msg))
                abort();
        if (id == 0 && a.n_positional > 0 && !a.positional)
                abort();
        for (int i = 0; i < a.n_positional; i++)
                if (!a.positional[i])
                        abort();
        cli_args_done(&a);
        error_free(err);
        fuzz_free_fields(argv, argc);
        return 0;
}
