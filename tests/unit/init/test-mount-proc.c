/* SPDX-License-Identifier: Apache-2.0 */
/* mount_proc_dest_refusal(): what may be mounted inside /proc (runc's
 * checkProcMount), judged on the path a destination really resolves to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "init/rootfs/mount-util.h"

static void test_outside_proc(void **state)
{
        (void)state;
        assert_null(mount_proc_dest_refusal("/data", false));
        assert_null(mount_proc_dest_refusal("/", false));
        assert_null(mount_proc_dest_refusal("/procfs", false)); /* a sibling, not inside */
        assert_null(mount_proc_dest_refusal("/srv/proc/sys", false));
}

static void test_proc_itself(void **state)
{
        (void)state;
        assert_null(mount_proc_dest_refusal("/proc", true));
        assert_non_null(mount_proc_dest_refusal("/proc", false)); /* a tmpfs or a bind of no procfs */
}

static void test_inside_proc(void **state)
{
        (void)state;
        assert_non_null(mount_proc_dest_refusal("/proc/sys/kernel", false));
        assert_non_null(mount_proc_dest_refusal("/proc/sys/kernel/core_pattern", true));
        assert_non_null(mount_proc_dest_refusal("/proc/self/attr/exec", false));
        assert_non_null(mount_proc_dest_refusal("/proc/net/dev2", false)); /* only the exact names */
        assert_non_null(mount_proc_dest_refusal("/proc/uptime/x", false));
}

static void test_lxcfs_files(void **state)
{
        (void)state;
        static const char *const ok[] = {"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",
                                         "/proc/stat",    "/proc/swaps",     "/proc/uptime",
                                         "/proc/loadavg", "/proc/slabinfo",  "/proc/net/dev",
                                         "/proc/sys/kernel/ns_last_pid"};
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                assert_null(mount_proc_dest_refusal(ok[i], false));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_outside_proc),
                cmocka_unit_test(test_proc_itself),
                cmocka_unit_test(test_inside_proc),
                cmocka_unit_test(test_lxcfs_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
