/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The loader against the fixture plugins of tests/abi: each case populates
 * its own directory under a temp dir, points --plugin-dir at it, calls
 * plugins_load() and checks that it is accepted, or refused with the
 * expected message. `--owner` runs only the case that needs root (chown to
 * nobody) and exits 77 when not root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin/plugin-internal.h"
#include "util/fs-util.h"

static char tmp_root[PATH_MAX];
static unsigned case_no;

/* The automatic mount choice is not under test here (link seam). */
int plugin_detect_devices_v1(void)
{
        return 1;
}

int plugin_detect_initramfs(char **ret_why, struct modrun_error **reterr)
{
        *ret_why = strdup("test: not an initramfs");
        return 0;
}

static void copy_file(const char *src, const char *dst, mode_t mode)
{
        char *content = NULL;
        int fd_in = open(src, O_RDONLY | O_CLOEXEC);
        assert_true(fd_in >= 0);
        int fd_out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        assert_true(fd_out >= 0);
        char buf[65536];
        ssize_t k;
        while ((k = read(fd_in, buf, sizeof(buf))) > 0)
                assert_int_equal(write(fd_out, buf, (size_t)k), k);
        assert_int_equal(fchmod(fd_out, mode), 0);
        close(fd_in);
        close(fd_out);
        free(content);
}

/* A fresh plugin directory (mode dmode) holding the given fixtures. */
static char *case_dir(mode_t dmode, const char *const *fixtures)
{
        char *dir = NULL;
        assert_true(asprintf(&dir, "%s/case%u", tmp_root, ++case_no) > 0);
        assert_int_equal(mkdir(dir, 0700), 0);
        assert_int_equal(chmod(dir, dmode), 0);
        for (const char *const *f = fixtures; f && *f; f++) {
                char src[PATH_MAX], dst[PATH_MAX];
                (void)snprintf(src, sizeof(src), "%s/%s.so", FIXTURE_DIR, *f);
                (void)snprintf(dst, sizeof(dst), "%s/%s.so", dir, *f);
                copy_file(src, dst, 0755);
        }
        return dir;
}

/* plugins_load() with --plugin-dir dir and the given --plugin choices. */
static int load(const char *dir, const char *const *choices, struct plugins **ret, struct modrun_error **err)
{
        struct plugin_options opts = {0};
        char *dirs[] = {(char *)dir, NULL};
        bool cgroup_chosen = false;
        for (const char *const *c = choices; c && *c; c++) {
                assert_int_equal(plugin_options_set(&opts, *c, "--plugin", NULL), 0);
                cgroup_chosen = cgroup_chosen || strncmp(*c, "cgroup=", 7) == 0;
        }
        /* the fixture directories hold no cgroupfs: the built-in manager */
        if (!cgroup_chosen)
                assert_int_equal(plugin_options_set(&opts, "cgroup=disabled", "--plugin", NULL), 0);
        opts.plugin_dirs = dirs;
        opts.n_plugin_dirs = 1;
        struct json_object *config = json_tokener_parse("{\"annotations\": {\"test.note\": \"hello\"}}");
        struct host_params hp = {
                .container_id = "abi-test", .bundle = "/bundle", .state_dir = "/state", .rootfs = "/rootfs",
                .config = config,
        };
        int r = plugins_load(&opts, &hp, ret, err);
        opts.plugin_dirs = NULL;
        opts.n_plugin_dirs = 0;
        plugin_options_done(&opts);
        /* the host table keeps a pointer to the config: a test that keeps
         * the plugins leaks it, which is fine here */
        if (r < 0)
                json_object_put(config);
        return r;
}

static void expect_refused(const char *dir, const char *choice, const char *msg_part)
{
        struct plugins *p = NULL;
        struct modrun_error *err = NULL;
        const char *choices[] = {choice, NULL};
        int r = load(dir, choices, &p, &err);
        if (r >= 0 || !err || !strstr(err->msg, msg_part))
                fail_msg("%s: expected a refusal containing \"%s\", got r=%d: %s (hint: %s)", choice, msg_part, r,
                         err ? err->msg : "(no error)", err && err->hint ? err->hint : "-");
        assert_null(p);
        error_free(err);
}

