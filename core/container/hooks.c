/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks: each runs as its own process with the container's state JSON
 * on stdin, its args and env, and a bounded time (its timeout, or
 * HOOK_DEFAULT_TIMEOUT_S). A hook that fails or times out is an error that
 * names the hook's kind and index, its path, how it ended and what it wrote.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hooks.h"
#include "../../plugins/common/clock.h"

#define HOOK_OUTPUT_MAX 2048

_Noreturn static void hook_exec(const struct oci_hook *h, int in, int out)
{
        static char *const empty[] = {NULL};
        char *argv_default[] = {h->path, NULL};
        if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
                _exit(126);
        (void)close_range(3, ~0U, 0);
        sigset_t none;
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        (void)signal(SIGPIPE, SIG_DFL);
        execve(h->path, h->args && h->args[0] ? h->args : argv_default, h->env ? h->env : empty);
        dprintf(STDERR_FILENO, "exec %s: %s\n", h->path, strerror(errno));
        _exit(127);
}

/* Collect the output until EOF and the exit, both before deadline. */
static int hook_wait(pid_t pid, int out, int64_t deadline, char *buf, size_t size, int *ret_status)
{
        size_t len = 0;
        bool eof = false;
        for (;;) {
                if (eof) {
                        pid_t w = waitpid(pid, ret_status, WNOHANG);
                        if (w == pid)
                                return 0;
                        if (w < 0 && errno != EINTR)
                                return -errno;
                }
                int64_t left = deadline - clock_now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = {.fd = out, .events = POLLIN};
                int n = eof ? poll(NULL, 0, (int)(left < 10 ? left : 10)) : poll(&p, 1, (int)left);
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (eof || n <= 0)
                        continue;
                char tmp[512];
                ssize_t k = read(out, tmp, sizeof(tmp));
                if (k <= 0) {
                        eof = k == 0 || errno != EINTR;
                        continue;
                }
                size_t take = (size_t)k < size - 1 - len ? (size_t)k : size - 1 - len;
                memcpy(buf + len, tmp, take);
                len += take;
                buf[len] = '\0';
        }
}

static int hook_error(const char *kind, size_t i, const struct oci_hook *h, int r, int status, int timeout_s,
                      const char *output, struct modrun_error **reterr)
{
        char how[64];
        if (r == -ETIMEDOUT)
                (void)snprintf(how, sizeof(how), "did not finish within %d s and was killed", timeout_s);
        else if (r < 0)
                (void)snprintf(how, sizeof(how), "could not be waited for (%s)", strerror(-r));
        else if (WIFEXITED(status))
                (void)snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
        else
                (void)snprintf(how, sizeof(how), "was killed by signal %d", WTERMSIG(status));
        /* errnum 0: the message says how it ended, no errno text to add */
        return error_new(reterr, 0,
                         r == -ETIMEDOUT ? "raise the hook's \"timeout\" or make it faster" : NULL,
                         "hooks.%s[%zu] %s %s%s%s", kind, i, h->path, how, *output ? ": " : "", output);
}

static int hook_run_one(const char *kind, size_t i, const struct oci_hook *h, const char *state_json,
                        struct modrun_error **reterr)
{
        int in[2], out[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
                return error_new(reterr, errno, NULL, "hooks.%s[%zu] %s: socketpair for its stdin", kind, i, h->path);
        if (pipe2(out, O_CLOEXEC) < 0) {
                int r = error_new(reterr, errno, NULL, "hooks.%s[%zu] %s: pipe for its output", kind, i, h->path);
                (void)close(in[0]);
                (void)close(in[1]);
                return r;
        }
        pid_t pid = fork();
        if (pid == 0)
                hook_exec(h, in[1], out[1]);
        int fork_errno = errno;
        (void)close(in[1]);
        (void)close(out[1]);
        if (pid < 0) {
                (void)close(in[0]);
                (void)close(out[0]);
                return error_new(reterr, fork_errno, NULL, "hooks.%s[%zu] %s: fork", kind, i, h->path);
        }
        /* The hook may not read its stdin at all: no SIGPIPE, no blocking
         * beyond the socket buffer (the state is small). */
        (void)send(in[0], state_json, strlen(state_json), MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)close(in[0]);
        int timeout_s = h->has_timeout ? h->timeout : HOOK_DEFAULT_TIMEOUT_S;
        char output[HOOK_OUTPUT_MAX] = "";
        int status = 0;
        int r = hook_wait(pid, out[0], clock_now_ms() + timeout_s * 1000L, output, sizeof(output), &status);
        (void)close(out[0]);
        if (r < 0) {
                (void)kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                size_t n = strlen(output);
                while (n > 0 && (output[n - 1] == '\n' || output[n - 1] == ' '))
                        output[--n] = '\0';
                return hook_error(kind, i, h, r, status, timeout_s, output, reterr);
        }
        return 0;
}

int hooks_run(const struct oci_config *cfg, enum oci_hook_kind kind, const char *state_json,
              struct modrun_error **reterr)
{
        for (size_t i = 0; i < cfg->n_hooks[kind]; i++) {
                int r = hook_run_one(oci_hook_kind_to_string(kind), i, &cfg->hooks[kind][i], state_json, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int hooks_time_bound_ms(const struct oci_config *cfg, enum oci_hook_kind kind)
{
        int ms = 0;
        for (size_t i = 0; i < cfg->n_hooks[kind]; i++)
                ms += (cfg->hooks[kind][i].has_timeout ? cfg->hooks[kind][i].timeout : HOOK_DEFAULT_TIMEOUT_S) * 1000;
        return ms;
}

char *hooks_state_json(const struct oci_config *cfg, const char *id, const char *status, pid_t pid,
                       const char *bundle)
{
        struct json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
        json_object_object_add(o, "id", json_object_new_string(id));
        json_object_object_add(o, "status", json_object_new_string(status));
        json_object_object_add(o, "pid", json_object_new_int(pid));
        json_object_object_add(o, "bundle", json_object_new_string(bundle));
        struct json_object *a = json_object_new_object();
        if (!a) {
                json_object_put(o);
                return NULL;
        }
        for (size_t i = 0; i < cfg->n_annotations; i++)
                json_object_object_add(a, cfg->annotations[i].key,
                                       json_object_new_string(cfg->annotations[i].value));
        json_object_object_add(o, "annotations", a);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        char *s = text ? strdup(text) : NULL;
        json_object_put(o);
        return s;
}
