/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "time-util.h"

/* Days since 1970-01-01 to a civil date in the proleptic Gregorian
 * calendar, counted in 400-year eras that start on 1 March (the leap day
 * last in the year). */
void time_rfc3339_utc_buf(const struct timespec *ts, char *buf, size_t size)
{
        long long days = ts->tv_sec / 86400, secs = ts->tv_sec % 86400;
        long long z = days + 719468, era = z / 146097;
        long long doe = z - era * 146097;                                       /* [0, 146096] */
        long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
        long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
        long long mp = (5 * doy + 2) / 153;                                     /* March = 0 */
        long long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
        long long year = yoe + era * 400 + (month <= 2);
        (void)snprintf(buf, size, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%09ldZ", year, month, day, secs / 3600,
                       secs / 60 % 60, secs % 60, ts->tv_nsec);
}

char *time_rfc3339_utc(const struct timespec *ts)
{
        char buf[TIME_RFC3339_MAX];
        time_rfc3339_utc_buf(ts, buf, sizeof(buf));
        return strdup(buf);
}
