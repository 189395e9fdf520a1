/* SPDX-License-Identifier: Apache-2.0 */
/* time_rfc3339_utc(): the same date and time as gmtime_r and strftime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/time-util.h"

static void check(time_t sec, long nsec)
{
        struct tm tm;
        char want[96], date[64];
        assert_non_null(gmtime_r(&sec, &tm));
        assert_true(strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) > 0);
        (void)snprintf(want, sizeof(want), "%s.%09ldZ", date, nsec);
        char *got = time_rfc3339_utc(&(struct timespec){.tv_sec = sec, .tv_nsec = nsec});
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
}

static void test_edges(void **state)
{
        (void)state;
        check(0, 0);                   /* 1970-01-01 */
        check(951782399, 999999999);   /* 2000-02-28T23:59:59 */
        check(951782400, 1);           /* 2000-02-29: a leap day of a 400th year */
        check(951868800, 0);           /* 2000-03-01 */
        check(4107542399, 0);          /* 2100-02-28T23:59:59: 2100 is no leap year */
        check(4107542400, 0);          /* 2100-03-01 */
        check(1796578574, 964252430);  /* 2026-12-06 */
        check(253402300799, 0);        /* 9999-12-31T23:59:59 */
}

/* Every day of one whole 400-year cycle of the calendar (1970 to 2370),
 * a day less 7 s apart so that the time of day moves through the day. */
static void test_every_day(void **state)
{
        (void)state;
        for (time_t sec = 0; sec < 12622780800; sec += 86400 - 7)
                check(sec, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_edges), cmocka_unit_test(test_every_day)};
        return cmocka_run_group_tests(tests, NULL, NULL);
}
