/* SPDX-License-Identifier: Apache-2.0 */
/* Fault points, stalls and shortened bounds for test builds: see fault.h. */
#include "fault.h"

#if MODRUN_FAULT_INJECTION
#include <signal.h>
#include <unistd.h>

#include "../../plugins/common/clock.h"
#include "../../plugins/common/test-faults.h" /* the parser, shared with the plugins */
#include "log.h"

#define FAULT_ENV "MODRUN_TEST_FAULT"

int fault_point(const char *point, struct modrun_error **reterr)
{
        if (test_fault_has(point, "kill")) {
                log_debug("fault injection: SIGKILL at \"%s\"", point);
                (void)raise(SIGKILL);
                _exit(128 + SIGKILL); /* the init of a pid namespace ignores even that */
        }
        if (test_fault_has(point, "fail"))
                return error_new(reterr, ECANCELED, "a test build's fault injection: unset " FAULT_ENV,
                                 "fault injected at \"%s\" (" FAULT_ENV "=%s:fail)", point, point);
        return 0;
}

bool fault_stall(const char *wait)
{
        if (!test_fault_has("stall", wait))
                return false;
        log_debug("fault injection: the wait \"%s\" stalls", wait);
        return true;
}

void fault_pause(const char *point, int ms)
{
        if (!test_fault_has(point, "pause"))
                return;
        log_debug("fault injection: a %d ms pause at \"%s\"", ms, point);
        clock_sleep_ms(ms);
}

int fault_timeout_ms(int ms) { return test_fault_timeout_ms(ms); }

int fault_sleep_ms(int ms)
{
        clock_sleep_ms(ms);
        return 0;
}
#endif
