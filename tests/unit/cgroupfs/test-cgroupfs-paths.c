/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/cgroupfs/paths.c: cgroupsPath -> directories, as runc. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "cgroupfs.h"

static void clean_is(const char *in, const char *want)
{
        char *got = cg_clean_path(in);
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
}

/* runc's utils.CleanPath, from its own tests. */
static void test_clean(void **unused)
{
        clean_is("", "");
        clean_is("/", "/");
        clean_is("/a/b/../c", "/a/c");
        clean_is("/../../x", "/x");
        clean_is("../../a", "a");
        clean_is("a/./b//c/", "a/b/c");
        clean_is("a/../..", ".");
        clean_is("..", ".");
        clean_is("/modrun//c1/", "/modrun/c1");
}

static void inner_is(const char *cgpath, const char *id, const char *want)
{
        char *got = NULL;
        const char *why = NULL;
        assert_int_equal(cg_inner_path(cgpath, id, &got, &why), 0);
        assert_string_equal(got, want);
        free(got);
}

static void inner_refused(const char *cgpath, const char *id)
{
        char *got = NULL;
        const char *why = NULL;
        assert_int_equal(cg_inner_path(cgpath, id, &got, &why), -EINVAL);
        assert_null(got);
        assert_non_null(why);
}

static void test_inner(void **unused)
{
        inner_is(NULL, "c1", "c1"); /* runc: Name = id, relative */
        inner_is("", "c1", "c1");
        inner_is("/modrun/c1", "c1", "/modrun/c1");
        inner_is("kube/pod1/../c1", "x", "kube/c1");
        inner_is("../../escape", "x", "escape");
        inner_refused("/", "c1");     /* the root of every hierarchy */
        inner_refused("/a/..", "c1"); /* the same */
        inner_refused(".", "c1");     /* the runtime's own cgroup */
        inner_refused("a/../..", "c1");
        inner_refused(NULL, "");
}

static const struct cg_mount memory = { .mountpoint = (char *)"/sys/fs/cgroup/memory", .root = (char *)"/",
                                        .controllers = (char *)"memory" };
static const struct cg_mount unified_hybrid = { .mountpoint = (char *)"/sys/fs/cgroup/unified", .root = (char *)"/",
                                                .controllers = (char *)"", .unified = true };
static const struct cg_mount unified = { .mountpoint = (char *)"/sys/fs/cgroup", .root = (char *)"/",
                                         .controllers = (char *)"", .unified = true };

static void dir_is(const struct cg_mount *m, enum cg_mode mode, const char *inner, const char *own, const char *want)
{
        char *got = NULL;
        const char *why = NULL;
        assert_int_equal(cg_dir_for(m, mode, inner, own, &got, &why), 0);
        assert_string_equal(got, want);
        free(got);
}

static void test_dir_for(void **unused)
{
        /* absolute: below the mount point, whatever the own cgroup */
        dir_is(&memory, CG_MODE_HYBRID, "/modrun/c1", "/user.slice/s.scope", "/sys/fs/cgroup/memory/modrun/c1");
        dir_is(&unified, CG_MODE_V2, "/modrun/c1", "/user.slice/s.scope", "/sys/fs/cgroup/modrun/c1");
        /* relative on v1 and on hybrid's cgroup2: below the own cgroup */
        dir_is(&memory, CG_MODE_V1, "c1", "/user.slice/s.scope", "/sys/fs/cgroup/memory/user.slice/s.scope/c1");
        dir_is(&memory, CG_MODE_HYBRID, "c1", "/", "/sys/fs/cgroup/memory/c1");
        dir_is(&unified_hybrid, CG_MODE_HYBRID, "c1", "/", "/sys/fs/cgroup/unified/c1");
        dir_is(&unified_hybrid, CG_MODE_HYBRID, "c1", "/x", "/sys/fs/cgroup/unified/x/c1");
        /* relative on pure v2: below the own cgroup's parent (runc fs2) */
        dir_is(&unified, CG_MODE_V2, "c1", "/user.slice/s.scope", "/sys/fs/cgroup/user.slice/c1");
        dir_is(&unified, CG_MODE_V2, "c1", "/", "/sys/fs/cgroup/c1");
        dir_is(&unified, CG_MODE_V2, "k/c1", "/a", "/sys/fs/cgroup/k/c1");
}

static void test_dir_for_mount_root(void **unused)
{
        /* a mount of a sub-tree (as in a container): own is made relative */
        const struct cg_mount sub = { .mountpoint = (char *)"/sys/fs/cgroup/memory", .root = (char *)"/docker/abc",
                                      .controllers = (char *)"memory" };
        dir_is(&sub, CG_MODE_V1, "c1", "/docker/abc", "/sys/fs/cgroup/memory/c1");
        dir_is(&sub, CG_MODE_V1, "c1", "/docker/abc/x", "/sys/fs/cgroup/memory/x/c1");
        char *got = NULL;
        const char *why = NULL;
        assert_int_equal(cg_dir_for(&sub, CG_MODE_V1, "c1", "/docker/abcd", &got, &why), -EXDEV);
        assert_int_equal(cg_dir_for(&sub, CG_MODE_V1, "c1", NULL, &got, &why), -ENOENT);
        assert_null(got);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_clean),
                cmocka_unit_test(test_inner),
                cmocka_unit_test(test_dir_for),
                cmocka_unit_test(test_dir_for_mount_root),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
