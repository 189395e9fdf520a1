/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/cgroupfs/layout.c: v1 / v2 / hybrid from a mountinfo text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "cgroupfs.h"

/* This host: v1 controllers each on its own, cgroup2 at .../unified. */
#define HYBRID                                                                                  \
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n"                               \
        "23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"                                      \
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"                   \
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"                  \
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"          \
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"            \
        "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"            \
        "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"          \
        "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"          \
        "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"              \
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"                \
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"     \
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"

static const char hybrid[] = HYBRID;

/* The same after `unshare -m; mount -t cgroup2 none /sys/fs/cgroup`: the
 * v1 mounts are still listed, but hidden under the new cgroup2. */
static const char overmounted[] = HYBRID "119 31 0:38 / /sys/fs/cgroup rw,relatime - cgroup2 none rw\n";

/* A systemd v1 host: co-mounted controllers, extra options, the same
 * hierarchy bound twice, an escaped mount point. */
static const char v1[] =
        "25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "26 25 0:23 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
        "27 26 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,release_agent=/lib/systemd/x,name=systemd\n"
        "30 26 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
        "31 26 0:28 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
        "32 26 0:29 / /sys/fs/cgroup/my\\040memory rw - cgroup cgroup rw,clone_children,memory\n"
        "33 25 0:27 / /mnt/cpu-again rw - cgroup cgroup rw,cpu,cpuacct\n"
        "34 26 0:30 / /sys/fs/cgroup/empty\\040source rw - cgroup  rw,devices\n";

/* Pure v2 with systemd. */
static const char v2[] = "25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                         "26 25 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

static const struct cg_mount *find(const struct cg_layout *l, const char *mountpoint)
{
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->m[i].mountpoint, mountpoint) == 0)
                        return &l->m[i];
        return NULL;
}

static void test_hybrid(void **unused)
{
        struct cg_layout l;
        assert_int_equal(cg_layout_parse(hybrid, &l), 0);
        assert_int_equal(l.mode, CG_MODE_HYBRID);
        assert_int_equal(l.n, 10);
        const struct cg_mount *m = find(&l, "/sys/fs/cgroup/unified");
        assert_non_null(m);
        assert_true(m->unified);
        assert_string_equal(m->controllers, "");
        m = find(&l, "/sys/fs/cgroup/systemd");
        assert_non_null(m);
        assert_false(m->unified);
        assert_string_equal(m->controllers, "name=systemd");
        assert_string_equal(find(&l, "/sys/fs/cgroup/devices")->controllers, "devices");
        assert_string_equal(find(&l, "/sys/fs/cgroup/devices")->root, "/");
        cg_layout_done(&l);
}

static void test_overmounted_is_v2(void **unused)
{
        struct cg_layout l;
        assert_int_equal(cg_layout_parse(overmounted, &l), 0);
        assert_int_equal(l.mode, CG_MODE_V2);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.m[0].mountpoint, "/sys/fs/cgroup");
        assert_true(l.m[0].unified);
        cg_layout_done(&l);
}

static void test_v1(void **unused)
{
        struct cg_layout l;
        assert_int_equal(cg_layout_parse(v1, &l), 0);
        assert_int_equal(l.mode, CG_MODE_V1);
        assert_int_equal(l.n, 5); /* the second cpu,cpuacct mount is the same hierarchy */
        assert_string_equal(find(&l, "/sys/fs/cgroup/systemd")->controllers, "name=systemd");
        assert_string_equal(find(&l, "/sys/fs/cgroup/cpu,cpuacct")->controllers, "cpu,cpuacct");
        assert_string_equal(find(&l, "/sys/fs/cgroup/net_cls,net_prio")->controllers, "net_cls,net_prio");
        assert_string_equal(find(&l, "/sys/fs/cgroup/my memory")->controllers, "memory");
        assert_string_equal(find(&l, "/sys/fs/cgroup/empty source")->controllers, "devices");
        assert_null(find(&l, "/mnt/cpu-again"));
        cg_layout_done(&l);
}

static void test_v2_and_none(void **unused)
{
        struct cg_layout l;
        assert_int_equal(cg_layout_parse(v2, &l), 0);
        assert_int_equal(l.mode, CG_MODE_V2);
        assert_int_equal(l.n, 1);
        cg_layout_done(&l);
        assert_int_equal(cg_layout_parse("25 1 8:1 / / rw - ext4 /dev/sda1 rw\nnonsense\n", &l), 0);
        assert_int_equal(l.mode, CG_MODE_NONE);
        assert_int_equal(l.n, 0);
        assert_int_equal(cg_layout_parse("", &l), 0);
        assert_int_equal(l.mode, CG_MODE_NONE);
}

/* A cgroup mounted below a cgroup2 that is itself mounted later (not a
 * cover: the cgroup2 is its parent). */
static void test_mounted_inside_later_mount(void **unused)
{
        static const char text[] = "25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                                   "26 25 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
                                   "27 26 0:24 / /sys/fs/cgroup/x/pids rw - cgroup cgroup rw,pids\n";
        struct cg_layout l;
        assert_int_equal(cg_layout_parse(text, &l), 0);
        assert_int_equal(l.mode, CG_MODE_HYBRID);
        assert_int_equal(l.n, 2);
        cg_layout_done(&l);
}

static void own_is(const char *proc, const struct cg_mount *m, const char *want)
{
        char *got = NULL;
        assert_int_equal(cg_own_cgroup(proc, m, &got), 0);
        assert_string_equal(got, want);
        free(got);
}

