/* SPDX-License-Identifier: Apache-2.0 */
/* cgroup v1 -> v2 value conversions that runc and crun use, shared by the
 * cgroup manager plugins (header only: a plugin links nothing of another). */
#pragma once

#include <stdint.h>

/* cpu.shares [2, 262144] -> cpu.weight [1, 10000], linear: 2 -> 1,
 * 1024 -> 39, 262144 -> 10000; out-of-range shares are clamped first (the
 * kernel clamps them too). 0 means "not set". */
static inline uint64_t cgroup_shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

/* blkio.weight [10, 1000] -> io.weight [1, 10000]. 0 means "not set". */
static inline uint64_t cgroup_blkio_weight_to_io(uint64_t weight)
{
        if (weight == 0)
                return 0;
        if (weight < 10)
                weight = 10;
        if (weight > 1000)
                weight = 1000;
        return 1 + (weight - 10) * 9999 / 990;
}
