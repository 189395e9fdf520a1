/* SPDX-License-Identifier: Apache-2.0 */
/* The state root and container directories are used only when they are the
 * invoking user's alone: refused when writable by group or others, owned by
 * another user (needs root to arrange: skipped otherwise), or a symlink. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state/state.h"
#include "util/fs-util.h"

static char base[] = "/tmp/test-state-root.XXXXXX";

static char *sub(const char *name)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", base, name) > 0);
        return p;
}

static void expect_root_refused(const char *root, int errnum, const char *msg_part)
{
        struct modrun_error *err = NULL;
        assert_int_equal(state_root_open(root, false, &err), -errnum);
        assert_non_null(err);
        if (!strstr(err->msg, msg_part))
                fail_msg("\"%s\" not in \"%s\"", msg_part, err->msg);
        assert_non_null(err->hint);
        error_free(err);
}

static void test_private_root_accepted(void **unused)
{
        _cleanup_free_ char *root = sub("ok/deeper");
        int fd = state_root_open(root, true, NULL);
        assert_true(fd >= 0);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(st.st_uid, geteuid());
        assert_int_equal(st.st_mode & 022, 0);
        close(fd);
}

static void test_writable_root_refused(void **unused)
{
        _cleanup_free_ char *root = sub("ww");
        assert_int_equal(mkdir(root, 0700), 0);
        assert_int_equal(chmod(root, 0777), 0);
        expect_root_refused(root, EPERM, "mode 0777");
        assert_int_equal(chmod(root, 0720), 0);
        expect_root_refused(root, EPERM, "lets group or others write it");
        /* create does not make it acceptable either */
        assert_true(state_root_open(root, true, NULL) < 0);
}

static void test_symlink_root_refused(void **unused)
{
        _cleanup_free_ char *target = sub("target"), *link = sub("link");
        assert_int_equal(mkdir(target, 0700), 0);
        assert_int_equal(symlink(target, link), 0);
        expect_root_refused(link, ELOOP, "it is a symlink");
}

static void test_foreign_owner_refused(void **unused)
{
        if (geteuid() != 0)
                skip();
        _cleanup_free_ char *root = sub("foreign");
        assert_int_equal(mkdir(root, 0700), 0);
        assert_int_equal(chown(root, 12345, 12345), 0);
        expect_root_refused(root, EPERM, "it belongs to uid 12345, not to you (uid 0)");
}

static void test_container_dirs(void **unused)
{
        _cleanup_free_ char *root = sub("cdirs"), *ww = sub("cdirs/ww"), *real = sub("cdirs-real"),
                            *link = sub("cdirs/link");
        struct container_dir *d = NULL;
        struct modrun_error *err = NULL;
        assert_int_equal(container_dir_create(root, "good", &d, NULL), 0);
        container_dir_free(d);
        d = NULL;
        assert_int_equal(container_dir_open(root, "good", 0, &d, NULL), 0);
        assert_int_equal(container_dir_remove(d, NULL), 0);
        container_dir_free(d);
        d = NULL;

        assert_int_equal(mkdir(ww, 0700), 0);
        assert_int_equal(chmod(ww, 0757), 0);
        assert_int_equal(container_dir_open(root, "ww", 0, &d, &err), -EPERM);
        assert_non_null(strstr(err->msg, "refusing container directory"));
        assert_null(d);
        err = error_free(err);

        assert_int_equal(mkdir(real, 0700), 0);
        assert_int_equal(symlink(real, link), 0);
        assert_int_equal(container_dir_open(root, "link", STATE_NO_LOCK, &d, &err), -ELOOP);
        assert_non_null(strstr(err->msg, "it is a symlink"));
        err = error_free(err);
        /* the symlink is left alone, and its target too */
        struct stat st;
        assert_int_equal(lstat(link, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
        assert_int_equal(stat(real, &st), 0);

        assert_int_equal(container_dir_open(root, "none", 0, &d, &err), -ENOENT);
        assert_non_null(strstr(err->msg, "does not exist"));
        error_free(err);
}

int main(void)
{
        if (!mkdtemp(base))
                return 1;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_private_root_accepted), cmocka_unit_test(test_writable_root_refused),
                cmocka_unit_test(test_symlink_root_refused),  cmocka_unit_test(test_foreign_owner_refused),
                cmocka_unit_test(test_container_dirs),
        };
        int r = cmocka_run_group_tests(tests, NULL, NULL);
        (void)fs_rm_rf(base);
        return r;
}
