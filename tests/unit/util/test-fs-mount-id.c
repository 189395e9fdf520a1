/* SPDX-License-Identifier: Apache-2.0 */
/* fs_mount_id(): the mount an fd is on, as mountinfo numbers it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "util/fs-util.h"
#include "util/mountinfo.h"

static void test_root_matches_mountinfo(void **state)
{
        (void)state;
        int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        struct fs_mount_id id = {0};
        int r = fs_mount_id(fd, &id);
        (void)close(fd);
        if (r == -EOPNOTSUPP)
                skip(); /* before Linux 5.8 */
        assert_int_equal(r, 0);
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        assert_int_equal(mountinfo_read_self(&e, &n, NULL), 0);
        const struct mountinfo_entry *root = mountinfo_find(e, n, "/");
        if (root) /* "/" is listed unless we run in a chroot */
                assert_int_equal((uint64_t)root->mount_id, id.id);
        mountinfo_free(e, n);
}

static void test_equal(void **state)
{
        (void)state;
        struct fs_mount_id a = {.id = 5, .unique = 0}, b = {.id = 5, .unique = 0};
        assert_true(fs_mount_id_equal(&a, &b));
        /* a reused id is told apart by the unique one */
        a.unique = 1000, b.unique = 2000;
        assert_false(fs_mount_id_equal(&a, &b));
        b.id = 6, b.unique = 1000;
        assert_true(fs_mount_id_equal(&a, &b));
        /* without unique ids on one side, the plain id decides */
        struct fs_mount_id c = {.id = 5, .unique = 0};
        assert_true(fs_mount_id_equal(&a, &c));
}

static void test_proc_is_another_mount(void **state)
{
        (void)state;
        int r1 = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), r2 = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(r1 >= 0 && r2 >= 0);
        struct fs_mount_id a, b;
        if (fs_mount_id(r1, &a) < 0 || fs_mount_id(r2, &b) < 0) {
                (void)close(r1), (void)close(r2);
                skip();
        }
        (void)close(r1), (void)close(r2);
        if (a.id == b.id) /* no procfs mounted at /proc */
                skip();
        assert_false(fs_mount_id_equal(&a, &b));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_root_matches_mountinfo),
                cmocka_unit_test(test_equal),
                cmocka_unit_test(test_proc_is_another_mount),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
