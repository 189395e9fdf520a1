/* SPDX-License-Identifier: Apache-2.0 */
/* features: what this runtime supports (the OCI features document), plus
 * every plugin found and whether it is usable. */
#include <json-c/json.h>
#include <stdio.h>

#include "commands.h"
#include "init/process/process.h"
#include "init/rootfs/mount-options.h"
#include "modrun-config.h"
#include "oci/config.h"

static struct json_object *strings(const char *const *list)
{
        struct json_object *a = json_object_new_array();
        for (; list && *list; list++)
                json_object_array_add(a, json_object_new_string(*list));
        return a;
}

static struct json_object *enabled(bool on)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "enabled", json_object_new_boolean(on));
        return o;
}

static struct json_object *linux_features(void)
{
        struct json_object *l = json_object_new_object();
        struct json_object *ns = json_object_new_array();
        for (int t = 0; t < _OCI_NS_MAX; t++)
                json_object_array_add(ns, json_object_new_string(oci_ns_type_to_string(t)));
        json_object_object_add(l, "namespaces", ns);
        struct json_object *caps = json_object_new_array();
        for (int c = 0; c <= cap_last_known(); c++) {
                const char *name = cap_to_name(c);
                if (name)
                        json_object_array_add(caps, json_object_new_string(name));
        }
        json_object_object_add(l, "capabilities", caps);
        struct json_object *cg = json_object_new_object();
        /* what the shipped cgroupfs and systemd plugins support; "plugins" below
         * says which are installed and usable */
        json_object_object_add(cg, "v1", json_object_new_boolean(true));
        json_object_object_add(cg, "v2", json_object_new_boolean(true));
        json_object_object_add(cg, "systemd", json_object_new_boolean(true));
        json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
        json_object_object_add(l, "cgroup", cg);
        struct json_object *sc = enabled(true);
        json_object_object_add(sc, "actions", strings(seccomp_action_names()));
        static const char *const ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                          "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL};
        json_object_object_add(sc, "operators", strings(ops));
        static const char *const archs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
                                            "SCMP_ARCH_ARM", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390X", NULL};
        json_object_object_add(sc, "archs", strings(archs));
        json_object_object_add(sc, "knownFlags", strings(seccomp_flag_names()));
        json_object_object_add(sc, "supportedFlags", strings(seccomp_flag_names()));
        json_object_object_add(l, "seccomp", sc);
        json_object_object_add(l, "apparmor", enabled(false));
        json_object_object_add(l, "selinux", enabled(false));
        json_object_object_add(l, "intelRdt", enabled(false));
        struct json_object *ext = json_object_new_object();
        json_object_object_add(ext, "idmap", enabled(true));
        json_object_object_add(l, "mountExtensions", ext);
        return l;
}

int cmd_features(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v;
        int r = cli_next(a, cli_no_options, &v, reterr);
        if (r < 0 || (r = cli_expect_args(a, 0, "features", reterr)) < 0)
                return r;
        struct json_object *plugins = NULL;
        r = plugins_list(&ctx->plugins, &plugins, reterr);
        if (r < 0)
                return r;
        struct json_object *f = json_object_new_object();
        json_object_object_add(f, "ociVersionMin", json_object_new_string("1.0.0"));
        json_object_object_add(f, "ociVersionMax", json_object_new_string("1.2.0"));
        json_object_object_add(f, "hooks", json_object_new_array());
        json_object_object_add(f, "mountOptions", strings(mount_option_names()));
        json_object_object_add(f, "linux", linux_features());
        struct json_object *ann = json_object_new_object();
        json_object_object_add(ann, "org.modrun.version", json_object_new_string(MODRUN_VERSION));
        json_object_object_add(ann, "org.modrun.plugin-abi", json_object_new_string("1"));
        json_object_object_add(f, "annotations", ann);
        struct json_object *m = json_object_new_object();
        json_object_object_add(m, "pluginAbi", json_object_new_int(MODRUN_ABI_MAJOR));
        json_object_object_add(m, "plugins", plugins);
        json_object_object_add(f, "modrun", m);
        printf("%s\n", json_object_to_json_string_ext(f, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(f);
        return 0;
}
