/* SPDX-License-Identifier: Apache-2.0 */
/* "12 34 56 ..." for the errors that list the processes a bounded kill
 * left (header only, shared by the cgroup plugins and the core's own
 * kill of a container without a cgroup). */
#pragma once

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

static inline void pid_list_format(char *buf, size_t size, const pid_t *pids, size_t n)
{
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < n && len + 16 < size; i++)
                len += (size_t)snprintf(buf + len, size - len, "%s%d", i ? " " : "", (int)pids[i]);
        if (len + 16 >= size)
                (void)snprintf(buf + len, size - len, " ...");
}
