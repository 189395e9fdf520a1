#!/usr/bin/python3
"""report.py RAW.json MACHINE.md OUTDIR MODRUN PLUGIN_DIR CRUN: latest.md and latest.png."""
import glob, json, os, statistics, subprocess, sys, tempfile

RTS = ["floor", "modrun", "crun", "runc"]
TIMED = [  # op, label
    ("run", "`run` /bin/true, cgroups (each runtime's default cgroupfs driver)"),
    ("run-nocg", "`run` /bin/true, no cgroups (modrun and crun `--cgroup-manager=disabled`, which makes no cgroup at all; "
                 "runc has no such mode: n/a; the floor never makes one)"),
    ("create", "`create`"),
    ("start", "`start`"),
    ("delete", "`delete` (stopped container)"),
    ("exec", "`exec` /bin/true into a running container"),
    ("list", "`list`, {list} containers in the state dir"),
]
RSS = [("run", "peak RSS, `run` (KiB)"), ("create", "peak RSS, `create` (KiB)"),
       ("exec", "peak RSS, `exec` (KiB)"), ("list", "peak RSS, `list` of {list} (KiB)")]
CPU = [("run", "`run` /bin/true, cgroups"), ("run-nocg", "`run` /bin/true, no cgroups"),
       ("exec", "`exec` /bin/true (what a Kubernetes exec probe costs the node)")]


def stats(xs):
    if not xs:
        return None
    if len(xs) < 2:
        return xs[0], xs[0], xs[0]
    q = statistics.quantiles(xs, n=10, method="inclusive")
    return statistics.median(xs), q[0], q[8]


def ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "n/a"


def row(label, vals, fmt, spread=None):
    """vals: {rt: median or None}; spread: {rt: (p10, p90)}."""
    cells = []
    for rt in RTS:
        v = vals.get(rt)
        if v is None:
            cells.append("n/a")
        elif spread and rt in spread:
            cells.append(f"{fmt(v)} ({fmt(spread[rt][0])}–{fmt(spread[rt][1])})")
        else:
            cells.append(fmt(v))
    m = vals.get("modrun")
    ratios = [ratio(m, vals.get("crun")), ratio(vals.get("runc"), vals.get("crun")),
              ratio(m, vals.get("runc")), ratio(m, vals.get("floor"))]
    return "| " + " | ".join([label] + cells + ratios) + " |"


def size(path, stripped=False):
    if not stripped:
        return os.path.getsize(path)
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "s")
        subprocess.run(["strip", "-o", out, path], check=True)
        return os.path.getsize(out)


def binaries_size(path, stripped=False):
    """The binary, and the runtime beside it when it is modrun's launcher
    (core/runtime/modrun in the build tree)."""
    runtime = os.path.join(os.path.dirname(path), "runtime", "modrun")
    return sum(size(p, stripped) for p in [path] + ([runtime] if os.path.exists(runtime) else []))


