/* SPDX-License-Identifier: Apache-2.0 */
/* The range checks of config.json numbers (config-ranges.c and the typed
 * getters), the size and shape limits of the document, and config_load()'s
 * refusal of what is not a small regular file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/config.h"

#define BASE \
        "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"]%s}, " \
        "\"linux\": {%s}}"

/* Parse BASE with extra process members and linux members; returns the
 * error message (owned by the caller) or NULL when it parsed. */
static char *parse_with(const char *process_extra, const char *linux_members)
{
        char *text = NULL;
        assert_true(asprintf(&text, BASE, process_extra, linux_members) > 0);
        struct oci_config *c = NULL;
        struct modrun_error *err = NULL;
        int r = config_parse(text, strlen(text), &c, &err);
        free(text);
        if (r >= 0) {
                assert_null(err);
                config_free(c);
                return NULL;
        }
        assert_non_null(err);
        assert_int_equal(r, -EINVAL);
        char *msg = strdup(err->msg);
        error_free(err);
        return msg;
}

static void expect_refused(const char *process_extra, const char *linux_members, const char *want)
{
        char *msg = parse_with(process_extra, linux_members);
        if (!msg)
                fail_msg("accepted: process {...%s} linux {%s}", process_extra, linux_members);
        if (!strstr(msg, want))
                fail_msg("\"%s\" not in \"%s\"", want, msg);
        free(msg);
}

static void expect_accepted(const char *process_extra, const char *linux_members)
{
        char *msg = parse_with(process_extra, linux_members);
        if (msg)
                fail_msg("refused: %s", msg);
}

static void test_resources_out_of_range(void **state)
{
        static const struct {
                const char *linux_members, *want;
        } cases[] = {
                {"\"resources\": {\"memory\": {\"limit\": 9223372036854775808}}",
                 "linux.resources.memory.limit: expected an integer between -1 and 9223372036854775807, got 9223372036854775808"},
                {"\"resources\": {\"memory\": {\"reservation\": -2}}", "linux.resources.memory.reservation: expected an integer between -1 and"},
                {"\"resources\": {\"memory\": {\"swappiness\": 101}}", "linux.resources.memory.swappiness: expected an integer between 0 and 100"},
                {"\"resources\": {\"memory\": {\"disableOOMKiller\": 1}}", "linux.resources.memory.disableOOMKiller: expected a boolean"},
                {"\"resources\": {\"cpu\": {\"shares\": -1}}",
                 "linux.resources.cpu.shares: expected an integer between 0 and 18446744073709551615, got -1"},
                {"\"resources\": {\"cpu\": {\"shares\": 1.5}}", "linux.resources.cpu.shares: expected an integer, got 1.5"},
                {"\"resources\": {\"cpu\": {\"period\": \"100000\"}}", "linux.resources.cpu.period: expected an integer, got string"},
                {"\"resources\": {\"cpu\": {\"idle\": -1}}", "linux.resources.cpu.idle: expected an integer between 0 and 1"},
                {"\"resources\": {\"cpu\": {\"cpus\": 3}}", "linux.resources.cpu.cpus: expected a string, got number"},
                {"\"resources\": {\"pids\": {\"limit\": 18446744073709551615}}", "linux.resources.pids.limit: expected an integer between"},
                {"\"resources\": {\"blockIO\": {\"leafWeight\": 65536}}", "linux.resources.blockIO.leafWeight: expected an integer between 0 and 65535"},
                {"\"resources\": {\"blockIO\": {\"weightDevice\": [{\"major\": -1, \"minor\": 0}]}}",
                 "linux.resources.blockIO.weightDevice[0].major: expected an integer between 0 and 4294967295"},
                {"\"resources\": {\"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": -5}]}", "linux.resources.hugepageLimits[0].limit"},
                {"\"resources\": {\"network\": {\"priorities\": [{\"name\": \"eth0\", \"priority\": -1}]}}",
                 "linux.resources.network.priorities[0].priority: expected an integer between 0 and 4294967295"},
                {"\"resources\": {\"rdma\": {\"mlx\": {\"hcaObjects\": 4294967296}}}", "linux.resources.rdma.mlx.hcaObjects"},
                {"\"resources\": {\"rdma\": []}", "linux.resources.rdma: expected an object, got array"},
                {"\"resources\": {\"unified\": {\"memory.max\": 5}}", "linux.resources.unified[\"memory.max\"]: expected a string"},
                {"\"resources\": {\"devices\": [{\"allow\": true, \"minor\": -2}]}", "linux.resources.devices[0].minor: expected an integer between -1 and"},
                {"\"resources\": {\"devices\": {}}", "linux.resources.devices: expected an array, got object"},
                {"\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 4294967296}", "linux.seccomp.defaultErrnoRet"},
                {"\"seccomp\": {\"syscalls\": [{\"names\": [\"x\"], \"action\": \"a\", \"errnoRet\": -1}]}",
                 "linux.seccomp.syscalls[0].errnoRet: expected an integer between 0 and 4294967295"},
                {"\"seccomp\": {\"syscalls\": [{\"names\": [1]}]}", "linux.seccomp.syscalls[0].names[0]: expected a string"},
                {"\"seccomp\": {\"syscalls\": [{\"args\": [{\"index\": 0, \"value\": -1}]}]}",
                 "linux.seccomp.syscalls[0].args[0].value: expected an integer between 0 and 18446744073709551615"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                expect_refused("", cases[i].linux_members, cases[i].want);
}

