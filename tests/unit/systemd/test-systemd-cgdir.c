/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/systemd/cgdir.c: a process's cgroup2 directory from the text of
 * /proc/PID/cgroup, and the record of the scope's directory that create
 * leaves in the state directory for later commands. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "systemd.h"

static void scope_in(void **unused)
{
        (void)unused;
        static const struct {
                const char *text, *unit, *want; /* want NULL: 0 */
        } cases[] = {
                {"0::/system.slice/modrun-a.scope\n", "modrun-a.scope", "/sys/fs/cgroup/system.slice/modrun-a.scope"},
                /* hybrid: v1 lines first, the unified one last */
                {"9:name=systemd:/x\n8:pids:/system.slice/modrun-a.scope\n0::/system.slice/modrun-a.scope\n",
                 "modrun-a.scope", "/sys/fs/cgroup/system.slice/modrun-a.scope"},
                {"0::/system.slice/modrun-a.scope/container\n", "modrun-a.scope", NULL}, /* moved below it */
                {"0::/system.slice/modrun-ab.scope\n", "modrun-a.scope", NULL},
                {"8:pids:/system.slice/modrun-a.scope\n", "modrun-a.scope", NULL}, /* v1 only */
                {"0::/\n", "modrun-a.scope", NULL},
                /* outside modrun's own cgroup namespace */
                {"0::/../../system.slice/modrun-a.scope\n", "modrun-a.scope", NULL},
                {"", "modrun-a.scope", NULL},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *text = strdup(cases[i].text), *got = NULL;
                assert_non_null(text);
                assert_int_equal(sdc_scope_in(text, "/sys/fs/cgroup", cases[i].unit, &got), cases[i].want ? 1 : 0);
                if (cases[i].want)
                        assert_string_equal(got, cases[i].want);
                else
                        assert_null(got);
                free(got);
                free(text);
        }
}

static void pid_scope_no_process(void **unused)
{
        (void)unused;
        char *got = NULL;
        assert_int_equal(sdc_pid_scope("/sys/fs/cgroup", 0x3ffffffe, "x.scope", &got), -ENOENT);
        assert_null(got);
}

static void record(void **unused)
{
        (void)unused;
        char root[] = "/tmp/modrun-sdc-XXXXXX";
        assert_non_null(mkdtemp(root));
        char state[4200], scope[4200], file[4300], other[4200];
        (void)snprintf(state, sizeof(state), "%s/state", root);
        (void)snprintf(scope, sizeof(scope), "%s/system.slice", root);
        (void)snprintf(file, sizeof(file), "%s/%s", state, SDC_RECORD);
        assert_int_equal(mkdir(state, 0700), 0);
        char *got = NULL;
        assert_int_equal(sdc_record_load(state, root, &got), -ENOENT); /* nothing recorded */

        assert_int_equal(mkdir(scope, 0700), 0);
        assert_int_equal(sdc_record_save(state, scope), 0);
        assert_int_equal(sdc_record_load(state, root, &got), 1);
        assert_string_equal(got, scope);
        free(got);
        got = NULL;

        assert_int_equal(rmdir(scope), 0); /* the unit is gone */
        assert_int_equal(sdc_record_load(state, root, &got), 0);
        assert_null(got);

        /* not below root: not ours, ask systemd */
        static const char *const bad[] = {"relative/dir", "/tmp", "/sys/fs/cgroupX/a.scope"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_int_equal(sdc_record_save(state, bad[i]), 0);
                assert_int_equal(sdc_record_load(state, root, &got), -ENOENT);
                assert_null(got);
        }
        (void)snprintf(other, sizeof(other), "%s/../%s", root, root + 5);
        assert_int_equal(sdc_record_save(state, other), 0);
        assert_int_equal(sdc_record_load(state, root, &got), -ENOENT);

        /* the record is never read or written through a symlink */
        assert_int_equal(unlink(file), 0);
        assert_int_equal(symlink("/etc/hostname", file), 0);
        assert_int_equal(sdc_record_save(state, scope), -ELOOP);
        assert_int_equal(sdc_record_load(state, root, &got), -ELOOP);
        assert_null(got);

        assert_int_equal(unlink(file), 0);
        assert_int_equal(rmdir(state), 0);
        assert_int_equal(rmdir(root), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(scope_in),
                cmocka_unit_test(pid_scope_no_process),
                cmocka_unit_test(record),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
