#!/usr/bin/python3
"""scale.py: does the time per container grow with the number already running?

For each runtime, TOTAL containers running `sleep 3600` are created and
started JOBS at a time (a thread pool; every `create` and `start` timed by
`tm`, so Python is outside the measurement), and stay running. Each create
is filed under the number of containers that were running or being made
when it began, in buckets of BUCKET. Then every container is deleted
(`delete --force`, JOBS at a time, also timed) and the state dir must be
empty. Prints a markdown table per runtime and writes the raw samples as
JSON: {rt: {"create": [[running, ns], ...], "start": [...], "delete": [...],
"failures": [...]}}.
"""
import argparse, concurrent.futures, ctypes, json, os, shutil, statistics, subprocess, sys, threading, time

from driver import reap  # the same child-subreaper reaping

# Work that is not timed goes through files, not pipes: a detached container
# inherits them and would hold a pipe open.


def tm(a, argv):
    out = subprocess.run([a.tm, "-o", os.path.join(a.work, "scale.log"), "--"] + argv,
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    ns, _rss, code, _cpu = (int(x) for x in out.split())
    return ns, code


def base(a, rt):
    root = os.path.join(a.work, f"scale-{rt}")
    if rt == "modrun":
        return [a.modrun, "--plugin-dir", a.plugin_dir, "--root", root], root
    if rt == "crun":
        return ["/usr/bin/crun", "--root", root], root
    return ["/usr/sbin/runc", "--root", root], root


def one_runtime(a, rt):
    b, root = base(a, rt)
    res = {"create": [], "start": [], "delete": [], "failures": []}
    lock = threading.Lock()
    running = [0]  # containers created or being created (a running count)
    prefix = f"{a.prefix}-{rt}"

    def make(k):
        cid = f"{prefix}-{k}"
        with lock:
            before = running[0]
            running[0] += 1
        ns, code = tm(a, b + ["create", "--bundle", a.bundle, cid])
        if code != 0:
            return f"create {cid}: exit {code}"
        ns2, code = tm(a, b + ["start", cid])
        if code != 0:
            return f"start {cid}: exit {code}"
        with lock:
            res["create"].append([before, ns])
            res["start"].append([before, ns2])
        return None

    def remove(k):
        cid = f"{prefix}-{k}"
        ns, code = tm(a, b + ["delete", "--force", cid])
        if code != 0:
            return f"delete {cid}: exit {code}"
        with lock:
            res["delete"].append([k, ns])
        return None

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        res["failures"] += [e for e in ex.map(make, range(a.total)) if e]
    res["create_seconds"] = time.monotonic() - t0
    reap()
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        res["failures"] += [e for e in ex.map(remove, range(a.total)) if e]
    res["delete_seconds"] = time.monotonic() - t0
    reap()
    left = os.listdir(root) if os.path.isdir(root) else []
    res["failures"] += [f"{d} left in the state dir" for d in left]
    for d in left:  # whatever failed: take it down the runtime's way
        subprocess.run(b + ["delete", "--force", d], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)
    return res


def bucket_rows(samples, width):
    by = {}
    for n, ns in samples:
        by.setdefault(n // width, []).append(ns / 1e6)
    return [(k * width, k * width + width - 1, statistics.median(v), len(v)) for k, v in sorted(by.items())]


def report(a, out):
    lines = [f"# Time per container against the number already running ({a.total} containers, {a.jobs} at a time)", ""]
    for rt, res in out.items():
        c = bucket_rows(res["create"], a.bucket)
        s = dict(((lo, med) for lo, _hi, med, _n in bucket_rows(res["start"], a.bucket)))
        # deletes are filed under the number still running when they began
        d = dict(((lo, med) for lo, _hi, med, _n in bucket_rows(
            [[max(a.total - 1 - k, 0), ns] for k, ns in res["delete"]], a.bucket)))
        lines += [f"## {rt}: {len(res['failures'])} failures; create+start of all {res['create_seconds']:.1f} s, "
                  f"delete --force of all {res['delete_seconds']:.1f} s", "",
                  "| running before | `create` median ms | `start` median ms | `delete --force` median ms | samples |",
                  "|---|---|---|---|---|"]
        lines += [f"| {lo}–{hi} | {med:.1f} | {s.get(lo, 0):.1f} | {d.get(lo, 0):.1f} | {n} |" for lo, hi, med, n in c]
        if len(c) >= 2:
            first, last = c[0][2], c[-1][2]
            lines += ["", f"last bucket / first bucket (create): **{last / first:.2f}×**"]
        lines += [""] + [f"- {f}" for f in res["failures"][:10]] + [""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    for opt in ("work", "bundle", "tm", "modrun", "plugin-dir", "out", "md"):
        ap.add_argument("--" + opt)
    ap.add_argument("--runtimes", default="modrun,runc")
    ap.add_argument("--prefix", default="scale")
    for opt, default in (("total", 100), ("jobs", 8), ("bucket", 50)):
        ap.add_argument("--" + opt, type=int, default=default)
    ap.add_argument("--from-json", help="only print the tables of an earlier run's JSON")
    a = ap.parse_args()
    if a.from_json:
        with open(a.from_json) as f:
            print(report(a, json.load(f)))
        return 0
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    out = {}
    for rt in a.runtimes.split(","):
        print(f"scale: {rt}: {a.total} containers, {a.jobs} at a time", file=sys.stderr)
        out[rt] = one_runtime(a, rt)
    with open(a.out, "w") as f:
        json.dump(out, f)
    md = report(a, out)
    with open(a.md, "w") as f:
        f.write(md)
    print(md)
    return 1 if any(r["failures"] for r in out.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
