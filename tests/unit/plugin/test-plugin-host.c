/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Descriptor checks on in-memory descriptors (no dlopen: tests/abi does the
 * real files), the built-in plugins and the host table services.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "plugin/plugin-internal.h"

int plugin_detect_devices_v1(void)
{
        return 1;
}

int plugin_detect_initramfs(char **ret_why, struct modrun_error **reterr)
{
        *ret_why = strdup("test");
        return 0;
}

static int op_init(const struct modrun_host *h, void **s, struct modrun_error **e) { return 0; }
static void op_fini(void *s) { }
static int op_enter(void *s, int fd, const char *r, struct modrun_error **e) { return 0; }
static int op_check(void *s, struct modrun_error **e) { return 0; }

static struct modrun_mount_ops mops;
static struct modrun_plugin desc;

static void reset(void)
{
        mops = (struct modrun_mount_ops){
                .size = sizeof(mops), .init = op_init, .fini = op_fini, .enter_rootfs = op_enter,
        };
        desc = (struct modrun_plugin){
                .abi_major = MODRUN_PLUGIN_ABI_MAJOR, .size = sizeof(desc), .kind = MODRUN_KIND_MOUNT,
                .abi_sig = MODRUN_PLUGIN_ABI_SIG, .name = "t", .version = "1", .ops = &mops,
        };
}

static void expect_refused(const char *part)
{
        struct modrun_error *err = NULL;
        int r = plugin_validate("/p/mount-t.so", &desc, MODRUN_KIND_MOUNT, "t", &err);
        if (r >= 0 || !err || !strstr(err->msg, part))
                fail_msg("expected \"%s\", got r=%d: %s", part, r, err ? err->msg : "(none)");
        assert_int_equal(r, -ENOEXEC);
        assert_int_equal(err->errnum, ENOEXEC);
        assert_null(strstr(err->msg, "Exec format error")); /* a refusal, no strerror() text */
        assert_non_null(strstr(err->msg, "/p/mount-t.so"));
        error_free(err);
        reset();
}

static void test_validate(void **unused)
{
        reset();
        assert_int_equal(plugin_validate("/p/mount-t.so", &desc, MODRUN_KIND_MOUNT, "t", NULL), 0);
        desc.abi_major = 2;
        expect_refused("/p/mount-t.so was built for ABI 2, modrun speaks ABI 1; rebuild against modrun-plugin ABI 1");
        desc.abi_major = 0;
        expect_refused("was built for ABI 0, modrun speaks ABI 1");
        desc.size = 8;
        expect_refused("its descriptor size is 8 bytes, smaller than the ABI 1.0 descriptor (48 bytes)");
        desc.kind = MODRUN_KIND_DEVICES;
        expect_refused("its descriptor declares kind devices (2) but its file name says mount");
        desc.kind = 77;
        expect_refused("declares kind unknown (77)");
        desc.abi_sig = (4u << 16) | (8u << 8) | 4u;
        expect_refused("another data model (abi_sig 0x040804: pointer, off_t, time_t of 4, 8, 4 bytes");
        desc.name = "u";
        expect_refused("its descriptor names it \"u\" but its file name says \"t\"");
        desc.name = NULL;
        expect_refused("its descriptor names it \"(null)\"");
        desc.ops = NULL;
        expect_refused("its descriptor has no ops table");
        mops.size = 24;
        expect_refused("its mount ops table is 24 bytes, smaller than the ABI 1.0 baseline of 32 bytes");
        mops.enter_rootfs = NULL;
        expect_refused("the mandatory op enter_rootfs is NULL in its mount ops table");
        mops.fini = NULL;
        expect_refused("the mandatory op fini is NULL");
        /* an older table that ends at the baseline: accepted, check absent */
        mops.size = MODRUN_MOUNT_OPS_SIZE_1_0;
        mops.check = op_check; /* beyond size: never looked at */
        assert_int_equal(plugin_validate("/p/mount-t.so", &desc, MODRUN_KIND_MOUNT, "t", NULL), 0);
        assert_false(MODRUN_HAS_OP(&mops, check));
        assert_true(MODRUN_HAS_OP(&mops, enter_rootfs));
        /* a newer, larger table: accepted */
        mops.size = sizeof(mops) + 64;
        assert_int_equal(plugin_validate("/p/mount-t.so", &desc, MODRUN_KIND_MOUNT, "t", NULL), 0);
        /* a kind that is none of modrun's, on both sides: refused, no NULL
         * kind table dereferenced (desc-check.c, for tests/fuzz/fuzz-plugin.c) */
        reset();
        desc.kind = 0;
        struct modrun_error *err = NULL;
        assert_int_equal(plugin_validate("/p/x-t.so", &desc, 0, "t", &err), -EINVAL);
        assert_non_null(err);
        assert_non_null(strstr(err->msg, "kind 0 is none of modrun's"));
        error_free(err);
        reset();
}

