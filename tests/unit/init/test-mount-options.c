/* SPDX-License-Identifier: Apache-2.0 */
/* mount_options_parse(): every option `features` lists (mount_option_names)
 * is understood, never passed on as file system data; the recursive
 * attributes, atime modes and crun's extensions land where the mount code
 * reads them; anything else is data, in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <cmocka.h>

#include "init/rootfs/mount-options.h"

static void parse(char **opts, struct mount_options *o)
{
        struct modrun_error *err = NULL;
        assert_int_equal(mount_options_parse(opts, o, &err), 0);
        assert_null(err);
}

static void test_every_listed_option_is_known(void **state)
{
        (void)state;
        size_t n = 0;
        for (const char *const *name = mount_option_names(); *name; name++, n++) {
                char *opts[] = { (char *)*name, NULL };
                struct mount_options o;
                parse(opts, &o);
                if (o.data)
                        fail_msg("listed option %s is passed on as data \"%s\"", *name, o.data);
                mount_options_done(&o);
        }
        assert_true(n > 60);
}

static bool listed(const char *want)
{
        for (const char *const *name = mount_option_names(); *name; name++)
                if (strcmp(*name, want) == 0)
                        return true;
        return false;
}

static void test_crun_extensions(void **state)
{
        (void)state;
        char *opts[] = { "bind", "src-nofollow", "dest-nofollow", "tmpcopyup", NULL };
        struct mount_options o;
        parse(opts, &o);
        assert_true(o.src_nofollow);
        assert_true(o.dest_nofollow);
        assert_true(o.tmpcopyup);
        assert_true(listed("src-nofollow") && listed("dest-nofollow") && listed("tmpcopyup"));
        mount_options_done(&o);
        char *none[] = { "bind", NULL };
        parse(none, &o);
        assert_false(o.src_nofollow || o.dest_nofollow || o.tmpcopyup);
        mount_options_done(&o);
}

static void test_recursive_attributes(void **state)
{
        (void)state;
        char *opts[] = { "rbind", "rro", "rnosuid", "rdev", "rnoexec", "rnosymfollow", "rnodiratime", NULL };
        struct mount_options o;
        parse(opts, &o);
        assert_int_equal(o.rec_attr_set,
                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW |
                                 MOUNT_ATTR_NODIRATIME);
        assert_int_equal(o.rec_attr_clr, MOUNT_ATTR_NODEV);
        assert_int_equal(o.flags, MS_BIND | MS_REC); /* no per-mount flag */
        mount_options_done(&o);
        /* the last of a pair wins */
        char *pair[] = { "rro", "rrw", NULL };
        parse(pair, &o);
        assert_int_equal(o.rec_attr_set, 0);
        assert_int_equal(o.rec_attr_clr, MOUNT_ATTR_RDONLY);
        mount_options_done(&o);
}

static void test_atime_is_a_mode(void **state)
{
        (void)state;
        struct { char *opt; uint64_t mode; } cases[] = {
                { "rnoatime", MOUNT_ATTR_NOATIME },       { "rrelatime", MOUNT_ATTR_RELATIME },
                { "rstrictatime", MOUNT_ATTR_STRICTATIME }, { "ratime", MOUNT_ATTR_RELATIME },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *opts[] = { "rnoatime", cases[i].opt, NULL };
                struct mount_options o;
                parse(opts, &o);
                assert_int_equal(o.rec_attr_clr & MOUNT_ATTR__ATIME, MOUNT_ATTR__ATIME);
                assert_int_equal(o.rec_attr_set & MOUNT_ATTR__ATIME, cases[i].mode);
                mount_options_done(&o);
        }
}

static void test_unknown_is_data(void **state)
{
        (void)state;
        char *opts[] = { "size=1m", "nosuid", "frobnicate", "mode=755", NULL };
        struct mount_options o;
        parse(opts, &o);
        assert_string_equal(o.data, "size=1m,frobnicate,mode=755");
        assert_int_equal(o.flags, MS_NOSUID);
        mount_options_done(&o);
}

/* runc's specconv maps acl/noacl to MS_POSIXACL, a flag: never data,
 * which tmpfs refuses (EINVAL) */
static void test_acl_is_a_flag(void **state)
{
        (void)state;
        char *opts[] = { "acl", "nosuid", NULL };
        struct mount_options o;
        parse(opts, &o);
        assert_null(o.data);
        assert_int_equal(o.flags, MS_POSIXACL | MS_NOSUID);
        mount_options_done(&o);
        char *off[] = { "acl", "noacl", NULL };
        parse(off, &o);
        assert_null(o.data);
        assert_int_equal(o.flags, 0);
        mount_options_done(&o);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_listed_option_is_known),
                cmocka_unit_test(test_crun_extensions),
                cmocka_unit_test(test_recursive_attributes),
                cmocka_unit_test(test_atime_is_a_mode),
                cmocka_unit_test(test_unknown_is_data),
                cmocka_unit_test(test_acl_is_a_flag),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
