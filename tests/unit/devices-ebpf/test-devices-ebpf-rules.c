/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/devices-ebpf/rules.c: linux.resources.devices -> normalised rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "devices-ebpf.h"

/* Parse text (a JSON array) and normalise unless raw. */
static struct devbpf_rules parse_ok(const char *text, bool raw)
{
        struct json_object *j = json_tokener_parse(text);
        assert_non_null(j);
        struct devbpf_rules r;
        size_t index = 99;
        const char *why = NULL;
        assert_int_equal(devbpf_rules_parse(j, &r, &index, &why), 0);
        json_object_put(j);
        if (!raw)
                devbpf_rules_normalize(&r);
        return r;
}

static void parse_refused(const char *text, size_t want_index, const char *want_why)
{
        struct json_object *j = json_tokener_parse(text);
        assert_non_null(j);
        struct devbpf_rules r;
        size_t index = 99;
        const char *why = NULL;
        assert_int_equal(devbpf_rules_parse(j, &r, &index, &why), -EINVAL);
        assert_int_equal(index, want_index);
        assert_non_null(why);
        if (!strstr(why, want_why))
                fail_msg("\"%s\" not in \"%s\"", want_why, why);
        json_object_put(j);
}

static void rule_is(const struct devbpf_rule *r, const char *want)
{
        char text[64];
        devbpf_rule_format(r, text, sizeof(text));
        assert_string_equal(text, want);
}

static void test_parse_fields(void **unused)
{
        struct devbpf_rules r = parse_ok(
                "[{\"allow\": false, \"access\": \"rwm\"},"
                " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3, \"access\": \"wr\"},"
                " {\"allow\": true, \"type\": \"b\", \"major\": 7, \"minor\": null, \"access\": \"m\"},"
                " {\"allow\": false, \"type\": \"c\", \"major\": -1, \"minor\": 5},"
                " {\"allow\": true, \"type\": null, \"major\": 4294967295, \"minor\": 0, \"access\": null}]",
                true);
        assert_int_equal(r.n, 5);
        assert_int_equal(r.n_given, 5);
        assert_false(r.default_allow);
        rule_is(&r.v[0], "deny a *:* rwm"); /* type absent: a; access absent: rwm */
        rule_is(&r.v[1], "allow c 1:3 rw");
        rule_is(&r.v[2], "allow b 7:* m");
        rule_is(&r.v[3], "deny c *:5 rwm"); /* -1 is any */
        rule_is(&r.v[4], "allow a 4294967295:0 rwm");
        for (size_t i = 0; i < r.n; i++)
                assert_int_equal(r.v[i].index, i);
        devbpf_rules_done(&r);
}

static void test_parse_empty(void **unused)
{
        struct devbpf_rules r;
        size_t index = 0;
        const char *why = NULL;
        /* NULL (no rules at all): deny everything */
        assert_int_equal(devbpf_rules_parse(NULL, &r, &index, &why), 0);
        assert_int_equal(r.n, 0);
        assert_false(r.default_allow);
        r = parse_ok("[]", false);
        assert_int_equal(r.n, 0);
        assert_false(r.default_allow);
        devbpf_rules_done(&r);
}

static void test_parse_refused(void **unused)
{
        parse_refused("{\"allow\": true}", 0, "not an array");
        parse_refused("[{\"allow\": true}, 3]", 1, "a rule is an object");
        parse_refused("[{\"access\": \"rwm\"}]", 0, "\"allow\" (true or false) is required");
        parse_refused("[{\"allow\": \"yes\"}]", 0, "\"allow\" (true or false) is required");
        parse_refused("[{\"allow\": true}, {\"allow\": true, \"type\": \"x\"}]", 1, "type must be");
        parse_refused("[{\"allow\": true, \"type\": \"cb\"}]", 0, "type must be");
        parse_refused("[{\"allow\": true, \"type\": \"\"}]", 0, "type must be");
        parse_refused("[{\"allow\": true, \"type\": 99}]", 0, "type must be");
        parse_refused("[{\"allow\": true, \"access\": \"rwx\"}]", 0, "access must be");
        parse_refused("[{\"allow\": true, \"access\": 7}]", 0, "access must be");
        parse_refused("[{\"allow\": true}, {\"allow\": true}, {\"allow\": true, \"major\": -2}]", 2,
                      "major is out of range");
        parse_refused("[{\"allow\": true, \"major\": \"1\"}]", 0, "major must be an integer");
        parse_refused("[{\"allow\": true, \"minor\": 1.5}]", 0, "minor must be an integer");
        parse_refused("[{\"allow\": true, \"minor\": 4294967296}]", 0, "minor is out of range");
}

static void test_normalize_total_rule(void **unused)
{
        /* the usual config: deny all first, which is the default anyway */
        struct devbpf_rules r = parse_ok("[{\"allow\": false, \"access\": \"rwm\"},"
                                         " {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3}]",
                                         false);
        assert_false(r.default_allow);
        assert_int_equal(r.n, 1);
        rule_is(&r.v[0], "allow c 1:3 rwm");
        assert_int_equal(r.v[0].index, 1); /* the index in the config is kept for messages */
        devbpf_rules_done(&r);

        /* a later total rule decides everything before it */
        r = parse_ok("[{\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3},"
                     " {\"allow\": true, \"type\": \"a\", \"access\": \"mwr\"},"
                     " {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 11, \"access\": \"w\"}]",
                     false);
        assert_true(r.default_allow);
        assert_int_equal(r.n, 1);
        rule_is(&r.v[0], "deny c 1:11 w");
        assert_int_equal(r.v[0].index, 2);
        devbpf_rules_done(&r);

        /* allow everything, then deny everything: nothing is left */
        r = parse_ok("[{\"allow\": true}, {\"allow\": true, \"type\": \"c\", \"major\": 1}, {\"allow\": false}]",
                     false);
        assert_false(r.default_allow);
        assert_int_equal(r.n, 0);
        devbpf_rules_done(&r);

        /* a partial "a" rule is not total: kept */
        r = parse_ok("[{\"allow\": true, \"access\": \"rw\"}, {\"allow\": true, \"type\": \"a\", \"major\": 1}]",
                     false);
        assert_false(r.default_allow);
        assert_int_equal(r.n, 2);
        devbpf_rules_done(&r);
}

static void test_normalize_noops(void **unused)
{
        /* deny rules before any allow rule, with default deny, change nothing;
         * a deny rule after an allow rule does */
        struct devbpf_rules r = parse_ok("[{\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 3},"
                                         " {\"allow\": true, \"type\": \"b\", \"access\": \"\"},"
                                         " {\"allow\": true, \"type\": \"c\", \"access\": \"r\"},"
                                         " {\"allow\": false, \"type\": \"c\", \"major\": 1, \"minor\": 11}]",
                                         false);
        assert_int_equal(r.n, 2);
        assert_int_equal(r.n_given, 4);
        rule_is(&r.v[0], "allow c *:* r");
        rule_is(&r.v[1], "deny c 1:11 rwm");
        assert_int_equal(r.v[0].index, 2);
        assert_int_equal(r.v[1].index, 3);
        devbpf_rules_done(&r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_fields),         cmocka_unit_test(test_parse_empty),
                cmocka_unit_test(test_parse_refused),        cmocka_unit_test(test_normalize_total_rule),
                cmocka_unit_test(test_normalize_noops),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
