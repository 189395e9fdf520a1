/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test builds (-Dfault-injection, docs/reliability.md): the plugins' side
 * of the core's util/fault.h, which a plugin does not include (header
 * only; the core's fault.c parses the same variables with it).
 * MODRUN_TEST_FAULT=stall:WAIT makes the bounded wait WAIT ("freeze" in
 * cgroupfs, "systemd-job" in systemd) never see its condition;
 * MODRUN_TEST_FAULT=POINT:pause sleeps at POINT for as long as the point
 * says (a race made certain); MODRUN_TEST_TIMEOUT_MS=N caps a plugin's own
 * bounds. Without the option all are no-ops.
 */
#pragma once

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#if MODRUN_FAULT_INJECTION
/* Does $MODRUN_TEST_FAULT (comma-separated "key:action" entries) hold
 * key:action? Also the core's parser (core/util/fault.c). */
static inline bool test_fault_has(const char *key, const char *action)
{
        const char *v = getenv("MODRUN_TEST_FAULT");
        size_t klen = strlen(key), alen = strlen(action);
        for (const char *e = v; e && *e; e = strchr(e, ',') ? strchr(e, ',') + 1 : NULL)
                if (strcspn(e, ",") == klen + 1 + alen && strncmp(e, key, klen) == 0 && e[klen] == ':' &&
                    strncmp(e + klen + 1, action, alen) == 0)
                        return true;
        return false;
}

/* ms, or $MODRUN_TEST_TIMEOUT_MS when that is a smaller positive number. */
static inline int test_fault_timeout_ms(int ms)
{
        const char *v = getenv("MODRUN_TEST_TIMEOUT_MS");
        char *end = NULL;
        long n = v ? strtol(v, &end, 10) : 0;
        return v && *end == '\0' && n > 0 && n < ms ? (int)n : ms;
}

static inline void test_fault_pause(const char *point, int ms)
{
        if (test_fault_has(point, "pause"))
                clock_sleep_ms(ms);
}

#define plugin_test_stall(wait) test_fault_has("stall", wait)
#define plugin_test_pause(point, ms) test_fault_pause(point, ms)
#define plugin_test_timeout_ms(ms) test_fault_timeout_ms(ms)
#else
#define plugin_test_stall(wait) false
#define plugin_test_pause(point, ms) ((void)0)
#define plugin_test_timeout_ms(ms) (ms)
#endif
