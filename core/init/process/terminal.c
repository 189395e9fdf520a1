/* SPDX-License-Identifier: Apache-2.0 */
/* process.terminal: a pty from the container's /dev/pts, its master sent
 * to the console socket (SCM_RIGHTS), its peer the init's stdio and
 * controlling terminal. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "init/rootfs/sys-mount.h"
#include "process.h"
#include "util/fd-pass.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int terminal_connect(int console_socket_fd, int *ret_sock, struct modrun_error **reterr)
{
        /* connected by the runtime (create, exec) or `run`'s own socket
         * pair: the init never connects, as inside a user namespace it may
         * not be allowed to */
        *ret_sock = fcntl(console_socket_fd, F_DUPFD_CLOEXEC, 3);
        return *ret_sock >= 0 ? 0 : error_new(reterr, errno, NULL, "duplicate the console socket");
}

/* /dev/console: a bind of the pty peer, as runc does, after checking by
 * fd that the peer is a pty (a char device of the UNIX98 pty majors), so a
 * swapped node can never be what gets mounted. */
static int bind_console(int peer, const char *name, struct modrun_error **reterr)
{
        struct stat st;
        if (fstat(peer, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) < 136 || major(st.st_rdev) > 143)
                return error_new(reterr, EPERM, NULL, "process.terminal: %s is not a pty, refusing to mount it", name);
        if (access("/dev", F_OK) < 0)
                return 0; /* no /dev in the container: nothing to bind onto */
        _cleanup_close_ int c = open("/dev/console", O_CREAT | O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (c < 0)
                return error_new(reterr, errno, NULL, "process.terminal: create /dev/console to mount %s on", name);
        /* by fd, not through the container's /proc (CVE-2025-52881 class) */
        _cleanup_close_ int tree = sys_open_tree(peer, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (tree < 0 || sys_move_mount(tree, "", c, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return error_new(reterr, errno, NULL, "process.terminal: bind %s onto /dev/console", name);
        return 0;
}

int terminal_setup(int sock, const struct oci_process *proc, bool console, bool ours, struct modrun_error **reterr)
{
        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return error_new(reterr, errno, "the container needs /dev/ptmx and a devpts at /dev/pts",
                                 "process.terminal: open /dev/ptmx in the container");
        if (unlockpt(master) < 0)
                return error_new(reterr, errno, NULL, "process.terminal: unlockpt");
        char name[64] = "";
        (void)ptsname_r(master, name, sizeof(name));
        _cleanup_close_ int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (peer < 0)
                return error_new(reterr, errno, NULL, "process.terminal: open the peer of %s", name);
        /* the owner becomes the user; the group stays what the devpts
         * mount gave it (gid=5, tty, in the default config), as runc */
        if (fchown(peer, proc->user.uid, (gid_t)-1) < 0)
                return error_new(reterr, errno, NULL, "process.terminal: chown %s to uid %u", name,
                                 (unsigned)proc->user.uid);
        if (proc->has_console_size) {
                struct winsize ws = {.ws_row = (unsigned short)proc->console_size.height,
                                     .ws_col = (unsigned short)proc->console_size.width};
                if (ioctl(peer, TIOCSWINSZ, &ws) < 0)
                        return error_new(reterr, errno, NULL, "process.consoleSize: set the size of %s", name);
        }
        struct termios t;
        if (ours && tcgetattr(peer, &t) == 0) {
                t.c_oflag &= ~(tcflag_t)ONLCR;
                if (tcsetattr(peer, TCSANOW, &t) < 0)
                        return error_new(reterr, errno, NULL, "process.terminal: clear ONLCR on %s", name);
        }
        int r = console ? bind_console(peer, name, reterr) : 0;
        if (r < 0)
                return r;
        r = fd_send(sock, master, name, strlen(name));
        if (r < 0)
                return error_new(reterr, -r, NULL, "send the terminal master to the console socket");
        if (setsid() < 0)
                return error_new(reterr, errno, NULL, "process.terminal: setsid");
        if (ioctl(peer, TIOCSCTTY, 0) < 0)
                return error_new(reterr, errno, NULL, "process.terminal: make %s the controlling terminal", name);
        for (int fd = 0; fd <= 2; fd++)
                if (dup3(peer, fd, 0) < 0)
                        return error_new(reterr, errno, NULL, "process.terminal: dup %s onto fd %d", name, fd);
        return 0;
}
