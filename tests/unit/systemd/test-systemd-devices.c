/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/systemd/devices.c: linux.resources.devices -> DeviceAllow +
 * DevicePolicy (FIELD-NOTES 2). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <string.h>

#include "systemd.h"

static const char *procdev = "Character devices:\n  1 mem\n  4 /dev/vc/0\n  4 tty\n  5 /dev/tty\n"
                             "136 pts\n226 drm\n\nBlock devices:\n  7 loop\n  8 sd\n";

/* runc's default rules, as the core appends them, after a deny-all */
#define DEFAULTS                                                                                          \
        "{\"allow\":false,\"access\":\"rwm\"},"                                                            \
        "{\"allow\":true,\"type\":\"c\",\"access\":\"m\"},{\"allow\":true,\"type\":\"b\",\"access\":\"m\"}," \
        "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"},"                       \
        "{\"allow\":true,\"type\":\"c\",\"major\":136,\"access\":\"rwm\"}"

static void translate(const char *rules, const char *linux_devices, struct sd_devices *d)
{
        struct json_object *r = json_tokener_parse(rules), *ld = linux_devices ? json_tokener_parse(linux_devices) : NULL;
        char *why = NULL;
        assert_non_null(r);
        int k = sd_devices_translate(r, procdev, ld, d, &why);
        if (k < 0)
                print_error("%s\n", why ? why : "?");
        assert_int_equal(k, 0);
        json_object_put(r);
        json_object_put(ld);
}

static char *refused(const char *rules, const char *linux_devices)
{
        struct json_object *r = json_tokener_parse(rules), *ld = linux_devices ? json_tokener_parse(linux_devices) : NULL;
        struct sd_devices d = {0};
        char *why = NULL;
        assert_int_equal(sd_devices_translate(r, procdev, ld, &d, &why), -EINVAL);
        assert_non_null(why);
        json_object_put(r);
        json_object_put(ld);
        return why;
}

static const char *access_of(const struct sd_devices *d, const char *path)
{
        for (size_t i = 0; i < d->n; i++)
                if (strcmp(d->allow[i].path, path) == 0)
                        return d->allow[i].access;
        return NULL;
}

static void test_proc_devices(void **unused)
{
        char buf[64];
        assert_string_equal(sd_proc_devices_name(procdev, 'c', 136, buf, sizeof(buf)), "pts");
        assert_string_equal(sd_proc_devices_name(procdev, 'c', 4, buf, sizeof(buf)), "tty"); /* not /dev/vc/0 */
        assert_string_equal(sd_proc_devices_name(procdev, 'b', 8, buf, sizeof(buf)), "sd");
        assert_null(sd_proc_devices_name(procdev, 'c', 195, buf, sizeof(buf)));
        assert_null(sd_proc_devices_name(procdev, 'b', 1, buf, sizeof(buf)));
        assert_null(sd_proc_devices_name(procdev, 'c', 7, buf, sizeof(buf))); /* 7 is a block major */
}

/* Found by tests/fuzz (fuzz-systemd): a line of only blanks let strtoll()
 * skip its newline and read the next line's number, so the name's length
 * (the line's length minus the number's) went below zero and memchr() ran
 * off the text. A number is now read only within its own line, and a line
 * without one (" \t", which read as major 0 named "\t") is skipped. */
static void test_proc_devices_blank_line(void **unused)
{
        static const char text[] = "Character devices:\n  1 mem\n  \n511 mydrv\n\nBlock devices:\n  8 sd\n";
        char buf[64];
        assert_string_equal(sd_proc_devices_name(text, 'c', 511, buf, sizeof(buf)), "mydrv");
        assert_string_equal(sd_proc_devices_name(text, 'c', 1, buf, sizeof(buf)), "mem");
        static const char tail[] = "Character devices:\n \t";
        assert_null(sd_proc_devices_name(tail, 'c', 0, buf, sizeof(buf)));
}

static void test_defaults(void **unused)
{
        struct sd_devices d = {0};
        translate("[" DEFAULTS "]", NULL, &d);
        assert_false(d.allow_all);
        assert_int_equal(d.n, 4);
        assert_string_equal(access_of(&d, "char-*"), "m");
        assert_string_equal(access_of(&d, "block-*"), "m");
        assert_string_equal(access_of(&d, "/dev/char/1:3"), "rwm");
        assert_string_equal(access_of(&d, "char-pts"), "rwm");
        assert_int_equal(d.n_links, 1);
        assert_int_equal(d.links[0].major, 1);
        /* DeviceAllow comes before DevicePolicy */
        struct sd_props p = {0};
        assert_int_equal(sd_devices_to_props(&d, &p), 0);
        assert_int_equal(p.n, 2);
        assert_string_equal(p.v[0].name, "DeviceAllow");
        assert_int_equal(p.v[0].n, 4);
        assert_string_equal(p.v[1].name, "DevicePolicy");
        assert_string_equal(p.v[1].s, "strict");
        sd_props_done(&p);
        sd_devices_done(&d);
}

static void test_allow_all_and_deny(void **unused)
{
        struct sd_devices d = {0};
        translate("[{\"allow\":true,\"access\":\"rwm\"}]", NULL, &d);
        assert_true(d.allow_all);
        struct sd_props p = {0};
        assert_int_equal(sd_devices_to_props(&d, &p), 0);
        assert_string_equal(p.v[1].s, "auto");
        sd_props_done(&p);
        sd_devices_done(&d);
        /* the last match wins: deny 1:3 after allowing it; merge access */
        translate("[" DEFAULTS ",{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"w\"},"
                  "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"r\"},"
                  "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"w\"}]",
                  NULL, &d);
        assert_string_equal(access_of(&d, "/dev/char/1:3"), "rm");
        assert_string_equal(access_of(&d, "/dev/char/10:200"), "rw");
        sd_devices_done(&d);
        /* nothing allowed: strict with an empty list */
        translate("[{\"allow\":false,\"access\":\"rwm\"}]", NULL, &d);
        assert_false(d.allow_all);
        assert_int_equal(d.n, 0);
        sd_devices_done(&d);
        /* denied access bits go, fully denied entries disappear */
        translate("[" DEFAULTS ",{\"allow\":false,\"type\":\"c\",\"major\":136,\"access\":\"rw\"}]", NULL, &d);
        assert_string_equal(access_of(&d, "char-pts"), "m");
        sd_devices_done(&d);
        translate("[{\"allow\":false},{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"},"
                  "{\"allow\":false,\"type\":\"c\",\"major\":1,\"access\":\"rwm\"}]", NULL, &d);
        assert_null(access_of(&d, "/dev/char/1:3"));
        assert_int_equal(d.n, 0);
        sd_devices_done(&d);
}

