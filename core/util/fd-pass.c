/* SPDX-License-Identifier: Apache-2.0 */
/* Passing a file descriptor over a unix socket (SCM_RIGHTS). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fd-pass.h"

int fd_send(int sock, int fd, const void *data, size_t len)
{
        char cbuf[CMSG_SPACE(sizeof(int))] = {0};
        struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        ssize_t k;
        do
                k = sendmsg(sock, &mh, MSG_NOSIGNAL);
        while (k < 0 && errno == EINTR);
        return k < 0 ? -errno : 0;
}

ssize_t fd_recv(int sock, void *buf, size_t size, int flags, int *ret_fd)
{
        char cbuf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {.iov_base = buf, .iov_len = size};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
        ssize_t k;
        do
                k = recvmsg(sock, &mh, flags | MSG_CMSG_CLOEXEC);
        while (k < 0 && errno == EINTR);
        *ret_fd = -1;
        struct cmsghdr *c = k >= 0 ? CMSG_FIRSTHDR(&mh) : NULL;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        return k < 0 ? -errno : k;
}

int unix_connect(const char *path)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(sa.sun_path)) { /* by an O_PATH fd: its /proc/self/fd name is short */
                _cleanup_close_ int o = open(path, O_PATH | O_CLOEXEC);
                if (o < 0)
                        return -errno;
                char name[32];
                (void)snprintf(name, sizeof(name), "/proc/self/fd/%d", o);
                return unix_connect(name);
        }
        memcpy(sa.sun_path, path, strlen(path) + 1);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;
        return TAKE_FD(s);
}
