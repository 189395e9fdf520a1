/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugins_list() for `modrun features`: every <kind>-<name>.so in the plugin
 * directories, each loaded and checked in a forked child (a plugin whose
 * constructor aborts or hangs takes down only that child), plus the built-in
 * plugins. A broken plugin is reported with the reason, never fatal.
 */
#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plugin/plugin-internal.h"
#include "util/log.h"
#include "../../plugins/common/child.h"

#define PROBE_TIMEOUT_MS 5000
#define PROBE_MAX_OUTPUT 65536

static void add_str(struct json_object *o, const char *key, const char *v)
{
        json_object_object_add(o, key, v ? json_object_new_string(v) : NULL);
}

/* The child: load and check, report as one JSON object, _exit(). */
_noreturn_ static void probe_child(int wfd, const char *dir, uint32_t kind, const char *name)
{
        log_adopt_process(); /* a copy of ours: --log is its own too */
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null >= 0) {
                (void)dup2(null, STDIN_FILENO);
                (void)dup2(null, STDOUT_FILENO);
                (void)dup2(null, STDERR_FILENO);
        }
        struct rlimit nocore = {0, 0};
        (void)setrlimit(RLIMIT_CORE, &nocore);
        void *h = NULL;
        const struct modrun_plugin *desc = NULL;
        char *path = NULL;
        struct modrun_error *err = NULL;
        struct json_object *o = json_object_new_object();
        int r = plugin_load_from_dir(dir, kind, name, &h, &desc, &path, &err);
        if (r > 0) {
                add_str(o, "version", desc->version);
                add_str(o, "description", desc->description);
                json_object_object_add(o, "abi", json_object_new_int64(desc->abi_major));
        } else if (r == 0)
                add_str(o, "error", "the file disappeared while probing");
        else {
                add_str(o, "error", err && err->msg ? err->msg : "refused");
                add_str(o, "hint", err ? err->hint : NULL);
        }
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        size_t len = strlen(s);
        while (len > 0) {
                ssize_t k = write(wfd, s, len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                s += k;
                len -= (size_t)k;
        }
        _exit(0);
}

/* Read the child's report until EOF or the deadline. */
static size_t read_report(int rfd, char *buf, size_t cap, int64_t deadline)
{
        size_t len = 0;
        while (len + 1 < cap) {
                int64_t left = deadline - clock_now_ms();
                if (left <= 0)
                        break;
                struct pollfd p = { .fd = rfd, .events = POLLIN };
                int r = poll(&p, 1, (int)left);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                ssize_t k = read(rfd, buf + len, cap - len - 1);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                len += (size_t)k;
        }
        buf[len] = '\0';
        return len;
}

static char *probe_failure(int status, const char *report, int timeout_ms)
{
        char *why = NULL;
        int r = 0;
        if (status == -ETIMEDOUT)
                r = asprintf(&why, "loading it did not finish within %d ms; the probe was killed (a constructor "
                                   "that blocks?)", timeout_ms);
        else if (status >= 0 && WIFSIGNALED(status))
                r = asprintf(&why, "it crashed while being loaded (signal SIG%s, %s): its constructor or a library "
                                   "it needs failed",
                             sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?",
                             strsignal(WTERMSIG(status)));
        else if (!*report)
                r = asprintf(&why, "the probe process ended (wait status 0x%x) without a report", (unsigned)status);
        return r < 0 ? NULL : why;
}

static void probe_result(struct json_object *obj, int status, const char *report, int timeout_ms)
{
        _cleanup_free_ char *why = probe_failure(status, report, timeout_ms);
        struct json_object *rep = why ? NULL : json_tokener_parse(report), *v;
        if (!why && !rep)
                why = strdup("the probe process sent a report that is not JSON");
        if (why) {
                json_object_object_add(obj, "usable", json_object_new_boolean(0));
                add_str(obj, "error", why);
                return;
        }
        static const char *const keys[] = {"version", "description", "abi", "error", "hint"};
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (json_object_object_get_ex(rep, keys[i], &v) && v)
                        json_object_object_add(obj, keys[i], json_object_get(v));
        bool usable = !json_object_object_get_ex(rep, "error", &v) || !v;
        json_object_object_add(obj, "usable", json_object_new_boolean(usable));
        if (usable)
                json_object_object_add(obj, "error", NULL);
        json_object_put(rep);
}

