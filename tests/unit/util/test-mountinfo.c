/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util/mountinfo.h"

/* A desktop host: optional fields (none, one, two), escaped paths. */
static const char host_sample[] =
        "29 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw,errors=remount-ro\n"
        "22 29 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
        "61 29 8:17 / /media/alice/My\\040Disk rw,nosuid,nodev shared:33 master:7 - vfat /dev/sdb1 "
        "rw,uid=1000,codepage=437\n"
        "62 29 0:45 /srv/a\\011b\\134c /mnt/tab\\011and\\134back rw - tmpfs  rw,size=64k\n"
        "70 29 0:50 / /run/private rw - tmpfs tmpfs rw\n";

/* The guest of tests/vm/initramfs.sh (Debian 6.1 kernel, busybox /init). */
static const char initramfs_sample[] =
        "1 1 0:2 / / rw - rootfs rootfs rw,size=494008k,nr_inodes=123502\n"
        "14 1 0:20 / /proc rw,relatime - proc proc rw\n"
        "15 1 0:21 / /sys rw,relatime - sysfs sysfs rw\n"
        "16 1 0:5 / /dev rw,relatime - devtmpfs devtmpfs rw,size=494016k,nr_inodes=123504,mode=755\n";

/* The root of a new mount namespace unshared from an initramfs whose root
 * was re-mounted as tmpfs: no "rootfs" type, but still no parent. */
static const char own_parent_sample[] = "300 300 0:2 / / rw - tmpfs none rw\n"
                                        "301 300 0:20 / /proc rw - proc proc rw\n";

/* This CI host: / hangs off the hidden initial rootfs (id 1), which is
 * absent from the table; that is an ordinary root, not an initramfs. */
static const char hidden_parent_sample[] =
        "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n";

static void parse_ok(const char *text, struct mountinfo_entry **e, size_t *n)
{
        struct modrun_error *err = NULL;
        assert_int_equal(mountinfo_parse(text, e, n, &err), 0);
        assert_null(err);
}

static void test_parse_fields(void **unused)
{
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        parse_ok(host_sample, &e, &n);
        assert_int_equal(n, 5);
        assert_int_equal(e[0].mount_id, 29);
        assert_int_equal(e[0].parent_id, 1);
        assert_int_equal(e[0].major, 8);
        assert_int_equal(e[0].minor, 2);
        assert_string_equal(e[0].root, "/");
        assert_string_equal(e[0].mount_point, "/");
        assert_string_equal(e[0].options, "rw,relatime");
        assert_string_equal(e[0].optional, "shared:1");
        assert_string_equal(e[0].fstype, "ext4");
        assert_string_equal(e[0].source, "/dev/sda2");
        assert_string_equal(e[0].super_options, "rw,errors=remount-ro");

        assert_string_equal(e[2].mount_point, "/media/alice/My Disk");
        assert_string_equal(e[2].optional, "shared:33 master:7");
        assert_string_equal(e[2].fstype, "vfat");

        assert_string_equal(e[3].root, "/srv/a\tb\\c");
        assert_string_equal(e[3].mount_point, "/mnt/tab\tand\\back");
        assert_string_equal(e[3].optional, "");
        assert_string_equal(e[3].source, ""); /* empty source: two spaces */
        assert_string_equal(e[3].super_options, "rw,size=64k");
        assert_int_equal(e[3].major, 0);
        assert_int_equal(e[3].minor, 45);
        mountinfo_free(e, n);
}

static void test_parse_edges(void **unused)
{
        struct mountinfo_entry *e = NULL;
        size_t n = 7;
        parse_ok("", &e, &n);
        assert_int_equal(n, 0);
        mountinfo_free(e, n);

        /* No final newline, blank lines, no super options (old kernels). */
        parse_ok("\n1 1 0:2 / / rw - rootfs rootfs rw\n\n2 1 0:3 / /x rw - tmpfs none", &e, &n);
        assert_int_equal(n, 2);
        assert_string_equal(e[1].mount_point, "/x");
        assert_string_equal(e[1].super_options, "");
        mountinfo_free(e, n);

        /* A backslash not followed by three octal digits stays as it is. */
        parse_ok("5 1 0:2 / /a\\9b\\04 rw - tmpfs none rw\n", &e, &n);
        assert_string_equal(e[0].mount_point, "/a\\9b\\04");
        mountinfo_free(e, n);
}

static void expect_malformed(const char *text, const char *msg_part)
{
        struct mountinfo_entry *e = (struct mountinfo_entry *)0x1;
        size_t n = 42;
        struct modrun_error *err = NULL;
        assert_int_equal(mountinfo_parse(text, &e, &n, &err), -EBADMSG);
        assert_ptr_equal(e, (struct mountinfo_entry *)0x1); /* untouched on failure */
        assert_int_equal(n, 42);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, msg_part));
        error_free(err);
}