static void test_own_cgroup(void **unused)
{
        static const char proc[] = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/f14a\n"
                                   "2:cpuacct,cpu:/kube/x\n0::/user.slice/s.scope\n";
        struct cg_mount mem = { .controllers = (char *)"memory" }, cpu = { .controllers = (char *)"cpu,cpuacct" },
                        sd = { .controllers = (char *)"name=systemd" }, u = { .controllers = (char *)"", .unified = true },
                        cpuonly = { .controllers = (char *)"cpu" }, blkio = { .controllers = (char *)"blkio" };
        own_is(proc, &mem, "/process_api/f14a");
        own_is(proc, &cpu, "/kube/x"); /* the same set in another order */
        own_is(proc, &sd, "/");
        own_is(proc, &u, "/user.slice/s.scope");
        char *got = NULL;
        assert_int_equal(cg_own_cgroup(proc, &cpuonly, &got), -ENOENT); /* a subset is another hierarchy */
        assert_int_equal(cg_own_cgroup(proc, &blkio, &got), -ENOENT);
        assert_int_equal(cg_own_cgroup("4:memory:/a\n", &u, &got), -ENOENT);
        assert_null(got);
}

static void test_list_has(void **unused)
{
        assert_true(cg_list_has("cpu,cpuacct", "cpu"));
        assert_true(cg_list_has("cpu,cpuacct", "cpuacct"));
        assert_false(cg_list_has("cpuacct", "cpu"));
        assert_false(cg_list_has("", "cpu"));
        assert_true(cg_list_has("name=systemd", "name=systemd"));
}

/* What create records in the state file comes back as the same layout. */
static void test_recorded_round_trip(void **unused)
{
        struct cg_layout l, back = { .mode = CG_MODE_NONE };
        assert_int_equal(cg_layout_parse(v1, &l), 0);
        for (size_t i = 0; i < l.n; i++) {
                char *line = NULL;
                assert_int_equal(cg_mount_record(&l.m[i], &line), 0);
                assert_int_equal(cg_layout_add_recorded(&back, line), 0);
                free(line);
        }
        cg_layout_set_mode(&back);
        assert_int_equal(back.mode, l.mode);
        assert_int_equal(back.n, l.n);
        for (size_t i = 0; i < l.n; i++) {
                assert_string_equal(back.m[i].mountpoint, l.m[i].mountpoint);
                assert_string_equal(back.m[i].root, l.m[i].root);
                assert_string_equal(back.m[i].controllers, l.m[i].controllers);
                assert_int_equal(back.m[i].unified, l.m[i].unified);
                assert_int_equal(back.m[i].dev, l.m[i].dev);
        }
        const struct cg_mount *mem = find(&back, "/sys/fs/cgroup/my memory"); /* unescaped, as parsed */
        assert_non_null(mem);
        assert_int_equal(major(mem->dev), 0);
        assert_int_equal(minor(mem->dev), 29);
        cg_layout_done(&l);
        cg_layout_done(&back);
}

static void test_recorded_hybrid_and_refused(void **unused)
{
        struct cg_layout l = { .mode = CG_MODE_NONE };
        assert_int_equal(cg_layout_add_recorded(&l, "0\t0:27\tcpu,cpuacct\t/\t/sys/fs/cgroup/cpu,cpuacct"), 0);
        assert_int_equal(cg_layout_add_recorded(&l, "1\t0:38\t\t/\t/sys/fs/cgroup/unified\twith a tab"), 0);
        cg_layout_set_mode(&l);
        assert_int_equal(l.mode, CG_MODE_HYBRID);
        assert_true(l.m[1].unified);
        assert_int_equal(l.m[1].dev, makedev(0, 38));
        assert_string_equal(l.m[1].controllers, "");
        assert_string_equal(l.m[1].mountpoint, "/sys/fs/cgroup/unified\twith a tab");
        char *line = NULL;
        assert_int_equal(cg_mount_record(&l.m[1], &line), 0); /* a tab in the mount point, the last field */
        assert_string_equal(line, "1\t0:38\t\t/\t/sys/fs/cgroup/unified\twith a tab");
        free(line);
        const char *bad[] = { "", "0", "0\t0:1\tcpu\t/", "2\t0:1\tcpu\t/\t/m", "0\t0:1\tcpu\tx\t/m",
                              "0\t0:1\tcpu\t/\trelative", "01\t0:1\tcpu\t/\t/m", "0\t0:1x\tcpu\t/\t/m",
                              "0\t\tcpu\t/\t/m", "0\tcpu\t/\t/m" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
                assert_int_equal(cg_layout_add_recorded(&l, bad[i]), -EINVAL);
        assert_int_equal(l.n, 2);
        struct cg_mount tab_root = { .mountpoint = "/m", .root = "/a\tb", .controllers = "cpu" };
        struct cg_mount nl_mp = { .mountpoint = "/m\n", .root = "/", .controllers = "cpu" };
        assert_int_equal(cg_mount_record(&tab_root, &line), -EINVAL);
        assert_null(line);
        assert_int_equal(cg_mount_record(&nl_mp, &line), -EINVAL);
        cg_layout_done(&l);
        for (int i = 0; i < CG_MAX_MOUNTS; i++)
                assert_int_equal(cg_layout_add_recorded(&l, "0\t0:1\tcpu\t/\t/m"), 0);
        assert_int_equal(cg_layout_add_recorded(&l, "0\t0:1\tcpu\t/\t/m"), -E2BIG);
        cg_layout_done(&l);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hybrid),      cmocka_unit_test(test_overmounted_is_v2),
                cmocka_unit_test(test_v1),          cmocka_unit_test(test_v2_and_none),
                cmocka_unit_test(test_mounted_inside_later_mount),
                cmocka_unit_test(test_own_cgroup),  cmocka_unit_test(test_list_has),
                cmocka_unit_test(test_recorded_round_trip), cmocka_unit_test(test_recorded_hybrid_and_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
