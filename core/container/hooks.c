/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks: each runs as its own process with the container's state JSON
 * on stdin, its args and env (the runtime's environment when it has no
 * "env"), and a bounded time (its timeout, or
 * HOOK_DEFAULT_TIMEOUT_S); those the runtime runs work in the bundle (as
 * runc's create and run do). A hook that fails or times out is an error that
 * names the hook's kind and index, its path, how it ended and what it wrote,
 * and leaves no process behind: it runs under a supervisor process that is
 * a subreaper (hook_supervise), in a process group of its own.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci/config.h"
#include "hooks.h"
#include "init/rootfs/procfs.h"
#include "util/fs-util.h"
#include "../../plugins/common/child.h"
#include "../../plugins/common/clock.h"

#define HOOK_OUTPUT_MAX 2048
#define HOOK_KILL_BOUND_MS 2000 /* killing and reaping what a failed hook left */
#define HOOK_DRAIN_MS 50        /* output read after the hook's exit */

_Noreturn static void hook_exec(const struct oci_hook *h, int in, int out, const char *dir)
{
        char *argv_default[] = {h->path, NULL};
        if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)
                _exit(126);
        /* the bundle (runc's create and run work there); one gone since
         * leaves the runtime's directory */
        if (dir && *dir)
                (void)chdir(dir);
        (void)close_range(3, ~0U, 0);
        sigset_t none;
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
        (void)signal(SIGPIPE, SIG_DFL);
        /* No "env": the runtime's own environment, as runc (Go's exec.Cmd with
         * a nil Env) and crun; "env": [] is an empty one. */
        execve(h->path, h->args && h->args[0] ? h->args : argv_default, h->env ? h->env : environ);
        dprintf(STDERR_FILENO, "exec %s: %s\n", h->path, strerror(errno));
        _exit(127);
}

/* Every process left of a hook that failed or timed out, from its
 * supervisor: the hook's process group, and the descendants that left it
 * (setsid daemons), which the subreaper inherits once their parents die.
 * Killed and reaped until the supervisor has no child, within
 * HOOK_KILL_BOUND_MS. Without a procfs (a container without /proc, the
 * init after dropping CAP_SYS_ADMIN) only the process group is reached. */
static void hook_kill_all(pid_t pgid)
{
        _cleanup_close_ int proc = procfs_open_root("hooks", false, NULL);
        int64_t deadline = clock_now_ms() + HOOK_KILL_BOUND_MS;
        do {
                (void)kill(-pgid, SIGKILL);
                if (proc >= 0)
                        procfs_kill_children(proc, getpid());
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
                if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
                        return;
                clock_sleep_ms(2);
        } while (clock_now_ms() < deadline);
}

struct hook_result {
        int err;    /* 0: status is the hook's wait status; ETIMEDOUT; else why it could not run */
        int status;
};

/* The hook's supervisor: a subreaper, so that whatever the hook leaves
 * behind becomes its child; runs the hook in a process group of its own,
 * waits for it until deadline, and on a timeout or a failure kills and
 * reaps all of it before it reports on res. A hook that succeeds may leave
 * a daemon running (it then moves to our parent's reaper, as before). */
_Noreturn static void hook_supervise(const struct oci_hook *h, int in, int out, int res, int64_t deadline,
                                     const char *dir)
{
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0UL, 0UL, 0UL);
        (void)prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL);
        struct hook_result hr = {0};
        pid_t pid = fork();
        if (pid == 0) {
                (void)setpgid(0, 0);
                hook_exec(h, in, out, dir);
        }
        hr.err = pid < 0 ? errno : 0;
        (void)close(in);
        (void)close(out);
        if (pid > 0) {
                (void)setpgid(pid, pid); /* whichever of us is first */
                int r = child_wait_until(pid, deadline, &hr.status);
                hr.err = r < 0 ? -r : 0;
                if (r < 0 || !WIFEXITED(hr.status) || WEXITSTATUS(hr.status) != 0)
                        hook_kill_all(pid);
        }
        _exit(write(res, &hr, sizeof(hr)) == (ssize_t)sizeof(hr) ? 0 : 1);
}

/* Append what out has to buf (at most size - 1 bytes kept); 1 at EOF. */
static int read_output(int out, char *buf, size_t size)
{
        char tmp[512];
        ssize_t k = read(out, tmp, sizeof(tmp));
        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 0 : 1;
        if (k == 0)
                return 1;
        size_t len = strlen(buf), take = (size_t)k < size - 1 - len ? (size_t)k : size - 1 - len;
        memcpy(buf + len, tmp, take);
        buf[len + take] = '\0';
        return 0;
}

/* What the hook reads on its stdin: the state, written as the hook reads
 * it (any size; a hook that never reads it, or exits first, is no error). */
struct hook_input {
        int fd; /* non-blocking; -1 once all is written or the hook is gone */
        const char *data;
        size_t left;
};

static void write_input(struct hook_input *in)
{
        ssize_t k = send(in->fd, in->data, in->left, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (k > 0) {
                in->data += k;
                in->left -= (size_t)k;
        }
        if (k <= 0 || in->left == 0) { /* done, or EPIPE: the hook closed its stdin */
                (void)close(in->fd);
                in->fd = -1;
        }
}

/* Feed the hook its stdin, collect its output and the supervisor's report
 * before deadline; then what output is already there (a background child
 * of a hook that exited may hold the pipe open forever: not waited for). */
static int hook_wait(int res, int out, struct hook_input *in, int64_t deadline, char *buf, size_t size,
                     struct hook_result *ret)
{
        bool eof = false;
        for (;;) {
                int64_t left = deadline - clock_now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p[3] = {{.fd = res, .events = POLLIN},
                                      {.fd = eof ? -1 : out, .events = POLLIN},
                                      {.fd = in->fd, .events = POLLOUT}};
                int n = poll(p, 3, (int)left);
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (n > 0 && p[2].revents)
                        write_input(in);
                if (n > 0 && p[1].revents)
                        eof = read_output(out, buf, size) > 0;
                if (n > 0 && p[0].revents) {
                        ssize_t k = read(res, ret, sizeof(*ret));
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k != (ssize_t)sizeof(*ret))
                                return k < 0 ? -errno : -EPROTO;
                        break;
                }
        }
        for (int64_t end = clock_now_ms() + HOOK_DRAIN_MS; !eof && clock_now_ms() < end;) {
                struct pollfd p = {.fd = out, .events = POLLIN};
                if (poll(&p, 1, 0) <= 0)
                        break;
                eof = read_output(out, buf, size) > 0;
        }
        return 0;
}

