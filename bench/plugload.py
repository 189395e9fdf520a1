"""plugload.py: how long modrun takes to load and initialise its plugins.

modrun has no timing line of its own, so this puts two uprobes on the
release binary's plugins_load() (entry and return) and reads them next to
the sched_process_exec tracepoint through tracefs, on the "mono" trace clock
(comparable across CPUs). For each traced process it reports:
  exec -> plugins_load() returned  (process start to all plugins initialised)
  plugins_load() entry -> return   (select, open+check, dlopen, init)
The command traced is `modrun delete` of a stopped container, which loads
the plugins recorded at create (cgroupfs, pivot-root); `create` itself
re-executes from a sealed memfd, a different inode the uprobes cannot see.
"""
import os, re, subprocess

TRACEFS = "/sys/kernel/tracing"
GROUP = "mrbench"


def file_offset(binary, symbol):
    """The file offset of a function, for uprobe_events (vaddr mapped back
    through the LOAD segment that holds it)."""
    nm = subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout
    vaddr = next(int(l.split()[0], 16) for l in nm.splitlines() if l.endswith(" " + symbol) and " T " in l)
    ph = subprocess.run(["readelf", "-lW", binary], capture_output=True, text=True, check=True).stdout
    for l in ph.splitlines():
        f = l.split()
        if f and f[0] == "LOAD":
            off, va, memsz = int(f[1], 16), int(f[2], 16), int(f[5], 16)
            if va <= vaddr < va + memsz:
                return vaddr - va + off
    raise RuntimeError(f"{symbol} is in no LOAD segment of {binary}")


def put(path, text, mode="w"):
    """Write a tracefs file; "a" appends (uprobe_events: O_TRUNC would drop every probe)."""
    flags = os.O_WRONLY | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    fd = os.open(os.path.join(TRACEFS, path), flags)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def get(path):
    with open(os.path.join(TRACEFS, path)) as f:
        return f.read()


def remove_events():
    if os.path.exists(os.path.join(TRACEFS, "events", GROUP)):
        put(f"events/{GROUP}/enable", "0")
    for line in get("uprobe_events").splitlines():
        name = line.split()[0].split(":", 1)[1]
        if name.startswith(GROUP + "/"):
            put("uprobe_events", f"-:{name}\n", "a")


def parse(trace):
    """{pid: {event: first timestamp in s}} from the trace text."""
    out = {}
    rx = re.compile(r"-(\d+)\s+\[\d+\]\s.*?\s(\d+\.\d+):\s+(\w+):")
    for line in trace.splitlines():
        m = rx.search(line)
        if m:
            out.setdefault(int(m.group(1)), {}).setdefault(m.group(3), float(m.group(2)))
    return out


def measure(bench, n):
    if not os.path.exists(os.path.join(TRACEFS, "uprobe_events")):
        return {"error": f"no tracefs at {TRACEFS} (run.sh mounts it)"}
    binary = os.path.realpath(bench.a.modrun)
    runtime = os.path.join(os.path.dirname(binary), "runtime", "modrun")
    if os.path.exists(runtime):  # modrun is the launcher (core/launcher/): the runtime has the code
        binary = runtime
    try:
        off = file_offset(binary, "plugins_load")
    except (StopIteration, RuntimeError, subprocess.CalledProcessError) as e:
        return {"error": f"cannot find plugins_load in {binary}: {e}"}
    old_clock = re.search(r"\[(\w+)\]", get("trace_clock")).group(1)
    exec_was = get("events/sched/sched_process_exec/enable").strip()
    on_was = get("tracing_on").strip()
    remove_events()  # left by a run that was killed
    put("uprobe_events", f"p:{GROUP}/load {binary}:{off:#x}\n", "a")
    put("uprobe_events", f"r:{GROUP}/loaded {binary}:{off:#x}\n", "a")
    try:
        put("trace_clock", "mono")
        put("trace", "")
        put(f"events/{GROUP}/enable", "1")
        put("events/sched/sched_process_exec/enable", "1")
        put("tracing_on", "1")
        root = bench.root("modrun", "plugload")
        b = bench.base("modrun", root)
        fails = 0
        for k in range(n):
            cid = f"pl-{k}"
            bench.quiet(b + ["create", "--bundle", bench.a.bundle, cid])
            bench.quiet(b + ["kill", cid, "KILL"])
            bench.wait_stopped("modrun", root, cid)
            fails += bench.tm(b + ["delete", cid])[2] != 0
        trace = get("trace")
    finally:
        put("events/sched/sched_process_exec/enable", exec_was)
        remove_events()
        put("trace_clock", old_clock)
        put("tracing_on", on_was)
    ready, load = [], []
    for ev in parse(trace).values():
        if {"sched_process_exec", "load", "loaded"} <= ev.keys():
            ready.append((ev["loaded"] - ev["sched_process_exec"]) * 1e6)
            load.append((ev["loaded"] - ev["load"]) * 1e6)
    return {"start_to_ready_us": ready, "load_init_us": load, "failures": fails,
            "traced": "modrun delete of a stopped container (plugins: cgroupfs, pivot-root)"}
