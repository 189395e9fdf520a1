/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
/* Parse global options, dispatch a command; returns the process exit code. */
int cli_main(int argc, char **argv);
