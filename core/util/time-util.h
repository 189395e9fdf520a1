/* SPDX-License-Identifier: Apache-2.0 */
#pragma once
#include <stddef.h>
#include <time.h>

/* ts (CLOCK_REALTIME, at or after the epoch) as RFC 3339 in UTC with
 * nanoseconds, "2026-12-06T17:36:14.964252430Z"; NULL when out of memory.
 * Computed here, not with gmtime_r/strftime: glibc loads the time zone
 * (/etc/localtime, seven system calls) the first time either is called,
 * for a time that needs none. */
char *time_rfc3339_utc(const struct timespec *ts);
/* The same into buf (TIME_RFC3339_MAX bytes are always enough). */
#define TIME_RFC3339_MAX 64
void time_rfc3339_utc_buf(const struct timespec *ts, char *buf, size_t size);
