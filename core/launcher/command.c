/* SPDX-License-Identifier: Apache-2.0 */
#include "command.h"

static bool same(const char *a, const char *b)
{
        while (*a && *a == *b)
                a++, b++;
        return *a == *b;
}

/* The global options that take a value as the next argument: those of
 * cli_global_options (core/cli/main.c) with has_arg (unit test
 * launcher-command checks the two lists agree). */
static bool takes_value(const char *opt)
{
        static const char names[] =
                "root\0log\0log-format\0log-level\0plugin\0plugin-dir\0cgroup-manager\0mount-strategy\0rootless\0criu\0";
        for (const char *n = names; *n;) {
                if (same(opt, n))
                        return true;
                while (*n++)
                        ;
        }
        return false;
}

bool command_starts_container_process(const char *command)
{
        return same(command, "create") || same(command, "run") || same(command, "exec");
}

bool launcher_seals(int argc, char *const *argv)
{
        /* as cli_next (core/cli/args.c) reads the global options */
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (same(a, "--")) /* what follows is positional: the command first */
                        return i + 1 < argc && command_starts_container_process(argv[i + 1]);
                if (a[0] != '-' || a[1] == '\0')
                        return command_starts_container_process(a);
                if (takes_value(a + (a[1] == '-' ? 2 : 1))) /* --NAME VALUE or -NAME VALUE, not NAME=VALUE */
                        i++;
        }
        return false;
}
