#!/usr/bin/python3
"""driver.py: the interleaved measurements of bench/run.sh.

Every timed command goes through `tm` (tm.c): posix_spawn + wait4, so the
numbers do not include Python. Within each iteration every operation is
measured for every runtime in turn (floor, modrun, crun, runc), in an order
shuffled for each command of each iteration (order.py: seeded, so every run
uses the same orders; under rotation each runtime always followed the same
one). Writes raw.json:
{"time": {op: {rt: [ns...]}}, "rss": {op: {rt: [KiB...]}}, "cpu": {op: {rt: [us...]}},
"fail": {...}, ...}.
"""
import argparse, concurrent.futures, ctypes, json, os, shutil, stat, subprocess, sys, tempfile, time

import plugload
from order import shuffled

RTS = ["floor", "modrun", "crun", "runc"]


class Bench:
    def __init__(self, a):
        self.a = a
        self.res = {"time": {}, "rss": {}, "cpu": {}, "fail": {}, "errors": [], "list_count": a.list_count,
                    "par": [a.par_total, a.par_jobs]}

    # ---- command lines -------------------------------------------------
    def base(self, rt, root, nocg=False):
        if rt == "modrun":
            b = [self.a.modrun, "--plugin-dir", self.a.plugin_dir, "--root", root]
            return b + (["--cgroup-manager=disabled"] if nocg else [])
        if rt == "crun":
            return [self.a.crun, "--root", root] + (["--cgroup-manager=disabled"] if nocg else [])
        return ["/usr/sbin/runc", "--root", root]

    def root(self, rt, what="main"):
        return os.path.join(self.a.work, "roots", f"{what}-{rt}")

    # ---- running -------------------------------------------------------
    def tm(self, argv, log=None):
        log = log or os.path.join(self.a.work, "logs", os.path.basename(argv[0]) + ".log")
        out = subprocess.run([self.a.tm, "-o", log, "--"] + argv, stdout=subprocess.PIPE, check=True, text=True).stdout
        ns, rss, code, cpu = (int(x) for x in out.split())
        return ns, rss, code, cpu

    def record(self, op, rt, argv, log=None, code_ok=0):
        ns, rss, code, cpu = self.tm(argv, log)
        reap()
        if code != code_ok:
            self.res["fail"].setdefault(op, {}).setdefault(rt, 0)
            self.res["fail"][op][rt] += 1
            self.res["errors"].append(f"{op} {rt}: exit {code}: {' '.join(argv)}")
            print(f"driver: {op} {rt} failed (exit {code}); see {self.a.work}/logs", file=sys.stderr)
            return False
        self.res["time"].setdefault(op, {}).setdefault(rt, []).append(ns)
        self.res["rss"].setdefault(op, {}).setdefault(rt, []).append(rss)
        self.res["cpu"].setdefault(op, {}).setdefault(rt, []).append(cpu)
        return True

    def quiet(self, argv):
        """Run untimed; output through files, not pipes: a detached container
        inherits them and would hold a pipe open."""
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err).returncode
            out.seek(0), err.seek(0)
            return subprocess.CompletedProcess(argv, rc, out.read(), err.read())

    def status(self, rt, root, cid):
        p = self.quiet(self.base(rt, root) + ["state", cid])
        try:
            return json.loads(p.stdout)["status"]
        except (ValueError, KeyError):
            return None

    def wait_stopped(self, rt, root, cid, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            reap()
            if self.status(rt, root, cid) == "stopped":
                return True
            time.sleep(0.001)
        return False

    # ---- phases --------------------------------------------------------
    def main_loop(self):
        a, bundle = self.a, self.a.bundle
        for i in range(a.n):
            for rt in shuffled(RTS, i, "run"):  # run, with the runtime's default cgroup manager
                argv = [a.floor, os.path.join(bundle, "rootfs")] if rt == "floor" else \
                    self.base(rt, self.root(rt)) + ["run", "--bundle", bundle, f"run-{i}"]
                self.record("run", rt, argv)
            # run without cgroups (runc has no such mode); floor-spec: the floor
            # plus the kernel work the bundle's config asks for (floor --spec)
            for rt in shuffled(RTS + ["floor-spec"], i, "run-nocg"):
                if rt == "runc":
                    continue
                if rt in ("floor", "floor-spec"):
                    argv = [a.floor] + (["--spec"] if rt == "floor-spec" else []) + [os.path.join(bundle, "rootfs")]
                else:
                    argv = self.base(rt, self.root(rt), nocg=True) + ["run", "--bundle", bundle, f"nocg-{i}"]
                self.record("run-nocg", rt, argv)
            for rt in shuffled(RTS, i, "create"):  # create, start, delete as three commands
                if rt == "floor":
                    continue
                b, cid = self.base(rt, self.root(rt)), f"csd-{i}"
                if self.record("create", rt, b + ["create", "--bundle", bundle, cid]) and \
                        self.record("start", rt, b + ["start", cid]):
                    if not self.wait_stopped(rt, self.root(rt), cid):
                        self.res["errors"].append(f"{rt}: {cid} did not stop")
                    self.record("delete", rt, b + ["delete", cid])
                else:
                    self.quiet(b + ["delete", "--force", cid])
            for rt in shuffled(RTS, i, "exec"):  # exec /bin/true into a running container
                if rt != "floor":
                    self.record("exec", rt, self.base(rt, self.root(rt)) + ["exec", "sleeper", "/bin/true"])
            # What the CVE-2019-5736 protection costs a command: `exec` of a
            # missing container re-executes from a sealed copy and then
            # fails; `state` of one does the same work without the copy.
            b = self.base("modrun", self.root("modrun"))
            # (exec exits 255 when exec itself fails, as runc; state exits 1)
            self.record("sealed", "modrun", b + ["exec", "nosuch", "/bin/true"], code_ok=255)
            self.record("unsealed", "modrun", b + ["state", "nosuch"], code_ok=1)
            for rt in shuffled(RTS, i, "list"):  # list with a.list_count containers in the state dir
                if rt != "floor":
                    self.record("list", rt, self.base(rt, self.root(rt, "list")) + ["list"], log="/dev/null")
            print(f"driver: iteration {i + 1}/{a.n} done", file=sys.stderr)

    def start_sleepers(self):
        for rt in RTS[1:]:
            b = self.base(rt, self.root(rt))
            for cmd in (["create", "--bundle", self.a.sleep_bundle, "sleeper"], ["start", "sleeper"]):
                p = self.quiet(b + cmd)
                if p.returncode != 0:
                    sys.exit(f"driver: {rt} {cmd[0]} sleeper: {p.stderr.strip()}")

    def fabricate_list_roots(self):
        """One real container per runtime, created and killed (so stopped),
        its state dir copied list_count times with the id replaced in every
        file; the real one is then deleted the runtime's way."""
        for rt in RTS[1:]:
            root, seed = self.root(rt, "list"), "listseed"
            b = self.base(rt, root)
            p = self.quiet(b + ["create", "--bundle", self.a.bundle, seed])
            if p.returncode != 0:
                sys.exit(f"driver: {rt} create {seed}: {p.stderr.strip()}")
            self.quiet(b + ["kill", seed, "KILL"])
            if not self.wait_stopped(rt, root, seed):
                sys.exit(f"driver: {rt}: {seed} did not stop after SIGKILL")
            tmpl = os.path.join(self.a.work, f"listseed-{rt}")
            shutil.copytree(os.path.join(root, seed), tmpl, symlinks=True, copy_function=copy_node)
            self.quiet(b + ["delete", "--force", seed])
            for k in range(self.a.list_count):
                cid = f"list{k:05d}"
                dst = os.path.join(root, cid)
                shutil.copytree(tmpl, dst, symlinks=True, copy_function=copy_node)
                for name in os.listdir(dst):
                    f = os.path.join(dst, name)
                    if os.path.isfile(f) and not os.path.islink(f):
                        with open(f, "rb") as fh:
                            data = fh.read()
                        if seed.encode() in data:
                            with open(f, "wb") as fh:
                                fh.write(data.replace(seed.encode(), cid.encode()))
            p = self.quiet(b + ["list"])
            n = sum(1 for line in p.stdout.splitlines() if line.startswith("list0"))
            if n != self.a.list_count:
                sys.exit(f"driver: {rt} list shows {n} of {self.a.list_count} fabricated containers")

    def one_parallel(self, rt, rnd):
        root = self.root(rt, f"par{rnd}")
        b = self.base(rt, root)

        def lifecycle(k):
            cid = f"par-{rnd}-{k}"
            for cmd in (["create", "--bundle", self.a.bundle, cid], ["start", cid], ["delete", "--force", cid]):
                p = self.quiet(b + cmd)
                if p.returncode != 0:
                    return f"{rt} {' '.join(cmd[:1] + [cid])}: {p.stderr.strip()[:300]}"
            return None

        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(self.a.par_jobs) as ex:
            errs = [e for e in ex.map(lifecycle, range(self.a.par_total)) if e]
        total = time.monotonic() - t0
        reap()
        # Only the round's containers count: crun 1.28 keeps a directory of
        # its own there (.empty-directory).
        left = [d for d in os.listdir(root) if d.startswith(f"par-{rnd}-")] if os.path.isdir(root) else []
        errs += [f"{rt}: {d} left in the state dir" for d in left]
        return total, errs

    def parallel(self):
        out = self.res.setdefault("parallel", {})
        for rnd in range(self.a.par_rounds):
            for rt in shuffled(RTS[1:], rnd, "parallel"):
                total, errs = self.one_parallel(rt, rnd)
                d = out.setdefault(rt, {"seconds": [], "failures": 0})
                d["seconds"].append(total)
                d["failures"] += len(errs)
                self.res["errors"] += errs[:5]
            print(f"driver: parallel round {rnd + 1}/{self.a.par_rounds} done", file=sys.stderr)

    def cleanup(self):
        """Force-delete every container left under our roots, then remove them."""
        top = os.path.join(self.a.work, "roots")
        for d in sorted(os.listdir(top)) if os.path.isdir(top) else []:
            rt, root = d.split("-", 1)[1], os.path.join(top, d)
            if rt in RTS and d.split("-", 1)[0] != "list":  # fabricated ones have no cgroup or process
                for cid in os.listdir(root):
                    self.quiet(self.base(rt, root) + ["delete", "--force", cid])
            shutil.rmtree(root, ignore_errors=True)
        reap()


def copy_node(src, dst):
    st = os.lstat(src)
    if stat.S_ISFIFO(st.st_mode):
        os.mkfifo(dst, stat.S_IMODE(st.st_mode))
    else:
        shutil.copy2(src, dst)


def reap():
    """We are a child subreaper (PID 1 here does not reap): collect the
    container processes the runtimes left to us. Only called when no `tm`
    of ours is running."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main():
    ap = argparse.ArgumentParser()
    for opt in ("work", "bundle", "sleep-bundle", "tm", "floor", "modrun", "plugin-dir", "out"):
        ap.add_argument("--" + opt)
    ap.add_argument("--crun", default="/usr/bin/crun", help="the crun binary to compare with (BENCH_CRUN)")
    for opt, default in (("n", 30), ("par-rounds", 3), ("par-total", 100), ("par-jobs", 8), ("list-count", 1000)):
        ap.add_argument("--" + opt, type=int, default=default)
    ap.add_argument("--cleanup-only", action="store_true")
    a = ap.parse_args()
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    b = Bench(a)
    if a.cleanup_only:
        b.cleanup()
        return
    os.makedirs(os.path.join(a.work, "logs"), exist_ok=True)
    try:
        b.start_sleepers()
        b.fabricate_list_roots()
        b.main_loop()
        b.res["plugload"] = plugload.measure(b, a.n)
        b.parallel()
    finally:
        b.cleanup()
        with open(a.out, "w") as f:
            json.dump(b.res, f, indent=1)


if __name__ == "__main__":
    main()
