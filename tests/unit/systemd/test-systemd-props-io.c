/* SPDX-License-Identifier: Apache-2.0 */
/* plugins/systemd/props-io.c: blockIO device weights and throttles,
 * hugepageLimits and rdma -> IO*Max=/IODeviceWeight= properties and files
 * of the delegated cgroup. The block device check is a parameter: here a
 * table of the devices that "have" a /dev/block link. */
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

/* 8:0 has a /dev/block link, everything else not */
static bool only_8_0(int64_t major, int64_t minor, void *userdata)
{
        int *calls = userdata;
        (*calls)++;
        return major == 8 && minor == 0;
}

static struct json_object *parse(const char *text)
{
        struct json_object *o = json_tokener_parse(text);
        assert_non_null(o);
        return o;
}

static const struct sd_prop *find(const struct sd_props *p, const char *name)
{
        const struct sd_prop *x = sd_props_find(p, name);
        if (x)
                assert_int_equal(x->type, 'V');
        return x;
}

/* The values of file, joined with "|", in the order written. */
static void files_of(const struct sd_props *p, const char *file, char *buf, size_t size)
{
        buf[0] = '\0';
        for (size_t i = 0; i < p->n_files; i++)
                if (strcmp(p->files[i].file, file) == 0) {
                        size_t l = strlen(buf);
                        (void)snprintf(buf + l, size - l, "%s%s", l ? "|" : "", p->files[i].value);
                }
}

static void test_throttles(void **unused)
{
        struct json_object *res = parse(
                "{\"blockIO\":{"
                "\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576},{\"major\":7,\"minor\":3,\"rate\":2048}],"
                "\"throttleWriteBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":0}],"
                "\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":100}],"
                "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":50},{\"major\":8,\"minor\":0,\"rate\":60}]}}");
        struct sd_props p = {0};
        char *why = NULL, buf[512];
        int calls = 0;
        assert_int_equal(sd_props_from_resources(res, only_8_0, &calls, &p, &why), 0);
        assert_null(why);
        assert_true(calls > 0);
        /* with a device path: the properties, one entry per device (last wins) */
        const struct sd_prop *x = find(&p, "IOReadBandwidthMax");
        assert_non_null(x);
        assert_int_equal(x->n, 1);
        assert_string_equal(x->dvals[0].path, "/dev/block/8:0");
        assert_int_equal(x->dvals[0].value, 1048576);
        x = find(&p, "IOWriteBandwidthMax");
        assert_non_null(x);
        assert_true(x->dvals[0].value == SD_INFINITY); /* rate 0: no limit */
        assert_int_equal(find(&p, "IOReadIOPSMax")->dvals[0].value, 100);
        x = find(&p, "IOWriteIOPSMax");
        assert_int_equal(x->n, 1);
        assert_int_equal(x->dvals[0].value, 60);
        /* every throttle also as an io.max line, 7:3 (no link) only so */
        files_of(&p, "io.max", buf, sizeof(buf));
        assert_string_equal(buf, "8:0 rbps=1048576|7:3 rbps=2048|8:0 wbps=max|8:0 riops=100|8:0 wiops=50|8:0 wiops=60");
        sd_props_done(&p);

        /* no device checker: no property, only the files */
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        assert_null(sd_props_find(&p, "IOReadBandwidthMax"));
        files_of(&p, "io.max", buf, sizeof(buf));
        assert_string_equal(buf, "8:0 rbps=1048576|7:3 rbps=2048|8:0 wbps=max|8:0 riops=100|8:0 wiops=50|8:0 wiops=60");
        sd_props_done(&p);
        json_object_put(res);
}

static void test_weight_devices(void **unused)
{
        struct json_object *res = parse("{\"blockIO\":{\"weight\":500,\"weightDevice\":["
                                        "{\"major\":8,\"minor\":0,\"weight\":1000},"
                                        "{\"major\":253,\"minor\":1,\"weight\":10},"
                                        "{\"major\":8,\"minor\":16,\"leafWeight\":300}]}}");
        struct sd_props p = {0};
        char *why = NULL, buf[256];
        int calls = 0;
        assert_int_equal(sd_props_from_resources(res, only_8_0, &calls, &p, &why), 0);
        const struct sd_prop *x = find(&p, "IODeviceWeight");
        assert_non_null(x);
        assert_int_equal(x->n, 1);
        assert_string_equal(x->dvals[0].path, "/dev/block/8:0");
        assert_int_equal(x->dvals[0].value, 10000); /* blkio 1000 -> io 10000 */
        /* no link: written directly, in io.weight's range; leafWeight alone: nothing */
        files_of(&p, "io.weight", buf, sizeof(buf));
        assert_string_equal(buf, "253:1 1");
        assert_int_equal(sd_props_find(&p, "IOWeight")->u, 4950);
        sd_props_done(&p);
        json_object_put(res);
}

