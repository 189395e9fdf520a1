/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "fs-util.h"
#include "log.h"

static int log_fd = -1;
static enum log_format log_fmt = LOG_FORMAT_TEXT;
static bool log_dbg;

int log_setup(const char *path, enum log_format format, bool debug, struct modrun_error **reterr)
{
        log_fmt = format;
        log_dbg = debug;
        if (!path)
                return 0;
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

void log_close(void)
{
        if (log_fd >= 0)
                (void)close(log_fd);
        log_fd = -1;
}

bool log_debug_enabled(void) { return log_dbg; }

static const char *level_name(int level)
{
        switch (level) {
        case LOG_ERR: return "error";
        case LOG_WARNING: return "warning";
        case LOG_INFO: return "info";
        default: return "debug";
        }
}

/* JSON string escaping for the log line (RFC 8259). */
static void json_escape(FILE *f, const char *s)
{
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c == '\n')
                        fputs("\\n", f);
                else if (c == '\t')
                        fputs("\\t", f);
                else if (c < 0x20)
                        fprintf(f, "\\u%04x", c);
                else
                        fputc(c, f);
        }
}

static void write_line(int fd, int level, const char *msg)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        if (!f) {
                (void)dprintf(fd, "modrun: %s\n", msg);
                return;
        }
        struct timeval tv;
        struct tm tm;
        char ts[64];
        gettimeofday(&tv, NULL);
        gmtime_r(&tv.tv_sec, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
        if (log_fmt == LOG_FORMAT_JSON && fd == log_fd) {
                fprintf(f, "{\"level\":\"%s\",\"msg\":\"", level_name(level));
                json_escape(f, msg);
                fprintf(f, "\",\"time\":\"%s.%06ldZ\"}\n", ts, (long)tv.tv_usec);
        } else if (fd == log_fd)
                fprintf(f, "time=\"%s.%06ldZ\" level=%s msg=\"%s\"\n", ts, (long)tv.tv_usec, level_name(level), msg);
        else
                fprintf(f, "modrun: %s%s\n", level == LOG_ERR ? "" : level == LOG_WARNING ? "warning: " : "",
                        msg);
        /* out of memory (the stream could not grow): the bare message,
         * with dprintf, which does not allocate */
        if (fclose(f) != 0 || !buf || len == 0)
                (void)dprintf(fd, "modrun: %s\n", msg);
        else
                (void)!write(fd, buf, len);
        free(buf);
}

void log_msgv(int level, const char *fmt, va_list ap)
{
        if (level == LOG_DEBUG && !log_dbg)
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
        if (log_fd >= 0)
                write_line(log_fd, level, msg ? msg : fallback);
        if (log_fd < 0 || level <= LOG_WARNING)
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
