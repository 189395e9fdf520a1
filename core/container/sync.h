/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The messages between the runtime and the container's init (and the helper
 * that creates it), over a SOCK_SEQPACKET socketpair: one datagram per
 * message, so a message is never split or merged.
 *
 *   helper -> runtime   SYNC_PID    value = pid of the init (runtime's pid ns)
 *   runtime -> init     SYNC_GO     id maps written, cgroup entered: set up;
 *                                   value = the init's pid as the runtime
 *                                   sees it (for the state hooks read; 0
 *                                   when sent before the clone, to a
 *                                   process that shares our memory and
 *                                   runs no such hook)
 *   init -> runtime     SYNC_HOOKS  mounts prepared: run prestart and
 *                                   createRuntime hooks, then SYNC_GO
 *   runtime -> init     SYNC_MOUNTFD with a detached mount (id-mapped, or a bind source the init cannot open); value =
 *                                   the index of its config.json mount (before GO)
 *   init -> runtime     SYNC_SECCOMP with the seccomp notify fd: hand it to
 *                                   linux.seccomp.listenerPath, then SYNC_GO
 *   init -> runtime     SYNC_READY  set up, executable found; now blocks on
 *                                   the exec fifo (or, with none, execs: a
 *                                   failure then follows as SYNC_ERROR)
 *   helper/init -> rt   SYNC_ERROR  value = errno, plus message and hint
 *
 * Wire format (host byte order, both ends are the same binary):
 *   uint32 magic, uint32 type, int32 value, uint32 msg_len, uint32 hint_len,
 *   msg bytes, hint bytes (no NULs). At most SYNC_MSG_MAX bytes in all; a
 *   longer message or hint is truncated on encoding.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define SYNC_MAGIC 0x4d525331u /* "MRS1" */
#define SYNC_MSG_MAX 8192

enum sync_type {
        SYNC_PID = 1,
        SYNC_GO = 2,
        SYNC_READY = 3,
        SYNC_ERROR = 4,
        SYNC_HOOKS = 5,
        SYNC_SECCOMP = 6,
        SYNC_MOUNTFD = 7,
};

struct sync_msg {
        uint32_t type;
        int32_t value;
        char *msg;  /* SYNC_ERROR only; malloc()ed when decoded */
        char *hint; /* SYNC_ERROR only, may be NULL */
        int fd;     /* a descriptor that came with it (SCM_RIGHTS), or -1 */
};

const char *sync_type_to_string(uint32_t type);

/* Serialize m into buf (size >= SYNC_MSG_MAX is always enough). Returns the
 * length or -EINVAL/-ENOBUFS. */
int sync_encode(const struct sync_msg *m, void *buf, size_t size);
/* Parse one datagram; on success ret->msg/hint are malloc()ed (or NULL). */
int sync_decode(const void *buf, size_t len, struct sync_msg *ret);
void sync_msg_done(struct sync_msg *m);

/* Send one message (no allocation on the success path; usable after clone). */
int sync_send(int fd, uint32_t type, int32_t value, const char *msg, const char *hint);
/* Send a message of type with fd attached (SCM_RIGHTS). */
int sync_send_fd(int sock, uint32_t type, int fd);
/* Send an error object (NULL: a generic message naming errnum). */
int sync_send_error(int fd, const struct modrun_error *err, int errnum);

/* The same error as one message written to a pipe or fifo fd (no socket):
 * how the init reports a failure after `start` released it. */
int sync_write_error(int fd, const struct modrun_error *err, int errnum);
/* Read what sync_write_error() wrote to fd (O_NONBLOCK, its writer gone or
 * silent): 0 when nothing was written, else the error (negative errno,
 * *reterr set). `what` names the writer in a malformed-message error. */
int sync_read_error(int fd, const char *what, struct modrun_error **reterr);

/* Wait at most timeout_ms (< 0: no bound, for a process that is frozen on
 * purpose) for one message. `what` names the wait in the
 * error ("the container init to set up (pid 42)"). The peer closing the
 * socket without a message is -EPIPE with an error naming `what`. */
int sync_recv(int fd, int timeout_ms, const char *what, struct sync_msg *ret, struct modrun_error **reterr);
/* sync_recv, also watching watch_fd (a pidfd of the process that is to
 * send, -1: none): that process exiting without a message is -EPIPE at
 * once, even while another process (one it created) still holds the other
 * end of the socket open. */
int sync_recv_watch(int fd, int watch_fd, int timeout_ms, const char *what, struct sync_msg *ret,
                    struct modrun_error **reterr);

/* Turn a received SYNC_ERROR into an error object. */
int sync_msg_to_error(const struct sync_msg *m, struct modrun_error **reterr);
