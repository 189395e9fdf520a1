/* SPDX-License-Identifier: Apache-2.0 */
/* ps, pause, resume, update, events (runc's flags and output) */
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "commands.h"
#include "util/fs-util.h"
#include "../../plugins/common/clock.h"

const struct cli_option cli_no_options[] = {{0}};

static int cmd_pause_resume(struct runtime_ctx *ctx, struct cli_args *a, bool pause, struct modrun_error **reterr)
{
        const char *v;
        int r = cli_next(a, cli_no_options, &v, reterr);
        if (r < 0 || (r = cli_expect_args(a, 1, pause ? "pause ID" : "resume ID", reterr)) < 0)
                return r;
        return lifecycle_pause(ctx, a->positional[0], pause, reterr);
}

int cmd_pause(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        return cmd_pause_resume(ctx, a, true, reterr);
}

int cmd_resume(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        return cmd_pause_resume(ctx, a, false, reterr);
}

static bool pid_in(pid_t pid, const pid_t *pids, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

/* runc's way: run ps(1) with the given args and keep the header and the
 * lines whose PID column is one of the container's. */
static int ps_table(char **ps_args, const pid_t *pids, size_t n, struct modrun_error **reterr)
{
        char *argv[64] = {"ps"};
        size_t k = 1;
        for (char **p = ps_args; p && *p && k < ELEMENTSOF(argv) - 1; p++)
                argv[k++] = *p;
        if (k == 1)
                argv[k++] = "-ef";
        argv[k] = NULL;
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return error_new(reterr, errno, NULL, "pipe for ps");
        pid_t child = fork();
        if (child == 0) {
                (void)dup2(fds[1], STDOUT_FILENO);
                execvp("ps", argv);
                _exit(127);
        }
        (void)close(fds[1]);
        _cleanup_fclose_ FILE *f = fdopen(fds[0], "re");
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        int pid_col = -1;
        while (f && getline(&line, &cap, f) > 0) {
                char copy[4096];
                (void)snprintf(copy, sizeof(copy), "%s", line);
                char *save = NULL, *tok = strtok_r(copy, " \t\n", &save);
                if (pid_col < 0) {
                        for (int col = 0; tok; tok = strtok_r(NULL, " \t\n", &save), col++)
                                if (streq(tok, "PID"))
                                        pid_col = col;
                        fputs(line, stdout);
                        continue;
                }
                for (int col = 0; tok && col < pid_col; col++)
                        tok = strtok_r(NULL, " \t\n", &save);
                if (tok && pid_in((pid_t)strtol(tok, NULL, 10), pids, n))
                        fputs(line, stdout);
        }
        int status = 0;
        (void)waitpid(child, &status, 0);
        if (pid_col < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_new(reterr, EINVAL, "ps(1) must print a header with a PID column (procps)",
                                 "ps %s failed or printed no PID column", argv[1]);
        return 0;
}

const struct cli_option cli_ps_options[] = {
        {"format", 'f', true, 1, "table|json", "table: ps(1)'s output (ps -ef, or the PS ARGS); json: the pids"}, {0}};

int cmd_ps(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v, *format = "table";
        int id;
        a->stop_at_positional = true; /* ps(1)'s arguments follow the id */
        while ((id = cli_next(a, cli_ps_options, &v, reterr)) > 0)
                format = v;
        if (id < 0)
                return id;
        if (a->n_positional < 1)
                return error_new(reterr, 0, "see `modrun ps --help`", "usage: modrun ps [--format table|json] ID [PS ARGS...]");
        if (!streq(format, "table") && !streq(format, "json"))
                return error_new(reterr, 0, "use table or json", "ps --format: unknown format \"%s\"", format);
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = lifecycle_pids(ctx, a->positional[0], &pids, &n, reterr);
        if (r < 0)
                return r;
        if (streq(format, "table"))
                return ps_table(a->positional + 1, pids, n, reterr);
        struct json_object *arr = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(arr, json_object_new_int(pids[i]));
        printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
        json_object_put(arr);
        return 0;
}

/* Has the init behind pidfd (-1: none) exited? */
static bool init_exited(int pidfd)
{
        return pidfd >= 0 && poll(&(struct pollfd){.fd = pidfd, .events = POLLIN}, 1, 0) > 0;
}

/* One line of `events`: {"type":"stats","id":ID,"data":{...}}; 1 and no
 * line when the init behind pidfd (-1: none) exited meanwhile (its cgroup
 * may be gone: the statistics of nothing). */
static int print_stats(struct container *c, int pidfd, const char *id, struct modrun_error **reterr)
{
        struct json_object *data = NULL;
        int r = lifecycle_watch_stats(c, &data, reterr);
        if (init_exited(pidfd)) {
                json_object_put(data);
                return 1;
        }
        if (r < 0)
                return r;
        struct json_object *ev = json_object_new_object();
        json_object_object_add(ev, "type", json_object_new_string("stats"));
        json_object_object_add(ev, "id", json_object_new_string(id));
        json_object_object_add(ev, "data", data);
        printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
        (void)fflush(stdout);
        json_object_put(ev);
        return 0;
}

static void print_oom(const char *id)
{
        struct json_object *ev = json_object_new_object();
        json_object_object_add(ev, "type", json_object_new_string("oom"));
        json_object_object_add(ev, "id", json_object_new_string(id));
        printf("%s\n", json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
        (void)fflush(stdout);
        json_object_put(ev);
}

/* A new OOM kill since *last: an "oom" line (runc's). */
static void check_oom(struct container *c, const char *id, bool *have, uint64_t *last)
{
        _cleanup_error_ struct modrun_error *err = NULL;
        uint64_t n = 0;
        if (lifecycle_watch_oom_count(c, &n, &err) < 0)
                return;
        if (*have && n > *last)
                print_oom(id);
        *have = true;
        *last = n;
}

/* `events` without --stats: a stats line every interval and an "oom" line
 * for each OOM kill (checked every EVENTS_OOM_CHECK_MS), until the
 * container's init exits (it stopped, or was killed or deleted): then it
 * returns 0, as the spec's container is stopped (runc's events does not
 * end on a v1 host while the cgroup exists). */
#define EVENTS_OOM_CHECK_MS 200
static int watch_events(struct container *c, int pidfd, const char *id, int interval_ms,
                        struct modrun_error **reterr)
{
        bool have_oom = false;
        uint64_t oom = 0;
        check_oom(c, id, &have_oom, &oom);
        int64_t next_stats = clock_now_ms() + interval_ms;
        for (;;) {
                int64_t left = next_stats - clock_now_ms();
                int wait = left < 0 ? 0 : left < EVENTS_OOM_CHECK_MS ? (int)left : EVENTS_OOM_CHECK_MS;
                struct pollfd p = {.fd = pidfd, .events = POLLIN};
                int n = poll(&p, 1, wait);
                if (n < 0 && errno != EINTR)
                        return error_new(reterr, errno, NULL, "events: wait for the init of container %s", id);
                check_oom(c, id, &have_oom, &oom); /* an OOM kill of the init itself is reported too */
                if (n > 0)
                        return 0;
                if (clock_now_ms() < next_stats)
                        continue;
                next_stats += interval_ms;
                _cleanup_error_ struct modrun_error *err = NULL;
                int r = print_stats(c, pidfd, id, &err);
                if (r > 0)
                        return 0; /* stopped meanwhile */
                if (r < 0) {
                        *reterr = TAKE_PTR(err);
                        return r;
                }
        }
}

/* Go's duration as runc takes it: "5s", "100ms", "1m". */
static int parse_interval(const char *v, int *ret_ms, struct modrun_error **reterr)
{
        char *end = NULL;
        double x = strtod(v, &end);
        double mul = streq(end, "ms") ? 1 : streq(end, "s") ? 1000 : streq(end, "m") ? 60000 : -1;
        if (end == v || mul < 0 || x <= 0 || x * mul > 86400000.0)
                return error_new(reterr, 0, "e.g. 5s or 500ms", "events --interval \"%s\": not a duration", v);
        *ret_ms = (int)(x * mul);
        return *ret_ms > 0 ? 0 : error_new(reterr, 0, "give at least 1ms", "events --interval \"%s\" is too short", v);
}

const struct cli_option cli_events_options[] = {
        {"stats", 0, false, 1, NULL, "print the statistics once and exit"},
        {"interval", 0, true, 2, "DURATION", "time between two statistics lines, e.g. 5s or 500ms (default 5s)"},
        {0},
};

int cmd_events(struct runtime_ctx *ctx, struct cli_args *a, struct modrun_error **reterr)
{
        const char *v;
        bool once = false;
        int id, interval_ms = 5000, r = 0;
        while (r >= 0 && (id = cli_next(a, cli_events_options, &v, reterr)) > 0) {
                if (id == 1)
                        once = cli_bool_value(v);
                else
                        r = parse_interval(v, &interval_ms, reterr);
        }
        if (id < 0 || r < 0 || (r = cli_expect_args(a, 1, "events [--stats] [--interval D] ID", reterr)) < 0)
                return id < 0 ? id : r;
        const char *cid = a->positional[0];
        struct container *c = NULL;
        _cleanup_close_ int pidfd = -1;
        if ((r = lifecycle_watch_open(ctx, cid, &c, once ? NULL : &pidfd, reterr)) < 0)
                return r;
        r = once ? print_stats(c, -1, cid, reterr) : watch_events(c, pidfd, cid, interval_ms, reterr);
        lifecycle_watch_close(c);
        return r;
}
