/* SPDX-License-Identifier: Apache-2.0 */
/* The monotonic clock in milliseconds, for the deadlines of bounded waits. */
#pragma once

#include <stdint.h>
#include <time.h>

static inline int64_t now_ms(void)
{
        struct timespec ts;
        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
