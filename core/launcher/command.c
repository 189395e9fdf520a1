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
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (a[0] != '-')
                        return command_starts_container_process(a);
                if (a[1] == '-' && a[2] == '\0')
                        return false; /* "--": no command before it */
                if (a[1] == '-' && takes_value(a + 2))
                        i++;
        }
        return false;
}
