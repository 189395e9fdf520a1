/* SPDX-License-Identifier: Apache-2.0 */
/* One function per CLI verb; each parses its own flags from a and returns
 * the process exit code (0, 1 on error, or the container's for run). */
#pragma once

#include <stdio.h>

#include "args.h"
#include "lifecycle/lifecycle.h"

int cmd_create(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_run(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_exec(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_ps(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_pause(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_resume(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_update(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_events(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_start(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_kill(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_delete(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_state(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_list(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_spec(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_features(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);

int cmd_plugins(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_checkpoint(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
int cmd_restore(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);

/* Each command's option table: the parser's, and the source of its help. */
extern const struct cli_option cli_no_options[], cli_create_options[], cli_run_options[], cli_exec_options[],
        cli_ps_options[], cli_events_options[], cli_update_options[], cli_kill_options[], cli_delete_options[],
        cli_list_options[], cli_spec_options[], cli_plugins_options[], cli_checkpoint_options[],
        cli_restore_options[], cli_global_options[];

struct cli_command {
        const char *name;
        int (*fn)(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr);
        const struct cli_option *options;
        const char *args;    /* the synopsis after "modrun NAME" */
        const char *summary; /* one line */
        bool stop_at_positional; /* the arguments after the id are not modrun's (exec, ps) */
};
extern const struct cli_command cli_commands[];
extern const size_t cli_n_commands;
const struct cli_command *cli_command_find(const char *name);

/* The help of one command, or of modrun itself (the commands and the global options). */
void cli_help_command(FILE *f, const struct cli_command *c);
void cli_help_global(FILE *f);
/* `modrun --version` */
void cli_print_version(FILE *f, const struct plugin_options *o);

/* Exactly n positional arguments, else an error naming the command's usage. */
int cli_expect_args(const struct cli_args *a, int n, const char *usage, struct modrun_error **reterr);
