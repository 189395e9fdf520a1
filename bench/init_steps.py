#!/usr/bin/python3
"""init_steps.py: the container init's steps of `modrun run /bin/true`, from
the clone to its execve(/bin/true), and the runtime's steps around them.

Like phases.py, it traces the release binary as it is, in a tracefs instance
of its own (instances/modrun-init-steps-PID, removed at the end), on the
"mono" clock: every system call entry and exit (raw_syscalls) of processes
whose comm holds "modrun" (the runtime, its sealed copy, the init) or is
"true", their user page faults (exceptions/page_fault_user), context
switches, forks, execs and exits. Each system call costs about a microsecond
more while traced (two events): with about 450 in the init, compare steps
with each other and counts with counts, not the total with phases.py's.

The init's steps are cut at marker system calls (the first of each kind
after the previous mark: see STEPS), its mounts one by one at each mount()'s
exit. The table gives, per step, the median time (ms), the median number of
system calls, of page faults and the median time off the CPU (waiting or
preempted).

    init_steps.py --modrun MODRUN --plugin-dir DIR --bundle B --work W [--n N]
                  [--baseline MODRUN2] [--json OUT] [--cgroups]
"""
import argparse, json, os, re, shutil, statistics, subprocess

from order import shuffled
from phases import Instance  # the tracefs instance (same directory)

EVENTS = ["raw_syscalls/sys_enter", "raw_syscalls/sys_exit", "exceptions/page_fault_user",
          "sched/sched_switch", "sched/sched_process_fork", "sched/sched_process_exec",
          "sched/sched_process_exit"]
FILTER = 'comm ~ "*modrun*" || comm == "true"'

RX = re.compile(r"^\s*(.+?)-(\d+)\s+\[\d+\]\s+\S+\s+(\d+\.\d+):\s+(\w+):\s*(.*)$")
NR = {"poll": 7, "sendto": 44, "recvmsg": 47, "write": 1, "read": 0, "execve": 59, "mount": 165,
      "umount2": 166, "pivot_root": 155, "sethostname": 170, "prctl": 157, "setgroups": 116,
      "capset": 126, "setsid": 112, "open_tree": 428, "fsopen": 430, "openat": 257, "wait4": 61,
      "rt_sigtimedwait": 128, "clone3": 435, "exit_group": 231, "close_range": 436}
PR_CAPBSET_DROP = 24

# The init: (label, marker); a marker is (syscall, "enter"|"exit", arg0 or
# None). A step ends where its marker is found, searching on from the last.
STEPS = [
    ("child start: close the runtime's socket end, PDEATHSIG, non-dumpable, close_range of the runtime's fds",
     ("poll", "enter", None)),
    ("wait for \"go\" (the runtime: place the init, state JSON for a listener, send go)", ("recvmsg", "exit", None)),
    ("cgroup: /proc/self/cgroup, the mount table (the runtime's, inherited, in a new mount namespace), open the cgroup dirs for the cgroup mount",
     ("sethostname", "enter", None)),
    ("hostname, loopback up, rlimits", ("mount", "enter", None)),
    # the mounts follow, one step per mount() (MOUNTS)
]
STEPS_AFTER = [
    ("/dev: device nodes (mknod, chown, chmod), symlinks, ptmx", ("pivot_root", "enter", None)),
    ("pivot_root, MS_SLAVE and umount2(MNT_DETACH) of the old root", ("umount2", "exit", None)),
    ("chdir /, setsid, stdio on /dev/null", ("open_tree", "enter", None)),
    ("readonly paths (open_tree, mount_setattr, move_mount each)", ("fsopen", "enter", None)),
    ("masked paths (a tmpfs or /dev/null each), /etc/passwd", ("prctl", "enter", PR_CAPBSET_DROP)),
    ("bounding set (one prctl per capability)", ("setgroups", "enter", None)),
    ("user, cwd, executable lookup, /proc/self/status and signals, fds CLOEXEC", ("capset", "enter", None)),
    ("capabilities, no_new_privs, close the cgroup dirs", ("sendto", "enter", None)),
    ("send \"ready\", close the socket", ("poll", "enter", None)),
    ("wait on the exec fifo (the runtime: state.json, `start`)", ("read", "exit", None)),
    ("after start: affinity, seccomp, up to execve", ("execve", "enter", None)),
    ("execve(/bin/true) in the kernel", ("EXEC", None, None)),
]
# the runtime, from its clone of the init to its exit
RT_STEPS = [
    ("runtime: clone3 of the init, the whole call (namespaces, copy of the mm)", ("clone3", "exit", None)),
    ("runtime: after the clone up to sending \"go\"", ("sendto", "enter", None)),
    ("runtime: waits for \"ready\"", ("recvmsg", "exit", None)),
    ("runtime: /proc/PID/stat, state.json with the pid, (before: frees, `start` reopens the container), "
     "up to the exec fifo write", ("write", "enter", (2, 1))),
    ("runtime: until the init's execve closes the exec fifo (POLLERR)", ("poll", "exit", None)),
    ("runtime: until /bin/true has exited (SIGCHLD)", ("rt_sigtimedwait", "exit", None)),
    ("runtime: wait4, delete (reopen, plugins, state dir), exit", ("EXIT", None, None)),
]


