/* SPDX-License-Identifier: Apache-2.0 */
/* enosys-probe NR...: make each raw syscall NR (no arguments) and print
 * "NR=ERRNO" (0 when it returned without error), one per line: what a
 * seccomp filter answers for syscalls it does or does not know. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        for (int i = 1; i < argc; i++) {
                long nr = strtol(argv[i], NULL, 0);
                errno = 0;
                long r = syscall(nr, 0L, 0L, 0L, 0L, 0L, 0L);
                printf("%ld=%d\n", nr, r < 0 ? errno : 0);
        }
        return 0;
}
