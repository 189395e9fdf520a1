/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/systemd/unit-name.c and props.c: cgroupsPath and resources ->
 * unit properties. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "systemd.h"

static void test_unit_name(void **unused)
{
        struct sd_unit_name n = {0};
        const char *why = NULL;
        assert_int_equal(sd_unit_name_parse("", "c1", "system.slice", &n, &why), 0);
        assert_string_equal(n.slice, "system.slice");
        assert_string_equal(n.unit, "modrun-c1.scope");
        sd_unit_name_done(&n);
        assert_int_equal(sd_unit_name_parse("machine.slice:crio:abc", "c1", "system.slice", &n, &why), 0);
        assert_string_equal(n.slice, "machine.slice");
        assert_string_equal(n.unit, "crio-abc.scope");
        sd_unit_name_done(&n);
        assert_int_equal(sd_unit_name_parse(":p:x", "c1", "user.slice", &n, &why), 0);
        assert_string_equal(n.slice, "user.slice");
        assert_string_equal(n.unit, "p-x.scope");
        sd_unit_name_done(&n);
        assert_int_equal(sd_unit_name_parse("s.slice::x", "c1", "system.slice", &n, &why), 0);
        assert_string_equal(n.unit, "x.scope");
        sd_unit_name_done(&n);
        /* refused, with a reason */
        const char *bad[] = {"/modrun/c1", "a:b", "a:b:c:d", "system:p:n", "system.slice:p:", "x.slice:p:n/m",
                             "system.slice:p:n.slice", "sys/x.slice:p:n"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why = NULL;
                assert_int_equal(sd_unit_name_parse(bad[i], "c1", "system.slice", &n, &why), -EINVAL);
                assert_non_null(why);
        }
}

static void test_slice_expand(void **unused)
{
        char *p = NULL;
        assert_int_equal(sd_slice_expand("system.slice", &p), 0);
        assert_string_equal(p, "/system.slice");
        free(p);
        assert_int_equal(sd_slice_expand("a-b-c.slice", &p), 0);
        assert_string_equal(p, "/a.slice/a-b.slice/a-b-c.slice");
        free(p);
        assert_int_equal(sd_slice_expand("-.slice", &p), 0);
        assert_string_equal(p, "");
        free(p);
        assert_int_equal(sd_slice_expand("a--b.slice", &p), -EINVAL);
        assert_int_equal(sd_slice_expand("a.scope", &p), -EINVAL);
}

static void test_conversions(void **unused)
{
        assert_int_equal(sd_shares_to_weight(0), 0);
        assert_int_equal(sd_shares_to_weight(2), 1);
        assert_int_equal(sd_shares_to_weight(1024), 39);
        assert_int_equal(sd_shares_to_weight(262144), 10000);
        assert_int_equal(sd_blkio_weight_to_io(500), 4950);
        assert_true(sd_cpu_quota_per_sec(-1, 100000) == SD_INFINITY);
        assert_int_equal(sd_cpu_quota_per_sec(50000, 100000), 500000);
        assert_int_equal(sd_cpu_quota_per_sec(50000, 0), 500000);
        assert_int_equal(sd_cpu_quota_per_sec(12345, 100000), 130000); /* rounded up to 10 ms, as runc */
}

