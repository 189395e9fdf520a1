#!/usr/bin/python3
"""phases.py: where the time of `run /bin/true` goes, phase by phase.

The release binary is measured as it is (no timing code in it). Each command
runs under `tm` while a tracefs instance of our own (instances/NAME: its own
buffer and event switches, so nobody else's tracing is touched) records, on
the "mono" clock, a few kernel events that mark phase boundaries:

  sched_process_exec        an exec completed (modrun or its launcher, the
                            sealed memfd copy, the container's /bin/true)
  sys_enter_fcntl cmd == 1  F_GETFD: modrun's first system call in main()
                            (cli_note_inherited_fds), i.e. the dynamic linker
                            and libc's start-up are done
  sys_enter_memfd_create    the sealed copy of the binary (first; the
                            launcher makes it before any F_GETFD) and of
                            each plugin (later ones)
  sys_enter_execveat        the re-exec from the sealed memfd
  sched_process_fork        the runtime clones the container's init
  sched_process_exit        the runtime (the process tm started) is done

The phases are the intervals between consecutive marks, per process tree,
and the table gives medians over N interleaved iterations of modrun (with
and without cgroups) and the floor (bench/floor.c, whose marks are its exec,
its first system call after the dynamic link, its clone, the exec of
/bin/true and its exit). Tracing costs each marked event about a
microsecond; the events are few (about ten per command).

    phases.py --tm TM --floor FLOOR --modrun MODRUN --plugin-dir DIR
              --bundle B --work W [--n N] [--out JSON] [--md MD] [--baseline MODRUN2]
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys

from order import shuffled

TRACEFS = "/sys/kernel/tracing"
EVENTS = ["sched/sched_process_exec", "sched/sched_process_fork", "sched/sched_process_exit",
          "syscalls/sys_enter_fcntl", "syscalls/sys_enter_memfd_create", "syscalls/sys_enter_execveat"]

# "comm-pid [cpu] flags time: event: args", or "...: sys_NAME(args)" for a
# system call's entry, which is called sys_enter_NAME here.
RX = re.compile(r"^\s*(.+?)-(\d+)\s+\[\d+\]\s+\S+\s+(\d+\.\d+):\s+(\w+)(?::|\()\s*(.*)$")


class Instance:
    """A tracefs instance: created here, removed on close."""

    def __init__(self, name, events=EVENTS, buffer_kb=8192):
        self.dir = os.path.join(TRACEFS, "instances", name)
        self.events = events
        if os.path.isdir(self.dir):
            os.rmdir(self.dir)  # left by a run that was killed
        os.mkdir(self.dir)
        self.put("trace_clock", "mono")
        self.put("buffer_size_kb", str(buffer_kb))
        self.put("events/syscalls/sys_enter_fcntl/filter", "cmd == 1")
        for e in events:
            self.put(f"events/{e}/enable", "1")

    def put(self, path, text):
        with open(os.path.join(self.dir, path), "w") as f:
            f.write(text)

    def clear(self):
        self.put("trace", "")

    def read(self):
        with open(os.path.join(self.dir, "trace")) as f:
            return f.read()

    def close(self):
        try:
            self.put("tracing_on", "0")
            for e in self.events:
                self.put(f"events/{e}/enable", "0")
        finally:
            os.rmdir(self.dir)


def events_of_tree(trace, root_pid):
    """[(t, pid, event, args)] of root_pid and its descendants, in order."""
    tree, out = {root_pid}, []
    for line in trace.splitlines():
        m = RX.match(line)
        if not m:
            continue
        pid, t, ev, args = int(m.group(2)), float(m.group(3)), m.group(4), m.group(5)
        if ev.startswith("sys_") and not ev.startswith("sys_enter_"):
            ev = "sys_enter_" + ev[4:]
        if ev == "sched_process_fork":
            f = re.search(r"pid=(\d+) child_comm=.* child_pid=(\d+)", args)
            if f and int(f.group(1)) in tree:
                tree.add(int(f.group(2)))
                out.append((t, int(f.group(1)), ev, args))
            continue
        if ev == "sched_process_exec":
            p = re.search(r" pid=(\d+)", args)
            pid = int(p.group(1)) if p else pid
        if ev == "sched_process_exit":
            p = re.search(r" pid=(\d+)", args)
            pid = int(p.group(1)) if p else pid
        if pid in tree:
            out.append((t, pid, ev, args))
    return out


def marks_modrun(evs, pid):
    """The phase boundaries of one `modrun run`, or None if a mark is missing."""
    m = {}
    mine = [e for e in evs if e[1] == pid]
    it = iter(mine)
    try:
        e = next(x for x in it if x[2] == "sched_process_exec"); m["exec"] = e[0]
        e = next(x for x in it if x[2] in ("sys_enter_fcntl", "sys_enter_memfd_create"))
        m["main1"] = e[0]
        if e[2] == "sys_enter_fcntl":  # the runtime copies itself
            e = next(x for x in it if x[2] == "sys_enter_memfd_create")
        m["memfd"] = e[0]  # the launcher (core/launcher/) copies the runtime first thing
        e = next(x for x in it if x[2] == "sys_enter_execveat"); m["execveat"] = e[0]
        e = next(x for x in it if x[2] == "sched_process_exec"); m["exec2"] = e[0]
        e = next(x for x in it if x[2] == "sys_enter_fcntl"); m["main2"] = e[0]
        rest = list(it)
        fork = next(x for x in rest if x[2] == "sched_process_fork")
        plug = [x for x in rest if x[2] == "sys_enter_memfd_create" and x[0] < fork[0]]
        m["plugins"] = plug[0][0] if plug else fork[0]
        m["clone"] = fork[0]
        child = int(re.search(r"child_pid=(\d+)", fork[3]).group(1))
        m["exec_true"] = next(x for x in evs if x[1] == child and x[2] == "sched_process_exec")[0]
        m["exit"] = next(x for x in rest if x[2] == "sched_process_exit")[0]
    except (StopIteration, AttributeError):
        return None
    return m


def marks_floor(evs, pid):
    m = {}
    mine = [e for e in evs if e[1] == pid]
    try:
        m["exec"] = next(x for x in mine if x[2] == "sched_process_exec")[0]
        fork = next(x for x in mine if x[2] == "sched_process_fork")
        m["clone"] = fork[0]
        child = int(re.search(r"child_pid=(\d+)", fork[3]).group(1))
        m["exec_true"] = next(x for x in evs if x[1] == child and x[2] == "sched_process_exec")[0]
        m["exit"] = next(x for x in mine if x[2] == "sched_process_exit")[0]
    except (StopIteration, AttributeError):
        return None
    return m


# (label, from mark, to mark); the floor has only the marks it makes.
PHASES = [
    ("exec → main: kernel exec tail, dynamic link (ld.so, N libraries, relocations), libc start-up "
     "(the launcher: exec → its memfd_create)", "exec", "main1"),
    ("main → sealed copy: options, --log set-up, is /proc/self/exe sealed? (the launcher: none)", "main1", "memfd"),
    ("sealed copy (memfd_create, sendfile, seals) + kernel execveat", "memfd", "exec2"),
    ("second image: exec → main (dynamic link again)", "exec2", "main2"),
    ("config.json, state dir, modrun.conf, plugin choice (mount table)", "main2", "plugins"),
    ("plugins: sealed copies, dlopen, init, checks; exec fifo, sync socket", "plugins", "clone"),
    ("clone → container's execve(/bin/true): namespaces, mounts, cgroup join, init", "clone", "exec_true"),
    ("/bin/true → runtime exits: start, wait, delete (cgroups removed)", "exec_true", "exit"),
]
FLOOR_PHASES = [("exec → clone: exec, dynamic link (libc), main", "exec", "clone"),
                ("clone → execve(/bin/true): namespaces, bind + pivot_root", "clone", "exec_true"),
                ("/bin/true → floor exits", "exec_true", "exit")]


def run_tm(tm, argv):
    """Run argv under tm; returns (tm's child pid is unknown to us: tm's pid)."""
    p = subprocess.Popen([tm, "--"] + argv, stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate()
    return p.pid, [int(x) for x in out.split()]


def child_of(evs_all, tm_pid):
    for t, pid, ev, args in evs_all:
        if ev == "sched_process_fork" and pid == tm_pid:
            return int(re.search(r"child_pid=(\d+)", args).group(1))
    return None


def main():
    ap = argparse.ArgumentParser()
    for k in ("tm", "floor", "modrun", "plugin-dir", "bundle", "work"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--out")
    ap.add_argument("--md")
    ap.add_argument("--baseline", help="another modrun binary (e.g. an older build) traced in the same interleaved loop")
    a = ap.parse_args()
    root = os.path.join(a.work, "phases-root")
    os.makedirs(root, exist_ok=True)
    rootfs = os.path.join(a.bundle, "rootfs")
    variants = {
        "floor": lambda i: [a.floor, rootfs],
        "modrun-nocg": lambda i: [a.modrun, "--plugin-dir", a.plugin_dir, "--root", root,
                                  "--cgroup-manager=disabled", "run", "--bundle", a.bundle, f"ps-ph-n{i}"],
        "modrun-cg": lambda i: [a.modrun, "--plugin-dir", a.plugin_dir, "--root", root,
                                "run", "--bundle", a.bundle, f"ps-ph-c{i}"],
    }
    if a.baseline:
        variants["baseline-nocg"] = lambda i: [a.baseline, "--plugin-dir", a.plugin_dir, "--root", root,
                                               "--cgroup-manager=disabled", "run", "--bundle", a.bundle, f"ps-ph-bn{i}"]
        variants["baseline-cg"] = lambda i: [a.baseline, "--plugin-dir", a.plugin_dir, "--root", root,
                                             "run", "--bundle", a.bundle, f"ps-ph-bc{i}"]
    names = list(variants)
    samples = {v: [] for v in names}
    bad = {v: 0 for v in names}
    inst = Instance(f"modrun-phases-{os.getpid()}")
    try:
        for i in range(a.n + 1):  # the first iteration warms caches and is dropped
            for v in shuffled(names, i):
                inst.clear()
                tm_pid, res = run_tm(a.tm, variants[v](i))
                trace = inst.read()
                evs = events_of_tree(trace, tm_pid)
                pid = child_of(evs, tm_pid)
                mk = None
                if pid and res and res[2] == 0:
                    mk = (marks_floor if v == "floor" else marks_modrun)(evs, pid)
                if mk is None:
                    bad[v] += 1
                elif i > 0:
                    samples[v].append(mk)
    finally:
        inst.close()
        shutil.rmtree(root, ignore_errors=True)

    def med(v, f, t):
        xs = [(s[t] - s[f]) * 1e3 for s in samples.get(v, []) if f in s and t in s]
        return statistics.median(xs) if xs else None

    table = {"n": a.n, "incomplete": bad, "phases": [], "floor": [], "baseline": a.baseline}
    for label, f, t in PHASES:
        table["phases"].append({"phase": label, "nocg": med("modrun-nocg", f, t), "cg": med("modrun-cg", f, t)})
        if a.baseline:
            table["phases"][-1].update(base_nocg=med("baseline-nocg", f, t), base_cg=med("baseline-cg", f, t))
    for label, f, t in FLOOR_PHASES:
        table["floor"].append({"phase": label, "ms": med("floor", f, t)})
    table["total"] = {"nocg": med("modrun-nocg", "exec", "exit"), "cg": med("modrun-cg", "exec", "exit"),
                      "floor": med("floor", "exec", "exit"),
                      "base_nocg": med("baseline-nocg", "exec", "exit"), "base_cg": med("baseline-cg", "exec", "exit")}
    table["raw"] = samples
    if a.out:
        with open(a.out, "w") as f:
            json.dump(table, f, indent=1)
    md = markdown(table)
    if a.md:
        with open(a.md, "w") as f:
            f.write(md)
    print(md)


def fmt(x):
    return "n/a" if x is None else f"{x:.3f}"


def markdown(t):
    b = t.get("baseline")
    out = [f"Medians of {t['n']} interleaved iterations, ms (incomplete traces dropped: "
           + ", ".join(f"{k} {v}" for k, v in t["incomplete"].items()) + ")."
           + (f" Baseline: `{b}`, traced in the same loop." if b else ""), ""]
    if b:
        out += ["| phase of `modrun run /bin/true` | baseline, no cgroups | no cgroups | baseline, cgroups | "
                "cgroups (cgroupfs) |", "|---|---|---|---|---|"]
        for p in t["phases"]:
            out.append(f"| {p['phase']} | {fmt(p['base_nocg'])} | {fmt(p['nocg'])} | {fmt(p['base_cg'])} | "
                       f"{fmt(p['cg'])} |")
        tt = t["total"]
        out.append(f"| **total: exec → exit** | **{fmt(tt['base_nocg'])}** | **{fmt(tt['nocg'])}** | "
                   f"**{fmt(tt['base_cg'])}** | **{fmt(tt['cg'])}** |")
    else:
        out += ["| phase of `modrun run /bin/true` | no cgroups | cgroups (cgroupfs) |", "|---|---|---|"]
        for p in t["phases"]:
            out.append(f"| {p['phase']} | {fmt(p['nocg'])} | {fmt(p['cg'])} |")
        out.append(f"| **total: exec → exit** | **{fmt(t['total']['nocg'])}** | **{fmt(t['total']['cg'])}** |")
    out += ["", "| phase of the floor (bench/floor.c) | ms |", "|---|---|"]
    for p in t["floor"]:
        out.append(f"| {p['phase']} | {fmt(p['ms'])} |")
    out.append(f"| **total: exec → exit** | **{fmt(t['total']['floor'])}** |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
