/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/idmap/maps.c: the kernel's rules for uid_map/gid_map. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

#define SET(...)                                                                                  \
        (struct idmap_set)                                                                        \
        {                                                                                         \
                .key = "uidMappings", .e = (struct idmap_entry[]){ __VA_ARGS__ },                 \
                .n = sizeof((struct idmap_entry[]){ __VA_ARGS__ }) / sizeof(struct idmap_entry)  \
        }

static void valid(struct idmap_set m)
{
        char *why = NULL;
        assert_int_equal(idmap_validate(&m, &why), 0);
        assert_null(why);
}

/* Refused with err and a message containing each of the words. */
static void refused(struct idmap_set m, int err, const char *w1, const char *w2)
{
        char *why = NULL;
        assert_int_equal(idmap_validate(&m, &why), -err);
        assert_non_null(why);
        if (!strstr(why, w1) || (w2 && !strstr(why, w2)))
                fail_msg("\"%s\" lacks \"%s\" / \"%s\"", why, w1, w2 ? w2 : "");
        free(why);
}

static void test_valid(void **unused)
{
        valid(SET({ 0, 100000, 65536 }));
        valid(SET({ 0, 1000, 1 }, { 1, 100000, 65536 }));
        /* adjacent ranges do not overlap */
        valid(SET({ 0, 100000, 10 }, { 10, 100010, 10 }));
        /* the last mappable id is 4294967294: first + size may reach 2^32 - 1 */
        valid(SET({ 4294967294u, 0, 1 }));
        valid(SET({ 0, 1, 4294967294u }));
}

static void test_empty_and_zero(void **unused)
{
        struct idmap_set none = { .key = "gidMappings" };
        refused(none, EINVAL, "linux.gidMappings is empty", NULL);
        refused(SET({ 0, 100000, 65536 }, { 70000, 200000, 0 }), EINVAL, "linux.uidMappings[1]", "size 0");
}

static void test_beyond_2_32(void **unused)
{
        refused(SET({ 4294967295u, 0, 1 }), EINVAL, "linux.uidMappings[0]", "containerID 4294967295");
        refused(SET({ 0, 4294967200u, 100 }), EINVAL, "goes beyond 2^32", "hostID 4294967200");
        refused(SET({ 1, 0, 4294967295u }), EINVAL, "containerID 1 + size 4294967295", NULL);
}

static void test_overlap(void **unused)
{
        /* container ranges 0-65535 and 1000-1009 overlap */
        refused(SET({ 0, 100000, 65536 }, { 1000, 300000, 10 }), EINVAL,
                "linux.uidMappings[1] (containerID 1000, hostID 300000, size 10) overlaps linux.uidMappings[0]",
                "container ids 1000-1009");
        /* host ranges overlap, container ranges do not */
        refused(SET({ 0, 100000, 100 }, { 500, 100050, 100 }), EINVAL, "overlaps linux.uidMappings[0]",
                "host ids 100050-100149");
        /* the same range twice, not first */
        refused(SET({ 0, 1000, 1 }, { 5, 2000, 3 }, { 6, 3000, 1 }), EINVAL, "linux.uidMappings[2]",
                "overlaps linux.uidMappings[1]");
}

static void test_too_many(void **unused)
{
        struct idmap_entry e[IDMAP_MAX_LINES + 1];
        for (uint32_t i = 0; i < IDMAP_MAX_LINES + 1; i++)
                e[i] = (struct idmap_entry){ i, 1000 + i, 1 };
        struct idmap_set m = { .key = "uidMappings", .e = e, .n = IDMAP_MAX_LINES };
        valid(m); /* 340 short lines fit in a page */
        m.n = IDMAP_MAX_LINES + 1;
        refused(m, E2BIG, "341 entries", "at most 340");
        /* 340 lines of long numbers do not fit in one write */
        for (uint32_t i = 0; i < IDMAP_MAX_LINES; i++)
                e[i] = (struct idmap_entry){ 1000000000u + i, 2000000000u + i, 1 };
        m.n = IDMAP_MAX_LINES;
        refused(m, E2BIG, "bytes as written to the kernel", NULL);
}

static void test_format(void **unused)
{
        struct idmap_set m = SET({ 0, 100000, 65536 }, { 65536, 1000, 1 });
        char *t = idmap_format(&m), *l = idmap_format_inline(&m), *r = idmap_ranges(&m);
        assert_string_equal(t, "0 100000 65536\n65536 1000 1\n");
        assert_string_equal(l, "0 100000 65536, 65536 1000 1");
        assert_string_equal(r, "host 100000-165535 -> container 0-65535; host 1000-1000 -> container 65536-65536");
        free(t);
        free(l);
        free(r);
}

static void test_lookup(void **unused)
{
        struct idmap_set m = SET({ 0, 100000, 65536 }, { 65536, 1000, 1 });
        uint32_t x = 7;
        assert_true(idmap_to_host(&m, 0, &x));
        assert_int_equal(x, 100000);
        assert_true(idmap_to_host(&m, 65535, &x));
        assert_int_equal(x, 165535);
        assert_true(idmap_to_host(&m, 65536, &x));
        assert_int_equal(x, 1000);
        assert_false(idmap_to_host(&m, 65537, NULL));
        assert_true(idmap_from_host(&m, 100001, &x));
        assert_int_equal(x, 1);
        assert_false(idmap_from_host(&m, 0, NULL));
        assert_false(idmap_from_host(&m, 165536, NULL));
        assert_false(idmap_is_single_own(&m, 1000));
        struct idmap_set own = SET({ 0, 1000, 1 });
        assert_true(idmap_is_single_own(&own, 1000));
        assert_false(idmap_is_single_own(&own, 1001));
}

/* crun's map for a new user namespace without linux.*Mappings */
static void default_is(uint32_t cid, uint32_t hid, const struct idmap_subrange *sub, const char *want)
{
        struct idmap_set m = { .key = "uidMappings" };
        assert_int_equal(idmap_default_set(&m, cid, hid, sub), 0);
        char *text = idmap_format_inline(&m);
        assert_non_null(text);
        assert_string_equal(text, want);
        char *why = NULL;
        assert_int_equal(idmap_validate(&m, &why), 0);
        free(text);
        free(m.e);
}

static void test_default(void **unused)
{
        (void)unused;
        /* privileged, no subordinate range: identity up to process.user */
        default_is(0, 0, NULL, "0 0 1");
        default_is(1000, 0, NULL, "0 0 1001");
        /* unprivileged, none: container 0 is the runtime's own id */
        default_is(0, 61999, NULL, "0 61999 1");
        default_is(1000, 61999, NULL, "0 61999 1");
        /* a subordinate range fills the ids below and above process.user */
        struct idmap_subrange sub = { .from = 100000, .count = 65536 };
        default_is(0, 0, &sub, "0 0 1, 1 100000 65536");
        default_is(1000, 1000, &sub, "0 100000 1000, 1000 1000 1, 1001 101000 64536");
        struct idmap_subrange small = { .from = 100000, .count = 10 };
        default_is(1000, 0, &small, "0 100000 10, 1000 0 1");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),         cmocka_unit_test(test_empty_and_zero),
                cmocka_unit_test(test_beyond_2_32),   cmocka_unit_test(test_overlap),
                cmocka_unit_test(test_too_many),      cmocka_unit_test(test_format),
                cmocka_unit_test(test_lookup),        cmocka_unit_test(test_default),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
