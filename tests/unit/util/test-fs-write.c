/* SPDX-License-Identifier: Apache-2.0 */
/* fs_write_atomic and fs_rewrite_atomic on a real directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs-util.h"

struct dir {
        char path[64];
        int fd;
};

static int setup(void **state)
{
        struct dir *d = calloc(1, sizeof(*d));
        assert_non_null(d);
        strcpy(d->path, "/tmp/modrun-test-fs-write.XXXXXX");
        assert_non_null(mkdtemp(d->path));
        d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(d->fd >= 0);
        *state = d;
        return 0;
}

static int teardown(void **state)
{
        struct dir *d = *state;
        DIR *dh = fdopendir(dup(d->fd));
        if (dh)
                rewinddir(dh);
        for (struct dirent *e; dh && (e = readdir(dh));)
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                        (void)unlinkat(d->fd, e->d_name, e->d_type == DT_DIR ? AT_REMOVEDIR : 0);
        if (dh)
                closedir(dh);
        close(d->fd);
        rmdir(d->path);
        free(d);
        return 0;
}

static void expect_content(int dfd, const char *name, const char *want)
{
        char buf[64] = { 0 };
        int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_true(read(fd, buf, sizeof(buf) - 1) >= 0);
        close(fd);
        assert_string_equal(buf, want);
}

/* Names in the directory: nothing but name may be left (no .NAME.tmp.*). */
static size_t count_entries(int dfd)
{
        size_t n = 0;
        DIR *dh = fdopendir(dup(dfd));
        assert_non_null(dh);
        rewinddir(dh); /* the dup shares the offset of an earlier listing */
        for (struct dirent *e; (e = readdir(dh));)
                n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
        closedir(dh);
        return n;
}

static void rewrite_replaces(void **state)
{
        struct dir *d = *state;
        struct modrun_error *err = NULL;
        /* no file yet: the plain rename */
        assert_int_equal(fs_rewrite_atomic(d->fd, "state.json", "one", 3, &err), 0);
        expect_content(d->fd, "state.json", "one");
        struct stat before, after;
        assert_int_equal(fstatat(d->fd, "state.json", &before, 0), 0);
        /* exchanged with the old file, which is gone */
        assert_int_equal(fs_rewrite_atomic(d->fd, "state.json", "two", 3, &err), 0);
        expect_content(d->fd, "state.json", "two");
        assert_int_equal(fstatat(d->fd, "state.json", &after, 0), 0);
        assert_true(before.st_ino != after.st_ino);
        assert_int_equal(after.st_mode & 07777, 0600);
        assert_int_equal(count_entries(d->fd), 1);
        assert_null(err);
}

/* A directory at the name fails as rename() does, and stays. */
static void rewrite_directory_refused(void **state)
{
        struct dir *d = *state;
        assert_int_equal(mkdirat(d->fd, "state.json", 0700), 0);
        for (int exchange = 0; exchange < 2; exchange++) {
                struct modrun_error *err = NULL;
                int r = exchange ? fs_rewrite_atomic(d->fd, "state.json", "x", 1, &err)
                                 : fs_write_atomic(d->fd, "state.json", "x", 1, &err);
                assert_true(r < 0);
                assert_non_null(err);
                error_free(err);
                struct stat st;
                assert_int_equal(fstatat(d->fd, "state.json", &st, AT_SYMLINK_NOFOLLOW), 0);
                assert_true(S_ISDIR(st.st_mode));
                assert_int_equal(count_entries(d->fd), 1);
        }
}

/* A symlink at the name is replaced, not written through. */
static void rewrite_symlink_replaced(void **state)
{
        struct dir *d = *state;
        struct modrun_error *err = NULL;
        assert_int_equal(symlinkat("target", d->fd, "state.json"), 0);
        assert_int_equal(fs_rewrite_atomic(d->fd, "state.json", "new", 3, &err), 0);
        struct stat st;
        assert_int_equal(fstatat(d->fd, "state.json", &st, AT_SYMLINK_NOFOLLOW), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(faccessat(d->fd, "target", F_OK, 0), -1);
        assert_int_equal(count_entries(d->fd), 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(rewrite_replaces, setup, teardown),
                cmocka_unit_test_setup_teardown(rewrite_directory_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(rewrite_symlink_replaced, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
