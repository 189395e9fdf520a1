/* SPDX-License-Identifier: Apache-2.0 */
/* floor: the least a runtime must do to run /bin/true in a container, so the
 * benchmark can show what the kernel costs.
 *
 *   floor ROOTFS [COMMAND [ARG...]]      (COMMAND defaults to /bin/true)
 *
 * Clones into new pid, mount, uts, ipc and net namespaces (the ones the
 * benchmark's config.json asks for), makes / private, binds ROOTFS onto
 * itself, pivot_root(".", "."), detaches the old root, execs COMMAND, and
 * waits for it. No cgroups, no /proc, /dev or other mounts, no config, no
 * state, no capabilities or seccomp: a floor, not a runtime. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
        perror(what);
        _exit(127);
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: floor ROOTFS [COMMAND [ARG...]]\n");
                return 2;
        }
        const char *rootfs = argv[1];
        char *def[] = {"/bin/true", NULL};
        char **cmd = argc > 2 ? &argv[2] : def;

        long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | SIGCHLD;
        pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, 0);
        if (pid < 0)
                die("clone");
        if (pid == 0) {
                if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        die("make / private");
                if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                        die("bind the rootfs");
                if (chdir(rootfs) < 0)
                        die("chdir rootfs");
                if (syscall(SYS_pivot_root, ".", ".") < 0)
                        die("pivot_root");
                if (umount2(".", MNT_DETACH) < 0)
                        die("detach the old root");
                if (chdir("/") < 0)
                        die("chdir /");
                execv(cmd[0], cmd);
                die("execv");
        }
        int status;
        if (waitpid(pid, &status, 0) < 0)
                die("waitpid");
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