static void test_hugetlb_rdma(void **unused)
{
        struct json_object *res = parse("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304},"
                                        "{\"pageSize\":\"1GB\",\"limit\":0}],"
                                        "\"rdma\":{\"mlx5_0\":{\"hcaHandles\":3,\"hcaObjects\":1000},"
                                        "\"mlx5_1\":{\"hcaObjects\":7}}}");
        struct sd_props p = {0};
        char *why = NULL, buf[256];
        assert_int_equal(sd_props_from_resources(res, NULL, NULL, &p, &why), 0);
        files_of(&p, "hugetlb.2MB.max", buf, sizeof(buf));
        assert_string_equal(buf, "4194304");
        files_of(&p, "hugetlb.1GB.max", buf, sizeof(buf));
        assert_string_equal(buf, "0");
        files_of(&p, "rdma.max", buf, sizeof(buf));
        assert_string_equal(buf, "mlx5_0 hca_handle=3 hca_object=1000|mlx5_1 hca_handle=max hca_object=7");
        assert_int_equal(p.n, 0); /* no property for any of them */
        sd_props_done(&p);
        json_object_put(res);
}

static void test_refused(void **unused)
{
        static const char *const bad[][2] = {
                {"{\"blockIO\":{\"throttleReadBpsDevice\":[{\"minor\":0,\"rate\":1}]}}", "throttleReadBpsDevice[0]"},
                {"{\"blockIO\":{\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":-1,\"rate\":1}]}}", "major"},
                {"{\"blockIO\":{\"throttleReadIOPSDevice\":[{\"major\":8,\"minor\":0}]}}", "rate"},
                {"{\"blockIO\":{\"throttleReadBpsDevice\":{\"major\":8}}}", "not an array"},
                {"{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":5000}]}}", "10..1000"},
                {"{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":5}]}}", "10..1000"},
                {"{\"hugepageLimits\":[{\"pageSize\":\"../2MB\",\"limit\":1}]}", "pageSize"},
                {"{\"hugepageLimits\":[{\"pageSize\":\"2XB\",\"limit\":1}]}", "pageSize"},
                {"{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}", "limit"},
                {"{\"hugepageLimits\":{\"pageSize\":\"2MB\"}}", "not an array"},
                {"{\"rdma\":{\"a b\":{\"hcaHandles\":1}}}", "not an RDMA device name"},
                {"{\"rdma\":{\"mlx\":{\"hcaHandles\":\"x\"}}}", "hcaHandles"},
                {"{\"rdma\":[1]}", "not an object"},
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct json_object *res = parse(bad[i][0]);
                struct sd_props p = {0};
                char *why = NULL;
                int calls = 0;
                assert_int_equal(sd_props_from_resources(res, only_8_0, &calls, &p, &why), -EINVAL);
                assert_non_null(why);
                if (!strstr(why, bad[i][1]))
                        fail_msg("%s: \"%s\" does not mention \"%s\"", bad[i][0], why, bad[i][1]);
                free(why);
                sd_props_done(&p);
                json_object_put(res);
        }
}

static void test_dev_value_merge(void **unused)
{
        struct sd_props p = {0};
        assert_int_equal(sd_props_add_dev_value(&p, "IOReadBandwidthMax", "/dev/block/8:0", 1), 0);
        assert_int_equal(sd_props_add_dev_value(&p, "IOReadBandwidthMax", "/dev/block/8:16", 2), 0);
        assert_int_equal(sd_props_add_dev_value(&p, "IOReadBandwidthMax", "/dev/block/8:0", 3), 0);
        const struct sd_prop *x = find(&p, "IOReadBandwidthMax");
        assert_int_equal(x->n, 2);
        assert_int_equal(x->dvals[0].value, 3);
        assert_int_equal(x->dvals[1].value, 2);
        /* a name already used with another type is refused */
        assert_int_equal(sd_props_add_u64(&p, "TasksMax", 5), 0);
        assert_int_equal(sd_props_add_dev_value(&p, "TasksMax", "/dev/block/8:0", 1), -EINVAL);
        sd_props_done(&p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_throttles),    cmocka_unit_test(test_weight_devices),
                cmocka_unit_test(test_hugetlb_rdma), cmocka_unit_test(test_refused),
                cmocka_unit_test(test_dev_value_merge),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
