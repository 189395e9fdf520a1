/* SPDX-License-Identifier: Apache-2.0 */
/* Option parsing as runc's CLI accepts it: "--name value", "--name=value",
 * Go-style "-name value", "-x value" for one-letter names, "--" ends options.
 * Options and positional arguments may be mixed unless stop_at_positional. */
#pragma once

#include <stdbool.h>

#include "util/error.h"

/* One table per command is the single source of the parser, `--help`,
 * and (checked by tests/unit/cli) the man page. */
struct cli_option {
        const char *name; /* long name without dashes */
        char short_name;  /* 0 when none */
        bool has_arg;
        int id;           /* > 0 */
        const char *arg;  /* the value's name in the help (e.g. "DIR"), when has_arg */
        const char *help; /* one line; NULL hides nothing: every option needs one */
};

struct cli_args {
        int argc;
        char **argv;
        int i;                   /* next argv index */
        bool stop_at_positional; /* everything from the first positional on is positional */
        bool done;
        bool help;               /* --help or -h was seen (not an option of the table) */
        char **positional;       /* collected positionals, NULL-terminated */
        int n_positional;
};

/* Returns the id of the next option (value in *ret_value), 0 when options
 * are exhausted, or -EINVAL with *reterr set. --help and -h, unless the
 * table has them, set a->help and end the options (return 0). */
int cli_next(struct cli_args *a, const struct cli_option *opts, const char **ret_value, struct modrun_error **reterr);
/* The value of a boolean flag: true without "=VALUE", else what VALUE
 * says (cli_next() has refused anything but Go's ParseBool words). */
bool cli_bool_value(const char *value);
/* Parse a non-negative int; error names the flag. */
int cli_parse_uint(const char *flag, const char *value, int *ret, struct modrun_error **reterr);
/* Note which fds modrun was started with (first thing in main). */
void cli_note_inherited_fds(void);
/* --preserve-fds N: N, refused (EBADF) unless fds 3 to 2+N were all open
 * when modrun started. */
int cli_parse_preserve_fds(const char *value, int *ret, struct modrun_error **reterr);
void cli_args_done(struct cli_args *a);
