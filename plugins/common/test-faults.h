/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test builds (-Dfault-injection, docs/reliability.md): the plugins' side
 * of the core's util/fault.h, which a plugin does not include (header
 * only). MODRUN_TEST_FAULT=stall:WAIT makes the bounded wait WAIT
 * ("freeze" in cgroupfs, "systemd-job" in systemd) never see its
 * condition; MODRUN_TEST_TIMEOUT_MS=N caps a plugin's own bounds. Without
 * the option both are no-ops.
 */
#pragma once

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#if MODRUN_FAULT_INJECTION
static inline bool plugin_test_stall(const char *wait)
{
        const char *v = getenv("MODRUN_TEST_FAULT");
        size_t n = strlen(wait);
        for (const char *e = v; e && *e; e = strchr(e, ',') ? strchr(e, ',') + 1 : NULL)
                if (strncmp(e, "stall:", 6) == 0 && strncmp(e + 6, wait, n) == 0 && (e[6 + n] == ',' || !e[6 + n]))
                        return true;
        return false;
}

static inline int plugin_test_timeout_ms(int ms)
{
        const char *v = getenv("MODRUN_TEST_TIMEOUT_MS");
        long cap = v ? strtol(v, NULL, 10) : 0;
        return cap > 0 && cap < ms ? (int)cap : ms;
}
#else
#define plugin_test_stall(wait) false
#define plugin_test_timeout_ms(ms) (ms)
#endif
