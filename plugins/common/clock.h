/* SPDX-License-Identifier: Apache-2.0 */
/* The monotonic clock in milliseconds, for the plugins' bounded waits
 * (header only: a plugin links nothing of another, nor of the core). */
#pragma once

#include <stdint.h>
#include <time.h>

static inline int64_t clock_now_ms(void)
{
        struct timespec ts;
        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
