/* SPDX-License-Identifier: Apache-2.0 */
/* The error object: the core owns it, plugins build it through the host
 * table. A message names the object and the cause; the errno text is
 * appended when errnum > 0; an optional hint says what to do. Each layer
 * may add context in front with error_wrap(). */
#pragma once

#include <stdarg.h>

#include "macro.h"

struct modrun_error {
        int errnum;   /* > 0, an errno value; 0 for "not an errno" */
        char *msg;    /* "what failed on which object: errno text" */
        char *hint;   /* what to do about it, or NULL */
};

/* Build *reterr (if reterr is not NULL and *reterr is NULL) and return
 * -errnum (or -EINVAL when errnum is 0). */
int error_new(struct modrun_error **reterr, int errnum, const char *hint, const char *fmt, ...) _printf_(4, 5);
int error_newv(struct modrun_error **reterr, int errnum, const char *hint, const char *fmt, va_list ap) _printf_(4, 0);
/* Prefix context: "context: old message". Returns -errnum of *err. */
int error_wrap(struct modrun_error **err, const char *fmt, ...) _printf_(2, 3);
/* Set the hint when none is set yet. */
void error_hint(struct modrun_error *err, const char *fmt, ...) _printf_(2, 3);
/* Add to the hint ("old hint; new text"), or set it. */
void error_hint_add(struct modrun_error *err, const char *fmt, ...) _printf_(2, 3);
/* The same for a hint being built: *hint is malloc()ed, or NULL. */
void hint_append(char **hint, const char *fmt, ...) _printf_(2, 3);
struct modrun_error *error_free(struct modrun_error *err);
static inline void error_freep(struct modrun_error **e) { error_free(*e); }
#define _cleanup_error_ _cleanup_(error_freep)
/* -errnum for returning */
static inline int error_ret(const struct modrun_error *e) { return e && e->errnum > 0 ? -e->errnum : -EINVAL; }
