/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `exec`: a new process in a running container. Its process object is the
 * container's (env, user, capabilities, rlimits, noNewPrivileges) with the
 * command line's changes, or a whole process.json (--process) whose
 * missing security settings (capabilities, noNewPrivileges, LSM labels,
 * rlimits) are the container's; it is built as JSON and parsed like config.json, so its errors carry JSON paths. It
 * joins the namespaces of the container's init and its cgroup, and gets
 * the container's seccomp filter.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "container.h"
#include "container/spawn.h"
#include "util/fd-pass.h"
#include "util/fs-util.h"

static struct json_object *strv_to_json(char **v)
{
        struct json_object *a = json_object_new_array();
        for (; v && *v; v++)
                json_object_array_add(a, json_object_new_string(*v));
        return a;
}

/* env: the container's, each --env replacing the variable of its name */
static void merge_env(struct json_object *proc, char **add)
{
        struct json_object *env = NULL, *out = json_object_new_array();
        (void)json_object_object_get_ex(proc, "env", &env);
        for (size_t i = 0; env && i < json_object_array_length(env); i++) {
                const char *kv = json_object_get_string(json_object_array_get_idx(env, i));
                size_t klen = strcspn(kv, "=");
                bool replaced = false;
                for (char **a = add; a && *a && !replaced; a++)
                        replaced = strncmp(*a, kv, klen) == 0 && (*a)[klen] == '=';
                if (!replaced)
                        json_object_array_add(out, json_object_new_string(kv));
        }
        for (char **a = add; a && *a; a++)
                json_object_array_add(out, json_object_new_string(*a));
        json_object_object_add(proc, "env", out);
}

static int set_user(struct json_object *proc, const struct exec_opts *o, struct modrun_error **reterr)
{
        struct json_object *user = NULL;
        if (!json_object_object_get_ex(proc, "user", &user)) {
                user = json_object_new_object();
                json_object_object_add(proc, "user", user);
        }
        if (o->user) {
                unsigned uid, gid;
                char tail;
                int n = sscanf(o->user, "%u:%u%c", &uid, &gid, &tail);
                if (n != 1 && n != 2)
                        return error_new(reterr, EINVAL, "give numeric ids, e.g. --user 1000:1000",
                                         "exec --user \"%s\": expected UID[:GID]", o->user);
                json_object_object_add(user, "uid", json_object_new_int64(uid));
                if (n == 2) /* without: the process's gid stays, as with runc */
                        json_object_object_add(user, "gid", json_object_new_int64(gid));
        }
        if (o->additional_gids) {
                struct json_object *g = json_object_new_array();
                for (char **s = o->additional_gids; *s; s++) {
                        char *end = NULL;
                        unsigned long v = strtoul(*s, &end, 10);
                        if (!**s || *end || v > UINT32_MAX) {
                                json_object_put(g);
                                return error_new(reterr, EINVAL, NULL, "exec --additional-gids \"%s\": not a gid", *s);
                        }
                        json_object_array_add(g, json_object_new_int64((int64_t)v));
                }
                json_object_object_add(user, "additionalGids", g);
        }
        return 0;
}

/* --cap adds to the bounding, effective and permitted sets, and to the
 * ambient set when the process has an inheritable set (ambient needs it),
 * as runc 1.1 (crun too gives the exec'd process the capability, bounding
 * set included): the caller of exec is the container's owner on the host. */
static void add_caps(struct json_object *proc, char **caps)
{
        struct json_object *c = NULL, *inheritable = NULL;
        if (!caps)
                return;
        if (!json_object_object_get_ex(proc, "capabilities", &c) || !json_object_is_type(c, json_type_object)) {
                c = json_object_new_object();
                json_object_object_add(proc, "capabilities", c);
        }
        bool ambient = json_object_object_get_ex(c, "inheritable", &inheritable) && inheritable;
        static const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
        for (char **cap = caps; *cap; cap++)
                for (size_t k = 0; k < ELEMENTSOF(sets) - !ambient; k++) {
                        struct json_object *set = NULL;
                        if (!json_object_object_get_ex(c, sets[k], &set) || !json_object_is_type(set, json_type_array)) {
                                set = json_object_new_array();
                                json_object_object_add(c, sets[k], set);
                        }
                        json_object_array_add(set, json_object_new_string(*cap));
                }
}

/* The process object from the command line: the container's, with the
 * command, terminal, cwd, env and user of the flags. */
