#!/usr/bin/python3
"""cpu_phases.py: where the CPU time of one command's process tree goes.

    cpu_phases.py --n N NAME=COMMAND...

Runs each COMMAND (a shell line; `exec` it so the shell becomes the
runtime) N times, interleaved with the others, the order shuffled every
iteration (order.py), while a tracefs instance of our own (instances/NAME: its own
buffer and switches, removed at the end) records on the "mono" clock
sched_switch, fork, exec and exit, page_fault_user, and the entries of a
few system calls that mark phases. A task's on-CPU time is the sum of its
intervals between being switched in and out (or a mark); it is charged to
the phase the task is in:

  rt.N        the process the shell became, after its N-th exec (rt.1 is
              the shell itself, rt.2 the runtime from disk, rt.3 modrun's
              sealed copy), split at: -main (first fcntl(F_GETFD):
              modrun's main()), -memfd (first memfd_create after main:
              the sealed copy, or a plugin's), -clone, -wait, -exit
  child.N     its children (modrun: the exec'd process, which execs once:
              child.1 is the container's program; crun: its helper),
              split at their first setns, write, setsid, rt_sigaction and
              execve
  grandchild.N  their children (crun's exec'd process)

and "pf:PHASE" counts the page faults taken there. The table gives the
median over the N runs per phase (a phase a run never entered is left
out of its median, see n=). Tracing costs about a microsecond per event;
sched_switch is frequent, so compare commands traced in the same loop.
"""
import argparse, os, re, statistics, subprocess, sys

from order import shuffled
from phases import Instance  # the tracefs instance (same directory)

EVENTS = ["sched/sched_switch", "sched/sched_process_fork", "sched/sched_process_exec", "exceptions/page_fault_user"]
RT_MARKS = {"fcntl": "main", "memfd_create": "memfd", "clone": "clone", "clone3": "clone", "wait4": "wait",
            "exit_group": "exit"}
CHILD_MARKS = {"setns": "setns", "write": "write", "setsid": "setsid", "rt_sigaction": "sig", "execve": "execve"}
SYSCALLS = sorted(set(RT_MARKS) | set(CHILD_MARKS))
RX = re.compile(r"^\s*(.+?)-(\d+)\s+\[(\d+)\]\s+\S+\s+(\d+\.\d+):\s+(\w+)(?::|\()\s*(.*)$")
ROLE_OF_CHILD = {"rt": "child", "child": "grandchild"}


def phases(trace, root):
    """{phase: ms or page-fault count} of root and its descendants."""
    role, label, out, oncpu = {root: "rt"}, {root: "rt.0"}, {}, {}

    def charge(cpu, t):
        pid, t0 = oncpu[cpu]
        if pid in role:
            out[label[pid]] = out.get(label[pid], 0.0) + (t - t0) * 1000
        oncpu[cpu] = (pid, t)

    for line in trace.splitlines():
        m = RX.match(line)
        if not m:
            continue
        pid, cpu, t, ev, args = int(m.group(2)), int(m.group(3)), float(m.group(4)), m.group(5), m.group(6)
        if ev == "sched_switch":
            if cpu in oncpu:
                charge(cpu, t)
            oncpu[cpu] = (int(re.search(r"next_pid=(\d+)", args).group(1)), t)
            continue
        if pid not in role:
            continue
        if oncpu.get(cpu, (None,))[0] == pid:
            charge(cpu, t)  # a mark: what ran so far belongs to the phase before it
        if ev == "sched_process_fork":
            child = int(re.search(r"child_pid=(\d+)", args).group(1))
            role[child] = ROLE_OF_CHILD.get(role[pid], "other")
            label[child] = role[child] + ".0"
        elif ev == "sched_process_exec":
            n = int(label[pid].split("-")[0].split(".")[1]) + 1
            label[pid] = f"{role[pid]}.{n}"
        elif ev == "page_fault_user":
            k = "pf:" + label[pid]
            out[k] = out.get(k, 0) + 1
        elif ev.startswith("sys_"):
            marks = RT_MARKS if role[pid] == "rt" else CHILD_MARKS
            mark = marks.get(ev[4:])
            base = label[pid].split("-")[0]
            if mark and not label[pid].endswith("-" + mark) and not (mark == "memfd" and "-memfd" in label[pid]):
                label[pid] = f"{base}-{mark}"
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("commands", nargs="+", help="NAME=SHELL COMMAND")
    a = ap.parse_args()
    cmds = [c.split("=", 1) for c in a.commands]
    res = {}
    inst = Instance(f"modrun-cpu-phases-{os.getpid()}", EVENTS + [f"syscalls/sys_enter_{s}" for s in SYSCALLS], 16384)
    try:
        for i in range(a.n):
            for name, cmd in shuffled(cmds, i):
                inst.put("trace", "")
                p = subprocess.Popen(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                p.wait()
                for ph, v in phases(inst.read(), p.pid).items():
                    res.setdefault(name, {}).setdefault(ph, []).append(v)
    finally:
        inst.close()
    for name, d in res.items():
        print(f"== {name} ({a.n} runs; ms, and page faults for pf:)")
        for ph in sorted(d, key=lambda s: (s.startswith("pf:"), s)):
            print(f"  {ph:22s} n={len(d[ph]):3d}  median {statistics.median(d[ph]):8.3f}")


if __name__ == "__main__":
    sys.exit(main())