def main():
    raw_path, machine, outdir, modrun, plugin_dir, crun = sys.argv[1:7]
    raw = json.load(open(raw_path))
    ms = lambda v: f"{v:.2f}" if v < 10 else f"{v:.1f}"
    kib = lambda v: f"{v:,.0f}"
    head = ("| measurement | floor | modrun | crun | runc | modrun/crun | runc/crun | modrun/runc | modrun/floor |\n"
            "|---|---|---|---|---|---|---|---|---|")
    lines = [open(machine).read().rstrip(), "",
             "## Time (ms): median (p10–p90)", "", head]
    chart = []
    for op, label in TIMED:
        label = label.format(list=f"{raw['list_count']:,}")
        med, spread = {}, {}
        for rt in RTS:
            s = stats([ns / 1e6 for ns in raw["time"].get(op, {}).get(rt, [])])
            if s:
                med[rt], spread[rt] = s[0], (s[1], s[2])
        lines.append(row(label, med, ms, spread))
        chart.append((op if op != "list" else f"list-{raw['list_count']}", [(med.get(rt), *spread.get(rt, (None, None))) for rt in RTS]))
    lines += ["", "## CPU time (ms, user + system of the command and the processes it waited for): median (p10–p90)",
              "", head]
    for op, label in CPU:
        med, spread = {}, {}
        for rt in RTS:
            s = stats([us / 1e3 for us in raw.get("cpu", {}).get(op, {}).get(rt, [])])
            if s:
                med[rt], spread[rt] = s[0], (s[1], s[2])
        lines.append(row(label, med, ms, spread))
    lines += seal_cost(raw)
    lines += ["", "## Memory and size", "", head]
    for op, label in RSS:
        label = label.format(list=f"{raw['list_count']:,}")
        med = {}
        for rt in RTS[1:]:
            st = stats(raw["rss"].get(op, {}).get(rt, []))
            if st:
                med[rt] = st[0]
        lines.append(row(label, med, kib))
    bins = {"modrun": modrun, "crun": crun, "runc": "/usr/sbin/runc"}
    lines.append(row("binary size, as installed/built (KiB; modrun: launcher and runtime)",
                     {rt: binaries_size(p) / 1024 for rt, p in bins.items()}, kib))
    lines.append(row("binary size, stripped (KiB)", {rt: binaries_size(p, True) / 1024 for rt, p in bins.items()}, kib))
    lines += ["", "| modrun plugin | built (KiB) | stripped (KiB) |", "|---|---|---|"]
    for so in sorted(glob.glob(os.path.join(plugin_dir, "*.so"))):
        lines.append(f"| `{os.path.basename(so)}` | {size(so) / 1024:.1f} | {size(so, True) / 1024:.1f} |")
    lines += ["", "## {} containers, {} at a time (create, start, delete --force each)".format(*raw["par"]), "",
              "| runtime | total seconds, median of rounds (min–max) | rounds | failures |", "|---|---|---|---|"]
    for rt in RTS[1:]:
        p = raw.get("parallel", {}).get(rt)
        if p and p["seconds"]:
            s = p["seconds"]
            lines.append(f"| {rt} | {statistics.median(s):.2f} ({min(s):.2f}–{max(s):.2f}) | {len(s)} | {p['failures']} |")
    pl = raw.get("plugload", {})
    lines += ["", "## Plugin loading (modrun only)", ""]
    if pl.get("error"):
        lines.append(f"not measured: {pl['error']}")
    else:
        for key, label in (("start_to_ready_us", "process start (exec) → all plugins loaded and initialised"),
                           ("load_init_us", "`plugins_load()` alone: select, open and check, dlopen, init")):
            s = stats(pl.get(key, []))
            if s:
                lines.append(f"- {label}: median **{s[0]:.0f} µs** (p10 {s[1]:.0f}, p90 {s[2]:.0f}), "
                             f"{len(pl[key])} samples")
        lines.append(f"- traced: {pl.get('traced')}, uprobes on the release binary (see plugload.py)")
    lines += targets(raw)
    fails = {op: d for op, d in raw.get("fail", {}).items() if d}
    lines += ["", "## Failures", "", f"timed commands that failed: {json.dumps(fails) if fails else 'none'}"]
    lines += [f"- {e}" for e in raw.get("errors", [])[:20]]
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "latest.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    plot(chart, outdir, machine)
    par_fail = sum(p["failures"] for p in raw.get("parallel", {}).values())
    if fails or par_fail:
        sys.exit(f"report.py: {par_fail} parallel failures, failed timed commands {fails}: see latest.md")


def seal_cost(raw):
    """The seal (CVE-2019-5736) alone: modrun `exec` of a missing container
    (the runtime runs from a sealed memfd copy: the launcher makes it, or the
    runtime copies itself and re-executes, then fails) minus `state` of one
    (the same work without the copy)."""
    out = ["", "## What the sealed copy costs (CVE-2019-5736 protection)", ""]
    for kind, scale, unit in (("time", 1e6, "wall time"), ("cpu", 1e3, "CPU time")):
        a = stats([v / scale for v in raw.get(kind, {}).get("sealed", {}).get("modrun", [])])
        b = stats([v / scale for v in raw.get(kind, {}).get("unsealed", {}).get("modrun", [])])
        if a and b:
            out.append(f"- {unit}: `exec` of a missing container {a[0]:.2f} ms, `state` of one {b[0]:.2f} ms: "
                       f"**{a[0] - b[0]:.2f} ms** per `create`, `run` or `exec` (medians)")
    return out if len(out) > 3 else []


