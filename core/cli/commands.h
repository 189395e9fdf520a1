/* SPDX-License-Identifier: Apache-2.0 */
/* One function per CLI verb; each parses its own flags from a and returns
 * the process exit code (0, 1 on error, or the container's for run). */
#pragma once

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

/* Exactly n positional arguments, else an error naming the command's usage. */
int cli_expect_args(const struct cli_args *a, int n, const char *usage, struct modrun_error **reterr);
