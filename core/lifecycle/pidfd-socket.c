/* SPDX-License-Identifier: Apache-2.0 */
/* --pidfd-socket (runc 1.2): send a pidfd of the container's process to a
 * unix socket, so a manager can wait for and signal it without pid races. */
#include <sys/syscall.h>

#include "container.h"
#include "util/fd-pass.h"

int send_pidfd(const char *path, pid_t pid, struct modrun_error **reterr)
{
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0)
                return error_new(reterr, errno, NULL, "pidfd_open of process %d for --pidfd-socket", (int)pid);
        _cleanup_close_ int s = unix_connect(path);
        if (s < 0)
                return error_new(reterr, -s, s == -ENAMETOOLONG ? NULL : "is something listening there?",
                                 "connect to --pidfd-socket %s", path);
        int r = fd_send(s, pidfd, "pidfd", 5);
        if (r < 0)
                return error_new(reterr, -r, NULL, "send the pidfd of process %d to %s", (int)pid, path);
        return 0;
}
