/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs-util.h"
#include "log.h"
#include "time-util.h"

static int log_fd = -1;
static pid_t log_pid; /* who set up log_fd and the journal */
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static int log_max_level = LOG_INFO;
/* --log journald[:IDENT]: sd_journal_send from libsystemd, loaded only then
 * (the core has no libsystemd dependency; the plugins that need it link it) */
typedef int (*journal_send_fn)(const char *format, ...);
static journal_send_fn journal_send;
static char journal_ident[64] = "modrun";

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static int journal_setup(const char *spec, struct modrun_error **reterr)
{
        const char *ident = strchr(spec, ':');
        if (ident && (!ident[1] || strlen(ident + 1) >= sizeof(journal_ident)))
                return error_new(reterr, 0, "give 1 to 63 characters after \"journald:\"",
                                 "--log %s: bad identifier", spec);
        if (access(JOURNAL_SOCKET, W_OK) < 0)
                return error_new(reterr, errno, "is systemd-journald running? Log to a file with --log FILE instead",
                                 "--log %s: no journal socket at %s", spec, JOURNAL_SOCKET);
        void *lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        journal_send = lib ? (journal_send_fn)dlsym(lib, "sd_journal_send") : NULL;
        if (!journal_send)
                return error_new(reterr, 0, "install libsystemd0, or log to a file with --log FILE",
                                 "--log %s: cannot load sd_journal_send from libsystemd.so.0: %s", spec, dlerror());
        if (ident)
                (void)snprintf(journal_ident, sizeof(journal_ident), "%s", ident + 1);
        return 0;
}

int log_setup(const char *path, enum log_format format, int max_level, struct modrun_error **reterr)
{
        log_fmt = format;
        log_max_level = max_level;
        log_pid = getpid();
        if (!path)
                return 0;
        if (streq(path, "journald") || strncmp(path, "journald:", 9) == 0)
                return journal_setup(path, reterr);
        int fd = fs_open_append(path, 0640, reterr);
        if (fd < 0) {
                error_hint(reterr ? *reterr : NULL, "check that the directory exists and is writable, or drop --log");
                (void)error_wrap(reterr, "open log file %s", path);
                return fd;
        }
        log_close();
        log_fd = fd;
        return 0;
}

void log_adopt_process(void) { log_pid = getpid(); }

void log_close(void)
{
        if (log_fd >= 0)
                (void)close(log_fd);
        log_fd = -1;
}

bool log_debug_enabled(void) { return log_max_level >= LOG_DEBUG; }

static const char *level_name(int level)
{
        switch (level) {
        case LOG_ERR: return "error";
        case LOG_WARNING: return "warning";
        case LOG_INFO: return "info";
        default: return "debug";
        }
}

/* A line is built in a buffer of known size: on the stack when it fits,
 * else on the heap, else on the stack cut short. Whatever memory there
 * is, each line is whole and in the log's format: containerd decodes
 * every line of a JSON log, and one line that is not JSON hides the
 * errors of every later command from it ("unknown"). */
struct line_buf {
        char *p;
        size_t len, size; /* size 0: only count (len is then the length needed) */
};

static void put(struct line_buf *b, const char *s, size_t n)
{
        if (b->size && b->len + n <= b->size)
                memcpy(b->p + b->len, s, n);
        b->len += n;
}

static void puts_(struct line_buf *b, const char *s) { put(b, s, strlen(s)); }

/* The string escaping of a JSON string (RFC 8259), or of a logfmt quoted
 * value (Go's strconv.Quote, as logrus writes it: \xNN for the other
 * control characters), stopping before an escape that would pass limit
 * (then false). */
static bool escape(struct line_buf *b, const char *s, bool json, size_t limit)
{
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                char e[8];
                if (c == '"' || c == '\\')
                        (void)snprintf(e, sizeof(e), "\\%c", c);
                else if (c == '\n')
                        (void)snprintf(e, sizeof(e), "\\n");
                else if (c == '\t')
                        (void)snprintf(e, sizeof(e), "\\t");
                else if (c == '\r')
                        (void)snprintf(e, sizeof(e), "\\r");
                else if (c < 0x20 || c == 0x7f)
                        (void)snprintf(e, sizeof(e), json ? "\\u%04x" : "\\x%02x", c);
                else
                        e[0] = (char)c, e[1] = '\0';
                size_t n = strlen(e);
                if (b->len + n > limit)
                        return false;
                put(b, e, n);
        }
        return true;
}

/* RFC 3339 in local time, seconds (Go's time.RFC3339, logrus's default for
 * text and JSON): 2006-01-02T15:04:05Z07:00 */