static int process_from_flags(const struct oci_config *cfg, const struct exec_opts *o, struct json_object **ret,
                              struct modrun_error **reterr)
{
        if (!o->args || !o->args[0])
                return error_new(reterr, EINVAL, "give the command after the container id, or --process FILE",
                                 "exec: no command to run");
        struct json_object *base = NULL, *proc = NULL;
        if (json_object_object_get_ex(cfg->json, "process", &base))
                (void)json_object_deep_copy(base, &proc, NULL);
        if (!proc)
                proc = json_object_new_object();
        json_object_object_add(proc, "args", strv_to_json(o->args));
        json_object_object_add(proc, "terminal", json_object_new_boolean(o->tty));
        if (o->cwd)
                json_object_object_add(proc, "cwd", json_object_new_string(o->cwd));
        merge_env(proc, o->env);
        int r = set_user(proc, o, reterr);
        if (r < 0) {
                json_object_put(proc);
                return r;
        }
        *ret = proc;
        return 0;
}

/* The security settings a process object leaves out are the container's
 * (as runc's exec, and for noNewPrivileges stricter: runc's `exec -p`
 * clears it when the file omits it): an exec'd process never gets more
 * than the container by omission. Seccomp is always the container's. */
static int inherit_security(struct json_object *proc, const struct oci_config *cfg, const char *name,
                            struct modrun_error **reterr)
{
        static const char *const keys[] = {"capabilities", "noNewPrivileges", "apparmorProfile", "selinuxLabel",
                                           "rlimits"};
        struct json_object *base = NULL;
        if (!json_object_object_get_ex(cfg->json, "process", &base))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                struct json_object *mine = NULL, *theirs = NULL, *copy = NULL;
                if (json_object_object_get_ex(proc, keys[i], &mine) && !json_object_is_type(mine, json_type_null))
                        continue;
                if (!json_object_object_get_ex(base, keys[i], &theirs))
                        continue;
                if (json_object_deep_copy(theirs, &copy, NULL) < 0 || json_object_object_add(proc, keys[i], copy) < 0) {
                        json_object_put(copy);
                        return error_new(reterr, ENOMEM, NULL, "%s: copy the container's process.%s", name, keys[i]);
                }
        }
        return 0;
}

/* The flags that ask for a change of security settings apply to a
 * --process file as well (runc ignores them there). */
static void apply_security_flags(struct json_object *proc, const struct exec_opts *o)
{
        if (o->no_new_privs_set) /* =false too clears it, as with runc */
                json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(o->no_new_privs));
        if (o->process_label)
                json_object_object_add(proc, "selinuxLabel", json_object_new_string(o->process_label));
        if (o->apparmor)
                json_object_object_add(proc, "apparmorProfile", json_object_new_string(o->apparmor));
        add_caps(proc, o->caps);
}

/* The process object as JSON text: --process FILE, or the container's
 * with the flags applied; either way with the container's security
 * settings where it leaves them out. */
static int build_process_json(const struct oci_config *cfg, const struct exec_opts *o, char **ret_text,
                              struct modrun_error **reterr)
{
        const char *name = o->process_file ? o->process_file : "exec process";
        struct json_object *proc = NULL;
        int r = o->process_file ? config_read_json_object(o->process_file, &proc, reterr)
                                : process_from_flags(cfg, o, &proc, reterr);
        if (r < 0)
                return o->process_file ? error_wrap(reterr, "exec --process") : r;
        if ((r = inherit_security(proc, cfg, name, reterr)) >= 0)
                apply_security_flags(proc, o);
        if (r >= 0 && !(*ret_text = strdup(json_object_to_json_string_ext(proc, JSON_C_TO_STRING_PLAIN))))
                r = error_new(reterr, ENOMEM, NULL, "exec: the process object");
        json_object_put(proc);
        return r;
}

