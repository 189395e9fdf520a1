/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "process": args, env, cwd, terminal, user, capabilities,
 * rlimits and the Linux process attributes. */
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "config-internal.h"

/* uid_t/gid_t: (uid_t)-1 means "no change" to the kernel, so it is refused. */
#define ID_MAX (UINT32_MAX - 1)

static const struct {
        const char *name;
        int resource;
} rlimit_names[] = {
        {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},
        {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_DATA", RLIMIT_DATA},
        {"RLIMIT_FSIZE", RLIMIT_FSIZE},     {"RLIMIT_LOCKS", RLIMIT_LOCKS},
        {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
        {"RLIMIT_NICE", RLIMIT_NICE},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
        {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_RSS", RLIMIT_RSS},
        {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
        {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING}, {"RLIMIT_STACK", RLIMIT_STACK},
};

static void rlimit_done(void *elem)
{
        free(((struct oci_rlimit *)elem)->type);
}

static int fail_rlimit_type(const struct json_ctx *c, const struct json_path *p, const char *type)
{
        char valid[512];
        size_t off = 0;
        for (size_t i = 0; i < ELEMENTSOF(rlimit_names) && off < sizeof(valid); i++) {
                int k = snprintf(valid + off, sizeof(valid) - off, "%s%s", i ? ", " : "", rlimit_names[i].name);
                off += k > 0 ? (size_t)k : 0;
        }
        return json_fail(c, p, NULL, "unknown resource \"%s\" (valid: %s)", type, valid);
}

static int parse_rlimit(const struct json_ctx *c, const struct json_path *p, struct json_object *v, void *elem,
                        void *userdata)
{
        struct oci_rlimit *rl = elem;
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = json_member_string(c, p, v, "type", true, &rl->type)) < 0)
                return r;
        rl->resource = -1;
        for (size_t i = 0; i < ELEMENTSOF(rlimit_names); i++)
                if (streq(rl->type, rlimit_names[i].name))
                        rl->resource = rlimit_names[i].resource;
        struct json_path tp = JSON_PATH_KEY(p, "type");
        if (rl->resource < 0)
                return fail_rlimit_type(c, &tp, rl->type);
        if ((r = json_member_uint64(c, p, v, "soft", true, UINT64_MAX, &rl->soft)) < 0 ||
            (r = json_member_uint64(c, p, v, "hard", true, UINT64_MAX, &rl->hard)) < 0)
                return r;
        if (rl->soft > rl->hard) {
                struct json_path sp = JSON_PATH_KEY(p, "soft");
                return json_fail(c, &sp, "the soft limit may not exceed the hard limit",
                                 "%" PRIu64 " is above the hard limit %" PRIu64, rl->soft, rl->hard);
        }
        return 0;
}

static int parse_rlimits(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                         struct oci_process *proc)
{
        const struct json_array_of how = {sizeof(struct oci_rlimit), parse_rlimit, rlimit_done, NULL};
        void *items;
        size_t n;
        int r = json_member_array_of(c, p, v, "rlimits", false, &how, &items, &n);
        if (r <= 0)
                return r;
        proc->rlimits = items;
        proc->n_rlimits = n;
        /* The spec: duplicated types are an error. */
        struct json_path lp = JSON_PATH_KEY(p, "rlimits");
        for (size_t j = 0; j < n; j++)
                for (size_t i = 0; i < j; i++)
                        if (proc->rlimits[i].resource == proc->rlimits[j].resource) {
                                struct json_path ep = JSON_PATH_INDEX(&lp, j), tp = JSON_PATH_KEY(&ep, "type");
                                return json_fail(c, &tp, "give each resource once", "duplicate %s (also at index %zu)",
                                                 proc->rlimits[j].type, i);
                        }
        return 0;
}

static int parse_capabilities(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                              struct oci_capabilities *caps)
{
        struct json_object *o;
        int r = json_member_object(c, p, v, "capabilities", false, &o);
        if (r <= 0)
                return r;
        struct json_path cp = JSON_PATH_KEY(p, "capabilities");
        if ((r = json_member_strv(c, &cp, o, "bounding", false, &caps->bounding)) < 0 ||
            (r = json_member_strv(c, &cp, o, "effective", false, &caps->effective)) < 0 ||
            (r = json_member_strv(c, &cp, o, "inheritable", false, &caps->inheritable)) < 0 ||
            (r = json_member_strv(c, &cp, o, "permitted", false, &caps->permitted)) < 0 ||
            (r = json_member_strv(c, &cp, o, "ambient", false, &caps->ambient)) < 0)
                return r;
        return 0;
}

static int parse_gid(const struct json_ctx *c, const struct json_path *p, struct json_object *v, void *elem,
                     void *userdata)
{
        uint64_t x;
        int r = json_get_uint64(c, p, v, ID_MAX, &x);
        if (r < 0)
                return r;
        *(gid_t *)elem = (gid_t)x;
        return 0;
}

static int parse_user(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                      struct oci_user *user)
{
        struct json_object *o;
        int r = json_member_object(c, p, v, "user", false, &o);
        if (r <= 0)
                return r;
        struct json_path up = JSON_PATH_KEY(p, "user");
        /* uid and gid are REQUIRED by the spec; a missing one is 0, as
         * runc and crun take it (runc's capabilities.bats gives only uid) */
        uint32_t uid = 0, gid = 0, umask;
        if ((r = json_member_uint32(c, &up, o, "uid", false, ID_MAX, &uid)) < 0 ||
            (r = json_member_uint32(c, &up, o, "gid", false, ID_MAX, &gid)) < 0)
                return r;
        user->uid = uid;
        user->gid = gid;
        if ((r = json_member_uint32(c, &up, o, "umask", false, 0777, &umask)) < 0)
                return r;
        user->has_umask = r > 0;
        user->umask = r > 0 ? (mode_t)umask : 0;

        const struct json_array_of how = {sizeof(gid_t), parse_gid, NULL, NULL};
        void *items;
        size_t n;
        if ((r = json_member_array_of(c, &up, o, "additionalGids", false, &how, &items, &n)) < 0)
                return r;
        if (r > 0) {
                user->additional_gids = items;
                user->n_additional_gids = n;
        }
        r = json_member_string(c, &up, o, "username", false, &user->username);
        return r < 0 ? r : 0;
}

static int parse_console_size(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                              struct oci_process *proc)
{
        struct json_object *o;
        int r = json_member_object(c, p, v, "consoleSize", false, &o);
        if (r <= 0)
                return r;
        struct json_path sp = JSON_PATH_KEY(p, "consoleSize");
        uint32_t h, w;
        if ((r = json_member_uint32(c, &sp, o, "height", true, UINT_MAX, &h)) < 0 ||
            (r = json_member_uint32(c, &sp, o, "width", true, UINT_MAX, &w)) < 0)
                return r;
        proc->has_console_size = true;
        proc->console_size = (struct oci_console_size){.height = h, .width = w};
        return 0;
}

/* args: required with at least one entry on Linux; env: "KEY=value". */
static int parse_args_env(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                          struct oci_process *proc)
{
        static const char args_hint[] = "set process.args in config.json, e.g. [\"sh\"]";
        struct json_object *a;
        int r = json_member(c, p, v, "args", false, &a);
        struct json_path ap = JSON_PATH_KEY(p, "args");
        if (r == 0)
                return json_fail(c, &ap, args_hint, "required field is missing: the container has nothing to run");
        if (r < 0 || (r = json_get_strv(c, &ap, a, &proc->args)) < 0)
                return r;
        if (!proc->args[0])
                return json_fail(c, &ap, args_hint, "expected at least one element (the program to run)");

        if ((r = json_member_strv(c, p, v, "env", false, &proc->env)) <= 0)
                return r;
        struct json_path ep = JSON_PATH_KEY(p, "env");
        for (size_t i = 0; proc->env[i]; i++) {
                const char *eq = strchr(proc->env[i], '=');
                if (!eq || eq == proc->env[i]) {
                        struct json_path ip = JSON_PATH_INDEX(&ep, i);
                        return json_fail(c, &ip, NULL, "expected \"KEY=value\", got \"%s\"", proc->env[i]);
                }
        }
        return 0;
}

int config_parse_process(const struct json_ctx *c, const struct json_path *p, struct json_object *v,
                         struct oci_process *proc)
{
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = json_member_bool(c, p, v, "terminal", false, &proc->terminal)) < 0 ||
            (r = parse_console_size(c, p, v, proc)) < 0 ||
            (r = config_member_abspath(c, p, v, "cwd", true, &proc->cwd)) < 0 ||
            (r = parse_args_env(c, p, v, proc)) < 0 || (r = parse_user(c, p, v, &proc->user)) < 0 ||
            (r = parse_capabilities(c, p, v, &proc->caps)) < 0 || (r = parse_rlimits(c, p, v, proc)) < 0 ||
            (r = json_member_bool(c, p, v, "noNewPrivileges", false, &proc->no_new_privileges)) < 0 ||
            (r = json_member_string(c, p, v, "apparmorProfile", false, &proc->apparmor_profile)) < 0 ||
            (r = json_member_string(c, p, v, "selinuxLabel", false, &proc->selinux_label)) < 0 ||
            (r = config_parse_process_spec13(c, p, v, proc)) < 0)
                return r;
        int64_t adj;
        r = json_member_int64(c, p, v, "oomScoreAdj", false, -1000, 1000, &adj);
        if (r < 0)
                return r;
        proc->has_oom_score_adj = r > 0;
        proc->oom_score_adj = r > 0 ? (int)adj : 0;
        return 0;
}

void config_process_done(struct oci_process *proc)
{
        free(proc->cwd);
        oci_strv_free(proc->args);
        oci_strv_free(proc->env);
        free(proc->user.additional_gids);
        free(proc->user.username);
        free(proc->apparmor_profile);
        free(proc->selinux_label);
        oci_strv_free(proc->caps.bounding);
        oci_strv_free(proc->caps.effective);
        oci_strv_free(proc->caps.inheritable);
        oci_strv_free(proc->caps.permitted);
        oci_strv_free(proc->caps.ambient);
        for (size_t i = 0; i < proc->n_rlimits; i++)
                rlimit_done(&proc->rlimits[i]);
        free(proc->rlimits);
}