static void rfc3339(char *buf, size_t size)
{
        time_t now = time(NULL);
        struct tm tm;
        if (!localtime_r(&now, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
                (void)snprintf(buf, size, "1970-01-01T00:00:00Z");
                return;
        }
        size_t k = strlen(buf);
        long off = tm.tm_gmtoff;
        if (off == 0)
                (void)snprintf(buf + k, size - k, "Z");
        else
                (void)snprintf(buf + k, size - k, "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
                               labs(off) % 3600 / 60);
}

/* The line for fd, its message cut (whole escapes only) to fit the
 * buffer when it has a size. */
static void format_line(struct line_buf *b, int fd, int level, const char *ts, const char *msg)
{
        static const char cut[] = "...";
        const char *head = "", *tail = "\n";
        char head_buf[160];
        bool json = log_fmt == LOG_FORMAT_JSON && fd == log_fd;
        /* runc's lines (logrus): JSON keys sorted, as containerd and CRI-O parse them */
        if (json) {
                (void)snprintf(head_buf, sizeof(head_buf), "{\"level\":\"%s\",\"msg\":\"", level_name(level));
                head = head_buf;
        } else if (fd == log_fd) {
                (void)snprintf(head_buf, sizeof(head_buf), "time=\"%s\" level=%s msg=\"", ts, level_name(level));
                head = head_buf;
        } else
                head = level == LOG_ERR ? "modrun: " : level == LOG_WARNING ? "modrun: warning: " : "modrun: ";
        char tail_buf[96];
        if (json)
                (void)snprintf(tail_buf, sizeof(tail_buf), "\",\"time\":\"%s\"}\n", ts);
        else if (fd == log_fd)
                (void)snprintf(tail_buf, sizeof(tail_buf), "\"\n");
        if (fd == log_fd)
                tail = tail_buf;
        puts_(b, head);
        size_t room = b->size ? b->size - strlen(tail) - (sizeof(cut) - 1) : SIZE_MAX;
        size_t n = strlen(msg);
        bool whole = true;
        if (fd == log_fd)
                whole = escape(b, msg, json, room);
        else if (b->len + n <= room)
                put(b, msg, n);
        else {
                put(b, msg, room > b->len ? room - b->len : 0);
                whole = false;
        }
        if (!whole)
                puts_(b, cut);
        puts_(b, tail);
}

/* A pipe whose reader has gone (an engine's stderr pipe, --log
 * /dev/stderr) fails the write with EPIPE instead of killing modrun with
 * SIGPIPE: a warning must not end a command without its error line, and
 * the error line goes to the log first. SIGPIPE is blocked around the
 * write, not ignored: an ignored signal would stay ignored in the
 * container's process (execve keeps SIG_IGN). */
static void write_no_sigpipe(int fd, const char *buf, size_t len)
{
        sigset_t pipe_set, old;
        sigemptyset(&pipe_set);
        sigaddset(&pipe_set, SIGPIPE);
        bool blocked = sigprocmask(SIG_BLOCK, &pipe_set, &old) == 0;
        bool was_pending = false;
        if (blocked) {
                sigset_t pending;
                was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
        }
        ssize_t k = write(fd, buf, len);
        if (blocked && k < 0 && errno == EPIPE && !was_pending && !sigismember(&old, SIGPIPE))
                (void)sigtimedwait(&pipe_set, NULL, &(struct timespec){0, 0});
        if (blocked)
                (void)sigprocmask(SIG_SETMASK, &old, NULL);
}

static void write_line_at(int fd, int level, const char *ts, const char *msg, bool may_alloc)
{
        char stack[4096];
        struct line_buf count = {0};
        format_line(&count, fd, level, ts, msg);
        size_t need = count.len + sizeof("..."); /* the room format_line keeps for a cut */
        _cleanup_free_ char *heap = may_alloc && need > sizeof(stack) ? malloc(need) : NULL;
        struct line_buf b = {.p = heap ? heap : stack, .size = heap ? need : sizeof(stack)};
        format_line(&b, fd, level, ts, msg);
        write_no_sigpipe(fd, b.p, b.len);
}

static void write_line(int fd, int level, const char *msg)
{
        char ts[64] = "";
        /* Only --log lines carry the time: a line for stderr does not read
         * /etc/localtime (tzset) for nothing. */
        if (fd == log_fd)
                rfc3339(ts, sizeof(ts));
        write_line_at(fd, level, ts, msg, true);
}

void log_error_noalloc(const char *msg)
{
        char ts[TIME_RFC3339_MAX] = "1970-01-01T00:00:00Z";
        struct timespec now;
        if (clock_gettime(CLOCK_REALTIME, &now) == 0)
                time_rfc3339_utc_buf(&now, ts, sizeof(ts));
        if (log_fd >= 0)
                write_line_at(log_fd, LOG_ERR, ts, msg, false);
        write_line_at(STDERR_FILENO, LOG_ERR, ts, msg, false);
}

void log_msgv(int level, const char *fmt, va_list ap)
{
        if (level > log_max_level && level != LOG_ERR)
                return;
        int saved = errno;
        char *msg = NULL, fallback[1024];
        va_list again;
        va_copy(again, ap);
        /* out of memory: the message still goes out, truncated if long */
        if (vasprintf(&msg, fmt, ap) < 0) {
                msg = NULL;
                (void)vsnprintf(fallback, sizeof(fallback), fmt, again);
        }
        va_end(again);
        /* --log is the runtime's own: in a child (the init, the helper)
         * the fd number may name another file, and one sharing our memory
         * (spawn.c) would set the journal's and the time zone's state
         * (the container's /etc/localtime) for the runtime */
        bool ours = getpid() == log_pid;
        if (ours && log_fd >= 0)
                write_line(log_fd, level, msg ? msg : fallback);
        if (ours && journal_send)
                (void)journal_send("MESSAGE=%s", msg ? msg : fallback, "PRIORITY=%i", level, "SYSLOG_IDENTIFIER=%s",
                                   journal_ident, NULL);
        if ((log_fd < 0 && !journal_send) || level <= LOG_WARNING)
                write_line(STDERR_FILENO, level, msg ? msg : fallback);
        free(msg);
        errno = saved;
}

void log_msg(int level, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        log_msgv(level, fmt, ap);
        va_end(ap);
}

void log_report_error(const struct modrun_error *err, const char *command, int r)
{
        if (!err) { /* the error object itself could not be made (out of memory) */
                log_msg(LOG_ERR, "%s failed: %s", command, strerror(-r));
                return;
        }
        if (err->hint)
                log_msg(LOG_ERR, "%s (hint: %s)", err->msg, err->hint);
        else
                log_msg(LOG_ERR, "%s", err->msg);
}