/* Spawn the process under the container's lock; returns its pid. */
static int exec_spawn(const struct runtime_ctx *ctx, const char *id, const struct exec_opts *o, int own_console,
                      pid_t *ret_pid, struct modrun_error **reterr)
{
        _cleanup_container_ struct container *c = NULL;
        /* An exec'd process joins the namespaces and the cgroup: of the
         * recorded plugins it needs the cgroup manager alone (no mounts,
         * id maps nor device rules to make). */
        int r = container_open_kinds(ctx, id, PLUGIN_KIND_BIT(MODRUN_KIND_CGROUP), &c, reterr);
        if (r < 0)
                return r;
        enum container_status st = state_status(c->dir, c->state);
        bool paused = st == STATUS_PAUSED && o->ignore_paused;
        if (st == STATUS_PAUSED && !paused) /* runc's words, which clients may look for */
                return error_new(reterr, 0, "resume it first, or pass --ignore-paused",
                                 "cannot exec in a paused container: container %s is paused", id);
        if (st != STATUS_RUNNING && st != STATUS_CREATED && !paused)
                return error_new(reterr, 0,
                                 "exec needs a created or running container: start a new one",
                                 "cannot exec in container %s: it is %s", id, container_status_to_string(st));
        if (!c->cfg)
                return error_new(reterr, EIO, NULL, "container %s: its stored config.json cannot be read", id);
        _cleanup_free_ char *text = NULL;
        struct oci_process proc;
        if ((r = build_process_json(c->cfg, o, &text, reterr)) < 0 ||
            (r = config_parse_process_json(text, strlen(text), o->process_file ? o->process_file : "exec process",
                                           &proc, reterr)) < 0)
                return r;
        /* the exec'd process replaces the init's in the container's config,
         * freed (with the text) before the fork shares the heap */
        config_process_done(&c->cfg->process);
        c->cfg->process = proc;
        free(TAKE_PTR(text));
        const struct oci_config *cfg = c->cfg;
        _cleanup_close_ int console = -1;
        if (cfg->process.terminal && !o->console_socket && own_console < 0)
                r = error_new(reterr, EINVAL, "pass --console-socket PATH, or leave out --tty",
                              "exec --tty --detach: there is no --console-socket to send the terminal to");
        else if (cfg->process.terminal && !o->console_socket) {
                if ((console = fcntl(own_console, F_DUPFD_CLOEXEC, 3)) < 0)
                        r = error_new(reterr, errno, NULL, "duplicate the socket for the exec'd process's terminal");
        } else if (cfg->process.terminal && (console = unix_connect(o->console_socket)) < 0)
                r = error_new(reterr, -console, "is something listening on --console-socket?",
                              "connect to the console socket %s", o->console_socket);
        struct spawn_params sp = {
                .cfg = cfg, .id = id, .bundle = c->state->bundle, .rootfs = c->state->rootfs,
                .state_dir_fd = c->dir->dir_fd, .console_socket_fd = console,
                .console_ours = cfg->process.terminal && !o->console_socket && !isatty(STDOUT_FILENO),
                .preserve_fds = o->preserve_fds,
                .plugins = c->plugins, .timeout_ms = LIFECYCLE_SETUP_TIMEOUT_MS, .join_pid = c->state->pid,
                .subs = o->cgroups, .n_subs = o->n_cgroups, .enter_cgroup_last = paused,
        };
        if (r >= 0)
                r = container_spawn(&sp, ret_pid, reterr);
        if (r < 0)
                return error_wrap(reterr, "exec in container %s", id);
        container_release_at_exit(TAKE_PTR(c));
        return 0;
}

int lifecycle_exec(const struct runtime_ctx *ctx, const char *id, const struct exec_opts *o, int *ret_status,
                   struct modrun_error **reterr)
{
        sigset_t set, old;
        if (!o->detach)
                forward_signals_block(&set, &old);
        pid_t pid = 0;
        /* In the foreground without --console-socket, a terminal comes to
         * us and is proxied to our own, as `run` does (and runc). */
        _cleanup_close_ int ours = -1, theirs = -1, master = -1, host = -1;
        int r = 0, pair[2];
        if (!o->detach && !o->console_socket) {
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                        r = error_new(reterr, errno, NULL, "socketpair(AF_UNIX) for the exec'd process's terminal");
                else
                        ours = pair[0], theirs = pair[1];
        }
        if (r >= 0)
                r = exec_spawn(ctx, id, o, theirs, &pid, reterr);
        if (r >= 0 && ours >= 0)
                r = console_receive(ours, &master, reterr);
        if (r >= 0 && master >= 0 && (host = console_host()) < 0)
                r = error_new(reterr, 0,
                              "run it from a terminal, leave out --tty, or pass --console-socket to give the "
                              "terminal to another program",
                              "exec --tty in container %s: modrun has no terminal (none of stdin, stdout, stderr "
                              "is one, and there is no controlling terminal)", id);
        if (r >= 0 && o->pid_file)
                r = write_pid_file(o->pid_file, pid, reterr);
        if (r >= 0 && o->pidfd_socket)
                r = send_pidfd(o->pidfd_socket, pid, reterr);
        if (r < 0 && pid > 0) {
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
        }
        *ret_status = 0;
        if (r >= 0 && !o->detach &&
            (r = master >= 0 ? console_proxy(pid, master, host, &set, ret_status)
                             : wait_forwarding(pid, &set, ret_status)) < 0)
                r = error_new(reterr, -r, NULL, "wait for the process %d exec'd in container %s", (int)pid, id);
        if (!o->detach)
                sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
