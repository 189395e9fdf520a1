#!/usr/bin/env python3
# seccomp-agent.py SOCKET OUT ERRNO: a seccomp notify agent, as runc's
# listenerPath protocol expects: accept one connection, take the notify fd
# (SCM_RIGHTS) and the container process state (JSON), write the state to
# OUT, then answer every notified syscall with -ERRNO, appending
# "syscall=NR" to OUT, until the fd closes or 20 s pass.
import fcntl, json, os, select, socket, struct, sys, time

NOTIF_RECV, NOTIF_SEND = 0xC0502100, 0xC0182101  # _IOWR('!', 0/1, ...), 80 and 24 bytes
path, out, err = sys.argv[1], sys.argv[2], int(sys.argv[3])
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(20)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 65536, 1)
state = json.loads(msg)
with open(out, "a") as f:
    f.write(json.dumps(state) + "\n")
fd, end = fds[0], time.time() + 20
while time.time() < end:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if not ready:
        continue
    buf = bytearray(80)
    try:
        fcntl.ioctl(fd, NOTIF_RECV, buf)
    except OSError:
        break
    nid, pid, flags, nr = struct.unpack_from("=QIIi", buf)
    with open(out, "a") as f:
        f.write("syscall=%d\n" % nr)
    try:
        fcntl.ioctl(fd, NOTIF_SEND, bytearray(struct.pack("=QqiI", nid, 0, -err, 0)))
    except OSError:
        pass
