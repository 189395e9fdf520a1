/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `run` in the foreground with process.terminal and no --console-socket:
 * modrun is its own console socket receiver. It listens on a socket in the
 * state root, takes the pty master the init sends, and proxies it to its
 * own stdin/stdout (raw mode when stdin is a terminal, the window size
 * following SIGWINCH), forwarding signals as `run` does without a tty.
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

int console_listen(const char *root, char **ret_path, int *ret_fd, struct modrun_error **reterr)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/.console-%d.sock", root, (int)getpid());
        if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
                return error_new(reterr, ENAMETOOLONG, "use a shorter --root", "console socket path under %s", root);
        int r = fs_mkdir_p(root, 0700, reterr);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        (void)unlink(sa.sun_path);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
                return error_new(reterr, errno, NULL, "listen on the console socket %s", sa.sun_path);
        if (!(*ret_path = strdup(sa.sun_path))) {
                (void)unlink(sa.sun_path);
                return error_new(reterr, ENOMEM, NULL, "console socket");
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int console_accept(int lfd, int *ret_master, struct modrun_error **reterr)
{
        *ret_master = -1;
        _cleanup_close_ int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0)
                return errno == EAGAIN ? 0 : error_new(reterr, errno, NULL, "accept on the console socket");
        char name[128];
        ssize_t k = fd_recv(c, name, sizeof(name), MSG_DONTWAIT, ret_master);
        if (k < 0)
                return error_new(reterr, (int)-k, NULL, "receive the pty master on the console socket");
        if (*ret_master < 0)
                return error_new(reterr, EPROTO, NULL, "the console socket message carries no pty master");
        return 0;
}

static void copy_winsize(int master)
{
        struct winsize ws;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
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

int console_proxy(pid_t pid, int master, const sigset_t *set, int *ret_status)
{
        _cleanup_close_ int sfd = signalfd(-1, set, SFD_CLOEXEC);
        if (sfd < 0)
                return -errno;
        struct termios saved;
        bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
        if (tty) {
                struct termios raw = saved;
                cfmakeraw(&raw);
                (void)tcsetattr(STDIN_FILENO, TCSANOW, &raw);
                copy_winsize(master);
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
                                copy_winsize(master);
                        else if (si.ssi_signo != SIGCHLD)
                                (void)kill(pid, (int)si.ssi_signo);
                }
                if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
                        out_open = pump(master, STDOUT_FILENO);
                if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
                        in_open = pump(STDIN_FILENO, master);
        }
        if (tty)
                (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        return r;
}
