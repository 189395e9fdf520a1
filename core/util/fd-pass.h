/* SPDX-License-Identifier: Apache-2.0 */
/* Passing a file descriptor over a unix socket (SCM_RIGHTS): the console
 * socket, the sync socket, the seccomp listener, --pidfd-socket. */
#pragma once

#include <sys/types.h>

#include "macro.h"

/* Send len bytes of data with fd attached (no SIGPIPE). 0 or -errno. */
int fd_send(int sock, int fd, const void *data, size_t len);
/* A stream socket connected to the unix socket at path (one longer than
 * sun_path through an O_PATH fd): an fd (close-on-exec) or -errno. */
int unix_connect(const char *path);
/* Receive into buf with recvmsg(flags); *ret_fd is the fd that came with
 * it (close-on-exec) or -1. Returns the bytes read or -errno. */
ssize_t fd_recv(int sock, void *buf, size_t size, int flags, int *ret_fd);
