/* SPDX-License-Identifier: Apache-2.0 */
/* The AppArmor/SELinux decisions of core/init/process/lsm.c, against a fake
 * /sys tree (this CI host has neither LSM enabled). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "init/process/process.h"
#include "util/fs-util.h"

static char root[64];

static void put(const char *rel, const char *content)
{
        char path[256];
        (void)snprintf(path, sizeof(path), "%s/%s", root, rel);
        char dir[256];
        (void)snprintf(dir, sizeof(dir), "%s", path);
        *strrchr(dir, '/') = '\0';
        assert_int_equal(fs_mkdir_p(dir, 0755, NULL), 0);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
}

static int setup(void **unused)
{
        (void)snprintf(root, sizeof(root), "/tmp/modrun-lsm.XXXXXX");
        assert_non_null(mkdtemp(root));
        return 0;
}

static int teardown(void **unused)
{
        fs_rm_rf(root);
        return 0;
}

static void test_nothing_asked(void **unused)
{
        struct oci_process p = {0};
        struct lsm_plan plan;
        assert_int_equal(lsm_plan(&p, root, &plan, NULL), 0);
        assert_string_equal(plan.apparmor, "");
        assert_string_equal(plan.selinux, "");
}

static void test_apparmor_missing_is_an_error(void **unused)
{
        struct oci_process p = {.apparmor_profile = "docker-default"};
        struct lsm_plan plan;
        struct modrun_error *err = NULL;
        assert_int_equal(lsm_plan(&p, root, &plan, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "AppArmor is not enabled"));
        assert_non_null(strstr(err->msg, "docker-default"));
        error_free(err);
}

static void test_apparmor_enabled(void **unused)
{
        put("sys/module/apparmor/parameters/enabled", "Y\n");
        struct oci_process p = {.apparmor_profile = "docker-default"};
        struct lsm_plan plan;
        assert_int_equal(lsm_plan(&p, root, &plan, NULL), 0);
        assert_string_equal(plan.apparmor, "exec docker-default");
        put("sys/module/apparmor/parameters/enabled", "N\n");
        assert_int_equal(lsm_plan(&p, root, &plan, NULL), -EINVAL);
}

static void test_selinux(void **unused)
{
        struct oci_process p = {.selinux_label = "system_u:system_r:container_t:s0"};
        struct lsm_plan plan;
        assert_int_equal(lsm_plan(&p, root, &plan, NULL), 0);
        assert_string_equal(plan.selinux, ""); /* off: ignored, as runc */
        put("sys/fs/selinux/enforce", "1\n");
        assert_int_equal(lsm_plan(&p, root, &plan, NULL), 0);
        assert_string_equal(plan.selinux, "system_u:system_r:container_t:s0");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nothing_asked),
                cmocka_unit_test(test_apparmor_missing_is_an_error),
                cmocka_unit_test(test_apparmor_enabled),
                cmocka_unit_test(test_selinux),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
