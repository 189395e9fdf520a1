/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include "error.h"
/* "SIGKILL", "KILL", "kill", "9", "RTMIN+3", "SIGRTMAX-1" -> signal number. */
int signal_parse(const char *s, struct modrun_error **reterr);