static void test_good(void **unused)
{
        const char *fx[] = {"mount-good", NULL};
        _cleanup_free_ char *dir = case_dir(0755, fx);
        const char *choices[] = {"mount=good", NULL};
        struct plugins *p = NULL;
        struct modrun_error *err = NULL;
        int r = load(dir, choices, &p, &err);
        if (r < 0)
                fail_msg("load: %s", err->msg);
        void *st = NULL;
        const struct modrun_mount_ops *m = plugins_mount(p, &st);
        assert_non_null(m);
        assert_true(MODRUN_HAS_OP(m, check));
        assert_int_equal(m->check(st, &err), -EAGAIN);
        assert_non_null(strstr(err->msg, "check: id=abi-test bundle=/bundle note=hello"));
        error_free(err);
        assert_non_null(strstr(p->by_kind[MODRUN_KIND_MOUNT]->path, "/mount-good.so"));
        assert_string_equal(p->by_kind[MODRUN_KIND_MOUNT]->reason, "--plugin");
        /* defaults: built-in cgroup "disabled", devices and namespace none */
        assert_string_equal(p->by_kind[MODRUN_KIND_CGROUP]->name, "disabled");
        assert_null(p->by_kind[MODRUN_KIND_CGROUP]->path);
        assert_null(plugins_devices(p, NULL));
        assert_null(plugins_namespace(p, NULL));
        void *cst = NULL;
        const struct modrun_cgroup_ops *cg = plugins_cgroup(p, &cst);
        assert_int_equal(cg->create(cst, NULL), 0);
        assert_false(MODRUN_HAS_OP(cg, owns_devices));
        plugins_free(p);
}

/* ABI 1.2's checkpoint kind: loaded only when asked for, its ops called
 * with a size-prefixed request; a NULL mandatory op refused. */
static int load_checkpoint(const char *dir, const char *choice, bool ask, struct plugins **ret,
                           struct modrun_error **err)
{
        struct plugin_options opts = {.load_checkpoint = ask};
        char *dirs[] = {(char *)dir, NULL};
        assert_int_equal(plugin_options_set(&opts, "cgroup=disabled", "--plugin", NULL), 0);
        assert_int_equal(plugin_options_set(&opts, "mount=pivot-root", "--plugin", NULL), 0);
        assert_int_equal(plugin_options_set(&opts, choice, "--plugin", NULL), 0);
        opts.plugin_dirs = dirs;
        opts.n_plugin_dirs = 1;
        opts.kinds = PLUGIN_KIND_BIT(MODRUN_KIND_CHECKPOINT);
        struct host_params hp = {.container_id = "abi-test", .bundle = "/bundle", .state_dir = "/state"};
        int r = plugins_load(&opts, &hp, ret, err);
        opts.plugin_dirs = NULL;
        opts.n_plugin_dirs = 0;
        plugin_options_done(&opts);
        return r;
}

static void test_checkpoint_kind(void **unused)
{
        const char *fx[] = {"checkpoint-fix", "checkpoint-nullop", NULL};
        _cleanup_free_ char *dir = case_dir(0755, fx);
        struct plugins *p = NULL;
        struct modrun_error *err = NULL;
        assert_int_equal(load_checkpoint(dir, "checkpoint=fix", false, &p, &err), 0);
        assert_null(plugins_checkpoint(p, NULL)); /* not asked for: not loaded */
        plugins_free(p);
        p = NULL;
        if (load_checkpoint(dir, "checkpoint=fix", true, &p, &err) < 0)
                fail_msg("load: %s", err->msg);
        void *st = NULL;
        const struct modrun_checkpoint_ops *ck = plugins_checkpoint(p, &st);
        assert_non_null(ck);
        assert_null(plugins_mount(p, NULL)); /* kinds: the checkpoint kind alone */
        assert_false(MODRUN_HAS_OP(ck, check));
        struct modrun_checkpoint_request req = {.size = sizeof(req), .pid = 42, .image_path = "/img",
                                                .flags = MODRUN_CHECKPOINT_LEAVE_RUNNING, .status_fd = -1};
        assert_int_equal(ck->checkpoint(st, &req, &err), -EAGAIN);
        assert_non_null(strstr(err->msg, "checkpoint: id=abi-test pid=42 image=/img flags=1 size-ok=1"));
        error_free(err);
        err = NULL;
        plugins_free(p);
        p = NULL;
        assert_true(load_checkpoint(dir, "checkpoint=nullop", true, &p, &err) < 0);
        assert_non_null(strstr(err->msg, "the mandatory op restore is NULL in its checkpoint ops table"));
        assert_null(p);
        error_free(err);
}