/* Device access is an allow-list (DevicePolicy=strict): no rule, an empty
 * list, or rules that only deny, as given or with the core's deny-all and
 * defaults around them, allow no block device (but mknod with the
 * defaults). */
static void test_allow_list(void **unused)
{
        static const char *lists[] = {
                "[]",
                "[{\"allow\":false,\"type\":\"c\"}]",
                "[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":false,\"type\":\"c\"}]",
                "[" DEFAULTS "]",
                "[" DEFAULTS ",{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}]",
                "[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":false,\"type\":\"c\",\"major\":1,"
                "\"minor\":3}," DEFAULTS "]",
        };
        char *why = NULL;
        struct sd_devices d = {0};
        assert_int_equal(sd_devices_translate(NULL, procdev, NULL, &d, &why), 0); /* no linux.resources */
        assert_false(d.allow_all);
        assert_int_equal(d.n, 0);
        sd_devices_done(&d);
        for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
                translate(lists[i], NULL, &d);
                assert_false(d.allow_all);
                for (size_t k = 0; k < d.n; k++)
                        if (strncmp(d.allow[k].path, "block-", 6) == 0 || strncmp(d.allow[k].path, "/dev/block/", 11) == 0)
                                assert_string_equal(d.allow[k].access, "m");
                assert_null(access_of(&d, "/dev/block/7:0"));
                struct sd_props p = {0};
                assert_int_equal(sd_devices_to_props(&d, &p), 0);
                assert_string_equal(p.v[0].name, "DeviceAllow");
                assert_string_equal(p.v[1].name, "DevicePolicy");
                assert_string_equal(p.v[1].s, "strict");
                sd_props_done(&p);
                sd_devices_done(&d);
        }
        /* the explicitly allowed device, read only (DEFAULTS starts with a deny-all) */
        translate("[" DEFAULTS ",{\"allow\":true,\"type\":\"b\",\"major\":7,\"minor\":0,\"access\":\"r\"}]", NULL, &d);
        assert_string_equal(access_of(&d, "/dev/block/7:0"), "r");
        assert_string_equal(access_of(&d, "block-*"), "m");
        sd_devices_done(&d);
}

