/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime <-> init message protocol: see sync.h. */
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sync.h"
#include "util/fd-pass.h"
#include "util/signals.h"

#define STOP_CHECK_MS 100
#include "../../plugins/common/clock.h"

struct sync_hdr {
        uint32_t magic;
        uint32_t type;
        int32_t value;
        uint32_t msg_len;
        uint32_t hint_len;
};

const char *sync_type_to_string(uint32_t type)
{
        switch (type) {
        case SYNC_PID:
                return "pid";
        case SYNC_GO:
                return "go";
        case SYNC_READY:
                return "ready";
        case SYNC_ERROR:
                return "error";
        case SYNC_HOOKS:
                return "hooks";
        case SYNC_SECCOMP:
                return "seccomp";
        case SYNC_MOUNTFD:
                return "mount fd";
        default:
                return "unknown";
        }
}

int sync_encode(const struct sync_msg *m, void *buf, size_t size)
{
        if (!m || !buf || m->type < SYNC_PID || m->type > SYNC_MOUNTFD)
                return -EINVAL;
        if (size < sizeof(struct sync_hdr))
                return -ENOBUFS;
        size_t room = (size < SYNC_MSG_MAX ? size : SYNC_MSG_MAX) - sizeof(struct sync_hdr);
        size_t ml = m->msg ? strlen(m->msg) : 0, hl = m->hint ? strlen(m->hint) : 0;
        if (ml > room)
                ml = room;
        if (hl > room - ml)
                hl = room - ml;
        struct sync_hdr h = {
                .magic = SYNC_MAGIC,
                .type = m->type,
                .value = m->value,
                .msg_len = (uint32_t)ml,
                .hint_len = (uint32_t)hl,
        };
        char *p = buf;
        memcpy(p, &h, sizeof(h));
        if (ml)
                memcpy(p + sizeof(h), m->msg, ml);
        if (hl)
                memcpy(p + sizeof(h) + ml, m->hint, hl);
        return (int)(sizeof(h) + ml + hl);
}

static char *dup_field(const char *p, size_t n)
{
        if (memchr(p, '\0', n))
                return NULL;
        return strndup(p, n);
}

int sync_decode(const void *buf, size_t len, struct sync_msg *ret)
{
        struct sync_hdr h;
        if (!buf || len < sizeof(h))
                return -EBADMSG;
        memcpy(&h, buf, sizeof(h));
        if (h.magic != SYNC_MAGIC || h.type < SYNC_PID || h.type > SYNC_MOUNTFD)
                return -EBADMSG;
        if ((size_t)h.msg_len + h.hint_len != len - sizeof(h))
                return -EBADMSG;
        const char *p = (const char *)buf + sizeof(h);
        char *msg = NULL, *hint = NULL;
        if (h.msg_len && !(msg = dup_field(p, h.msg_len)))
                return -EBADMSG;
        if (h.hint_len && !(hint = dup_field(p + h.msg_len, h.hint_len))) {
                free(msg);
                return -EBADMSG;
        }
        *ret = (struct sync_msg){.type = h.type, .value = h.value, .msg = msg, .hint = hint, .fd = -1};
        return 0;
}

void sync_msg_done(struct sync_msg *m)
{
        if (!m)
                return;
        free(m->msg);
        free(m->hint);
        m->msg = m->hint = NULL;
        if (m->fd > 0)
                (void)close(m->fd);
        m->fd = -1;
}

int sync_send_fd(int sock, uint32_t type, int fd)
{
        char buf[SYNC_MSG_MAX];
        struct sync_msg m = {.type = type};
        int n = sync_encode(&m, buf, sizeof(buf));
        return n < 0 ? n : fd_send(sock, fd, buf, (size_t)n);
}