def open_instance(name):
    """phases.py's tracefs instance, these events, filtered to modrun and /bin/true."""
    inst = Instance(name, EVENTS, 16384)
    for e in ("raw_syscalls/sys_enter", "raw_syscalls/sys_exit", "exceptions/page_fault_user"):
        inst.put(f"events/{e}/filter", FILTER)
    inst.put("events/sched/sched_switch/filter",
             'prev_comm ~ "*modrun*" || next_comm ~ "*modrun*" || prev_comm == "true" || next_comm == "true"')
    return inst


def parse(trace):
    """[(t, pid, kind, nr, arg0, extra)]; kind: enter, exit, fault, out, in, fork, exec, exitp."""
    out = []
    for line in trace.splitlines():
        m = RX.match(line)
        if not m:
            continue
        pid, t, ev, args = int(m.group(2)), float(m.group(3)), m.group(4), m.group(5)
        if ev == "sys_enter":
            f = re.match(r"NR (\d+) \(([0-9a-f, ]+)\)", args)
            if f:
                a = [int(x, 16) for x in f.group(2).split(", ")]
                out.append((t, pid, "enter", int(f.group(1)), a[0], a))
        elif ev == "sys_exit":
            f = re.match(r"NR (-?\d+) = (-?\d+)", args)
            if f:
                out.append((t, pid, "exit", int(f.group(1)), None, int(f.group(2))))
        elif ev == "page_fault_user":
            out.append((t, pid, "fault", None, None, None))
        elif ev == "sched_switch":
            f = re.search(r"prev_pid=(\d+) .*next_pid=(\d+)", args)
            if f:
                out.append((t, int(f.group(1)), "out", None, None, None))
                out.append((t, int(f.group(2)), "in", None, None, None))
        elif ev == "sched_process_fork":
            f = re.search(r"pid=(\d+) child_comm=.* child_pid=(\d+)", args)
            if f:
                out.append((t, int(f.group(1)), "fork", None, None, int(f.group(2))))
        elif ev == "sched_process_exec":
            f = re.search(r" pid=(\d+)", args)
            out.append((t, int(f.group(1)) if f else pid, "exec", None, None, None))
        elif ev == "sched_process_exit":
            f = re.search(r" pid=(\d+)", args)
            out.append((t, int(f.group(1)) if f else pid, "exitp", None, None, None))
    return out


def find(evs, i, marker):
    """Index of the first event from i on that matches marker, or None.
    A marker's argument test is arg0's value, or (index, value)."""
    name, when, arg = marker
    for j in range(i, len(evs)):
        t, pid, kind, nr, a0, extra = evs[j]
        if name == "EXEC" and kind == "exec":
            return j
        if name == "EXIT" and kind == "exitp":
            return j
        if kind != when or nr != NR.get(name):
            continue
        if arg is None or (isinstance(arg, tuple) and extra and extra[arg[0]] == arg[1]) or a0 == arg:
            return j
    return None


def stats(evs, a, b, pid):
    """calls, faults and off-CPU time (ms) of pid in evs[a:b]."""
    calls = sum(1 for e in evs[a:b] if e[2] == "enter")
    faults = sum(1 for e in evs[a:b] if e[2] == "fault")
    off, t_out = 0.0, None
    for e in evs[a:b]:
        if e[2] == "out":
            t_out = e[0]
        elif e[2] == "in" and t_out is not None:
            off += e[0] - t_out
            t_out = None
    if t_out is not None:
        off += evs[b][0] - t_out if b < len(evs) else 0
    return calls, faults, off * 1e3


