/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI values to cgroup file values, the way runc and crun convert them.
 * Pure: numbers and strings in, numbers and strings out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../common/cgroup-convert.h"
#include "cgroupfs.h"

uint64_t cg_shares_to_weight(uint64_t shares)
{
        return cgroup_shares_to_weight(shares);
}

uint64_t cg_blkio_weight_to_io(uint64_t weight)
{
        return cgroup_blkio_weight_to_io(weight);
}

/* runc's ConvertMemorySwapToCgroupV2Value: OCI's swap is memory+swap,
 * cgroup v2's memory.swap.max is swap alone. */
int cg_swap_to_v2(int64_t swap, int64_t memory, int64_t *ret, const char **ret_why)
{
        if (memory == -1 && swap == 0) {
                *ret = -1; /* memory unlimited: swap too, as on v1 */
                return 0;
        }
        if (swap == -1 || swap == 0) {
                *ret = swap;
                return 0;
        }
        if (memory == 0 || memory == -1) {
                *ret_why = "a swap limit needs a memory limit (memory.swap is memory+swap)";
                return -EINVAL;
        }
        if (memory < 0) {
                *ret_why = "the memory limit is negative";
                return -EINVAL;
        }
        if (swap < memory) {
                *ret_why = "memory.swap (memory+swap) must be at least memory.limit";
                return -EINVAL;
        }
        *ret = swap - memory;
        return 0;
}

void cg_limit_string(int64_t v, char *buf, size_t size)
{
        if (v < 0)
                (void)snprintf(buf, size, "max");
        else
                (void)snprintf(buf, size, "%" PRId64, v);
}

void cg_cpu_max(int64_t quota, uint64_t period, char *buf, size_t size)
{
        int n = quota > 0 ? snprintf(buf, size, "%" PRId64, quota) : snprintf(buf, size, "max");
        if (period != 0 && n > 0 && (size_t)n < size)
                (void)snprintf(buf + n, size - (size_t)n, " %" PRIu64, period);
}

void cg_hugepage_name(uint64_t bytes, char *buf, size_t size)
{
        static const char *const units[] = { "B", "KB", "MB", "GB", "TB", "PB" };
        size_t u = 0;
        while (bytes >= 1024 && bytes % 1024 == 0 && u + 1 < sizeof(units) / sizeof(*units)) {
                bytes /= 1024;
                u++;
        }
        (void)snprintf(buf, size, "%" PRIu64 "%s", bytes, units[u]);
}

static void dev_num(int64_t v, char *buf, size_t size)
{
        if (v < 0)
                (void)snprintf(buf, size, "*");
        else
                (void)snprintf(buf, size, "%" PRId64, v);
}

int cg_dev_rule_lines(const struct cg_dev_rule *r, char lines[2][64], const char **ret_why)
{
        if (r->type != 'a' && r->type != 'c' && r->type != 'b') {
                *ret_why = "type must be \"a\", \"c\" or \"b\"";
                return -EINVAL;
        }
        if (!r->access[0] || strspn(r->access, "rwm") != strlen(r->access)) {
                *ret_why = "access must be a non-empty combination of \"r\", \"w\" and \"m\"";
                return -EINVAL;
        }
        char maj[24], min[24];
        dev_num(r->major, maj, sizeof(maj));
        dev_num(r->minor, min, sizeof(min));
        bool rwm = strchr(r->access, 'r') && strchr(r->access, 'w') && strchr(r->access, 'm');
        if (r->type == 'a' && r->major < 0 && r->minor < 0 && rwm) {
                (void)snprintf(lines[0], sizeof(lines[0]), "a");
                return 1;
        }
        if (r->type == 'a') {
                (void)snprintf(lines[0], sizeof(lines[0]), "c %s:%s %s", maj, min, r->access);
                (void)snprintf(lines[1], sizeof(lines[1]), "b %s:%s %s", maj, min, r->access);
                return 2;
        }
        (void)snprintf(lines[0], sizeof(lines[0]), "%c %s:%s %s", r->type, maj, min, r->access);
        return 1;
}

int cg_unified_key(const char *key, char *ret_ctrl, size_t size, const char **ret_why)
{
        const char *dot = strchr(key, '.');
        if (!*key || strchr(key, '/') || strcmp(key, ".") == 0 || strcmp(key, "..") == 0) {
                *ret_why = "a key is the name of a file in the container's cgroup (no \"/\")";
                return -EINVAL;
        }
        if (!dot || dot == key || !dot[1]) {
                *ret_why = "a key is <controller>.<file>, e.g. \"memory.high\"";
                return -EINVAL;
        }
        size_t n = (size_t)(dot - key);
        if (n >= size) {
                *ret_why = "the controller name is too long";
                return -EINVAL;
        }
        memcpy(ret_ctrl, key, n);
        ret_ctrl[n] = '\0';
        return 0;
}
