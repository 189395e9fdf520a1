/* SPDX-License-Identifier: Apache-2.0 */
/* Fault points, stalls and shortened bounds for test builds: see fault.h. */
#include "fault.h"

#if MODRUN_FAULT_INJECTION
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define FAULT_ENV "MODRUN_TEST_FAULT"

/* Does $MODRUN_TEST_FAULT hold the entry "key:action"? */
static bool fault_has(const char *key, const char *action)
{
        const char *v = getenv(FAULT_ENV);
        size_t klen = strlen(key), alen = strlen(action);
        for (const char *e = v; e && *e; e = strchr(e, ',') ? strchr(e, ',') + 1 : NULL)
                if (strcspn(e, ",") == klen + 1 + alen && strncmp(e, key, klen) == 0 && e[klen] == ':' &&
                    strncmp(e + klen + 1, action, alen) == 0)
                        return true;
        return false;
}

int fault_point(const char *point, struct modrun_error **reterr)
{
        if (fault_has(point, "kill")) {
                log_debug("fault injection: SIGKILL at \"%s\"", point);
                (void)raise(SIGKILL);
                _exit(128 + SIGKILL); /* the init of a pid namespace ignores even that */
        }
        if (fault_has(point, "fail"))
                return error_new(reterr, ECANCELED, "a test build's fault injection: unset " FAULT_ENV,
                                 "fault injected at \"%s\" (" FAULT_ENV "=%s:fail)", point, point);
        return 0;
}

bool fault_stall(const char *wait)
{
        if (!fault_has("stall", wait))
                return false;
        log_debug("fault injection: the wait \"%s\" stalls", wait);
        return true;
}

int fault_timeout_ms(int ms)
{
        const char *v = getenv("MODRUN_TEST_TIMEOUT_MS");
        char *end = NULL;
        long n = v ? strtol(v, &end, 10) : 0;
        return v && *end == '\0' && n > 0 && n < ms ? (int)n : ms;
}

int fault_sleep_ms(int ms)
{
        struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
        while (ms > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        return 0;
}
#endif