def targets(raw):
    """The targets (issue 19, and issue 14's plugin loading), judged from this run's medians."""
    med = lambda kind, op, rt: (stats(raw[kind].get(op, {}).get(rt, [])) or [None])[0]
    run_m, run_c, floor = med("time", "run", "modrun"), med("time", "run", "crun"), med("time", "run-nocg", "floor")
    rss_m, rss_c = med("rss", "run", "modrun"), med("rss", "run", "crun")
    load = (stats(raw.get("plugload", {}).get("load_init_us", [])) or [None])[0]
    par = sum(p["failures"] for p in raw.get("parallel", {}).values())
    ok = lambda c: "**met**" if c else "**missed**"
    out = ["", "## Targets (issue 19; plugin loading: issue 14)", "", "| target | this run | |", "|---|---|---|"]
    if run_m and run_c:
        out.append(f"| `run` median ≤ 0.5× crun's (cgroups) | {run_m / run_c:.2f}× | {ok(run_m <= 0.5 * run_c)} |")
    nocg_m = med("time", "run-nocg", "modrun")
    if nocg_m and floor:
        out.append(f"| `run` ≤ 1.5× the floor (no cgroups) | {nocg_m / floor:.2f}× | {ok(nocg_m <= 1.5 * floor)} |")
    spec = med("time", "run-nocg", "floor-spec")
    if nocg_m and floor and spec:
        out.append(f"| for reference, not a target: `run` (no cgroups) / `floor --spec`, the floor plus the kernel work "
                   f"the bundle's config asks for ({spec / 1e6:.2f} ms; the floor {floor / 1e6:.2f}) "
                   f"| {nocg_m / spec:.2f}× | |")
    m, c = med("cpu", "exec", "modrun"), med("cpu", "exec", "crun")
    if m and c:
        out.append(f"| `exec` CPU time ≤ 0.5× crun's | {m / c:.2f}× | {ok(m <= 0.5 * c)} |")
    if rss_m and rss_c:
        out.append(f"| peak RSS ≤ 0.6× crun's (`run`) | {rss_m / rss_c:.2f}× | {ok(rss_m <= 0.6 * rss_c)} |")
    lm, lc = med("time", "list", "modrun"), med("time", "list", "crun")
    if lm and lc:
        out.append(f"| `list` of 1,000 ≤ crun's | {lm / lc:.2f}× | {ok(lm <= lc)} |")
    if load is not None:
        out.append(f"| plugin loading < 0.3 ms (`plugins_load()`) | {load / 1000:.3f} ms | {ok(load < 300)} |")
    out.append(f"| 100 concurrent containers: zero failures | {par} failures | {ok(par == 0)} |")
    return out


def plot(chart, outdir, machine):
    """Two panels: the per-container commands, and `list` (another scale)."""
    files = []
    for part in (chart[:-1], chart[-1:]):
        with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as d:
            for op, cells in part:
                d.write(op + " " + " ".join(" ".join("NaN" if v is None else f"{v:.3f}" for v in c)
                                            for c in cells) + "\n")
        files.append(d.name)
    title = next((l[2:].strip().replace('"', "") for l in open(machine) if l.startswith("# ")), "modrun benchmark")
    panel = """set origin {x},0
set size {w},0.95
plot for [i={first}:3] "{f}" using 2+3*i:3+3*i:4+3*i:xtic(1) title word("floor modrun crun runc", i+1) lt i+1
"""
    gp = f"""set terminal pngcairo size 1100,600 font ",10"
set output "{outdir}/latest.png"
set multiplot title "{title}: median time in ms, whiskers p10-p90 (lower is better)"
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key top left
set yrange [0:*]
set datafile missing "NaN"
set ylabel "ms"
""" + panel.format(x=0, w=0.78, f=files[0], first=0) + "unset ylabel\nset key off\n" + \
        panel.format(x=0.78, w=0.22, f=files[1], first=1) + "unset multiplot\n"
    subprocess.run(["gnuplot"], input=gp, text=True, check=True)
    for f in files:
        os.unlink(f)


if __name__ == "__main__":
    main()
