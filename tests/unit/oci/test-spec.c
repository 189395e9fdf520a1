/* SPDX-License-Identifier: Apache-2.0 */
/* spec_generate(): the default config.json parses with config_parse() and
 * has runc's content, with the rootless adjustments when asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

#include "oci/config.h"

static struct oci_config *generate(bool rootless)
{
        char *json = NULL;
        struct modrun_error *err = NULL;
        assert_int_equal(spec_generate(rootless, &json, &err), 0);
        assert_null(err);
        assert_non_null(json);
        struct oci_config *c = NULL;
        assert_int_equal(config_parse(json, strlen(json), &c, &err), 0);
        assert_null(err);
        free(json);
        return c;
}

static size_t strv_count(char *const *l)
{
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

static const struct oci_mount *find_mount(const struct oci_config *c, const char *dest)
{
        for (size_t i = 0; i < c->n_mounts; i++)
                if (streq(c->mounts[i].destination, dest))
                        return &c->mounts[i];
        fail_msg("no mount on %s", dest);
        return NULL;
}

static bool has_option(const struct oci_mount *m, const char *opt)
{
        for (char **o = m->options; o && *o; o++)
                if (streq(*o, opt))
                        return true;
        return false;
}

static void check_common(const struct oci_config *c)
{
        assert_string_equal(c->oci_version, OCI_VERSION_IMPLEMENTED);
        assert_string_equal(c->hostname, "modrun");
        assert_string_equal(c->root.path, "rootfs");
        assert_true(c->root.readonly);
        assert_true(c->has_process);
        assert_true(c->process.terminal);
        assert_int_equal(strv_count(c->process.args), 1);
        assert_string_equal(c->process.args[0], "sh");
        assert_string_equal(c->process.cwd, "/");
        assert_int_equal(strv_count(c->process.env), 2);
        assert_string_equal(c->process.env[1], "TERM=xterm");
        assert_int_equal(strv_count(c->process.caps.bounding), 3);
        assert_string_equal(c->process.caps.bounding[2], "CAP_NET_BIND_SERVICE");
        assert_int_equal(c->process.n_rlimits, 1);
        assert_string_equal(c->process.rlimits[0].type, "RLIMIT_NOFILE");
        assert_int_equal(c->process.rlimits[0].hard, 1024);
        assert_int_equal(c->process.rlimits[0].soft, 1024);
        assert_true(c->process.no_new_privileges);
        assert_int_equal(c->n_mounts, 7);
        assert_true(c->has_linux);
        assert_int_equal(strv_count(c->linux_.masked_paths), 10);
        assert_int_equal(strv_count(c->linux_.readonly_paths), 5);
        assert_non_null(config_namespace(c, OCI_NS_PID));
        assert_non_null(config_namespace(c, OCI_NS_MOUNT));
        assert_non_null(config_namespace(c, OCI_NS_IPC));
        assert_non_null(config_namespace(c, OCI_NS_UTS));
}

static void test_default(void **unused)
{
        struct oci_config *c = generate(false);
        check_common(c);
        assert_int_equal(c->linux_.n_namespaces, 5);
        assert_non_null(config_namespace(c, OCI_NS_NETWORK));
        assert_null(config_namespace(c, OCI_NS_USER));
        assert_int_equal(c->linux_.n_uid_mappings, 0);
        assert_int_equal(c->linux_.n_gid_mappings, 0);
        assert_non_null(c->linux_.resources);
        assert_string_equal(find_mount(c, "/sys")->type, "sysfs");
        assert_true(has_option(find_mount(c, "/dev/pts"), "gid=5"));
        config_free(c);
}

static void test_rootless(void **unused)
{
        struct oci_config *c = generate(true);
        check_common(c);
        assert_int_equal(c->linux_.n_namespaces, 5);
        assert_null(config_namespace(c, OCI_NS_NETWORK));
        assert_non_null(config_namespace(c, OCI_NS_USER));
        assert_int_equal(c->linux_.n_uid_mappings, 1);
        assert_int_equal(c->linux_.uid_mappings[0].container_id, 0);
        assert_int_equal(c->linux_.uid_mappings[0].host_id, geteuid());
        assert_int_equal(c->linux_.uid_mappings[0].size, 1);
        assert_int_equal(c->linux_.n_gid_mappings, 1);
        assert_int_equal(c->linux_.gid_mappings[0].container_id, 0);
        assert_int_equal(c->linux_.gid_mappings[0].host_id, getegid());
        assert_int_equal(c->linux_.gid_mappings[0].size, 1);
        assert_null(c->linux_.resources);
        const struct oci_mount *sys = find_mount(c, "/sys");
        assert_string_equal(sys->source, "/sys");
        assert_true(has_option(sys, "rbind"));
        assert_true(has_option(sys, "ro"));
        assert_false(has_option(find_mount(c, "/dev/pts"), "gid=5"));
        config_free(c);
}

/* Found by tests/fuzz (fuzz-process, a leak): config_process_done() did not
 * free apparmorProfile and selinuxLabel. The leak shows under the
 * 'asan-unit' test (LeakSanitizer). */
static void test_process_lsm_fields_freed(void **unused)
{
        static const char text[] = "{\"cwd\": \"/\", \"args\": [\"sh\"], \"apparmorProfile\": \"p\", "
                                   "\"selinuxLabel\": \"system_u:system_r:container_t:s0\"}";
        struct oci_process proc = {0};
        struct modrun_error *err = NULL;
        assert_int_equal(config_parse_process_json(text, strlen(text), "process.json", &proc, &err), 0);
        assert_null(err);
        assert_string_equal(proc.apparmor_profile, "p");
        assert_string_equal(proc.selinux_label, "system_u:system_r:container_t:s0");
        config_process_done(&proc);

        static const char cfg_text[] = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": "
                                       "{\"cwd\": \"/\", \"args\": [\"sh\"], \"apparmorProfile\": \"p\", "
                                       "\"selinuxLabel\": \"l\"}}";
        struct oci_config *c = NULL;
        assert_int_equal(config_parse(cfg_text, strlen(cfg_text), &c, &err), 0);
        assert_null(err);
        assert_string_equal(c->process.selinux_label, "l");
        config_free(c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default),
                cmocka_unit_test(test_rootless),
                cmocka_unit_test(test_process_lsm_fields_freed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