static void test_process_out_of_range(void **state)
{
        expect_refused(", \"oomScoreAdj\": -1001", "", "process.oomScoreAdj: expected an integer between -1000 and 1000");
        expect_refused(", \"user\": {\"uid\": 4294967295, \"gid\": 0}", "", "process.user.uid: expected an integer between 0 and 4294967294");
        expect_refused(", \"user\": {\"uid\": 0, \"gid\": -1}", "", "process.user.gid: expected an integer between 0 and 4294967294");
        /* json-c would clamp these to UINT64_MAX / INT64_MIN without a word */
        expect_refused(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 18446744073709551616}]", "",
                       "integer outside -9223372036854775808..18446744073709551615");
        expect_refused(", \"oomScoreAdj\": -9223372036854775809", "",
                       "integer outside -9223372036854775808..18446744073709551615");
        expect_refused(", \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"nice\": -21}", "", "process.scheduler.nice: expected an integer between -20 and 19");
        expect_refused(", \"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"runtime\": -1}", "", "process.scheduler.runtime");
        expect_refused(", \"ioPriority\": {\"class\": \"IOPRIO_CLASS_RT\", \"priority\": -1}", "", "process.ioPriority.priority: expected an integer between 0 and 7");
}

static void test_in_range_accepted(void **state)
{
        expect_accepted("", "\"resources\": {\"memory\": {\"limit\": -1, \"swap\": 9223372036854775807, \"swappiness\": 0}, "
                            "\"cpu\": {\"shares\": 18446744073709551615, \"quota\": -1, \"idle\": 1, \"cpus\": \"0-1\"}, "
                            "\"pids\": {\"limit\": -1}, \"blockIO\": {\"weight\": 500, \"throttleReadBpsDevice\": "
                            "[{\"major\": 8, \"minor\": 0, \"rate\": 18446744073709551615}]}, "
                            "\"devices\": [{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"major\": -1, \"minor\": -1}], "
                            "\"unified\": {\"memory.high\": \"max\"}, \"memory\": null}");
        expect_accepted(", \"oomScoreAdj\": -1000, \"scheduler\": {\"policy\": \"SCHED_OTHER\", \"nice\": 19}, "
                        "\"ioPriority\": {\"class\": \"IOPRIO_CLASS_IDLE\", \"priority\": 7}",
                        "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 1, \"syscalls\": "
                        "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 5, \"value\": 18446744073709551615, "
                        "\"op\": \"SCMP_CMP_EQ\"}]}]}");
        /* unknown members are ignored, as everywhere in config.json */
        expect_accepted("", "\"resources\": {\"memory\": {\"futureField\": -12}, \"future\": {\"x\": \"y\"}}");
}

