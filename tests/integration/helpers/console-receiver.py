#!/usr/bin/env python3
# console-receiver.py SOCKET OUT [INPUT]: listen on SOCKET as podman's conmon
# does, receive the pty master over SCM_RIGHTS, optionally type INPUT into
# it, and write "<name sent with the fd>\n<everything read>" to OUT once
# "DONE" was read (or after 15 s), then hold the master for 60 s.
import os, select, socket, sys, time

path, out = sys.argv[1], sys.argv[2]
typed = sys.argv[3].encode() if len(sys.argv) > 3 else b""
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(15)
conn, _ = srv.accept()
msg, fds, _, _ = socket.recv_fds(conn, 1024, 1)
master = fds[0]
if typed:
    os.write(master, typed)
data, end = b"", time.time() + 15
while time.time() < end and b"DONE" not in data:
    ready, _, _ = select.select([master], [], [], 0.5)
    if not ready:
        continue
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
with open(out + ".tmp", "wb") as f:
    f.write(msg + b"\n" + data)
os.rename(out + ".tmp", out)
# Keep the master open (closing it hangs the terminal up) until killed.
time.sleep(60)
