/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The connection to systemd (sd-bus, loaded on first use: libsystemd.h)
 * and bounded job waits.
 *
 * As root the system bus, falling back to systemd's own socket
 * /run/systemd/private (no D-Bus daemon); rootless the user bus. Every method call has a timeout (sd_bus_set_method_call_timeout)
 * and every job is awaited through the manager's JobRemoved signal with
 * sd_bus_wait() bounded by the caller's deadline; a timeout is an error
 * naming the unit and the job. The connection is made lazily, in the
 * process that uses it, since an sd-bus connection does not survive fork.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "libsystemd.h"
#include "systemd.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *unused)
{
        struct sdb *b = userdata;
        const struct sdlib *L = b->lib;
        uint32_t id;
        const char *job = NULL, *unit = NULL, *result = NULL;
        (void)unused;
        if (L->message_read(m, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        size_t i = b->n_done % (sizeof(b->done) / sizeof(b->done[0]));
        (void)snprintf(b->done[i].path, sizeof(b->done[i].path), "%s", job);
        (void)snprintf(b->done[i].result, sizeof(b->done[i].result), "%s", result);
        b->n_done++;
        return 0;
}

/* host->error() with an sd_bus_error's text. */
static int fail(const struct sdb *b, struct modrun_error **reterr, int r, const sd_bus_error *e, const char *hint,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int fail(const struct sdb *b, struct modrun_error **reterr, int r, const sd_bus_error *e, const char *hint,
                const char *fmt, ...)
{
        const struct sdlib *L = b->lib;
        char what[512];
        va_list ap;
        va_start(ap, fmt);
        (void)vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        /* the only weight out of systemd's range is idle's 0 (props.c) */
        if (!hint && e && L->error_is_set(e) && e->message && strstr(e->message, "CPUWeight"))
                hint = "linux.resources.cpu.idle 1 is CPUWeight=idle, which systemd has from version 252: "
                       "drop cpu.idle or use the cgroupfs manager";
        int errnum = e && L->error_is_set(e) ? L->error_get_errno(e) : -r;
        if (errnum <= 0)
                errnum = EIO;
        if (e && L->error_is_set(e))
                return b->host->error(reterr, errnum, hint, "%s: %s (%s)", what, e->message ? e->message : "",
                                      e->name);
        return b->host->error(reterr, errnum, hint, "%s", what);
}

static int open_private(const struct sdlib *L, sd_bus **ret)
{
        sd_bus *bus = NULL;
        int r = L->bus_new(&bus);
        if (r < 0)
                return r;
        if ((r = L->bus_set_address(bus, "unix:path=/run/systemd/private")) < 0 || (r = L->bus_start(bus)) < 0) {
                L->bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

int sdb_connect(struct sdb *b, bool user, struct modrun_error **reterr)
{
        if (b->bus && b->pid == getpid())
                return 0;
        b->bus = NULL; /* one of the parent process: sd-bus refuses it after fork */
        const struct sdlib *L = NULL;
        int r = sdl_load(b->host, &L, reterr);
        if (r < 0)
                return r;
        b->lib = L;
        sd_bus *bus = NULL;
        bool direct = false;
        r = user ? L->bus_open_user(&bus) : L->bus_open_system(&bus);
        if (r < 0 && !user) {
                b->host->log(b->host, MODRUN_LOG_DEBUG, "systemd: system bus: %s, trying /run/systemd/private",
                             strerror(-r));
                direct = true;
                r = open_private(L, &bus);
        }
        if (r < 0)
                return b->host->error(reterr, -r,
                                      user ? "is a systemd user manager running (systemctl --user)? or use "
                                             "--cgroup-manager=cgroupfs"
                                           : "is systemd PID 1? or use --cgroup-manager=cgroupfs",
                                      "systemd: connect to the %s", user ? "user bus" : "system manager");
        (void)L->bus_set_method_call_timeout(bus, 25 * 1000 * 1000);
        /* No sender on a direct connection (as systemctl). No Subscribe():
         * on the bus systemd sends a job's JobRemoved to the client that
         * queued it, and nothing else unless someone subscribed (a direct
         * connection gets every signal). */
        r = L->bus_match_signal(bus, NULL, direct ? NULL : SD_DEST, SD_PATH, SD_MANAGER, "JobRemoved", on_job_removed,
                                b);
        if (r < 0) {
                L->bus_flush_close_unref(bus);
                return b->host->error(reterr, -r, NULL, "systemd: subscribe to JobRemoved");
        }
        b->bus = bus;
        b->user = user;
        b->pid = getpid();
        return 0;
}

void sdb_close(struct sdb *b)
{
        if (b->bus && b->pid == getpid())
                b->lib->bus_flush_close_unref(b->bus);
        b->bus = NULL;
}

static int append_prop(const struct sdlib *L, sd_bus_message *m, const struct sd_prop *x)
{
        int r = L->message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = L->message_append(m, "s", x->name);
        if (r < 0)
                return r;
        switch (x->type) {
        case 'b': r = L->message_append(m, "v", "b", (int)(x->u != 0)); break;
        case 't': r = L->message_append(m, "v", "t", x->u); break;
        case 'u': r = L->message_append(m, "v", "u", (uint32_t)x->u); break;
        case 'i': r = L->message_append(m, "v", "i", (int32_t)x->i); break;
        case 'x': r = L->message_append(m, "v", "x", x->i); break;
        case 'd': r = L->message_append(m, "v", "d", x->d); break;
        case 's': r = L->message_append(m, "v", "s", x->s); break;
        case 'y':
                if ((r = L->message_open_container(m, 'v', "ay")) >= 0 &&
                    (r = L->message_append_array(m, 'y', x->bytes, x->n)) >= 0)
                        r = L->message_close_container(m);
                break;
        case 'P':
                if ((r = L->message_open_container(m, 'v', "au")) >= 0 &&
                    (r = L->message_append_array(m, 'u', x->pids, x->n * sizeof(uint32_t))) >= 0)
                        r = L->message_close_container(m);
                break;
        case 'V':
                if ((r = L->message_open_container(m, 'v', "a(st)")) < 0 ||
                    (r = L->message_open_container(m, 'a', "(st)")) < 0)
                        break;
                for (size_t i = 0; r >= 0 && i < x->n; i++)
                        r = L->message_append(m, "(st)", x->dvals[i].path, x->dvals[i].value);
                if (r >= 0 && (r = L->message_close_container(m)) >= 0)
                        r = L->message_close_container(m);
                break;
        case 'D':
                if ((r = L->message_open_container(m, 'v', "a(ss)")) < 0 ||
                    (r = L->message_open_container(m, 'a', "(ss)")) < 0)
                        break;
                for (size_t i = 0; r >= 0 && i < x->n; i++)
                        r = L->message_append(m, "(ss)", x->devs[i].path, x->devs[i].access);
                if (r >= 0 && (r = L->message_close_container(m)) >= 0)
                        r = L->message_close_container(m);
                break;
        default:
                r = -EINVAL;
        }
        return r < 0 ? r : L->message_close_container(m);
}

static int append_props(const struct sdlib *L, sd_bus_message *m, const struct sd_props *p)
{
        int r = L->message_open_container(m, 'a', "(sv)");
        for (size_t i = 0; r >= 0 && i < p->n; i++)
                r = append_prop(L, m, &p->v[i]);
        return r < 0 ? r : L->message_close_container(m);
}

/* Wait until JobRemoved for job came, or the deadline. */
static int wait_job(struct sdb *b, const char *unit, const char *job, int timeout_ms, int64_t deadline,
                    struct modrun_error **reterr)
{
        const struct sdlib *L = b->lib;
        for (;;) {
                size_t cap = sizeof(b->done) / sizeof(b->done[0]);
                for (size_t i = b->n_done > cap ? b->n_done - cap : 0; i < b->n_done && !plugin_test_stall("systemd-job");
                     i++) {
                        if (strcmp(b->done[i % cap].path, job) != 0)
                                continue;
                        if (strcmp(b->done[i % cap].result, "done") == 0)
                                return 0;
                        return b->host->error(reterr, EIO, "see journalctl -u UNIT",
                                              "systemd: job %s of unit %s finished with result \"%s\"", job, unit,
                                              b->done[i % cap].result);
                }
                /* checked before each message too: a direct connection, or
                 * a bus with a subscriber, brings every unit's signals */
                int64_t left = deadline - clock_now_ms();
                if (left <= 0)
                        return b->host->error(reterr, ETIMEDOUT, "is systemd busy or hung? see systemctl list-jobs",
                                              "systemd: timed out after %d ms waiting for job %s of unit %s", timeout_ms,
                                              job, unit);
                int r = L->bus_process(b->bus, NULL);
                if (r < 0)
                        return b->host->error(reterr, -r, NULL, "systemd: read the bus, waiting for job %s of unit %s",
                                              job, unit);
                if (r > 0)
                        continue;
                r = L->bus_wait(b->bus, (uint64_t)left * 1000);
                if (r < 0)
                        return b->host->error(reterr, -r, NULL, "systemd: wait for job %s of unit %s", job, unit);
        }
}

/* 1 once the job is done, 0 when missing_ok and there is no such unit. */
static int call_with_job(struct sdb *b, sd_bus_message *m, const char *unit, const char *what, int timeout_ms,
                         bool missing_ok, struct modrun_error **reterr)
{
        const struct sdlib *L = b->lib;
        int64_t deadline = clock_now_ms() + (timeout_ms > 0 ? timeout_ms : 1);
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = L->bus_call(b->bus, m, (uint64_t)(timeout_ms > 0 ? timeout_ms : 1) * 1000, &e, &reply);
        if (r < 0) {
                if (missing_ok && L->error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
                        L->error_free(&e);
                        return 0;
                }
                char w[320];
                (void)snprintf(w, sizeof(w), "systemd: %s %s", what, unit);
                r = fail(b, reterr, r, &e, NULL, "%s", w);
                L->error_free(&e);
                return r;
        }
        const char *job = NULL;
        char jobbuf[128] = "";
        if ((r = L->message_read(reply, "o", &job)) >= 0)
                (void)snprintf(jobbuf, sizeof(jobbuf), "%s", job);
        L->message_unref(reply);
        if (r < 0)
                return b->host->error(reterr, -r, NULL, "systemd: %s %s: read the job path", what, unit);
        b->host->log(b->host, MODRUN_LOG_DEBUG, "systemd: %s %s: job %s", what, unit, jobbuf);
        r = wait_job(b, unit, jobbuf, timeout_ms, deadline, reterr);
        return r < 0 ? r : 1;
}

int sdb_start_unit(struct sdb *b, const char *unit, const struct sd_props *p, int timeout_ms,
                   struct modrun_error **reterr)
{
        const struct sdlib *L = b->lib;
        sd_bus_message *m = NULL;
        int r = L->message_new_method_call(b->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StartTransientUnit");
        if (r >= 0 && (r = L->message_append(m, "ss", unit, "fail")) >= 0 && (r = append_props(L, m, p)) >= 0)
                r = L->message_append(m, "a(sa(sv))", 0);
        if (r < 0) {
                L->message_unref(m);
                return b->host->error(reterr, -r, NULL, "systemd: build StartTransientUnit for %s", unit);
        }
        r = call_with_job(b, m, unit, "StartTransientUnit", timeout_ms, false, reterr);
        L->message_unref(m);
        return r;
}

int sdb_set_properties(struct sdb *b, const char *unit, const struct sd_props *p, int timeout_ms,
                       struct modrun_error **reterr)
{
        const struct sdlib *L = b->lib;
        sd_bus_message *m = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = L->message_new_method_call(b->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "SetUnitProperties");
        if (r >= 0 && (r = L->message_append(m, "sb", unit, 1)) >= 0)
                r = append_props(L, m, p);
        if (r < 0) {
                L->message_unref(m);
                return b->host->error(reterr, -r, NULL, "systemd: build SetUnitProperties for %s", unit);
        }
        r = L->bus_call(b->bus, m, (uint64_t)(timeout_ms > 0 ? timeout_ms : 1) * 1000, &e, NULL);
        L->message_unref(m);
        if (r < 0)
                r = fail(b, reterr, r, &e, NULL, "systemd: SetUnitProperties %s", unit);
        L->error_free(&e);
        return r < 0 ? r : 0;
}

int sdb_unit_cgroup(struct sdb *b, const char *unit, char **ret_cgroup, int timeout_ms,
                    struct modrun_error **reterr)
{
        const struct sdlib *L = b->lib;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        (void)timeout_ms;
        int r = L->bus_call_method(b->bus, SD_DEST, SD_PATH, SD_MANAGER, "GetUnit", &e, &reply, "s", unit);
        if (r < 0) {
                bool missing = L->error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit");
                r = missing ? 0 : fail(b, reterr, r, &e, NULL, "systemd: GetUnit %s", unit);
                L->error_free(&e);
                return r;
        }
        const char *path = NULL;
        char *cg = NULL;
        r = L->message_read(reply, "o", &path);
        if (r >= 0 && ret_cgroup)
                r = L->bus_get_property_string(b->bus, SD_DEST, path, "org.freedesktop.systemd1.Scope",
                                               "ControlGroup", &e, &cg);
        L->message_unref(reply);
        if (r < 0) {
                r = fail(b, reterr, r, &e, NULL, "systemd: the ControlGroup of %s", unit);
                L->error_free(&e);
                return r;
        }
        if (ret_cgroup)
                *ret_cgroup = cg;
        return 1;
}

int sdb_stop_unit(struct sdb *b, const char *unit, int timeout_ms, struct modrun_error **reterr)
{
        const struct sdlib *L = b->lib;
        sd_bus_message *m = NULL;
        int r = L->message_new_method_call(b->bus, &m, SD_DEST, SD_PATH, SD_MANAGER, "StopUnit");
        if (r >= 0)
                r = L->message_append(m, "ss", unit, "replace");
        if (r < 0) {
                L->message_unref(m);
                return b->host->error(reterr, -r, NULL, "systemd: build StopUnit for %s", unit);
        }
        r = call_with_job(b, m, unit, "StopUnit", timeout_ms, true, reterr);
        L->message_unref(m);
        if (r <= 0)
                return r;
        /* a scope that failed stays loaded until reset */
        (void)L->bus_call_method(b->bus, SD_DEST, SD_PATH, SD_MANAGER, "ResetFailedUnit", NULL, NULL, "s", unit);
        return 1;
}

int sdb_kill_unit(struct sdb *b, const char *unit, int signo, int timeout_ms, struct modrun_error **reterr)
{
        const struct sdlib *L = b->lib;
        sd_bus_error e = SD_BUS_ERROR_NULL;
        (void)timeout_ms;
        int r = L->bus_call_method(b->bus, SD_DEST, SD_PATH, SD_MANAGER, "KillUnit", &e, NULL, "ssi", unit, "all",
                                   (int32_t)signo);
        if (r < 0) {
                bool missing = L->error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit");
                r = missing ? 0 : fail(b, reterr, r, &e, NULL, "systemd: KillUnit %s", unit);
        }
        L->error_free(&e);
        return r < 0 ? r : 0;
}
