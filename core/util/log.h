/* SPDX-License-Identifier: Apache-2.0 */
/* The core's log sinks: stderr text, a --log file, text or JSON lines (the
 * format containerd's shim reads). Only the core's main program logs at
 * levels above debug; library-style code logs at debug only. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

#include "error.h"

enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* Route logs to path (NULL: stderr only) in the given format; messages
 * above max_level (LOG_ERR ... LOG_DEBUG) are dropped, errors never. */
int log_setup(const char *path, enum log_format format, int max_level, struct modrun_error **reterr);
/* --log and the journal are written only by the process that set them
 * up: a forked copy of the runtime that is to write them too (not a
 * process sharing the runtime's memory) calls this first. */
void log_adopt_process(void);
void log_close(void);
bool log_debug_enabled(void);
void log_msgv(int level, const char *fmt, va_list ap) _printf_(2, 0);
void log_msg(int level, const char *fmt, ...) _printf_(2, 3);
/* An error line when the heap must not be touched (container/clone-vm.h):
 * built on the stack (cut if long), the --log time in UTC (no time zone to
 * load), to the log file and stderr, not the journal. */
void log_error_noalloc(const char *msg);
/* The final user-facing error of a command: to stderr and to the log file. */
void log_report_error(const struct modrun_error *err, const char *command, int r);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
