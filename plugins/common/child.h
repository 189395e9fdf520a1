/* SPDX-License-Identifier: Apache-2.0 */
/* A bounded wait for a child process (header only, for the plugins and the
 * core alike). */
#pragma once

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "clock.h"

/* Wait for pid until deadline (clock_now_ms()), polling every 5 ms; past
 * it, SIGKILL and reap it. 0 with its wait status in *ret_status,
 * -ETIMEDOUT when it had to be killed, or -errno. */
static inline int child_wait_until(pid_t pid, int64_t deadline, int *ret_status)
{
        for (;;) {
                pid_t w = waitpid(pid, ret_status, WNOHANG);
                if (w == pid)
                        return 0;
                if (w < 0 && errno != EINTR)
                        return -errno;
                if (clock_now_ms() >= deadline)
                        break;
                clock_sleep_ms(5);
        }
        (void)kill(pid, SIGKILL);
        while (waitpid(pid, ret_status, 0) < 0 && errno == EINTR)
                ;
        return -ETIMEDOUT;
}
