/* SPDX-License-Identifier: Apache-2.0 */
/* features: the OCI features document (runtime-spec 1.3.0 features.md and
 * features-linux.md) of what this modrun implements, computed from the
 * tables the code uses; the plugins found and whether each is usable are
 * in the annotation org.modrun.plugins (JSON text), as the document may
 * hold no properties the spec does not define. */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "init/process/libseccomp.h"
#include "init/process/process.h"
#include "init/rootfs/mount-options.h"
#include "modrun-commit.h"
#include "modrun-config.h"
#include "oci/config.h"
#include "util/log.h"

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

/* features.md's list of mount options: the ones modrun also accepts are
 * listed (idmap and ridmap are announced by mountExtensions.idmap). */
static struct json_object *mount_options(void)
{
        static const char *const spec[] = {
                "acl", "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "iversion",
                "lazytime", "loud", "mand", "noacl", "noatime", "nodev", "nodiratime", "noexec", "noiversion",
                "nolazytime", "nomand", "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "ratime",
                "rbind", "rdev", "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev", "rnodiratime",
                "rnoexec", "rnorelatime", "rnostrictatime", "rnosuid", "rnosymfollow", "ro", "rprivate",
                "rrelatime", "rro", "rrw", "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow",
                "runbindable", "rw", "shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync",
                "tmpcopyup", "unbindable", NULL};
        struct json_object *a = json_object_new_array();
        for (const char *const *s = spec; *s; s++)
                for (const char *const *m = mount_option_names(); *m; m++)
                        if (streq(*s, *m)) {
                                json_object_array_add(a, json_object_new_string(*s));
                                break;
                        }
        return a;
}

/* The architectures of defs-linux.json this libseccomp resolves. */
static struct json_object *seccomp_archs(const struct libseccomp *lib)
{
        static const char *const archs[] = {
                "x86",    "x86_64",   "x32",      "arm",        "aarch64", "mips",   "mips64", "mips64n32",
                "mipsel", "mipsel64", "mipsel64n32", "ppc",     "ppc64",   "ppc64le", "s390",  "s390x",
                "parisc", "parisc64", "riscv64",  "loongarch64", "m68k",   "sh",     "sheb",   NULL};
        struct json_object *a = json_object_new_array();
        for (const char *const *s = archs; *s; s++)
                if (lib->arch_resolve_name(*s)) {
                        char name[32] = "SCMP_ARCH_";
                        for (size_t i = 0; (*s)[i] && i + 11 < sizeof(name); i++)
                                name[10 + i] = (char)((*s)[i] >= 'a' && (*s)[i] <= 'z' ? (*s)[i] - 32 : (*s)[i]);
                        json_object_array_add(a, json_object_new_string(name));
                }
        return a;
}

/* supportedFlags: those this libseccomp and kernel can set (API level 2:
 * TSYNC, 3: LOG, 4: SPEC_ALLOW), as runc asks libseccomp. */
static struct json_object *seccomp_supported_flags(const struct libseccomp *lib)
{
        unsigned level = lib->api_get();
        struct json_object *a = json_object_new_array();
        for (const char *const *f = seccomp_flag_names(); *f; f++) {
                unsigned need = streq(*f, "SECCOMP_FILTER_FLAG_TSYNC") ? 2 : streq(*f, "SECCOMP_FILTER_FLAG_LOG") ? 3 : 4;
                if (level >= need)
                        json_object_array_add(a, json_object_new_string(*f));
        }
        return a;
}

/* Without libseccomp (it is loaded on demand) seccomp is not enabled. */
static struct json_object *seccomp_features(void)
{
        _cleanup_error_ struct modrun_error *err = NULL;
        const struct libseccomp *lib = libseccomp_load(&err);
        if (!lib) {
                log_warning("features: seccomp is reported as not enabled: %s", err ? err->msg : "no libseccomp");
                return enabled(false);
        }
        struct json_object *sc = enabled(true);
        json_object_object_add(sc, "actions", strings(seccomp_action_names()));
        static const char *const ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                          "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL};
        json_object_object_add(sc, "operators", strings(ops));
        json_object_object_add(sc, "archs", seccomp_archs(lib));
        json_object_object_add(sc, "knownFlags", strings(seccomp_flag_names()));
        json_object_object_add(sc, "supportedFlags", seccomp_supported_flags(lib));
        return sc;
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
        /* what the shipped cgroupfs and systemd plugins support; the
         * annotation org.modrun.plugins says which are installed and usable */
        json_object_object_add(cg, "v1", json_object_new_boolean(true));
        json_object_object_add(cg, "v2", json_object_new_boolean(true));
        json_object_object_add(cg, "systemd", json_object_new_boolean(true));
        json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
        json_object_object_add(cg, "rdma", json_object_new_boolean(true));
        json_object_object_add(l, "cgroup", cg);
        json_object_object_add(l, "seccomp", seccomp_features());
        json_object_object_add(l, "apparmor", enabled(true));
        json_object_object_add(l, "selinux", enabled(true));
        struct json_object *rdt = enabled(true);
        json_object_object_add(rdt, "schemata", json_object_new_boolean(true));
        json_object_object_add(rdt, "monitoring", json_object_new_boolean(true));
        json_object_object_add(l, "intelRdt", rdt);
        struct json_object *mp = json_object_new_object();
        json_object_object_add(mp, "modes", strings(config_memory_policy_modes()));
        json_object_object_add(mp, "flags", strings(config_memory_policy_flags()));
        json_object_object_add(l, "memoryPolicy", mp);
        struct json_object *ext = json_object_new_object();
        json_object_object_add(ext, "idmap", enabled(true));
        json_object_object_add(l, "mountExtensions", ext);
        json_object_object_add(l, "netDevices", enabled(true));
        return l;
}