static void test_parse_malformed(void **unused)
{
        expect_malformed("1 1 0:2 / / rw - rootfs rootfs rw\ngarbage\n", "mountinfo line 2 is malformed: \"garbage\"");
        expect_malformed("1 1 0:2 / / rw shared:1 master:2 rootfs rootfs rw\n", "line 1"); /* no "-" */
        expect_malformed("x 1 0:2 / / rw - rootfs rootfs rw\n", "line 1");
        expect_malformed("1 1 02 / / rw - rootfs rootfs rw\n", "line 1");
        expect_malformed("1 1 0:2 / / rw shared:1 - rootfs\n", "line 1");
        expect_malformed("1 -1 0:2 / / rw - rootfs rootfs rw\n", "line 1");
}

static void test_find(void **unused)
{
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        parse_ok(host_sample, &e, &n);
        assert_int_equal(mountinfo_find(e, n, "/proc")->mount_id, 22);
        assert_int_equal(mountinfo_find(e, n, "/media/alice/My Disk")->mount_id, 61);
        assert_null(mountinfo_find(e, n, "/media/alice/My\\040Disk"));
        assert_null(mountinfo_find(e, n, "/nope"));
        mountinfo_free(e, n);

        /* Two mounts on /: the topmost (last listed) one counts. */
        parse_ok("1 1 0:2 / / rw - rootfs rootfs rw\n40 1 0:30 / / rw - ext4 /dev/vdb rw\n", &e, &n);
        assert_int_equal(mountinfo_find(e, n, "/")->mount_id, 40);
        mountinfo_free(e, n);
}

static void test_parse_under(void **unused)
{
        static const char sample[] =
                "29 1 8:2 / / rw - ext4 /dev/sda2 rw\n"
                "30 29 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755\n"
                "31 30 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                "32 29 0:28 / /sys/fs/cgroupx rw - tmpfs tmpfs rw\n"
                "33 29 0:29 / /sys/fs/cgroup\\040x rw - tmpfs tmpfs rw\n"
                "34 29 0:30 / /sys/fs rw - tmpfs tmpfs rw\n"
                "35 30 0:31 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n";
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        struct modrun_error *err = NULL;
        assert_int_equal(mountinfo_parse_under(sample, "/sys/fs/cgroup", &e, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_int_equal(e[0].mount_id, 30);
        assert_int_equal(e[1].mount_id, 31);
        assert_string_equal(e[1].mount_point, "/sys/fs/cgroup/memory");
        assert_int_equal(mountinfo_find(e, n, "/sys/fs/cgroup")->mount_id, 35); /* the topmost still */
        mountinfo_free(e, n);
        /* a malformed line is still reported */
        assert_int_equal(mountinfo_parse_under("1 1 0:2\n", "/sys", &e, &n, &err), -EBADMSG);
        assert_non_null(err);
        error_free(err);
}

static int detect(const char *text, char **ret_why)
{
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        parse_ok(text, &e, &n);
        int r = mountinfo_root_is_initramfs(e, n, ret_why);
        mountinfo_free(e, n);
        return r;
}

static void expect_detect(const char *text, int expected, const char *why_part)
{
        char *why = NULL;
        assert_int_equal(detect(text, &why), expected);
        assert_non_null(why);
        if (!strstr(why, why_part))
                fail_msg("why \"%s\" lacks \"%s\"", why, why_part);
        free(why);
}

static void test_initramfs_detection(void **unused)
{
        expect_detect(initramfs_sample, 1, "/ is fs type rootfs (the initramfs), it has no parent mount");
        expect_detect(own_parent_sample, 1, "/ is tmpfs from none and has no parent mount (mount 300 is its own parent)");
        expect_detect(hidden_parent_sample, 0, "/ is ext4 from /dev/vda");
        expect_detect(host_sample, 0, "/ is ext4 from /dev/sda2");
        expect_detect("22 27 0:21 / /proc rw - proc proc rw\n", 0, "no mount is at /");
        /* After move-mount: the container's root on top of rootfs. */
        expect_detect("1 1 0:2 / / rw - rootfs rootfs rw\n40 1 0:30 / / rw - ext4 /dev/vdb rw\n", 0,
                      "/ is ext4 from /dev/vdb");
        assert_int_equal(detect(initramfs_sample, NULL), 1); /* ret_why is optional */
}

static void test_detect_this_host(void **unused)
{
        char *why = NULL;
        struct modrun_error *err = NULL;
        struct mountinfo_entry *e = NULL;
        size_t n = 0;
        int r = mountinfo_read_self(&e, &n, &err);
        if (r < 0 && err && err->errnum == ENOENT) {
                error_free(err);
                skip(); /* no /proc */
        }
        if (r >= 0)
                r = mountinfo_root_is_initramfs(e, n, &why);
        mountinfo_free(e, n);
        assert_true(r == 0 || r == 1);
        assert_null(err);
        assert_non_null(why);
        assert_non_null(strstr(why, "/"));
        free(why);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_fields),
                cmocka_unit_test(test_parse_edges),
                cmocka_unit_test(test_parse_malformed),
                cmocka_unit_test(test_find),
                cmocka_unit_test(test_parse_under),
                cmocka_unit_test(test_initramfs_detection),
                cmocka_unit_test(test_detect_this_host),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
