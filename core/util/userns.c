/* SPDX-License-Identifier: Apache-2.0 */
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "userns.h"

static bool uid_map_is_initial(void)
{
        FILE *f = fopen("/proc/self/uid_map", "re");
        if (!f)
                return true; /* no user namespaces in this kernel: the host's */
        uint64_t inside = 0, outside = 0, count = 0;
        int n = fscanf(f, "%" SCNu64 " %" SCNu64 " %" SCNu64, &inside, &outside, &count);
        int extra = fgetc(f);
        while (extra == ' ' || extra == '\n')
                extra = fgetc(f);
        (void)fclose(f);
        return n == 3 && inside == 0 && outside == 0 && count == UINT32_MAX && extra == EOF;
}

bool userns_is_nested(void)
{
        static int cached = -1;
        if (cached < 0)
                cached = !uid_map_is_initial();
        return cached;
}

bool userns_is_unprivileged_host(void) { return geteuid() != 0 || userns_is_nested(); }
