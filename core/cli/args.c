/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

static const struct cli_option *find_long(const struct cli_option *opts, const char *name, size_t len)
{
        for (const struct cli_option *o = opts; o->id; o++)
                if (o->name && strlen(o->name) == len && strncmp(o->name, name, len) == 0)
                        return o;
        return NULL;
}

static const struct cli_option *find_short(const struct cli_option *opts, char c)
{
        for (const struct cli_option *o = opts; o->id; o++)
                if (o->short_name == c)
                        return o;
        return NULL;
}

static int add_positional(struct cli_args *a, char *arg)
{
        char **n = realloc(a->positional, (size_t)(a->n_positional + 2) * sizeof(char *));
        if (!n)
                return -ENOMEM;
        a->positional = n;
        a->positional[a->n_positional++] = arg;
        a->positional[a->n_positional] = NULL;
        return 0;
}

static int rest_positional(struct cli_args *a)
{
        for (; a->i < a->argc; a->i++)
                if (add_positional(a, a->argv[a->i]) < 0)
                        return -ENOMEM;
        a->done = true;
        return 0;
}

/* Go's strconv.ParseBool, as runc's flags: 1 true, 0 false, -1 neither. */
static int bool_word(const char *v)
{
        static const char *const words[] = {"0", "f", "F", "FALSE", "false", "False",
                                            "1", "t", "T", "TRUE", "true", "True"};
        for (size_t i = 0; i < ELEMENTSOF(words); i++)
                if (streq(v, words[i]))
                        return i >= ELEMENTSOF(words) / 2;
        return -1;
}

int cli_next(struct cli_args *a, const struct cli_option *opts, const char **ret_value, struct modrun_error **reterr)
{
        *ret_value = NULL;
        while (!a->done && a->i < a->argc) {
                char *arg = a->argv[a->i++];
                if (streq(arg, "--"))
                        return rest_positional(a) < 0 ? error_new(reterr, ENOMEM, NULL, "parse arguments") : 0;
                if (arg[0] != '-' || arg[1] == '\0') {
                        if (add_positional(a, arg) < 0)
                                return error_new(reterr, ENOMEM, NULL, "parse arguments");
                        if (a->stop_at_positional)
                                return rest_positional(a) < 0 ? error_new(reterr, ENOMEM, NULL, "parse arguments") : 0;
                        continue;
                }
                const char *name = arg + (arg[1] == '-' ? 2 : 1);
                const char *eq = strchr(name, '=');
                size_t len = eq ? (size_t)(eq - name) : strlen(name);
                const struct cli_option *o = len == 1 ? find_short(opts, name[0]) : NULL;
                if (!o)
                        o = find_long(opts, name, len);
                if (!o && !eq && (streq(name, "help") || streq(name, "h"))) {
                        a->help = a->done = true;
                        return 0;
                }
                if (!o)
                        return error_new(reterr, 0, "see `modrun COMMAND --help` for the options of a command", "unknown option %.*s", (int)(len + (size_t)(name - arg)), arg);
                if (eq && !o->has_arg && bool_word(eq + 1) < 0)
                        /* a typo must not turn --no-new-privs=... into false */
                        return error_new(reterr, 0, "give true or false (1, t, T, TRUE, True; 0, f, F, FALSE, False)",
                                         "%.*s: \"%s\" is not a boolean", (int)(eq - arg), arg, eq + 1);
                if (eq)
                        *ret_value = eq + 1;
                else if (o->has_arg) {
                        if (a->i >= a->argc)
                                /* runc's (Go flag's) words too: CRI-O looks for them */
                                return error_new(reterr, 0, "give the value after it, or as --NAME=VALUE",
                                                 "option %s needs a value (flag needs an argument: -%s)", arg, o->name);
                        *ret_value = a->argv[a->i++];
                }
                return o->id;
        }
        a->done = true;
        return 0;
}

bool cli_bool_value(const char *value) { return !value || bool_word(value) == 1; }

int cli_parse_uint(const char *flag, const char *value, int *ret, struct modrun_error **reterr)
{
        char *end = NULL;
        errno = 0;
        long v = value ? strtol(value, &end, 10) : -1;
        if (!value || !*value || errno || *end || v < 0 || v > INT_MAX)
                return error_new(reterr, 0, "give a whole number, e.g. 3", "%s: \"%s\" is not a non-negative number", flag,
                                 value ? value : "");
        *ret = (int)v;
        return 0;
}

/* The first fd >= 3 that was not open when modrun started. */
static int first_closed_fd = -1;

void cli_note_inherited_fds(void)
{
        int fd = 3;
        while (fd < 1 << 20 && fcntl(fd, F_GETFD) >= 0)
                fd++;
        first_closed_fd = fd;
}

int cli_parse_preserve_fds(const char *value, int *ret, struct modrun_error **reterr)
{
        int n = 0;
        int r = cli_parse_uint("--preserve-fds", value, &n, reterr);
        if (r < 0)
                return r;
        /* As runc: every fd passed on must be open, else the container
         * would get whatever modrun itself opened there. */
        if (first_closed_fd >= 0 && n > first_closed_fd - 3)
                return error_new(reterr, EBADF, "open the fds to pass on as 3, 4, ... before running modrun",
                                 "--preserve-fds %d: fd %d is not open (modrun was started with %d fds above stderr)",
                                 n, first_closed_fd, first_closed_fd - 3);
        *ret = n;
        return 0;
}

void cli_args_done(struct cli_args *a)
{
        free(a->positional);
        a->positional = NULL;
        a->n_positional = 0;
}
