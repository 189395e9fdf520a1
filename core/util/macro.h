/* SPDX-License-Identifier: Apache-2.0 */
/* Small macros used everywhere in the core: cleanup attributes, ownership
 * transfer and errno conversion, in the style of systemd's src/basic. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                (void)close(*fd);
                errno = saved;
        }
}
static inline void fclosep(FILE **f)
{
        if (*f)
                (void)fclose(*f);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership out of a cleanup variable. */
#define TAKE_PTR(p)                                    \
        __extension__({                                \
                __typeof__(p) _tp = (p);               \
                (p) = NULL;                            \
                _tp;                                   \
        })
#define TAKE_FD(fd)                                    \
        __extension__({                                \
                int _tf = (fd);                        \
                (fd) = -1;                             \
                _tf;                                   \
        })

/* Turn a libc "-1 and errno" result into "-errno". */
#define RET_NERRNO(expr)                               \
        __extension__({                                \
                __typeof__(expr) _r = (expr);          \
                _r < 0 ? -errno : _r;                  \
        })

static inline int negative_errno(void) { return errno > 0 ? -errno : -EIO; }

#define streq(a, b) (strcmp((a), (b)) == 0)