/* The checkpoint engine chosen (as checkpoint would choose it): enabled
 * when it loads, its program is installed and its check passes on this
 * host; org.modrun.checkpoint.backend names it and what it found, and
 * org.modrun.checkpoint.error says why it is not enabled. */
static void checkpoint_annotations(struct runtime_ctx *ctx, struct json_object *ann)
{
        struct plugin_options opts = ctx->plugins;
        opts.load_checkpoint = true;
        opts.kinds = PLUGIN_KIND_BIT(MODRUN_KIND_CHECKPOINT);
        _cleanup_plugins_ struct plugins *pl = NULL;
        _cleanup_error_ struct modrun_error *err = NULL;
        _cleanup_free_ char *text = NULL, *backend = NULL;
        void *st = NULL;
        int r = plugins_load(&opts, &(struct host_params){0}, &pl, &err);
        const struct modrun_checkpoint_ops *ck = r >= 0 ? plugins_checkpoint(pl, &st) : NULL;
        const char *name = ck ? pl->by_kind[MODRUN_KIND_CHECKPOINT]->name : "none";
        if (r >= 0 && !ck)
                r = error_new(&err, 0, NULL, "the checkpoint engine is \"none\"");
        if (r >= 0 && MODRUN_HAS_OP(ck, describe))
                r = ck->describe(st, ctx->criu_path, &text, &err);
        if (r >= 0 && MODRUN_HAS_OP(ck, check))
                r = ck->check(st, ctx->criu_path, &err);
        if (asprintf(&backend, "%s%s%s%s", name, text ? " (" : "", text ? text : "", text ? ")" : "") < 0)
                backend = NULL;
        json_object_object_add(ann, "org.modrun.checkpoint.enabled", json_object_new_string(r >= 0 ? "true" : "false"));
        json_object_object_add(ann, "org.modrun.checkpoint.backend", json_object_new_string(backend ? backend : name));
        if (r < 0 && err)
                json_object_object_add(ann, "org.modrun.checkpoint.error", json_object_new_string(err->msg));
}

static struct json_object *annotations(struct runtime_ctx *ctx, struct json_object *plugins)
{
        struct json_object *ann = json_object_new_object();
        _cleanup_error_ struct modrun_error *err = NULL;
        const struct libseccomp *lib = libseccomp_load(&err); /* once per process: seccomp_features() loaded it */
        const struct scmp_version *v = lib ? lib->version() : NULL;
        char buf[64];
        (void)snprintf(buf, sizeof(buf), "%u.%u.%u", v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
        if (v)
                json_object_object_add(ann, "io.github.seccomp.libseccomp.version", json_object_new_string(buf));
        json_object_object_add(ann, "org.modrun.version", json_object_new_string(MODRUN_VERSION));
        json_object_object_add(ann, "org.modrun.commit", json_object_new_string(MODRUN_COMMIT));
        checkpoint_annotations(ctx, ann);
        (void)snprintf(buf, sizeof(buf), "%d", MODRUN_ABI_MAJOR);
        json_object_object_add(ann, "org.modrun.plugin-abi", json_object_new_string(buf));
        json_object_object_add(ann, "org.modrun.plugins",
                               json_object_new_string(json_object_to_json_string_ext(
                                       plugins, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)));
        return ann;
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
        json_object_object_add(f, "ociVersionMax", json_object_new_string(OCI_VERSION_IMPLEMENTED));
        struct json_object *hooks = json_object_new_array();
        for (int k = 0; k < _OCI_HOOK_MAX; k++)
                json_object_array_add(hooks, json_object_new_string(oci_hook_kind_to_string(k)));
        json_object_object_add(f, "hooks", hooks);
        json_object_object_add(f, "mountOptions", mount_options());
        json_object_object_add(f, "linux", linux_features());
        /* annotations that change what modrun does (a trailing "." is a prefix) */
        static const char *const unsafe[] = {"org.modrun.", "run.oci.", "org.systemd.property.", NULL};
        json_object_object_add(f, "potentiallyUnsafeConfigAnnotations", strings(unsafe));
        json_object_object_add(f, "annotations", annotations(ctx, plugins));
        json_object_put(plugins);
        printf("%s\n", json_object_to_json_string_ext(f, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(f);
        return 0;
}
