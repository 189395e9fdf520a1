/* SPDX-License-Identifier: Apache-2.0 */
/* --pidfd-socket (runc 1.2): send a pidfd of the container's process to a
 * unix socket, so a manager can wait for and signal it without pid races. */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "container.h"
#include "util/fd-pass.h"

int send_pidfd(const char *path, pid_t pid, struct modrun_error **reterr)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(sa.sun_path))
                return error_new(reterr, ENAMETOOLONG, NULL, "--pidfd-socket %s", path);
        memcpy(sa.sun_path, path, strlen(path) + 1);
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                return error_new(reterr, errno, NULL, "pidfd_open of process %d for --pidfd-socket", (int)pid);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return error_new(reterr, errno, "is something listening there?", "connect to --pidfd-socket %s", path);
        int r = fd_send(s, pidfd, "pidfd", 5);
        if (r < 0)
                return error_new(reterr, -r, NULL, "send the pidfd of process %d to %s", (int)pid, path);
        return 0;
}