static void test_cpuset_mask(void **unused)
{
        uint8_t *m = NULL;
        size_t n = 0;
        assert_int_equal(sd_cpuset_to_mask("0-3,5", &m, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(m[0], 0x2f);
        free(m);
        assert_int_equal(sd_cpuset_to_mask("9", &m, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(m[0], 0);
        assert_int_equal(m[1], 0x02);
        free(m);
        assert_int_equal(sd_cpuset_to_mask("3-1", &m, &n), -EINVAL);
        assert_int_equal(sd_cpuset_to_mask("a", &m, &n), -EINVAL);
        assert_int_equal(sd_cpuset_to_mask("", &m, &n), -EINVAL);
}

static const struct sd_prop *prop(const struct sd_props *p, const char *name, char type)
{
        const struct sd_prop *x = sd_props_find(p, name);
        assert_non_null(x);
        assert_int_equal(x->type, type);
        return x;
}

static const char *file(const struct sd_file *f, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(f[i].file, name) == 0)
                        return f[i].value;
        return NULL;
}

static void test_resources(void **unused)
{
        struct json_object *res = json_tokener_parse(
                "{\"memory\":{\"limit\":104857600,\"reservation\":52428800,\"swap\":209715200},"
                "\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"cpus\":\"0-1\",\"mems\":\"0\"},"
                "\"pids\":{\"limit\":32},\"blockIO\":{\"weight\":500},\"unified\":{\"memory.high\":\"90000000\"}}");
        struct sd_props p = {0};
        char *why = NULL;
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_int_equal(prop(&p, "MemoryMax", 't')->u, 104857600);
        assert_int_equal(prop(&p, "MemoryLow", 't')->u, 52428800);
        assert_int_equal(prop(&p, "MemorySwapMax", 't')->u, 104857600);
        assert_int_equal(prop(&p, "CPUWeight", 't')->u, 39);
        assert_int_equal(prop(&p, "CPUQuotaPerSecUSec", 't')->u, 500000);
        assert_int_equal(prop(&p, "CPUQuotaPeriodUSec", 't')->u, 100000);
        assert_int_equal(prop(&p, "AllowedCPUs", 'y')->bytes[0], 0x03);
        assert_int_equal(prop(&p, "AllowedMemoryNodes", 'y')->bytes[0], 0x01);
        assert_int_equal(prop(&p, "TasksMax", 't')->u, 32);
        assert_int_equal(prop(&p, "IOWeight", 't')->u, 4950);
        assert_string_equal(file(p.files, p.n_files, "memory.high"), "90000000");
        assert_string_equal(file(p.sub, p.n_sub, "memory.max"), "104857600");
        assert_string_equal(file(p.sub, p.n_sub, "pids.max"), "32");
        assert_string_equal(file(p.sub, p.n_sub, "cpu.max"), "50000 100000");
        sd_props_done(&p);
        json_object_put(res);

        /* unlimited */
        res = json_tokener_parse("{\"memory\":{\"limit\":-1},\"pids\":{\"limit\":-1}}");
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_true(prop(&p, "MemoryMax", 't')->u == SD_INFINITY);
        assert_true(prop(&p, "MemorySwapMax", 't')->u == SD_INFINITY);
        assert_true(prop(&p, "TasksMax", 't')->u == SD_INFINITY);
        assert_string_equal(file(p.sub, p.n_sub, "pids.max"), "max");
        assert_null(file(p.files, p.n_files, "pids.max"));
        sd_props_done(&p);
        json_object_put(res);

        /* pids.limit 0 is a limit (runtime-spec 1.3.0); systemd's least
         * TasksMax is 1, so the 0 is written as a file; -5 is unlimited;
         * a pids object without a limit sets nothing */
        res = json_tokener_parse("{\"pids\":{\"limit\":0}}");
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_int_equal(prop(&p, "TasksMax", 't')->u, 1);
        assert_string_equal(file(p.files, p.n_files, "pids.max"), "0");
        assert_string_equal(file(p.sub, p.n_sub, "pids.max"), "0");
        sd_props_done(&p);
        json_object_put(res);
        res = json_tokener_parse("{\"pids\":{\"limit\":-5}}");
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_true(prop(&p, "TasksMax", 't')->u == SD_INFINITY);
        sd_props_done(&p);
        json_object_put(res);
        res = json_tokener_parse("{\"pids\":{}}");
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_int_equal(p.n, 0);
        assert_int_equal(p.n_files, 0);
        sd_props_done(&p);
        json_object_put(res);

        /* cpu.idle: systemd's CPUWeight=idle (0), no weight for an idle
         * group; idle 0 alone: systemd's default weight 100 (not idle); the
         * sub-cgroup gets cpu.idle before its weight; cpu.max.burst has no
         * property: a file */
        res = json_tokener_parse("{\"cpu\":{\"idle\":1,\"shares\":1024,\"quota\":50000,\"burst\":20000}}");
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_int_equal(prop(&p, "CPUWeight", 't')->u, 0);
        assert_string_equal(file(p.sub, p.n_sub, "cpu.idle"), "1");
        assert_null(file(p.sub, p.n_sub, "cpu.weight"));
        assert_string_equal(file(p.files, p.n_files, "cpu.max.burst"), "20000");
        sd_props_done(&p);
        json_object_put(res);
        res = json_tokener_parse("{\"cpu\":{\"idle\":0,\"shares\":1024}}");
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_int_equal(prop(&p, "CPUWeight", 't')->u, 39);
        assert_string_equal(p.sub[0].file, "cpu.idle");
        assert_string_equal(p.sub[0].value, "0");
        assert_string_equal(file(p.sub, p.n_sub, "cpu.weight"), "39");
        sd_props_done(&p);
        json_object_put(res);
        res = json_tokener_parse("{\"cpu\":{\"idle\":0}}");
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_int_equal(prop(&p, "CPUWeight", 't')->u, 100);
        sd_props_done(&p);
        json_object_put(res);

        /* refused: swap below memory, a unified key outside the cgroup */
        const char *bad[] = {"{\"memory\":{\"limit\":100,\"swap\":50}}", "{\"memory\":{\"swap\":50}}",
                             "{\"unified\":{\"../x\":\"1\"}}", "{\"cpu\":{\"cpus\":\"x\"}}",
                             "{\"cpu\":{\"idle\":2}}"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                res = json_tokener_parse(bad[i]);
                why = NULL;
                assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), -EINVAL);
                assert_non_null(why);
                free(why);
                sd_props_done(&p);
                json_object_put(res);
        }
}

/* A cpuset list longer than 511 bytes (every other CPU of a large host)
 * was refused with -EINVAL and no reason (the caller's message read "out
 * of memory"): the cpuset.cpus line for a sub-cgroup went through a
 * 512-byte format buffer. Seen with the fuzz target's invariant "every
 * -EINVAL says why" (tests/fuzz/fuzz-systemd.c). */
static void test_long_cpuset(void **unused)
{
        char list[1200] = "", json[1300];
        size_t len = 0;
        for (int cpu = 0; cpu < 400; cpu += 2)
                len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%d", cpu ? "," : "", cpu);
        assert_true(len > 600 && len < sizeof(list) - 1);
        (void)snprintf(json, sizeof(json), "{\"cpu\":{\"cpus\":\"%s\"}}", list);
        struct json_object *res = json_tokener_parse(json);
        struct sd_props p = {0};
        char *why = NULL;
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_null(why);
        const struct sd_prop *x = prop(&p, "AllowedCPUs", 'y');
        assert_int_equal(x->n, 50);
        assert_int_equal(x->bytes[49], 0x55);
        assert_string_equal(file(p.sub, p.n_sub, "cpuset.cpus"), list);
        sd_props_done(&p);
        json_object_put(res);
}

static void test_annotations(void **unused)
{
        struct sd_props p = {0};
        char *why = NULL;
        assert_int_equal(sd_props_from_annotation("CPUAccounting", "true", &p, &why), 0);
        assert_int_equal(prop(&p, "CPUAccounting", 'b')->u, 1);
        assert_int_equal(sd_props_from_annotation("CollectMode", "'inactive-or-failed'", &p, &why), 0);
        assert_string_equal(prop(&p, "CollectMode", 's')->s, "inactive-or-failed");
        assert_int_equal(sd_props_from_annotation("CPUWeight", "uint64 200", &p, &why), 0);
        assert_int_equal(prop(&p, "CPUWeight", 't')->u, 200);
        assert_int_equal(sd_props_from_annotation("TasksMax", "300t", &p, &why), 0);
        assert_int_equal(prop(&p, "TasksMax", 't')->u, 300);
        assert_int_equal(sd_props_from_annotation("Foo", "7u", &p, &why), 0);
        assert_int_equal(prop(&p, "Foo", 'u')->u, 7);
        assert_int_equal(sd_props_from_annotation("Bar", "@t 8", &p, &why), 0);
        assert_int_equal(prop(&p, "Bar", 't')->u, 8);
        assert_int_equal(sd_props_from_annotation("Nice", "-5", &p, &why), 0);
        assert_int_equal(prop(&p, "Nice", 'i')->i, -5);
        /* ...Sec -> ...USec, as runc */
        assert_int_equal(sd_props_from_annotation("TimeoutStopSec", "3", &p, &why), 0);
        assert_int_equal(prop(&p, "TimeoutStopUSec", 't')->u, 3000000);
        assert_int_equal(sd_props_from_annotation("RuntimeMaxSec", "1.5", &p, &why), 0);
        assert_int_equal(prop(&p, "RuntimeMaxUSec", 't')->u, 1500000);
        sd_props_done(&p);
        /* refused */
        const char *bad[][2] = {{"DevicePolicy", "'auto'"}, {"Delegate", "false"}, {"PIDs", "1"}, {"X", "bare"},
                                {"X", "-1t"},           {"X", "'open"},         {"X.Y", "1"}, {"X", "1.5"}};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                why = NULL;
                assert_int_equal(sd_props_from_annotation(bad[i][0], bad[i][1], &p, &why), -EINVAL);
                assert_non_null(why);
                free(why);
        }
        sd_props_done(&p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unit_name),   cmocka_unit_test(test_slice_expand),
                cmocka_unit_test(test_conversions), cmocka_unit_test(test_cpuset_mask),
                cmocka_unit_test(test_resources),   cmocka_unit_test(test_long_cpuset),
                cmocka_unit_test(test_annotations),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
