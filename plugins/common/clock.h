/* SPDX-License-Identifier: Apache-2.0 */
/* The monotonic clock in milliseconds and a sleep, for the deadlines of
 * bounded waits (header only: a plugin links nothing of another, nor of
 * the core; the core includes it too). */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <time.h>

static inline int64_t clock_now_ms(void)
{
        struct timespec ts;
        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep ms milliseconds, the whole of them even when a signal comes. */
static inline void clock_sleep_ms(int ms)
{
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
        while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}