static void test_update_resources(void **state)
{
        struct json_object *o = json_tokener_parse("{\"memory\": {\"limit\": 9223372036854775808}}");
        struct modrun_error *err = NULL;
        assert_int_equal(config_check_resources_json("update -r r.json", o, &err), -EINVAL);
        assert_non_null(strstr(err->msg, "update -r r.json: memory.limit: expected an integer between -1 and"));
        error_free(err);
        json_object_put(o);
        o = json_tokener_parse("{\"pids\": {\"limit\": 100}}");
        err = NULL;
        assert_int_equal(config_check_resources_json("r.json", o, &err), 0);
        assert_null(err);
        json_object_put(o);
}

/* A document over the size or shape limits is refused before json-c
 * builds it. */
static void test_document_limits(void **state)
{
        size_t n = 40000, len = 0;
        char *text = malloc(n * 3 + 64);
        assert_non_null(text);
        len += (size_t)sprintf(text, "{\"x\": [");
        for (size_t i = 0; i < n; i++)
                len += (size_t)sprintf(text + len, "%s{}", i ? "," : "");
        len += (size_t)sprintf(text + len, "]}");
        struct oci_config *c = NULL;
        struct modrun_error *err = NULL;
        assert_int_equal(config_parse(text, len, &c, &err), -EFBIG);
        assert_non_null(strstr(err->msg, "40002 JSON objects and arrays, more than the limit of 32768"));
        error_free(err);
        free(text);

        size_t big = CONFIG_FILE_MAX_BYTES + 1;
        text = malloc(big);
        assert_non_null(text);
        memset(text, ' ', big);
        text[0] = '{';
        text[big - 1] = '}';
        err = NULL;
        assert_int_equal(config_parse(text, big, &c, &err), -EFBIG);
        assert_non_null(strstr(err->msg, "is larger than the limit of 4194304 bytes"));
        error_free(err);
        free(text);
}

static void load_expect(const char *bundle, int errnum, const char *want)
{
        struct oci_config *c = NULL;
        struct modrun_error *err = NULL;
        assert_int_equal(config_load(bundle, NULL, &c, &err), -errnum);
        assert_non_null(err);
        if (!strstr(err->msg, want))
                fail_msg("\"%s\" not in \"%s\"", want, err->msg);
        error_free(err);
}

/* config.json as a symlink to /dev/zero, a FIFO, a directory, a file over
 * the limit: refused without reading (the FIFO has no writer: a blocking
 * open would hang the test, which has a timeout). */
static void test_load_not_regular(void **state)
{
        char dir[] = "/tmp/test-config-ranges.XXXXXX", path[64];
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/config.json", dir);

        assert_int_equal(symlink("/dev/zero", path), 0);
        load_expect(dir, EINVAL, "config.json is not a regular file (it is a character device)");
        assert_int_equal(unlink(path), 0);

        assert_int_equal(mkfifo(path, 0600), 0);
        load_expect(dir, EINVAL, "config.json is not a regular file (it is a FIFO)");
        assert_int_equal(unlink(path), 0);

        assert_int_equal(mkdir(path, 0700), 0);
        load_expect(dir, EINVAL, "config.json is not a regular file (it is a directory)");
        assert_int_equal(rmdir(path), 0);

        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, (off_t)CONFIG_FILE_MAX_BYTES + 1), 0);
        close(fd);
        load_expect(dir, EFBIG, "bytes is larger than the limit of 4194304 bytes");
        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_resources_out_of_range),
                cmocka_unit_test(test_process_out_of_range),
                cmocka_unit_test(test_in_range_accepted),
                cmocka_unit_test(test_update_resources),
                cmocka_unit_test(test_document_limits),
                cmocka_unit_test(test_load_not_regular),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