static void test_refusals(void **unused)
{
        const char *fx[] = {"mount-good", "mount-abi2", "mount-wrongkind", "mount-misnamed", "mount-badsig",
                            "mount-nosym", "mount-smalldesc", "mount-nullop", "mount-initfail",
                            "cgroup-smallops", "cgroup-nullop", NULL};
        _cleanup_free_ char *dir = case_dir(0755, fx);
        char abi2[PATH_MAX];
        (void)snprintf(abi2, sizeof(abi2),
                       "%s/mount-abi2.so was built for ABI 2, modrun speaks ABI 1; rebuild against modrun-plugin "
                       "ABI 1", dir);
        expect_refused(dir, "mount=abi2", abi2);
        expect_refused(dir, "mount=wrongkind", "its descriptor declares kind cgroup (1) but its file name says mount");
        expect_refused(dir, "mount=misnamed", "its descriptor names it \"othername\" but its file name says \"misnamed\"");
        expect_refused(dir, "mount=badsig", "it was built for another data model (abi_sig 0x040404");
        expect_refused(dir, "mount=nosym", "mount-nosym.so: it does not export the symbol modrun_plugin");
        expect_refused(dir, "mount=smalldesc", "its descriptor size is 16 bytes, smaller than the ABI 1.0 descriptor");
        expect_refused(dir, "mount=nullop", "the mandatory op enter_rootfs is NULL in its mount ops table");
        expect_refused(dir, "mount=initfail", "initialise the mount strategy initfail: fixture initfail: init failed");
        const char *cg_small[] = {"mount=good", "cgroup=smallops", NULL};
        const char *cg_null[] = {"mount=good", "cgroup=nullop", NULL};
        struct plugins *p = NULL;
        struct modrun_error *err = NULL;
        assert_true(load(dir, cg_small, &p, &err) < 0);
        assert_non_null(strstr(err->msg, "its cgroup ops table is 40 bytes, smaller than the ABI 1.0 baseline of 48"));
        err = error_free(err);
        assert_true(load(dir, cg_null, &p, &err) < 0);
        assert_non_null(strstr(err->msg, "the mandatory op enter is NULL in its cgroup ops table"));
        err = error_free(err);
        assert_null(p);
}

static void test_unknown_and_bad_names(void **unused)
{
        const char *fx[] = {"mount-good", NULL};
        _cleanup_free_ char *dir = case_dir(0755, fx);
        char msg[PATH_MAX * 2];
        (void)snprintf(msg, sizeof(msg),
                       "no mount strategy named \"nosuch\": mount-nosuch.so is in none of the plugin directories "
                       "searched (%s, ", dir);
        expect_refused(dir, "mount=nosuch", msg);
        expect_refused(dir, "mount=nosuch", "mount plugins available: good");
        struct modrun_error *err = NULL;
        struct plugin_options opts = {0};
        assert_int_equal(plugin_options_set(&opts, "mount=../good", "--plugin", &err), -EINVAL);
        assert_non_null(strstr(err->msg, "\"..\" is not allowed"));
        err = error_free(err);
        assert_int_equal(plugin_options_set(&opts, "mount=/tmp/x", "--plugin", &err), -EINVAL);
        assert_non_null(strstr(err->msg, "cannot contain '/'"));
        err = error_free(err);
        plugin_options_done(&opts);
}