def cut(evs, start, steps, pid, mounts=False):
    """[(label, ms, calls, faults, off)] for the steps of one process."""
    res, i = [], start
    for label, marker in steps:
        j = find(evs, i + 1, marker)
        if j is None:
            return None
        c, f, off = stats(evs, i, j, pid)
        res.append((label, (evs[j][0] - evs[i][0]) * 1e3, c, f, off))
        i = j
        if mounts and marker[0] == "mount":
            # one step per mount(), up to its exit; then STEPS_AFTER
            k = 0
            while True:
                j = find(evs, i + 1, ("mount", "exit", None))
                nxt = find(evs, i + 1, ("pivot_root", "enter", None))
                if j is None or (nxt is not None and j > nxt):
                    break
                k += 1
                c, f, off = stats(evs, i, j + 1, pid)
                res.append((f"mount #{k}", (evs[j][0] - evs[i][0]) * 1e3, c, f, off))
                i = j
                j = find(evs, i + 1, ("mount", "enter", None))
                if j is None or (nxt is not None and j > nxt):
                    break
                # the time between a mount's exit and the next one's entry
                # (path lookups, mkdir, fd checks) goes to the next mount
    return res, i


def one_run(inst, argv):
    inst.clear()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    evs = parse(inst.read())
    return p, evs


def analyse(evs):
    # the runtime: the process that forks the init with clone3
    forks = [e for e in evs if e[2] == "fork"]
    for fk in forks:
        rt, init = fk[1], fk[5]
        ievs = [e for e in evs if e[1] == init]
        if not any(e[2] == "exec" for e in ievs) or not any(e[2] == "enter" and e[3] == NR["mount"] for e in ievs):
            continue
        break
    else:
        return None
    # born runnable, not running: off the CPU until its first switch in
    ievs = [(fk[0], init, "out", None, None, None)] + [e for e in evs if e[1] == init and e[0] >= fk[0]]
    r = cut(ievs, 0, STEPS, init, mounts=True)
    if r is None:
        return None
    res, i = r
    r2 = cut(ievs, i, STEPS_AFTER, init)
    if r2 is None:
        return None
    res += r2[0]
    revs = [e for e in evs if e[1] == rt and e[0] >= fk[0] - 1e-3]
    j = find(revs, 0, ("clone3", "enter", None))
    if j is None:
        return None
    r3 = cut(revs, j, RT_STEPS, rt)
    if r3 is None:
        return None
    return res, r3[0]


def main():
    ap = argparse.ArgumentParser()
    for k in ("modrun", "plugin-dir", "bundle", "work"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--baseline")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--cgroups", action="store_true", help="with the default cgroup manager")
    ap.add_argument("--json")
    a = ap.parse_args()
    root = os.path.join(a.work, "init-steps-root")
    os.makedirs(root, exist_ok=True)
    variants = {"new": a.modrun}
    if a.baseline:
        variants = {"base": a.baseline, "new": a.modrun}
    samples = {v: [] for v in variants}
    bad = {v: 0 for v in variants}
    inst = open_instance(f"modrun-init-steps-{os.getpid()}")
    try:
        for i in range(a.n + 1):
            for v in shuffled(variants, i):
                argv = [variants[v], "--plugin-dir", a.plugin_dir, "--root", root]
                if not a.cgroups:
                    argv.append("--cgroup-manager=disabled")
                argv += ["run", "--bundle", a.bundle, f"is-{v}-{i}"]
                p, evs = one_run(inst, argv)
                r = analyse(evs) if p.returncode == 0 else None
                if r is None:
                    bad[v] += 1
                elif i > 0:
                    samples[v].append(r)
    finally:
        inst.close()
        shutil.rmtree(root, ignore_errors=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(samples, f)
    for v in variants:
        print(f"\n{v}: {variants[v]}: {len(samples[v])} runs, incomplete {bad[v]}")
        if not samples[v]:
            continue
        for part in (0, 1):
            labels = [x[0] for x in samples[v][0][part]]
            rows = [s[part] for s in samples[v] if [x[0] for x in s[part]] == labels]
            print(f"| step ({len(rows)} runs) | ms | calls | faults | off-CPU ms |")
            print("|---|---|---|---|---|")
            tot = [0.0, 0, 0, 0.0]
            for k, lab in enumerate(labels):
                col = [statistics.median(r[k][c] for r in rows) for c in (1, 2, 3, 4)]
                tot = [x + y for x, y in zip(tot, col)]
                print(f"| {lab} | {col[0]:.3f} | {col[1]:g} | {col[2]:g} | {col[3]:.3f} |")
            print(f"| sum of medians | {tot[0]:.3f} | {tot[1]:g} | {tot[2]:g} | {tot[3]:.3f} |")


if __name__ == "__main__":
    main()
