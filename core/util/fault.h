/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault injection, for test builds only (meson -Dfault-injection=true
 * defines MODRUN_FAULT_INJECTION; without it every macro below compiles to
 * nothing, or to the plain call). Read from the environment:
 *
 *   MODRUN_TEST_FAULT=POINT:fail    FAULT_POINT(POINT) fails with an error
 *   MODRUN_TEST_FAULT=POINT:kill    the process SIGKILLs itself at POINT
 *   MODRUN_TEST_FAULT=stall:WAIT    the bounded wait WAIT never sees its
 *                                   condition, so it runs into its bound
 *   MODRUN_TEST_FAULT=POINT:pause   FAULT_PAUSE(POINT, ms) sleeps ms
 *   MODRUN_TEST_TIMEOUT_MS=N        FAULT_TIMEOUT_MS(ms) is min(ms, N): the
 *                                   lifecycle bounds, shortened for a test
 *   MODRUN_TEST_FAIL_ALLOC=N        the Nth malloc/calloc/realloc of the
 *                                   process fails (fault-alloc.c; not in a
 *                                   sanitizer build, whose allocator is ASan's)
 *
 * MODRUN_TEST_FAULT may list several entries separated by commas. The
 * points and waits are listed in docs/reliability.md.
 */
#pragma once

#include <poll.h>
#include <stdbool.h>

#include "error.h"

#if MODRUN_FAULT_INJECTION
int fault_point(const char *point, struct modrun_error **reterr);
bool fault_stall(const char *wait);
int fault_timeout_ms(int ms);
/* Sleep ms (a stalled poll's "nothing happened"), return 0. */
int fault_sleep_ms(int ms);
#define FAULT_POINT(point, reterr) fault_point(point, reterr)
#define FAULT_STALL(wait) fault_stall(wait)
#define FAULT_TIMEOUT_MS(ms) fault_timeout_ms(ms)
#define FAULT_POLL(wait, fds, n, timeout) (fault_stall(wait) ? fault_sleep_ms(timeout) : poll(fds, n, timeout))
#define FAULT_PAUSE(point, ms) fault_pause(point, ms)
void fault_pause(const char *point, int ms);
/* Allocations during call are neither failed nor counted by
 * MODRUN_TEST_FAIL_ALLOC: for a library that does not survive a failed
 * allocation of its own (fault-alloc.c says which). Weak: a sanitizer
 * build has no fault-alloc.c. */
void fault_alloc_exempt(int delta) __attribute__((weak));
#define FAULT_ALLOC_EXEMPT(call)                           \
        ({                                                 \
                if (fault_alloc_exempt)                    \
                        fault_alloc_exempt(1);             \
                __typeof__(call) fault_r_ = (call);        \
                if (fault_alloc_exempt)                    \
                        fault_alloc_exempt(-1);            \
                fault_r_;                                  \
        })
#else
#define FAULT_ALLOC_EXEMPT(call) (call)
#define FAULT_PAUSE(point, ms) ((void)0)
#define FAULT_POINT(point, reterr) 0
#define FAULT_STALL(wait) false
#define FAULT_TIMEOUT_MS(ms) (ms)
#define FAULT_POLL(wait, fds, n, timeout) poll(fds, n, timeout)
#endif