static void test_older_and_newer(void **unused)
{
        const char *fx[] = {"mount-future", "cgroup-v10", NULL};
        _cleanup_free_ char *dir = case_dir(0755, fx);
        const char *choices[] = {"mount=future", "cgroup=v10", NULL};
        struct plugins *p = NULL;
        struct modrun_error *err = NULL;
        if (load(dir, choices, &p, &err) < 0)
                fail_msg("load: %s", err->msg);
        const struct modrun_cgroup_ops *cg = plugins_cgroup(p, NULL);
        assert_int_equal(cg->size, MODRUN_CGROUP_OPS_SIZE_1_0);
        assert_true(MODRUN_HAS_OP(cg, destroy));
        assert_false(MODRUN_HAS_OP(cg, open_unified));
        assert_false(MODRUN_HAS_OP(cg, set_resources));
        assert_false(MODRUN_HAS_OP(cg, get_path));
        const struct modrun_mount_ops *m = plugins_mount(p, NULL);
        assert_true(m->size > sizeof(struct modrun_mount_ops));
        assert_true(MODRUN_HAS_OP(m, check));
        plugins_free(p);
}

static void test_file_and_dir_modes(void **unused)
{
        const char *fx[] = {"mount-good", NULL};
        char path[PATH_MAX];
        _cleanup_free_ char *ww = case_dir(0755, fx);
        (void)snprintf(path, sizeof(path), "%s/mount-good.so", ww);
        assert_int_equal(chmod(path, 0777), 0);
        expect_refused(ww, "mount=good", "mount-good.so: it is world-writable (mode 0777)");
        assert_int_equal(chmod(path, 0775), 0);
        expect_refused(ww, "mount=good", "mount-good.so: it is group-writable (mode 0775)");

        _cleanup_free_ char *gw = case_dir(0775, fx);
        char msg[PATH_MAX * 2];
        (void)snprintf(msg, sizeof(msg), "its directory %s is group-writable (mode 0775)", gw);
        expect_refused(gw, "mount=good", msg);

        _cleanup_free_ char *real = case_dir(0755, fx);
        _cleanup_free_ char *ln = case_dir(0755, NULL);
        char target[PATH_MAX];
        (void)snprintf(target, sizeof(target), "%s/mount-good.so", real);
        (void)snprintf(path, sizeof(path), "%s/mount-good.so", ln);
        assert_int_equal(symlink(target, path), 0);
        expect_refused(ln, "mount=good", "mount-good.so: it is a symlink");

        _cleanup_free_ char *nr = case_dir(0755, NULL);
        (void)snprintf(path, sizeof(path), "%s/mount-good.so", nr);
        assert_int_equal(mkdir(path, 0755), 0);
        expect_refused(nr, "mount=good", "mount-good.so: it is not a regular file (it is a directory)");
}

static struct json_object *find_entry(struct json_object *arr, const char *kind, const char *name)
{
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *o = json_object_array_get_idx(arr, i), *k, *n;
                if (json_object_object_get_ex(o, "kind", &k) && json_object_object_get_ex(o, "name", &n) &&
                    k && n && streq(json_object_get_string(k), kind) && streq(json_object_get_string(n), name))
                        return o;
        }
        return NULL;
}

