#!/usr/bin/env python3
# seccomp-listener-check.py SOCKET OUT METADATA: a linux.seccomp.listenerPath
# listener that checks what the runtime sends against runtime-spec 1.3
# (config-linux.md "listenerPath", runtime.md "State"): one message, one
# fd by SCM_RIGHTS that is a seccomp notify fd, and the container process
# state as JSON: ociVersion, fds naming that fd ["seccompFd"], pid,
# metadata (the listenerMetadata), state (ociVersion, id, status
# "creating", pid = the process, bundle). Writes "ok ..." or "bad: why"
# lines to OUT, and exits.
import array, json, os, socket, sys

path, out, meta = sys.argv[1], sys.argv[2], sys.argv[3]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(20)
res = []
try:
    conn, _ = srv.accept()
    fds = array.array("i")
    msg, anc, flags, _ = conn.recvmsg(1 << 20, socket.CMSG_SPACE(16 * fds.itemsize))
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
except socket.timeout:
    open(out, "a").write("bad: nobody connected\n")
    sys.exit(0)
try:
    more = conn.recv(1 << 20, socket.MSG_DONTWAIT)  # the runtime sends one message
except BlockingIOError:
    more = b""


def check(what, cond):
    res.append(("ok " if cond else "bad: ") + what)


check("one fd by SCM_RIGHTS (got %d)" % len(fds), len(fds) == 1)
check("not truncated", not (flags & socket.MSG_CTRUNC) and not more)
if fds:
    link = os.readlink("/proc/self/fd/%d" % fds[0])
    check("the fd is a seccomp notify fd (%s)" % link, link == "anon_inode:seccomp notify")
try:
    st = json.loads(msg)
except ValueError as e:
    st = {}
    check("JSON: %s" % e, False)
check("ociVersion %r" % st.get("ociVersion"), isinstance(st.get("ociVersion"), str) and st["ociVersion"].startswith("1."))
check("fds %r" % st.get("fds"), st.get("fds") == ["seccompFd"])
check("pid %r" % st.get("pid"), isinstance(st.get("pid"), int) and st["pid"] > 0)
check("metadata %r" % st.get("metadata"), st.get("metadata") == meta)
s = st.get("state") or {}
for k in ("ociVersion", "id", "status", "bundle"):
    check("state.%s %r" % (k, s.get(k)), isinstance(s.get(k), str) and s[k] != "")
check("state.status creating (%r)" % s.get("status"), s.get("status") == "creating")
check("state.pid is the process (%r)" % s.get("pid"), s.get("pid") == st.get("pid"))
check("state.bundle is absolute", str(s.get("bundle", "")).startswith("/"))
with open(out, "a") as f:
    f.write("\n".join(res) + "\n")
# exiting closes the notify fd: notified syscalls then fail with ENOSYS