void plugin_probe(const char *dir, const char *file, uint32_t kind, const char *name, int timeout_ms,
                  struct json_object *obj)
{
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) < 0) {
                json_object_object_add(obj, "usable", json_object_new_boolean(0));
                add_str(obj, "error", "could not create a pipe to probe it");
                return;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
                close(pfd[0]);
                probe_child(pfd[1], dir, kind, name);
        }
        close(pfd[1]);
        if (pid < 0) {
                close(pfd[0]);
                json_object_object_add(obj, "usable", json_object_new_boolean(0));
                add_str(obj, "error", "could not fork a process to probe it");
                return;
        }
        int64_t deadline = clock_now_ms() + timeout_ms;
        _cleanup_free_ char *buf = malloc(PROBE_MAX_OUTPUT);
        if (buf)
                (void)read_report(pfd[0], buf, PROBE_MAX_OUTPUT, deadline);
        close(pfd[0]);
        int status = 0, w = child_wait_until(pid, deadline, &status);
        if (w < 0)
                status = w; /* -ETIMEDOUT: killed */
        log_debug("probed plugin %s/%s: wait status %d", dir, file, status);
        probe_result(obj, status, buf ? buf : "", timeout_ms);
}

static struct json_object *entry_new(const char *kind, const char *name, const char *path)
{
        struct json_object *o = json_object_new_object();
        add_str(o, "kind", kind);
        add_str(o, "name", name);
        add_str(o, "path", path);
        return o;
}

static void list_builtins(struct json_object *arr)
{
        for (const struct modrun_plugin *const *b = plugin_builtins; *b; b++) {
                struct json_object *o = entry_new(plugin_kind_to_string((*b)->kind), (*b)->name, NULL);
                add_str(o, "version", (*b)->version);
                add_str(o, "description", (*b)->description);
                json_object_object_add(o, "abi", json_object_new_int64((*b)->abi_major));
                json_object_object_add(o, "builtin", json_object_new_boolean(1));
                json_object_object_add(o, "usable", json_object_new_boolean(1));
                json_object_object_add(o, "error", NULL);
                json_object_array_add(arr, o);
        }
}

/* The first entry of arr for kind/name, for shadowing. */
static const char *seen_path(struct json_object *arr, const char *kind, const char *name)
{
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct json_object *o = json_object_array_get_idx(arr, i), *k, *n, *p;
                if (json_object_object_get_ex(o, "kind", &k) && json_object_object_get_ex(o, "name", &n) &&
                    k && n && streq(json_object_get_string(k), kind) && streq(json_object_get_string(n), name))
                        return json_object_object_get_ex(o, "path", &p) && p ? json_object_get_string(p)
                                                                             : "a built-in plugin";
        }
        return NULL;
}

static void list_file(struct json_object *arr, const char *dir, const char *file)
{
        _cleanup_free_ char *path = NULL, *kind_s = NULL, *name = NULL;
        if (asprintf(&path, "%s/%s", dir, file) < 0)
                return;
        const char *dash = strchr(file, '-');
        size_t len = strlen(file);
        uint32_t kind = 0;
        if (dash && (kind_s = strndup(file, (size_t)(dash - file))))
                kind = plugin_kind_from_string(kind_s);
        if (dash)
                name = strndup(dash + 1, len - (size_t)(dash - file) - 1 - 3);
        struct json_object *o = entry_new(kind ? kind_s : NULL, name, path);
        json_object_array_add(arr, o);
        _cleanup_error_ struct modrun_error *err = NULL;
        if (!kind || !name || plugin_name_validate(name, path, &err) < 0) {
                json_object_object_add(o, "usable", json_object_new_boolean(0));
                add_str(o, "error", err ? err->msg
                                        : "the file name is not <kind>-<name>.so with a kind of cgroup, devices, "
                                          "namespace or mount");
                return;
        }
        const char *shadow = seen_path(arr, kind_s, name);
        if (shadow && !streq(shadow, path))
                add_str(o, "shadowedBy", shadow);
        plugin_probe(dir, file, kind, name, PROBE_TIMEOUT_MS, o);
}

static int so_filter(const struct dirent *de)
{
        size_t len = strlen(de->d_name);
        return de->d_name[0] != '.' && len > 3 && streq(de->d_name + len - 3, ".so");
}

int plugins_list(const struct plugin_options *opts, struct json_object **ret_array, struct modrun_error **reterr)
{
        char **dirs = NULL;
        size_t n_dirs = 0;
        int r = plugin_search_dirs(opts, &dirs, &n_dirs, reterr);
        if (r < 0)
                return r;
        struct json_object *arr = json_object_new_array();
        if (!arr) {
                plugin_strv_free(dirs);
                return error_new(reterr, ENOMEM, NULL, "list plugins");
        }
        list_builtins(arr);
        for (size_t i = 0; i < n_dirs; i++) {
                struct dirent **ents = NULL;
                int n = scandir(dirs[i], &ents, so_filter, alphasort);
                if (n < 0) {
                        log_debug("plugin directory %s: %m, skipped", dirs[i]);
                        continue;
                }
                for (int j = 0; j < n; j++) {
                        list_file(arr, dirs[i], ents[j]->d_name);
                        free(ents[j]);
                }
                free(ents);
        }
        plugin_strv_free(dirs);
        *ret_array = arr;
        return 0;
}