static const char *entry_str(struct json_object *o, const char *key)
{
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static void test_features_probe(void **unused)
{
        const char *fx[] = {"mount-good", "mount-abort", "mount-abi2", NULL};
        _cleanup_free_ char *dir = case_dir(0755, fx);
        char path[PATH_MAX];
        (void)snprintf(path, sizeof(path), "%s/notaplugin.so", dir);
        copy_file(FIXTURE_DIR "/mount-good.so", path, 0755);
        struct plugin_options opts = {0};
        char *dirs[] = {dir, NULL};
        opts.plugin_dirs = dirs;
        opts.n_plugin_dirs = 1;
        struct json_object *arr = NULL;
        struct modrun_error *err = NULL;
        if (plugins_list(&opts, &arr, &err) < 0)
                fail_msg("plugins_list: %s", err->msg);
        struct json_object *o = find_entry(arr, "mount", "abort"), *v;
        assert_non_null(o);
        assert_true(json_object_object_get_ex(o, "usable", &v) && !json_object_get_boolean(v));
        assert_non_null(strstr(entry_str(o, "error"), "crashed while being loaded (signal SIGABRT"));
        o = find_entry(arr, "mount", "good");
        assert_true(json_object_object_get_ex(o, "usable", &v) && json_object_get_boolean(v));
        assert_string_equal(entry_str(o, "version"), "0.1");
        o = find_entry(arr, "mount", "abi2");
        assert_true(json_object_object_get_ex(o, "usable", &v) && !json_object_get_boolean(v));
        assert_non_null(strstr(entry_str(o, "error"), "was built for ABI 2, modrun speaks ABI 1"));
        o = find_entry(arr, "cgroup", "disabled");
        assert_true(json_object_object_get_ex(o, "builtin", &v) && json_object_get_boolean(v));
        bool found_bad_name = false;
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                const char *p = entry_str(json_object_array_get_idx(arr, i), "path");
                if (p && streq(p, path)) {
                        found_bad_name = true;
                        assert_non_null(strstr(entry_str(json_object_array_get_idx(arr, i), "error"),
                                               "is not <kind>-<name>.so"));
                }
        }
        assert_true(found_bad_name);
        json_object_put(arr);
}

static void test_not_owned(void **unused)
{
        struct passwd *nobody = getpwnam("nobody");
        if (!nobody)
                skip();
        const char *fx[] = {"mount-good", NULL};
        _cleanup_free_ char *dir = case_dir(0755, fx);
        char path[PATH_MAX], msg[PATH_MAX * 2];
        (void)snprintf(path, sizeof(path), "%s/mount-good.so", dir);
        assert_int_equal(chown(path, nobody->pw_uid, nobody->pw_gid), 0);
        (void)snprintf(msg, sizeof(msg), "mount-good.so: it is owned by uid %u, not by root", (unsigned)nobody->pw_uid);
        expect_refused(dir, "mount=good", msg);
        assert_int_equal(chown(path, 0, 0), 0);
        assert_int_equal(chown(dir, nobody->pw_uid, nobody->pw_gid), 0);
        (void)snprintf(msg, sizeof(msg), "its directory %s is owned by uid %u, not by root", dir,
                       (unsigned)nobody->pw_uid);
        expect_refused(dir, "mount=good", msg);
}

static int setup(void **unused)
{
        (void)snprintf(tmp_root, sizeof(tmp_root), "/tmp/modrun-abi-XXXXXX");
        if (!mkdtemp(tmp_root) || chmod(tmp_root, 0755) < 0)
                return -1;
        unsetenv("MODRUN_CONFIG");
        plugin_conf_set_paths("/nonexistent/modrun-abi-test/dist.conf", "/nonexistent/modrun-abi-test/admin.conf");
        return 0;
}

static int teardown(void **unused)
{
        (void)fs_rm_rf(tmp_root);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc > 1 && streq(argv[1], "--owner")) {
                if (geteuid() != 0) {
                        puts("not root: chown to nobody is not possible, skipping");
                        return 77;
                }
                const struct CMUnitTest owner[] = {cmocka_unit_test(test_not_owned)};
                return cmocka_run_group_tests(owner, setup, teardown);
        }
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),
                cmocka_unit_test(test_refusals),
                cmocka_unit_test(test_checkpoint_kind),
                cmocka_unit_test(test_unknown_and_bad_names),
                cmocka_unit_test(test_older_and_newer),
                cmocka_unit_test(test_file_and_dir_modes),
                cmocka_unit_test(test_features_probe),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