int sync_send(int fd, uint32_t type, int32_t value, const char *msg, const char *hint)
{
        char buf[SYNC_MSG_MAX];
        struct sync_msg m = {.type = type, .value = value, .msg = (char *)msg, .hint = (char *)hint};
        int n = sync_encode(&m, buf, sizeof(buf));
        if (n < 0)
                return n;
        for (;;) {
                ssize_t k = send(fd, buf, (size_t)n, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                return k == n ? 0 : -EIO;
        }
}

int sync_send_error(int fd, const struct modrun_error *err, int errnum)
{
        if (err)
                return sync_send(fd, SYNC_ERROR, err->errnum, err->msg, err->hint);
        return sync_send(fd, SYNC_ERROR, errnum, strerror(errnum > 0 ? errnum : EINVAL), NULL);
}

int sync_write_error(int fd, const struct modrun_error *err, int errnum)
{
        char buf[SYNC_MSG_MAX];
        struct sync_msg m = {.type = SYNC_ERROR, .value = err ? err->errnum : errnum,
                             .msg = err ? err->msg : strerror(errnum > 0 ? errnum : EINVAL),
                             .hint = err ? err->hint : NULL};
        int n = sync_encode(&m, buf, sizeof(buf));
        if (n < 0)
                return n;
        for (;;) {
                ssize_t k = write(fd, buf, (size_t)n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                return k == n ? 0 : -EIO;
        }
}

int sync_read_error(int fd, const char *what, struct modrun_error **reterr)
{
        char buf[SYNC_MSG_MAX];
        size_t len = 0;
        while (len < sizeof(buf)) {
                ssize_t k = read(fd, buf + len, sizeof(buf) - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) /* EOF, or EAGAIN: the writer is still there and wrote nothing */
                        break;
                len += (size_t)k;
        }
        if (len == 0)
                return 0;
        struct sync_msg m;
        int r = sync_decode(buf, len, &m);
        if (r < 0)
                return error_new(reterr, -r, NULL, "malformed message (%zu bytes) from %s", len, what);
        if (m.type != SYNC_ERROR) {
                sync_msg_done(&m);
                return error_new(reterr, EBADMSG, NULL, "unexpected %s message from %s", sync_type_to_string(m.type),
                                 what);
        }
        r = sync_msg_to_error(&m, reterr);
        sync_msg_done(&m);
        return r;
}

/* fd readable (a message, or the peer's close) at once, else: did the
 * process behind watch_fd (a pidfd) exit? Its last message, sent before
 * it exited, is in the socket by the time the pidfd reports the exit. */
static bool exited_without_message(int fd, const struct pollfd *watch)
{
        return watch->fd >= 0 && watch->revents && poll(&(struct pollfd){.fd = fd, .events = POLLIN}, 1, 0) == 0;
}

static int wait_readable(int fd, int watch_fd, int timeout_ms, const char *what, struct modrun_error **reterr)
{
        int64_t deadline = clock_now_ms() + timeout_ms;
        for (;;) {
                int64_t left = deadline - clock_now_ms();
                if (left < 0)
                        left = 0;
                struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN}, {.fd = watch_fd, .events = POLLIN}};
                /* in slices, to notice a blocked SIGTERM (run, exec) */
                int slice = timeout_ms < 0 || left > STOP_CHECK_MS ? STOP_CHECK_MS : (int)left;
                int r = poll(pfd, watch_fd >= 0 ? 2 : 1, slice);
                if (r > 0 && !pfd[0].revents && exited_without_message(fd, &pfd[1]))
                        return error_new(reterr, EPIPE, NULL, "%s: the process exited without a message", what);
                if (r > 0 && !pfd[0].revents) /* the message came between the two checks */
                        return 0;
                int sig = r <= 0 ? signal_stop_pending() : 0;
                if (sig)
                        return error_new(reterr, EINTR, NULL, "waiting for %s: stopped by %s", what, strsignal(sig));
                if ((r < 0 && errno == EINTR) || (r == 0 && (timeout_ms < 0 || left > slice)))
                        continue;
                if (r < 0)
                        return error_new(reterr, errno, NULL, "wait for %s", what);
                if (r == 0) {
                        if (timeout_ms % 1000 == 0)
                                return error_new(reterr, ETIMEDOUT, NULL, "timed out after %d s waiting for %s",
                                                 timeout_ms / 1000, what);
                        return error_new(reterr, ETIMEDOUT, NULL, "timed out after %d ms waiting for %s",
                                         timeout_ms, what);
                }
                return 0;
        }
}

int sync_recv(int fd, int timeout_ms, const char *what, struct sync_msg *ret, struct modrun_error **reterr)
{
        return sync_recv_watch(fd, -1, timeout_ms, what, ret, reterr);
}

int sync_recv_watch(int fd, int watch_fd, int timeout_ms, const char *what, struct sync_msg *ret,
                    struct modrun_error **reterr)
{
        int r = wait_readable(fd, watch_fd, timeout_ms, what, reterr);
        if (r < 0)
                return r;
        char buf[SYNC_MSG_MAX];
        int passed = -1;
        ssize_t k = fd_recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC, &passed);
        if (k < 0)
                return error_new(reterr, (int)-k, NULL, "receive a message from %s", what);
        if (k == 0)
                return error_new(reterr, EPIPE, NULL, "%s: the process exited without a message", what);
        if ((size_t)k > sizeof(buf))
                return error_new(reterr, EMSGSIZE, NULL, "message of %zd bytes from %s", k, what);
        struct sync_msg m;
        r = sync_decode(buf, (size_t)k, &m);
        if (r < 0) {
                if (passed >= 0)
                        (void)close(passed);
                return error_new(reterr, -r, NULL, "malformed message (%zd bytes) from %s", k, what);
        }
        m.fd = passed;
        *ret = m;
        return 0;
}

int sync_msg_to_error(const struct sync_msg *m, struct modrun_error **reterr)
{
        int errnum = m->value > 0 ? m->value : 0;
        if (!reterr || *reterr)
                return errnum > 0 ? -errnum : -EINVAL;
        /* The message already carries the errno text: rebuild it verbatim. */
        (void)error_new(reterr, 0, m->hint, "%s", m->msg ? m->msg : "unknown error");
        if (*reterr && (*reterr)->errnum == 0) /* not the static "out of memory" */
                (*reterr)->errnum = errnum;
        return errnum > 0 ? -errnum : -EINVAL;
}
