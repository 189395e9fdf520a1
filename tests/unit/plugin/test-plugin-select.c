/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Plugin selection: kinds, names, --plugin parsing, config file parsing
 * (errors name file:line) and precedence: flags > MODRUN_CONFIG > admin
 * file > distribution file > automatic defaults. The initramfs detector is
 * replaced through the plugin_detect_initramfs() link seam.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "modrun-config.h"
#include "plugin/plugin-internal.h"
#include "util/fs-util.h"

static char tmp[64];
static char dist[PATH_MAX], admin[PATH_MAX], envconf[PATH_MAX];

static int detect_result;
static const char *detect_why = "/ is ext4 /dev/vda, not an initramfs";

int plugin_detect_devices_v1(void)
{
        return 1;
}

int plugin_detect_initramfs(char **ret_why, struct modrun_error **reterr)
{
        if (detect_result < 0)
                return error_new(reterr, -detect_result, NULL, "read /proc/self/mountinfo");
        *ret_why = strdup(detect_why);
        return detect_result;
}

static void write_text(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void expect_error(int r, struct modrun_error *err, const char *part)
{
        if (r >= 0 || !err || !strstr(err->msg, part))
                fail_msg("expected an error containing \"%s\", got r=%d: %s", part, r, err ? err->msg : "(none)");
        error_free(err);
}

static void test_kinds(void **unused)
{
        assert_int_equal(plugin_kind_from_string("cgroup"), MODRUN_KIND_CGROUP);
        assert_int_equal(plugin_kind_from_string("devices"), MODRUN_KIND_DEVICES);
        assert_int_equal(plugin_kind_from_string("namespace"), MODRUN_KIND_NAMESPACE);
        assert_int_equal(plugin_kind_from_string("mount"), MODRUN_KIND_MOUNT);
        assert_int_equal(plugin_kind_from_string("Mount"), 0);
        assert_int_equal(plugin_kind_from_string(""), 0);
        assert_int_equal(plugin_kind_from_string(NULL), 0);
        for (uint32_t k = 1; k <= PLUGIN_KIND_MAX; k++)
                assert_int_equal(plugin_kind_from_string(plugin_kind_to_string(k)), k);
        assert_null(plugin_kind_to_string(0));
        assert_null(plugin_kind_to_string(6));
}

static void test_names(void **unused)
{
        const char *ok[] = {"pivot-root", "cgroupfs", "a", "x_y.z-1", "v2.1"};
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                assert_int_equal(plugin_name_validate(ok[i], "test", NULL), 0);
        struct {
                const char *name, *msg;
        } bad[] = {
                {"", "the plugin name is empty"},
                {"..", "\"..\" is not allowed"},
                {"a..b", "\"..\" is not allowed"},
                {"../../tmp/evil", "\"..\" is not allowed"},
                {"/tmp/evil", "cannot contain '/'"},
                {"a/b", "cannot contain '/'"},
                {"Pivot", "character 'P' is not allowed"},
                {"sp ace", "character ' ' is not allowed"},
                {"tab\there", "byte 0x09 is not allowed"},
                {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "at most 64"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct modrun_error *err = NULL;
                int r = plugin_name_validate(bad[i].name, "--plugin mount", &err);
                expect_error(r, err, bad[i].msg);
        }
        struct modrun_error *err = NULL;
        plugin_name_validate(NULL, "what", &err);
        expect_error(-1, err, "what: the plugin name is empty");
}

static void test_options(void **unused)
{
        struct plugin_options o = {0};
        struct modrun_error *err = NULL;
        assert_int_equal(plugin_options_set(&o, "mount=pivot-root", "--plugin", &err), 0);
        assert_int_equal(plugin_options_set(&o, "mount=move-mount", "--mount-strategy", &err), 0);
        assert_string_equal(o.choice[MODRUN_KIND_MOUNT], "move-mount");
        assert_string_equal(o.choice_flag[MODRUN_KIND_MOUNT], "--mount-strategy");
        assert_int_equal(plugin_options_set(&o, "devices=none", "--plugin", &err), 0);
        assert_int_equal(plugin_options_set(&o, "namespace=none", "--plugin", &err), 0);
        int r = plugin_options_set(&o, "mount", "--plugin", &err);
        expect_error(r, err, "--plugin mount: expected KIND=NAME");
        err = NULL;
        r = plugin_options_set(&o, "network=x", "--plugin", &err);
        expect_error(r, err, "unknown plugin kind \"network\"");
        err = NULL;
        r = plugin_options_set(&o, "cgroup=none", "--cgroup-manager", &err);
        expect_error(r, err, "a cgroup manager is required, \"none\" is only allowed for devices, namespace and checkpoint");
        err = NULL;
        r = plugin_options_set(&o, "cgroup=", "--plugin", &err);
        expect_error(r, err, "--plugin cgroup=: the plugin name is empty");
        plugin_options_done(&o);
        assert_null(o.choice[MODRUN_KIND_MOUNT]);
}

static void test_config_parse(void **unused)
{
        struct plugin_conf c = {0};
        struct modrun_error *err = NULL;
        const char *text = "# modrun.conf\n"
                           "\n"
                           "cgroup-manager = cgroupfs   # trailing comment\n"
                           "  devices=ebpf\n"
                           "namespace = none\n"
                           "mount-strategy = auto\n"
                           "plugin-dir = /opt/a\n"
                           "plugin-dir = /opt/b\n";
        assert_int_equal(plugin_conf_parse("/etc/modrun/modrun.conf", text, &c, &err), 0);
        assert_string_equal(c.choice[MODRUN_KIND_CGROUP].value, "cgroupfs");
        assert_string_equal(c.choice[MODRUN_KIND_CGROUP].origin, "/etc/modrun/modrun.conf line 3");
        assert_string_equal(c.choice[MODRUN_KIND_DEVICES].value, "ebpf");
        assert_string_equal(c.choice[MODRUN_KIND_NAMESPACE].value, "none");
        assert_string_equal(c.choice[MODRUN_KIND_MOUNT].value, "auto");
        assert_int_equal(c.n_dirs, 2);
        assert_string_equal(c.dirs[1], "/opt/b");
        /* a second file overrides key by key; its plugin-dir list replaces */
        assert_int_equal(plugin_conf_parse("/x.conf", "devices = other\nplugin-dir=/opt/c\n", &c, &err), 0);
        assert_string_equal(c.choice[MODRUN_KIND_DEVICES].value, "other");
        assert_string_equal(c.choice[MODRUN_KIND_CGROUP].value, "cgroupfs");
        assert_int_equal(c.n_dirs, 1);
        assert_string_equal(c.dirs[0], "/opt/c");
        /* a bad file changes nothing */
        struct {
                const char *text, *msg;
        } bad[] = {
                {"devices = a\njunk line\n", "/bad.conf:2: expected \"key = value\", found \"junk line\""},
                {"# c\n\ncolour = blue\n", "/bad.conf:3: unknown key \"colour\" (known keys: cgroup-manager"},
                {"devices =\n", "/bad.conf:1: \"devices\" has no value"},
                {"mount-strategy = ../evil\n", "/bad.conf:1: mount-strategy: invalid plugin name \"../evil\""},
                {"mount-strategy = /lib/evil.so\n", "/bad.conf:1: mount-strategy: invalid plugin name"},
                {"plugin-dir = relative/dir\n", "/bad.conf:1: plugin-dir \"relative/dir\" is not an absolute path"},
                {"cgroup-manager = none\n", "/bad.conf:1: cgroup-manager: a cgroup manager is required"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                err = NULL;
                int r = plugin_conf_parse("/bad.conf", bad[i].text, &c, &err);
                expect_error(r, err, bad[i].msg);
        }
        assert_string_equal(c.choice[MODRUN_KIND_DEVICES].value, "other");
        plugin_conf_done(&c);
}

static void select_ok(const struct plugin_options *o, struct plugin_selection *s)
{
        struct modrun_error *err = NULL;
        if (plugin_select(o, s, &err) < 0)
                fail_msg("plugin_select: %s", err->msg);
}

static void test_defaults(void **unused)
{
        struct plugin_selection s = {0};
        detect_result = 0;
        select_ok(NULL, &s);
        /* auto: cgroupfs as root, the built-in "disabled" rootless */
        assert_string_equal(s.by_kind[MODRUN_KIND_CGROUP].name, geteuid() == 0 ? "cgroupfs" : "disabled");
        assert_non_null(strstr(s.by_kind[MODRUN_KIND_CGROUP].reason, geteuid() == 0 ? "running as root" : "rootless"));
        assert_string_equal(s.by_kind[MODRUN_KIND_DEVICES].name, "none");
        assert_string_equal(s.by_kind[MODRUN_KIND_NAMESPACE].name, "none");
        assert_string_equal(s.by_kind[MODRUN_KIND_MOUNT].name, "pivot-root");
        assert_string_equal(s.by_kind[MODRUN_KIND_MOUNT].reason, "auto: / is ext4 /dev/vda, not an initramfs");
        assert_int_equal(s.n_dirs, 1);
        assert_string_equal(s.dirs[0], MODRUN_PLUGINDIR);
        plugin_selection_done(&s);

        detect_result = 1;
        detect_why = "/ is the initramfs rootfs (fs type rootfs), pivot_root(2) cannot work there";
        select_ok(NULL, &s);
        assert_string_equal(s.by_kind[MODRUN_KIND_MOUNT].name, "move-mount");
        assert_non_null(strstr(s.by_kind[MODRUN_KIND_MOUNT].reason, "auto: / is the initramfs rootfs"));
        plugin_selection_done(&s);

        struct modrun_error *err = NULL;
        detect_result = -EACCES;
        int r = plugin_select(NULL, &s, &err);
        detect_result = 0;
        expect_error(r, err, "choose the mount strategy automatically");
}

static void test_precedence(void **unused)
{
        write_text(dist, "cgroup-manager = dist-cg\ndevices = dist-dev\nnamespace = dist-ns\n"
                         "mount-strategy = dist-mount\nplugin-dir = /dist/plugins\n");
        write_text(admin, "# admin\ncgroup-manager = admin-cg\ndevices = admin-dev\n");
        write_text(envconf, "cgroup-manager = env-cg\n");
        struct plugin_selection s = {0};
        char origin[PATH_MAX + 32];

        /* files only: admin over distribution, key by key */
        select_ok(NULL, &s);
        assert_string_equal(s.by_kind[MODRUN_KIND_CGROUP].name, "admin-cg");
        (void)snprintf(origin, sizeof(origin), "%s line 2", admin);
        assert_string_equal(s.by_kind[MODRUN_KIND_CGROUP].reason, origin);
        assert_string_equal(s.by_kind[MODRUN_KIND_DEVICES].name, "admin-dev");
        assert_string_equal(s.by_kind[MODRUN_KIND_NAMESPACE].name, "dist-ns");
        assert_string_equal(s.by_kind[MODRUN_KIND_MOUNT].name, "dist-mount");
        assert_string_equal(s.dirs[0], "/dist/plugins");
        assert_string_equal(s.dirs[1], MODRUN_PLUGINDIR);
        plugin_selection_done(&s);

        /* MODRUN_CONFIG replaces both files */
        setenv("MODRUN_CONFIG", envconf, 1);
        select_ok(NULL, &s);
        assert_string_equal(s.by_kind[MODRUN_KIND_CGROUP].name, "env-cg");
        assert_string_equal(s.by_kind[MODRUN_KIND_DEVICES].name, "none");
        assert_string_equal(s.by_kind[MODRUN_KIND_MOUNT].name, "pivot-root");
        assert_int_equal(s.n_dirs, 1);
        plugin_selection_done(&s);

        /* flags over everything; --plugin-dir first */
        struct plugin_options o = {0};
        char *dirs[] = {"/flag/plugins", MODRUN_PLUGINDIR, NULL};
        o.plugin_dirs = dirs;
        o.n_plugin_dirs = 2;
        assert_int_equal(plugin_options_set(&o, "cgroup=systemd", "--systemd-cgroup", NULL), 0);
        assert_int_equal(plugin_options_set(&o, "mount=auto", "--mount-strategy", NULL), 0);
        select_ok(&o, &s);
        assert_string_equal(s.by_kind[MODRUN_KIND_CGROUP].name, "systemd");
        assert_string_equal(s.by_kind[MODRUN_KIND_CGROUP].reason, "--systemd-cgroup");
        assert_string_equal(s.by_kind[MODRUN_KIND_MOUNT].name, "pivot-root");
        assert_non_null(strstr(s.by_kind[MODRUN_KIND_MOUNT].reason, "auto from --mount-strategy: "));
        assert_int_equal(s.n_dirs, 2); /* MODRUN_PLUGINDIR only once */
        assert_string_equal(s.dirs[0], "/flag/plugins");
        assert_string_equal(s.dirs[1], MODRUN_PLUGINDIR);
        plugin_selection_done(&s);
        o.plugin_dirs = NULL;
        o.n_plugin_dirs = 0;
        plugin_options_done(&o);

        /* a MODRUN_CONFIG that does not exist is an error, not a fallback */
        struct modrun_error *err = NULL;
        setenv("MODRUN_CONFIG", "/nonexistent/modrun.conf", 1);
        int r = plugin_select(NULL, &s, &err);
        expect_error(r, err, "read the modrun configuration file /nonexistent/modrun.conf");
        /* a bad line in the admin file names it */
        unsetenv("MODRUN_CONFIG");
        write_text(admin, "cgroup-manager = ok\ncgroup-manager: cgroupfs\n");
        err = NULL;
        (void)snprintf(origin, sizeof(origin), "%s:2: expected \"key = value\"", admin);
        r = plugin_select(NULL, &s, &err);
        expect_error(r, err, origin);
        unlink(admin);
        unlink(dist);
        unlink(envconf);
}

static int setup(void **unused)
{
        (void)snprintf(tmp, sizeof(tmp), "/tmp/modrun-select-XXXXXX");
        if (!mkdtemp(tmp))
                return -1;
        (void)snprintf(dist, sizeof(dist), "%s/dist.conf", tmp);
        (void)snprintf(admin, sizeof(admin), "%s/admin.conf", tmp);
        (void)snprintf(envconf, sizeof(envconf), "%s/env.conf", tmp);
        plugin_conf_set_paths(dist, admin);
        unsetenv("MODRUN_CONFIG");
        return 0;
}

static int teardown(void **unused)
{
        (void)fs_rm_rf(tmp);
        return 0;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kinds),          cmocka_unit_test(test_names),
                cmocka_unit_test(test_options),        cmocka_unit_test(test_config_parse),
                cmocka_unit_test(test_defaults),       cmocka_unit_test(test_precedence),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
