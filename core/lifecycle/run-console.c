/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run` in the foreground with process.terminal and no --console-socket:
 * modrun is its own console socket receiver. The init gets one end of a
 * socket pair (no file in the state root), sends the pty master over it,
 * and modrun proxies it to its own stdin/stdout (its own terminal, found as
 * runc does, in raw mode, the window size following SIGWINCH), forwarding
 * signals as `run` does without a tty. With stdout a file or a pipe, the
 * pty does not turn "\n" into "\r\n" (the init clears ONLCR before it
 * sends the master), so it gets what the process wrote, as with runc; with
 * stdout a terminal, the pty is the terminal's twin (ONLCR on, ours raw).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>

#include "container.h"
#include "util/fd-pass.h"
#include "util/fs-util.h"

int console_receive(int sock, int *ret_master, struct modrun_error **reterr)
{
        *ret_master = -1;
        char name[128];
        ssize_t k = fd_recv(sock, name, sizeof(name), MSG_DONTWAIT, ret_master);
        if (k == -EAGAIN || k == 0) /* nothing sent, or the init is gone */
                return 0;
        if (k < 0)
                return error_new(reterr, (int)-k, NULL, "receive the pty master from the container init");
        if (*ret_master < 0)
                return error_new(reterr, EPROTO, NULL, "the container init's console message carries no pty master");
        return 0;
}

int console_host(void)
{
        static const int std[] = {STDERR_FILENO, STDOUT_FILENO, STDIN_FILENO};
        for (size_t i = 0; i < ELEMENTSOF(std); i++)
                if (isatty(std[i])) {
                        int fd = fcntl(std[i], F_DUPFD_CLOEXEC, 3);
                        return fd < 0 ? -errno : fd;
                }
        /* all three redirected: the controlling terminal, if any */
        int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        return fd < 0 ? -ENOTTY : fd;
}

static void copy_winsize(int host, int master)
{
        struct winsize ws;
        if (ioctl(host, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(master, TIOCSWINSZ, &ws);
}

/* Copy what is readable on from to to; false at EOF or error. */
static bool pump(int from, int to)
{
        char buf[4096];
        ssize_t k = read(from, buf, sizeof(buf));
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
                return true;
        for (ssize_t off = 0; k > 0 && off < k;) {
                ssize_t w = write(to, buf + off, (size_t)(k - off));
                if (w < 0 && errno != EINTR)
                        return false;
                off += w > 0 ? w : 0;
        }
        return k > 0;
}

int console_proxy(pid_t pid, int master, int host, const sigset_t *set, int *ret_status)
{
        _cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC);
        if (sfd < 0)
                return -errno;
        struct termios saved;
        bool tty = tcgetattr(host, &saved) == 0;
        if (tty) {
                struct termios raw = saved;
                cfmakeraw(&raw);
                (void)tcsetattr(host, TCSANOW, &raw);
                copy_winsize(host, master);
        }
        bool in_open = true, out_open = true;
        int r = 0;
        for (;;) {
                int status;
                if (waitpid(pid, &status, WNOHANG) == pid) {
                        while (out_open && poll(&(struct pollfd){.fd = master, .events = POLLIN}, 1, 50) > 0)
                                out_open = pump(master, STDOUT_FILENO); /* what it printed last */
                        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                        break;
                }
                struct pollfd p[3] = {{.fd = sfd, .events = POLLIN},
                                      {.fd = out_open ? master : -1, .events = POLLIN},
                                      {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN}};
                if (poll(p, 3, -1) < 0 && errno != EINTR) {
                        r = -errno;
                        break;
                }
                struct signalfd_siginfo si;
                if ((p[0].revents & POLLIN) && read(sfd, &si, sizeof(si)) == sizeof(si)) {
                        if (si.ssi_signo == SIGWINCH && tty)
                                copy_winsize(host, master);
                        else if (si.ssi_signo != SIGCHLD)
                                (void)kill(pid, (int)si.ssi_signo);
                }
                if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
                        out_open = pump(master, STDOUT_FILENO);
                if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
                        in_open = pump(STDIN_FILENO, master);
        }
        if (tty)
                (void)tcsetattr(host, TCSANOW, &saved);
        return r;
}
