/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

/* When the error itself cannot be allocated: a static "out of memory" that
 * error_wrap() leaves alone and error_free() does not free, so that a
 * caller always has a message to show (and never a NULL to read). */
static char error_oom_msg[] = "out of memory";
static struct modrun_error error_oom = {.errnum = ENOMEM, .msg = error_oom_msg};

int error_newv(struct modrun_error **reterr, int errnum, const char *hint, const char *fmt, va_list ap)
{
        int ret = errnum > 0 ? -errnum : -EINVAL;
        if (!reterr || *reterr)
                return ret;

        char *body = NULL;
        if (vasprintf(&body, fmt, ap) < 0)
                body = NULL;

        struct modrun_error *e = calloc(1, sizeof(*e));
        if (!e) {
                free(body);
                *reterr = &error_oom;
                return ret;
        }
        e->errnum = errnum > 0 ? errnum : 0;
        if (body && errnum > 0) {
                if (asprintf(&e->msg, "%s: %s", body, strerror(errnum)) < 0)
                        e->msg = NULL;
                free(body);
        } else
                e->msg = body;
        if (!e->msg)
                e->msg = strdup(errnum > 0 ? strerror(errnum) : "unknown error");
        if (!e->msg) {
                free(e);
                *reterr = &error_oom;
                return ret;
        }
        if (hint)
                e->hint = strdup(hint);
        *reterr = e;
        return ret;
}

int error_new(struct modrun_error **reterr, int errnum, const char *hint, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_newv(reterr, errnum, hint, fmt, ap);
        va_end(ap);
        return r;
}

int error_wrap(struct modrun_error **err, const char *fmt, ...)
{
        if (!err || !*err)
                return -EINVAL;
        if (*err == &error_oom)
                return error_ret(*err);
        char *ctx = NULL, *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&ctx, fmt, ap);
        va_end(ap);
        if (r >= 0 && asprintf(&msg, "%s: %s", ctx, (*err)->msg ? (*err)->msg : "") >= 0) {
                free((*err)->msg);
                (*err)->msg = msg;
        }
        free(ctx);
        return error_ret(*err);
}

void error_hint(struct modrun_error *err, const char *fmt, ...)
{
        if (!err || err->hint || err == &error_oom)
                return;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&err->hint, fmt, ap) < 0)
                err->hint = NULL;
        va_end(ap);
}

_printf_(2, 0) static void hint_appendv(char **hint, const char *fmt, va_list ap)
{
        char *part = NULL, *n = NULL;
        if (vasprintf(&part, fmt, ap) < 0)
                return;
        if (!*hint) {
                *hint = part;
                return;
        }
        if (asprintf(&n, "%s; %s", *hint, part) >= 0) {
                free(*hint);
                *hint = n;
        }
        free(part);
}

void hint_append(char **hint, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        hint_appendv(hint, fmt, ap);
        va_end(ap);
}

void error_hint_add(struct modrun_error *err, const char *fmt, ...)
{
        if (!err || err == &error_oom)
                return;
        va_list ap;
        va_start(ap, fmt);
        hint_appendv(&err->hint, fmt, ap);
        va_end(ap);
}

struct modrun_error *error_free(struct modrun_error *err)
{
        if (err && err != &error_oom) {
                free(err->msg);
                free(err->hint);
                free(err);
        }
        return NULL;
}