static void test_driverless_major(void **unused)
{
        struct sd_devices d = {0};
        const char *nv = "[{\"path\":\"/dev/nvidiactl\",\"type\":\"c\",\"major\":195,\"minor\":255},"
                         "{\"path\":\"/dev/nvidia0\",\"type\":\"c\",\"major\":195,\"minor\":0}]";
        /* a specific minor: /dev/char/195:255, whether or not the driver is loaded */
        translate("[" DEFAULTS ",{\"allow\":true,\"type\":\"c\",\"major\":195,\"minor\":255,\"access\":\"rw\"}]", nv, &d);
        assert_string_equal(access_of(&d, "/dev/char/195:255"), "rw");
        sd_devices_done(&d);
        /* 195:* without the driver: each linux.devices node of major 195 */
        translate("[" DEFAULTS ",{\"allow\":true,\"type\":\"c\",\"major\":195,\"access\":\"rw\"}]", nv, &d);
        assert_string_equal(access_of(&d, "/dev/char/195:255"), "rw");
        assert_string_equal(access_of(&d, "/dev/char/195:0"), "rw");
        assert_null(access_of(&d, "char-195"));
        sd_devices_done(&d);
        /* ...and refused, naming the rule and the fix, when there is none */
        char *why = refused("[" DEFAULTS ",{\"allow\":true,\"type\":\"c\",\"major\":195,\"access\":\"rw\"}]", NULL);
        assert_non_null(strstr(why, "195:*"));
        assert_non_null(strstr(why, "/proc/devices"));
        free(why);
        /* a loaded driver's major: its name */
        translate("[" DEFAULTS ",{\"allow\":true,\"type\":\"c\",\"major\":226,\"access\":\"rw\"}]", NULL, &d);
        assert_string_equal(access_of(&d, "char-drm"), "rw");
        sd_devices_done(&d);
}

static void test_refused(void **unused)
{
        const char *bad[] = {
                /* a deny after allowing everything: no deny list in systemd */
                "[{\"allow\":true,\"access\":\"rwm\"},{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":3}]",
                /* part of an allowed wildcard */
                "[" DEFAULTS ",{\"allow\":false,\"type\":\"c\",\"major\":136,\"minor\":1,\"access\":\"rw\"}]",
                /* denying mknod of a major while c *:* m is allowed */
                "[" DEFAULTS ",{\"allow\":false,\"type\":\"c\",\"major\":136,\"access\":\"rwm\"}]",
                /* a minor of every major */
                "[{\"allow\":false},{\"allow\":true,\"type\":\"c\",\"minor\":3}]",
                "[{\"allow\":false},{\"allow\":true,\"type\":\"x\"}]",
                "[{\"allow\":false},{\"allow\":true,\"type\":\"c\",\"access\":\"rwz\"}]",
                "[{\"type\":\"c\"}]",
                "{}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                free(refused(bad[i], NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_proc_devices),       cmocka_unit_test(test_proc_devices_blank_line),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_allow_all_and_deny), cmocka_unit_test(test_driverless_major),
                cmocka_unit_test(test_allow_list),
                cmocka_unit_test(test_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
