/* SPDX-License-Identifier: Apache-2.0 */
/* The session and stdio of a process without a terminal (with one,
 * terminal.c makes the session and the stdio). */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "process.h"
#include "util/fs-util.h"

int session_new(struct modrun_error **reterr)
{
        if (setsid() < 0)
                return error_new(reterr, errno, NULL, "setsid: make the container's process a session leader");
        return 0;
}

int stdio_reopen_dev_null(struct modrun_error **reterr)
{
        /* The image's /dev/null is only used if it is the null device:
         * no symlink followed, no FIFO waited on. */
        _cleanup_close_ int fd = open("/dev/null", O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        struct stat null_st;
        if (fd < 0 || fstat(fd, &null_st) < 0 || !S_ISCHR(null_st.st_mode) || null_st.st_rdev != makedev(1, 3))
                return 0;
        if (fcntl(fd, F_SETFL, 0) < 0) /* O_NONBLOCK was for the open only */
                return error_new(reterr, errno, NULL, "the container's /dev/null: clear O_NONBLOCK");
        for (int i = 0; i <= 2; i++) {
                struct stat st;
                if (fstat(i, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != null_st.st_rdev)
                        continue;
                if (dup3(fd, i, 0) < 0)
                        return error_new(reterr, errno, NULL, "reopen fd %d on the container's /dev/null", i);
        }
        return 0;
}
