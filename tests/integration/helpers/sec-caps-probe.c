/* SPDX-License-Identifier: Apache-2.0 */
/* t-sec-caps.sh: copy /proc/self/status to stdout. Built static and
 * installed setuid root in the test's rootfs, so the credentials the kernel
 * gives a setuid-root exec show up as the process sees them. */
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
        char buf[8192];
        ssize_t n;
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 1;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                if (write(STDOUT_FILENO, buf, (size_t)n) != n)
                        return 1;
        return n < 0;
}