static void test_kind_info(void **unused)
{
        assert_int_equal(plugin_kind_info(MODRUN_KIND_CGROUP)->baseline, MODRUN_CGROUP_OPS_SIZE_1_0);
        assert_int_equal(plugin_kind_info(MODRUN_KIND_DEVICES)->baseline, MODRUN_DEVICES_OPS_SIZE_1_0);
        assert_int_equal(plugin_kind_info(MODRUN_KIND_NAMESPACE)->baseline, MODRUN_NAMESPACE_OPS_SIZE_1_0);
        assert_int_equal(plugin_kind_info(MODRUN_KIND_MOUNT)->baseline, MODRUN_MOUNT_OPS_SIZE_1_0);
        /* every mandatory op lies inside the baseline */
        for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++) {
                const struct plugin_kind_info *ki = plugin_kind_info(k);
                for (const struct plugin_op_ref *op = ki->mandatory; op->name; op++)
                        assert_true(op->offset + sizeof(void *) <= ki->baseline);
        }
        assert_null(plugin_kind_info(0));
        assert_null(plugin_kind_info(6));
}

static void test_builtin(void **unused)
{
        const struct modrun_plugin *d = plugin_builtin_find(MODRUN_KIND_CGROUP, "disabled");
        assert_non_null(d);
        assert_null(plugin_builtin_find(MODRUN_KIND_MOUNT, "disabled"));
        assert_int_equal(plugin_validate("built-in disabled", d, MODRUN_KIND_CGROUP, "disabled", NULL), 0);
        const struct modrun_cgroup_ops *ops = d->ops;
        struct plugin pl = {.kind = MODRUN_KIND_CGROUP, .name = "disabled"};
        struct modrun_host host;
        plugin_host_init(&host, NULL, &pl);
        void *st = (void *)1;
        assert_int_equal(ops->init(&host, &st, NULL), 0);
        assert_int_equal(ops->create(st, NULL), 0);
        assert_int_equal(ops->enter(st, getpid(), NULL), 0);
        assert_int_equal(ops->destroy(st, 100, NULL), 0);
        assert_false(MODRUN_HAS_OP(ops, owns_devices));
        assert_false(MODRUN_HAS_OP(ops, open_unified));
        ops->fini(st);
}

static void test_host(void **unused)
{
        struct json_object *cfg = json_tokener_parse("{\"annotations\": {\"a\": \"1\", \"n\": 5}}");
        struct host_params hp = {.container_id = "c1", .bundle = "/b", .config = cfg, .rootless = true};
        struct plugin pl = {.kind = MODRUN_KIND_MOUNT, .name = "t"};
        struct modrun_host h;
        plugin_host_init(&h, &hp, &pl);
        assert_int_equal(h.size, sizeof(struct modrun_host));
        assert_true(h.size > MODRUN_HOST_SIZE_1_0);
        assert_true(MODRUN_HAS_MEMBER(&h, mount_table));
        const char *mt = NULL, *mt2 = NULL;
        assert_int_equal(h.mount_table(&h, &mt, NULL), 0);
        assert_non_null(strstr(mt, " / ")); /* a mount at (or a root of) / */
        assert_int_equal(h.mount_table(&h, &mt2, NULL), 0);
        assert_ptr_equal(mt, mt2); /* read once, shared */
        assert_int_equal(h.abi_major, MODRUN_PLUGIN_ABI_MAJOR);
        assert_int_equal(h.rootless, 1);
        assert_string_equal(h.container_id, "c1");
        assert_string_equal(h.state_dir, ""); /* absent strings are "" */
        assert_string_equal(h.annotation(&h, "a"), "1");
        assert_null(h.annotation(&h, "n")); /* not a string */
        assert_null(h.annotation(&h, "missing"));
        h.log(&h, MODRUN_LOG_DEBUG, "debug from the test %d", 1);

        struct modrun_error *err = NULL;
        assert_int_equal(h.error(&err, EACCES, "do this", "open %s", "/x"), -EACCES);
        assert_string_equal(err->msg, "open /x: Permission denied");
        assert_string_equal(err->hint, "do this");
        err = error_free(err);

        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        assert_int_equal(h.wait_fd(&h, p[0], POLLIN, 50, "the init's ready byte", &err), -ETIMEDOUT);
        assert_non_null(strstr(err->msg, "waited 50 ms for the init's ready byte"));
        err = error_free(err);
        assert_int_equal(write(p[1], "x", 1), 1);
        assert_true(h.wait_fd(&h, p[0], POLLIN, 1000, "x", &err) & POLLIN);
        close(p[0]);
        close(p[1]);

        char *content = NULL;
        assert_true(h.read_file(&h, AT_FDCWD, "/proc/self/stat", &content, &err) > 0);
        free(content);
        assert_true(h.read_file(&h, AT_FDCWD, "/nonexistent/x", &content, &err) < 0);
        assert_non_null(strstr(err->msg, "/nonexistent/x"));
        err = error_free(err);
        assert_true(h.read_file(&h, AT_FDCWD, "/nonexistent/x", &content, NULL) < 0); /* reterr may be NULL */
        json_object_put(cfg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_validate),
                cmocka_unit_test(test_kind_info),
                cmocka_unit_test(test_builtin),
                cmocka_unit_test(test_host),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
