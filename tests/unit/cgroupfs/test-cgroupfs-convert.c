/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/cgroupfs/convert.c: OCI values -> cgroup file values. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cgroupfs.h"

static void test_shares_to_weight(void **unused)
{
        assert_int_equal(cg_shares_to_weight(0), 0); /* not set */
        assert_int_equal(cg_shares_to_weight(2), 1);
        assert_int_equal(cg_shares_to_weight(512), 20);
        assert_int_equal(cg_shares_to_weight(1024), 39); /* runc and crun: the default share */
        assert_int_equal(cg_shares_to_weight(262144), 10000);
        /* clamped to the kernel's range first, never 0 or above 10000 */
        assert_int_equal(cg_shares_to_weight(1), 1);
        assert_int_equal(cg_shares_to_weight(1000000), 10000);
}

static void test_blkio_weight(void **unused)
{
        assert_int_equal(cg_blkio_weight_to_io(0), 0);
        assert_int_equal(cg_blkio_weight_to_io(10), 1);
        assert_int_equal(cg_blkio_weight_to_io(500), 4950);
        assert_int_equal(cg_blkio_weight_to_io(1000), 10000);
}

static void swap_is(int64_t swap, int64_t mem, int64_t want)
{
        int64_t got = 42;
        const char *why = NULL;
        assert_int_equal(cg_swap_to_v2(swap, mem, &got, &why), 0);
        assert_int_equal(got, want);
}

static void swap_refused(int64_t swap, int64_t mem)
{
        int64_t got = 42;
        const char *why = NULL;
        assert_int_equal(cg_swap_to_v2(swap, mem, &got, &why), -EINVAL);
        assert_non_null(why);
}

static void test_swap(void **unused)
{
        swap_is(0, 100, 0);     /* unset */
        swap_is(-1, 100, -1);   /* max */
        swap_is(0, -1, -1);     /* memory unlimited: swap too */
        swap_is(300, 100, 200); /* memory+swap -> swap */
        swap_is(100, 100, 0);
        swap_refused(50, 100); /* below memory */
        swap_refused(200, 0);  /* no memory limit */
        swap_refused(200, -1);
}

static void test_strings(void **unused)
{
        char b[64];
        cg_limit_string(-1, b, sizeof(b));
        assert_string_equal(b, "max");
        cg_limit_string(64, b, sizeof(b));
        assert_string_equal(b, "64");
        cg_cpu_max(50000, 100000, b, sizeof(b));
        assert_string_equal(b, "50000 100000");
        cg_cpu_max(-1, 100000, b, sizeof(b));
        assert_string_equal(b, "max 100000");
        cg_cpu_max(20000, 0, b, sizeof(b));
        assert_string_equal(b, "20000");
        cg_cpu_max(0, 0, b, sizeof(b));
        assert_string_equal(b, "max");
        cg_hugepage_name(2097152, b, sizeof(b));
        assert_string_equal(b, "2MB");
        cg_hugepage_name(1073741824, b, sizeof(b));
        assert_string_equal(b, "1GB");
        cg_hugepage_name(65536, b, sizeof(b));
        assert_string_equal(b, "64KB");
}

static int lines_of(bool allow, char type, int64_t maj, int64_t min, const char *access, char lines[2][64])
{
        struct cg_dev_rule r = { .allow = allow, .type = type, .major = maj, .minor = min };
        const char *why = NULL;
        snprintf(r.access, sizeof(r.access), "%s", access);
        int n = cg_dev_rule_lines(&r, lines, &why);
        if (n < 0)
                assert_non_null(why);
        return n;
}

static void test_device_rules(void **unused)
{
        char l[2][64];
        assert_int_equal(lines_of(false, 'a', -1, -1, "rwm", l), 1);
        assert_string_equal(l[0], "a"); /* the deny-all reset */
        assert_int_equal(lines_of(true, 'c', 1, 3, "rwm", l), 1);
        assert_string_equal(l[0], "c 1:3 rwm");
        assert_int_equal(lines_of(true, 'c', -1, -1, "m", l), 1);
        assert_string_equal(l[0], "c *:* m");
        assert_int_equal(lines_of(true, 'c', 136, -1, "rw", l), 1);
        assert_string_equal(l[0], "c 136:* rw");
        assert_int_equal(lines_of(true, 'b', 8, 0, "r", l), 1);
        assert_string_equal(l[0], "b 8:0 r");
        /* a partial 'a' rule: the kernel reads any "a ..." as everything */
        assert_int_equal(lines_of(false, 'a', 1, 3, "r", l), 2);
        assert_string_equal(l[0], "c 1:3 r");
        assert_string_equal(l[1], "b 1:3 r");
        assert_int_equal(lines_of(false, 'a', -1, -1, "w", l), 2);
        assert_string_equal(l[0], "c *:* w");
        assert_int_equal(lines_of(true, 'x', 1, 3, "rwm", l), -EINVAL);
        assert_int_equal(lines_of(true, 'c', 1, 3, "rx", l), -EINVAL);
        assert_int_equal(lines_of(true, 'c', 1, 3, "", l), -EINVAL);
}

static void test_unified_key(void **unused)
{
        char ctrl[16];
        const char *why = NULL;
        assert_int_equal(cg_unified_key("memory.high", ctrl, sizeof(ctrl), &why), 0);
        assert_string_equal(ctrl, "memory");
        assert_int_equal(cg_unified_key("cgroup.max.depth", ctrl, sizeof(ctrl), &why), 0);
        assert_string_equal(ctrl, "cgroup");
        assert_int_equal(cg_unified_key("../../memory.max", ctrl, sizeof(ctrl), &why), -EINVAL);
        assert_int_equal(cg_unified_key("a/b.c", ctrl, sizeof(ctrl), &why), -EINVAL);
        assert_int_equal(cg_unified_key("nodot", ctrl, sizeof(ctrl), &why), -EINVAL);
        assert_int_equal(cg_unified_key(".max", ctrl, sizeof(ctrl), &why), -EINVAL);
        assert_int_equal(cg_unified_key("", ctrl, sizeof(ctrl), &why), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shares_to_weight), cmocka_unit_test(test_blkio_weight),
                cmocka_unit_test(test_swap),             cmocka_unit_test(test_strings),
                cmocka_unit_test(test_device_rules),     cmocka_unit_test(test_unified_key),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