static int hook_error(const char *kind, size_t i, const struct oci_hook *h, int r, int status, int timeout_s,
                      const char *output, struct modrun_error **reterr)
{
        char how[96];
        if (r == -ETIMEDOUT)
                (void)snprintf(how, sizeof(how), "did not finish within %d s and was killed", timeout_s);
        else if (r < 0)
                (void)snprintf(how, sizeof(how), "could not be waited for (%s)", strerror(-r));
        else if (WIFEXITED(status))
                (void)snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
        else
                (void)snprintf(how, sizeof(how), "was killed by signal %d (%s)", WTERMSIG(status),
                               strsignal(WTERMSIG(status)));
        /* errnum 0: the message says how it ended, no errno text to add */
        return error_new(reterr, 0,
                         r == -ETIMEDOUT ? "raise the hook's \"timeout\" or make it faster" : NULL,
                         "hooks.%s[%zu] %s %s%s%s", kind, i, h->path, how, *output ? ": " : "", output);
}

static void close_pair(int fds[2])
{
        (void)close(fds[0]);
        (void)close(fds[1]);
}

static int hook_run_one(const char *kind, size_t i, const struct oci_hook *h, const char *state_json,
                        const char *dir, struct modrun_error **reterr)
{
        int in[2], out[2], res[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
                return error_new(reterr, errno, NULL, "hooks.%s[%zu] %s: socketpair for its stdin", kind, i, h->path);
        if (pipe2(out, O_CLOEXEC) < 0) {
                int r = error_new(reterr, errno, NULL, "hooks.%s[%zu] %s: pipe for its output", kind, i, h->path);
                close_pair(in);
                return r;
        }
        if (pipe2(res, O_CLOEXEC) < 0) {
                int r = error_new(reterr, errno, NULL, "hooks.%s[%zu] %s: pipe for its supervisor", kind, i, h->path);
                close_pair(in);
                close_pair(out);
                return r;
        }
        int timeout_s = h->has_timeout ? h->timeout : HOOK_DEFAULT_TIMEOUT_S;
        int64_t deadline = clock_now_ms() + timeout_s * 1000L;
        pid_t sup = fork();
        if (sup == 0) { /* no exec here: every other fd (our ends of the pipes, sockets a peer waits on
                         * for EOF, the init's) is closed, not left open for the hook's lifetime */
                (void)fd_close_all_but(3, (const int[]){in[1], out[1], res[1]}, 3);
                hook_supervise(h, in[1], out[1], res[1], deadline, dir);
        }
        int fork_errno = errno;
        (void)close(in[1]);
        (void)close(out[1]);
        (void)close(res[1]);
        if (sup < 0) {
                (void)close(in[0]);
                (void)close(out[0]);
                (void)close(res[0]);
                return error_new(reterr, fork_errno, NULL, "hooks.%s[%zu] %s: fork", kind, i, h->path);
        }
        /* The whole state, as the hook reads it; the hook may not read it
         * at all (no SIGPIPE, no blocking write). */
        struct hook_input input = {.fd = in[0], .data = state_json, .left = strlen(state_json)};
        write_input(&input);
        char output[HOOK_OUTPUT_MAX] = "";
        struct hook_result hr = {0};
        int r = hook_wait(res[0], out[0], &input, deadline + HOOK_KILL_BOUND_MS + 1000, output, sizeof(output), &hr);
        if (input.fd >= 0)
                (void)close(input.fd);
        (void)close(out[0]);
        (void)close(res[0]);
        int status = 0;
        if (r < 0)
                (void)kill(sup, SIGKILL); /* stuck: should not happen, the supervisor is bounded */
        while (waitpid(sup, &status, 0) < 0 && errno == EINTR)
                ;
        if (r >= 0 && hr.err)
                r = -hr.err;
        if (r < 0 || !WIFEXITED(hr.status) || WEXITSTATUS(hr.status) != 0) {
                size_t n = strlen(output);
                while (n > 0 && (output[n - 1] == '\n' || output[n - 1] == ' '))
                        output[--n] = '\0';
                return hook_error(kind, i, h, r, hr.status, timeout_s, output, reterr);
        }
        return 0;
}

int hooks_run_nth(const struct oci_config *cfg, enum oci_hook_kind kind, size_t i, const char *state_json,
                  const char *dir, struct modrun_error **reterr)
{
        return hook_run_one(oci_hook_kind_to_string(kind), i, &cfg->hooks[kind][i], state_json, dir, reterr);
}

int hooks_run(const struct oci_config *cfg, enum oci_hook_kind kind, const char *state_json, const char *dir,
              struct modrun_error **reterr)
{
        for (size_t i = 0; i < cfg->n_hooks[kind]; i++) {
                int r = hook_run_one(oci_hook_kind_to_string(kind), i, &cfg->hooks[kind][i], state_json, dir,
                                     reterr);
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
        json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION_IMPLEMENTED));
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
