/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json: the document (json_tokener, strict), the top level
 * (ociVersion, root, hostname, domainname, annotations, hooks) and the
 * lookups on a parsed config. process, mounts and linux live in their own
 * files.
 */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "config-internal.h"
#include "util/fs-util.h"

const char *oci_hook_kind_to_string(enum oci_hook_kind k)
{
        static const char *const names[_OCI_HOOK_MAX] = {
                [OCI_HOOK_PRESTART] = "prestart",
                [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
                [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
                [OCI_HOOK_START_CONTAINER] = "startContainer",
                [OCI_HOOK_POSTSTART] = "poststart",
                [OCI_HOOK_POSTSTOP] = "poststop",
        };
        return k < _OCI_HOOK_MAX ? names[k] : "?";
}

int config_member_abspath(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                          const char *key, bool required, char **ret)
{
        _cleanup_free_ char *s = NULL;
        int r = json_member_string(c, p, obj, key, required, &s);
        if (r <= 0)
                return r;
        if (!path_is_absolute(s)) {
                struct json_path kp = JSON_PATH_KEY(p, key);
                return json_fail(c, &kp, NULL, "expected an absolute path, got \"%s\"", s);
        }
        *ret = TAKE_PTR(s);
        return 1;
}

int config_member_abspaths(const struct json_ctx *c, const struct json_path *p, struct json_object *obj,
                           const char *key, char ***ret)
{
        char **l = NULL;
        int r = json_member_strv(c, p, obj, key, false, &l);
        if (r <= 0)
                return r;
        struct json_path kp = JSON_PATH_KEY(p, key);
        for (size_t i = 0; l[i]; i++)
                if (!path_is_absolute(l[i])) {
                        struct json_path ip = JSON_PATH_INDEX(&kp, i);
                        r = json_fail(c, &ip, NULL, "expected an absolute path, got \"%s\"", l[i]);
                        oci_strv_free(l);
                        return r;
                }
        *ret = l;
        return 1;
}

/* SemVer "MAJOR.MINOR.PATCH[-pre][+build]"; only major 1 is ours. */
static int parse_oci_version(const struct json_ctx *c, struct json_object *top, struct oci_config *cfg)
{
        int r = json_member_string(c, NULL, top, "ociVersion", true, &cfg->oci_version);
        if (r < 0)
                return r;
        struct json_path vp = JSON_PATH_KEY(NULL, "ociVersion");
        const char *v = cfg->oci_version, *s = v;
        unsigned parts = 0;
        for (;; s++) {
                if (!isdigit((unsigned char)*s))
                        break;
                while (isdigit((unsigned char)*s))
                        s++;
                parts++;
                if (parts == 3 || *s != '.')
                        break;
        }
        if (parts != 3 || (*s && *s != '-' && *s != '+'))
                return json_fail(c, &vp, "write the runtime-spec version the bundle follows, e.g. \"1.2.0\"",
                                 "expected a SemVer version like \"1.2.0\", got \"%s\"", v);
        if (v[0] != '1' || v[1] != '.')
                return json_fail(c, &vp, "modrun implements runtime-spec 1.x; convert the bundle to 1.x",
                                 "version \"%s\" is not supported (expected 1.x)", v);
        return 0;
}

static int parse_root(const struct json_ctx *c, struct json_object *top, struct oci_root *root)
{
        struct json_object *o;
        int r = json_member_object(c, NULL, top, "root", true, &o);
        if (r < 0)
                return r;
        struct json_path rp = JSON_PATH_KEY(NULL, "root");
        r = json_member_string(c, &rp, o, "path", true, &root->path);
        if (r < 0)
                return r;
        if (!root->path[0]) {
                struct json_path pp = JSON_PATH_KEY(&rp, "path");
                return json_fail(c, &pp, "use e.g. \"rootfs\" (relative to the bundle)",
                                 "expected a path to the root filesystem, got \"\"");
        }
        r = json_member_bool(c, &rp, o, "readonly", false, &root->readonly);
        return r < 0 ? r : 0;
}

static void annotation_done(void *elem)
{
        struct oci_annotation *a = elem;
        free(a->key);
        free(a->value);
}

static int parse_annotation(const struct json_ctx *c, const struct json_path *p, const char *key,
                            struct json_object *v, void *elem, void *userdata)
{
        struct oci_annotation *a = elem;
        if (!key[0])
                return json_fail(c, p, NULL, "annotation keys must not be empty");
        int r = json_get_string(c, p, v, &a->value);
        if (r < 0)
                return r;
        a->key = strdup(key);
        return a->key ? 0 : json_fail_oom(c, p);
}

static void hook_done(void *elem)
{
        struct oci_hook *h = elem;
        free(h->path);
        oci_strv_free(h->args);
        oci_strv_free(h->env);
}

static int parse_hook(const struct json_ctx *c, const struct json_path *p, struct json_object *v, void *elem,
                      void *userdata)
{
        struct oci_hook *h = elem;
        int r = json_expect_object(c, p, v);
        if (r < 0 || (r = config_member_abspath(c, p, v, "path", true, &h->path)) < 0 ||
            (r = json_member_strv(c, p, v, "args", false, &h->args)) < 0 ||
            (r = json_member_strv(c, p, v, "env", false, &h->env)) < 0)
                return r;
        int64_t t;
        r = json_member_int64(c, p, v, "timeout", false, INT64_MIN, INT_MAX, &t);
        if (r <= 0)
                return r;
        if (t <= 0) {
                struct json_path tp = JSON_PATH_KEY(p, "timeout");
                return json_fail(c, &tp, "omit timeout for no limit", "expected a number of seconds > 0, got %" PRId64,
                                 t);
        }
        h->has_timeout = true;
        h->timeout = (int)t;
        return 0;
}

static int parse_hooks(const struct json_ctx *c, struct json_object *top, struct oci_config *cfg)
{
        struct json_object *hooks;
        int r = json_member_object(c, NULL, top, "hooks", false, &hooks);
        if (r <= 0)
                return r;
        struct json_path hp = JSON_PATH_KEY(NULL, "hooks");
        const struct json_array_of how = {sizeof(struct oci_hook), parse_hook, hook_done, NULL};
        for (int k = 0; k < _OCI_HOOK_MAX; k++) {
                void *items;
                size_t n;
                r = json_member_array_of(c, &hp, hooks, oci_hook_kind_to_string(k), false, &how, &items, &n);
                if (r < 0)
                        return r;
                if (r > 0) {
                        cfg->hooks[k] = items;
                        cfg->n_hooks[k] = n;
                }
        }
        return 0;
}

static int parse_top(const struct json_ctx *c, struct json_object *top, struct oci_config *cfg)
{
        int r = parse_oci_version(c, top, cfg);
        if (r < 0 || (r = parse_root(c, top, &cfg->root)) < 0 ||
            (r = json_member_string(c, NULL, top, "hostname", false, &cfg->hostname)) < 0 ||
            (r = json_member_string(c, NULL, top, "domainname", false, &cfg->domainname)) < 0)
                return r;

        const struct json_map_of ann = {sizeof(struct oci_annotation), parse_annotation, annotation_done, NULL};
        void *items;
        size_t n;
        r = json_member_map_of(c, NULL, top, "annotations", false, &ann, &items, &n);
        if (r < 0)
                return r;
        if (r > 0) {
                cfg->annotations = items;
                cfg->n_annotations = n;
        }

        struct json_object *o = NULL;
        struct json_path pp = JSON_PATH_KEY(NULL, "process");
        if ((r = json_member(c, NULL, top, "process", false, &o)) < 0)
                return r;
        cfg->has_process = r > 0;
        if (cfg->has_process && (r = config_parse_process(c, &pp, o, &cfg->process)) < 0)
                return r;

        if ((r = config_parse_mounts(c, top, cfg)) < 0 || (r = parse_hooks(c, top, cfg)) < 0)
                return r;

        struct json_path lp = JSON_PATH_KEY(NULL, "linux");
        if ((r = json_member(c, NULL, top, "linux", false, &o)) < 0)
                return r;
        cfg->has_linux = r > 0;
        if (cfg->has_linux && (r = config_parse_linux(c, &lp, o, &cfg->linux_)) < 0)
                return r;
        return 0;
}

/* "malformed JSON at line 3, column 5: unexpected character" */
static int fail_syntax(const char *name, const char *text, size_t offset, const char *what,
                       struct modrun_error **reterr)
{
        size_t line = 1, line_start = 0;
        for (size_t i = 0; i < offset; i++)
                if (text[i] == '\n') {
                        line++;
                        line_start = i + 1;
                }
        return error_new(reterr, EINVAL, "check the file with a JSON validator, e.g. `jq . config.json`",
                         "%s: malformed JSON at line %zu, column %zu: %s", name, line, offset - line_start + 1, what);
}

/* The length of the number token at s (JSON: -?digits[.digits][e[+-]digits])
 * and whether it is an integer json-c would clamp silently: beyond
 * -9223372036854775808 .. 18446744073709551615 (Go's decoder refuses it). */
static size_t number_token(const char *s, size_t left, bool *ret_out_of_range)
{
        static const char max_neg[] = "9223372036854775808", max_pos[] = "18446744073709551615";
        size_t i = s[0] == '-', digits = 0;
        while (i + digits < left && s[i + digits] >= '0' && s[i + digits] <= '9')
                digits++;
        size_t end = i + digits;
        bool integer = !(end < left && (s[end] == '.' || s[end] == 'e' || s[end] == 'E'));
        while (end < left && strchr("0123456789.eE+-", s[end]))
                end++;
        const char *limit = s[0] == '-' ? max_neg : max_pos;
        size_t limit_len = strlen(limit);
        *ret_out_of_range = integer && (digits > limit_len || (digits == limit_len && strncmp(s + i, limit, digits) > 0));
        return end > 0 ? end : 1;
}

/* Before json-c builds anything: count the objects/arrays and the values
 * (separators + containers) outside strings and refuse a document over the
 * limits, and refuse an integer json-c would clamp. Syntax is json-c's to
 * judge. */
static int check_json_shape(const char *text, size_t len, const char *name, struct modrun_error **reterr)
{
        size_t containers = 0, values = 1;
        bool in_string = false, out_of_range = false;
        for (size_t i = 0; i < len; i++) {
                char ch = text[i];
                if (in_string) {
                        if (ch == '\\')
                                i++;
                        else if (ch == '"')
                                in_string = false;
                        continue;
                }
                if (ch == '"')
                        in_string = true;
                else if (ch == '{' || ch == '[')
                        containers++, values++;
                else if (ch == ',')
                        values++;
                else if (ch == '-' || (ch >= '0' && ch <= '9')) {
                        size_t n = number_token(text + i, len - i, &out_of_range);
                        if (out_of_range)
                                return fail_syntax(name, text, i,
                                                   "integer outside -9223372036854775808..18446744073709551615", reterr);
                        i += n - 1;
                }
        }
        if (containers > CONFIG_JSON_MAX_CONTAINERS)
                return error_new(reterr, EFBIG, "see \"Limits on config.json\" in docs/configuration.md",
                                 "%s: %zu JSON objects and arrays, more than the limit of %d", name, containers,
                                 CONFIG_JSON_MAX_CONTAINERS);
        if (values > CONFIG_JSON_MAX_VALUES)
                return error_new(reterr, EFBIG, "see \"Limits on config.json\" in docs/configuration.md",
                                 "%s: about %zu JSON values, more than the limit of %d", name, values,
                                 CONFIG_JSON_MAX_VALUES);
        return 0;
}

static int tokenize(const char *text, size_t len, const char *name, struct json_object **ret,
                    struct modrun_error **reterr)
{
        size_t start = 0;
        while (start < len && isspace((unsigned char)text[start]))
                start++;
        if (start == len)
                return error_new(reterr, EINVAL, "run `modrun spec` to create a default config.json",
                                 "%s: the file is empty, expected a JSON object", name);
        const char *nul = memchr(text, '\0', len);
        if (nul)
                return fail_syntax(name, text, (size_t)(nul - text), "NUL byte", reterr);
        if (len > CONFIG_FILE_MAX_BYTES)
                return error_new(reterr, EFBIG, "see \"Limits on config.json\" in docs/configuration.md",
                                 "%s: %zu bytes is larger than the limit of %zu bytes", name, len,
                                 CONFIG_FILE_MAX_BYTES);
        int r = check_json_shape(text, len, name, reterr);
        if (r < 0)
                return r;

        struct json_tokener *tok = json_tokener_new();
        if (!tok)
                return error_new(reterr, ENOMEM, NULL, "%s: parsing JSON", name);
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        struct json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (!obj && jerr == json_tokener_continue)
                return fail_syntax(name, text, len, "unexpected end of input (truncated file?)", reterr);
        if (!obj)
                return fail_syntax(name, text, end, json_tokener_error_desc(jerr), reterr);
        while (end < len && isspace((unsigned char)text[end]))
                end++;
        if (end < len) {
                json_object_put(obj);
                return fail_syntax(name, text, end, "unexpected data after the JSON object", reterr);
        }
        if (!json_object_is_type(obj, json_type_object)) {
                r = error_new(reterr, EINVAL, NULL, "%s: expected a JSON object at the top level, got %s", name,
                              json_type_noun(obj));
                json_object_put(obj);
                return r;
        }
        *ret = obj;
        return 0;
}

int config_parse_named(const char *text, size_t len, const char *name, struct oci_config **ret,
                       struct modrun_error **reterr)
{
        struct json_object *obj = NULL;
        int r = tokenize(text, len, name, &obj, reterr);
        if (r < 0)
                return r;
        _cleanup_config_ struct oci_config *cfg = calloc(1, sizeof(*cfg));
        if (!cfg) {
                json_object_put(obj);
                return error_new(reterr, ENOMEM, NULL, "%s: parsing", name);
        }
        cfg->json = obj;
        const struct json_ctx c = {.file = name, .reterr = reterr};
        r = parse_top(&c, obj, cfg);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(cfg);
        return 0;
}

int config_parse(const char *text, size_t len, struct oci_config **ret, struct modrun_error **reterr)
{
        return config_parse_named(text, len, "config.json", ret, reterr);
}

int config_load(const char *bundle, const char *file, struct oci_config **ret, struct modrun_error **reterr)
{
        _cleanup_free_ char *path = NULL, *text = NULL;
        if (file ? !(path = strdup(file)) : asprintf(&path, "%s/config.json", bundle) < 0)
                return error_new(reterr, ENOMEM, NULL, "load %s/config.json", bundle);
        _cleanup_error_ struct modrun_error *err = NULL;
        int r = fs_read_regular_file(AT_FDCWD, path, 0, CONFIG_FILE_MAX_BYTES, &text, &err);
        if (r == -ENOENT && file)
                return error_new(reterr, ENOENT, "give an existing file with --config, or leave it out for "
                                 "the bundle's config.json", "%s: no such configuration file (--config)", path);
        if (r == -ENOENT)
                return error_new(reterr, ENOENT,
                                 "run `modrun spec` in the bundle to create one, or point --bundle at the bundle",
                                 "%s: bundle has no config.json", path);
        if (r < 0 && reterr && !*reterr)
                *reterr = TAKE_PTR(err);
        if (r < 0)
                return r;
        return config_parse_named(text, (size_t)r, path, ret, reterr);
}

int config_read_json_object(const char *path, struct json_object **ret, struct modrun_error **reterr)
{
        _cleanup_free_ char *text = NULL;
        int r;
        if (streq(path, "-")) {
                r = fs_read_fd(STDIN_FILENO, "standard input", CONFIG_FILE_MAX_BYTES, &text, reterr);
        } else if (fs_is_own_stream(path)) { /* a pipe of the caller's: `exec -p <(...)` */
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                r = fd < 0 ? error_new(reterr, errno, NULL, "open %s", path)
                           : fs_read_fd(fd, path, CONFIG_FILE_MAX_BYTES, &text, reterr);
        } else {
                r = fs_read_regular_file(AT_FDCWD, path, 0, CONFIG_FILE_MAX_BYTES, &text, reterr);
        }
        if (r < 0)
                return r;
        return tokenize(text, (size_t)r, path, ret, reterr);
}

struct oci_config *config_free(struct oci_config *c)
{
        if (!c)
                return NULL;
        free(c->oci_version);
        free(c->hostname);
        free(c->domainname);
        free(c->root.path);
        config_process_done(&c->process);
        for (size_t i = 0; i < c->n_mounts; i++)
                config_mount_done(&c->mounts[i]);
        free(c->mounts);
        for (int k = 0; k < _OCI_HOOK_MAX; k++) {
                for (size_t i = 0; i < c->n_hooks[k]; i++)
                        hook_done(&c->hooks[k][i]);
                free(c->hooks[k]);
        }
        for (size_t i = 0; i < c->n_annotations; i++)
                annotation_done(&c->annotations[i]);
        free(c->annotations);
        config_linux_done(&c->linux_);
        json_object_put(c->json);
        free(c);
        return NULL;
}

const char *config_annotation(const struct oci_config *c, const char *key)
{
        for (size_t i = 0; c && key && i < c->n_annotations; i++)
                if (streq(c->annotations[i].key, key))
                        return c->annotations[i].value;
        return NULL;
}

const struct oci_namespace *config_namespace(const struct oci_config *c, enum oci_ns_type t)
{
        for (size_t i = 0; c && i < c->linux_.n_namespaces; i++)
                if (c->linux_.namespaces[i].type == t)
                        return &c->linux_.namespaces[i];
        return NULL;
}

int config_parse_process_json(const char *text, size_t len, const char *name, struct oci_process *ret,
                              struct modrun_error **reterr)
{
        struct json_object *obj = NULL;
        int r = tokenize(text, len, name, &obj, reterr);
        if (r < 0)
                return r;
        const struct json_ctx c = {.file = name, .reterr = reterr};
        struct oci_process proc = {0};
        r = config_parse_process(&c, NULL, obj, &proc);
        json_object_put(obj);
        if (r < 0) {
                config_process_done(&proc);
                return r;
        }
        *ret = proc;
        return 0;
}
