#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/vm-v2.sh: the `run` comparison of bench/run.sh on pure cgroup v2 with
# systemd as PID 1: boots Debian's kernel in qemu once (tests/vm/vm-lib.sh,
# the boot of tests/vm/systemd.sh) and times, interleaved inside the guest,
# `run` of /bin/true by modrun, crun, runc and the floor, with cgroups
# (cgroupfs drivers, then systemd drivers) and without, and `exec` of
# /bin/true into a running container with either driver. The guest prints
# every sample on the serial console; this script writes bench/results/vm-v2.md.
# Software emulation (TCG): only the ratios mean something. See bench/README.md.
#   BENCH_VM_N=15          timed iterations per command and runtime
#   BENCH_VM_BUILD=DIR     release build dir (default build-vmb)
#   BENCH_VM_BASELINE=DIR  another build dir (core/modrun, plugins/): timed as a fifth
#                          runtime, interleaved, and compared with modrun in its own table
#   MODRUN_VM_TIMEOUT=900  qemu's limit in seconds; VM_SMP=2, VM_MEM=1G; see vm-lib.sh
set -euo pipefail

N=${BENCH_VM_N:-15}
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=${BENCH_VM_BUILD:-$top/build-vmb}
results=$here/results
py=/usr/bin/python3   # Debian's, here and in the guest
VM_NAME=vmbench VM_TAG=vm-v2 TIMEOUT=900
# shellcheck source=SCRIPTDIR/../tests/vm/vm-lib.sh
. "$top/tests/vm/vm-lib.sh"

# --- what we need, from Debian; the release build -------------------------------
need=()
for p in crun runc gcc meson ninja-build pkg-config busybox-static qemu-system-x86 cpio xz-utils \
         libjson-c-dev libseccomp-dev python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
[ "$(id -u)" = 0 ] || fail "run me as root (qemu's 9p share of /, apt-get)"
if [ ${#need[@]} -gt 0 ]; then
    say "installing ${need[*]}"
    { apt-get update -qq && apt-get install -y -qq "${need[@]}"; } >/dev/null || fail "apt-get install ${need[*]} failed"
fi
vm_require
[ -f "$build/build.ninja" ] ||
    meson setup "$build" "$top" --buildtype=release -Doptimization=2 -Db_ndebug=true -Dtests=false >/dev/null
ninja -C "$build" >/dev/null
vm_kernel
vm_workdir modrun-vmbench
vm_modules virtio_pci 9pnet_virtio 9p overlay
vm_units "modrun benchmark, pure cgroup v2"
vm_inject_build "$build"

# --- the guest's payload: tm and floor built here, driver.py's code path there ----
g=$R/inject/$VM_NAME
mkdir -p "$g/bin" "$g/bench" "$g/scripts"
gcc -O2 -Wall -o "$g/bin/tm" "$here/tm.c"
gcc -O2 -Wall -o "$g/bin/floor" "$here/floor.c"
cp "$here/driver.py" "$here/plugload.py" "$here/order.py" "$g/bench/"
if [ -n "${BENCH_VM_BASELINE:-}" ]; then
    mkdir -p "$g/base/core/runtime" "$g/base/plugins"
    cp "$BENCH_VM_BASELINE/core/modrun" "$g/base/core/" &&
        { [ ! -e "$BENCH_VM_BASELINE/core/runtime/modrun" ] || cp "$BENCH_VM_BASELINE/core/runtime/modrun" "$g/base/core/runtime/"; } &&
        cp "$BENCH_VM_BASELINE"/plugins/*.so "$g/base/plugins/" ||
        fail "BENCH_VM_BASELINE=$BENCH_VM_BASELINE: no core/modrun or plugins/*.so there"
fi
cp "$top/scripts/make-bundle.sh" "$g/scripts/"
cat > "$g/bench/guest.py" <<'PY'
"""Inside the guest: N interleaved iterations of `run` /bin/true with and
without cgroups and of `exec` /bin/true, through driver.py's Bench (tm.c
times each command). Prints "VMBENCH t OP RUNTIME ITERATION NS EXIT" per
sample, after one untimed warm-up iteration."""
import ctypes, json, os, sys, types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import driver  # noqa: E402
from order import shuffled  # noqa: E402

n, work = int(sys.argv[1]), sys.argv[2]
me = "/" + os.environ.get("VM_NAME", "vmbench")
a = types.SimpleNamespace(work=work, bundle=f"{work}/bundle", tm=f"{me}/bin/tm", floor=f"{me}/bin/floor",
                          modrun=f"{me}/build/core/modrun", plugin_dir=f"{me}/build/plugins",
                          crun="/usr/bin/crun", list_count=0, par_total=0, par_jobs=0)
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER, as driver.py
os.makedirs(f"{work}/logs", exist_ok=True)
cfg_path = f"{a.bundle}/config.json"
cfg = json.load(open(cfg_path))
cfg["ociVersion"] = "1.1.0"  # crun 1.8 says "unknown version specified" to 1.2.0
b = driver.Bench(a)
# BENCH_VM_BASELINE: an older modrun, timed as runtime "base"
RTS = driver.RTS + (["base"] if os.path.isdir(f"{me}/base") else [])


def base(rt, op):
    if rt == "base":
        cmd = [f"{me}/base/core/modrun", "--plugin-dir", f"{me}/base/plugins", "--root", b.root(rt)]
        cmd += ["--cgroup-manager=disabled"] if op == "run-nocg" else []
    else:
        cmd = b.base(rt, b.root(rt), nocg=(op == "run-nocg"))
    if op in ("run", "exec") and rt != "runc":  # runc's default is cgroupfs; it has no such flag
        cmd += ["--cgroup-manager=cgroupfs"]
    if op.endswith("-sd"):  # each runtime's systemd driver, its default unit names (no cgroupsPath)
        cmd += ["--systemd-cgroup"] if rt == "runc" else ["--cgroup-manager=systemd"]
    return cmd


def argv(rt, op, cid):
    if rt == "floor":
        return [a.floor, f"{a.bundle}/rootfs"]
    if op.startswith("exec"):  # into the running container sleeper-OP-RT
        return base(rt, op) + ["exec", f"sleeper-{op}-{rt}", "/bin/true"]
    return base(rt, op) + ["run", "--bundle", a.bundle, cid]


def set_args(args):
    cfg["process"]["args"] = args
    json.dump(cfg, open(cfg_path, "w"), indent=1)


# where each runtime puts the container, once, untimed
set_args(["/bin/cat", "/proc/self/cgroup"])
OPS = ("run", "run-sd", "run-nocg")
for rt in RTS[1:]:
    for op in OPS:
        if rt != "runc" or op != "run-nocg":
            p = b.quiet(argv(rt, op, f"probe-{op}"))
            print(f"VMBENCH-INFO placement {rt} {op}: exit {p.returncode}, "
                  f"{(p.stdout + p.stderr).strip().replace(chr(10), ' ') or '(nothing)'}", flush=True)
            driver.reap()
# one running container per runtime and manager for the exec rows
set_args(["/bin/sleep", "3600"])
EXEC_OPS = ("exec", "exec-sd")
for rt in RTS[1:]:
    for op in EXEC_OPS:
        p = b.quiet(base(rt, op) + ["run", "-d", "--bundle", a.bundle, f"sleeper-{op}-{rt}"])
        if p.returncode != 0:
            print(f"VMBENCH-ERR {op} {rt} sleeper: exit {p.returncode}: {p.stderr.strip()}", flush=True)
set_args(["/bin/true"])

for i in range(-1, n):
    for op in OPS + EXEC_OPS:
        for rt in shuffled(RTS, i, op):  # see order.py: not rotated
            if (rt == "runc" and op == "run-nocg") or (rt == "floor" and op in EXEC_OPS):
                continue
            cid = f"{op}-{'w' if i < 0 else i}"
            ns, _rss, code, _cpu = b.tm(argv(rt, op, cid))
            driver.reap()
            if i >= 0:
                print(f"VMBENCH t {op} {rt} {i} {ns} {code}", flush=True)
            if code != 0:
                log = os.path.join(work, "logs", os.path.basename(argv(rt, op, cid)[0]) + ".log")
                tail = open(log).read().strip().splitlines()[-3:] if os.path.exists(log) else []
                print(f"VMBENCH-ERR {op} {rt} {cid}: exit {code}: {' | '.join(tail)}", flush=True)
for rt in RTS[1:]:
    for op in EXEC_OPS:
        b.quiet(base(rt, op) + ["delete", "--force", f"sleeper-{op}-{rt}"])
b.cleanup()
PY
cat > "$g/run.sh" <<EOF
#!/bin/sh
systemctl is-system-running --wait >/dev/null 2>&1
echo "VMBENCH-BOOTED uptime \$(cut -d' ' -f1 /proc/uptime)"
M=/$VM_NAME/build/core/modrun
cg=/sys/fs/cgroup
info() { echo "VMBENCH-INFO \$1: \$2"; }
info kernel "\$(uname -r)"
info vcpus "\$(nproc)"
info memory "\$(awk '/MemTotal/ { printf "%.0f MiB", \$2 / 1024 }' /proc/meminfo)"
info pid1 "\$(cat /proc/1/comm), \$(systemctl --version | head -1)"
info cgroup-mounts "\$(awk '\$3 ~ /^cgroup/ { printf "%s %s; ", \$3, \$2 }' /proc/self/mounts)"
info cgroup-fs "\$(stat -fc %T \$cg)"
info controllers "\$(cat \$cg/cgroup.controllers)"
info subtree-control "\$(cat \$cg/cgroup.subtree_control)"
info modrun "\$(\$M --version | head -1)"
info crun "\$(crun --version | head -1)"
info runc "\$(runc --version | head -1)"
work=/tmp/vmbench
mkdir -p \$work
bash /$VM_NAME/scripts/make-bundle.sh \$work/bundle \$M > \$work/bundle.log 2>&1 || sed 's/^/VMBENCH-ERR bundle: /' \$work/bundle.log
VM_NAME=$VM_NAME timeout $((TIMEOUT - 120)) $py /$VM_NAME/bench/guest.py $N \$work 2>&1
echo "VMBENCH-EXIT rc=\$? uptime \$(cut -d' ' -f1 /proc/uptime)"
EOF
chmod -R go-w "$g"

# --- the host, then one boot -----------------------------------------------------------
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(GIT_OPTIONAL_LOCKS=0 git -C "$top" status --porcelain -- core plugins 2>/dev/null)" ] \
    && commit="$commit + uncommitted changes in core/ or plugins/"
host_cpu="$(nproc) × $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r)"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
say "booting the guest: $N iterations inside (about $((45 + N * 6)) s under TCG)"
vm_boot
load1=$(cut -d' ' -f1-3 /proc/loadavg)
tr -d '\r' < "$W/serial.log" > "$W/serial.txt"
grep -E 'VMBENCH-(BOOTED|INFO|ERR|EXIT)' "$W/serial.txt" >&2 || true
grep -q 'VMBENCH-BOOTED' "$W/serial.txt" || fail "the guest never finished booting (serial log: MODRUN_VM_KEEP=DIR)"
grep -q 'VMBENCH-EXIT rc=0' "$W/serial.txt" || fail "the guest's benchmark failed or did not finish"

mkdir -p "$results"
VB_DATE=$(date -u '+%Y-%m-%d %H:%M') VB_HOST="$host_cpu" VB_LOAD="at start $load0, at end $load1" \
VB_QEMU="$(qemu-system-x86_64 --version | head -1), \`$VM_ACCEL\`" VB_SMP=$VM_SMP VB_MEM=$VM_MEM \
VB_MODRUN="commit $commit, meson release -O2, b_ndebug ($build)" VB_BASE="${BENCH_VM_BASELINE:-}" \
VB_CRUN_DEB=$(dpkg-query -W -f='${Version}' crun) VB_RUNC_DEB=$(dpkg-query -W -f='${Version}' runc) \
    "$py" - "$W/serial.txt" "$results/vm-v2.md" "$here" "$N" <<'PY'
import os, re, statistics, sys
serial, out, bench, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
E = os.environ
sys.path.insert(0, bench)
from report import RTS, row, stats, ratio  # noqa: E402

text = open(serial).read()
info = dict((k, v.strip()) for k, v in re.findall(r"VMBENCH-INFO ([a-z0-9-]+(?: \S+ \S+)?): (.*)", text))
samples, fails = {}, []
for op, rt, i, ns, code in re.findall(r"VMBENCH t (\S+) (\S+) (\d+) (\d+) (\d+)", text):
    if code == "0":
        samples.setdefault(op, {}).setdefault(rt, {})[int(i)] = int(ns) / 1e6
    else:
        fails.append(f"{op} {rt} iteration {i}: exit {code}")
fails += re.findall(r"VMBENCH-ERR (.*)", text)
g = lambda k: info.get(k, "?")
L = [f"# modrun on pure cgroup v2 in a VM (systemd PID 1), {E['VB_DATE']} UTC", "",
     "**Software emulation (qemu TCG): every guest instruction is translated, so the absolute",
     "times below are many times the host's and mean nothing on their own; only the ratios",
     "between runtimes, measured interleaved in the same boot, are meaningful.** Made by `bench/vm-v2.sh`.", "",
     "| | |", "|---|---|",
     f"| host | {E['VB_HOST']}; load average {E['VB_LOAD']} |",
     f"| emulator | {E['VB_QEMU']} |",
     f"| guest | {g('vcpus')} vCPUs (`-smp {E['VB_SMP']}`), {g('memory')} (`-m {E['VB_MEM']}`); Debian's kernel "
     f"{g('kernel')}; root = the host's / over 9p (read-only) + a tmpfs overlay; the bundle on a tmpfs |",
     f"| PID 1 | {g('pid1')} |",
     f"| cgroups (guest) | {g('cgroup-fs')} only: {g('cgroup-mounts').rstrip('; ')}; controllers `{g('controllers')}`, "
     f"enabled for children `{g('subtree-control')}` |",
     f"| modrun | {g('modrun')}, {E['VB_MODRUN']} |",
     f"| crun | {g('crun')} (Debian {E['VB_CRUN_DEB']}) |",
     f"| runc | {g('runc')} (Debian {E['VB_RUNC_DEB']}) |",
     f"| iterations | {n} per command and runtime after one untimed warm-up, interleaved: each iteration runs floor, "
     "modrun, crun, runc (and the baseline) in turn, in an order shuffled each iteration (seeded); each command "
     "timed by `tm` (bench/tm.c) |",
     "| bundle | made in the guest by scripts/make-bundle.sh: busybox-static rootfs, process /bin/true, "
     "terminal false, namespaces pid, net, ipc, uts, mount; ociVersion 1.1.0 (for crun 1.8) |", "",
     "## Time (ms): median (p10–p90)", "",
     "| measurement | floor | modrun | crun | runc | modrun/crun | runc/crun | modrun/runc | modrun/floor |",
     "|---|---|---|---|---|---|---|---|---|"]
labels = {"run": "`run` /bin/true, cgroups (modrun and crun `--cgroup-manager=cgroupfs`, runc's default cgroupfs; "
                 "no cgroupsPath)",
          "run-sd": "`run` /bin/true, systemd cgroup manager (modrun and crun `--cgroup-manager=systemd`, runc "
                    "`--systemd-cgroup`; no cgroupsPath: each runtime's default unit; the floor makes none)",
          "run-nocg": "`run` /bin/true, no cgroups (modrun and crun `--cgroup-manager=disabled`; runc: n/a; "
                      "the floor never makes one)",
          "exec": "`exec` /bin/true into a running container, cgroupfs managers (as `run`)",
          "exec-sd": "`exec` /bin/true into a running container, systemd managers (as `run`, systemd)"}
ALL = ("run", "run-sd", "run-nocg", "exec", "exec-sd")
med = {}
for op in ALL:
    m, spread = {}, {}
    for rt in RTS:
        s = stats(list(samples.get(op, {}).get(rt, {}).values()))
        if s:
            m[rt], spread[rt] = s[0], (s[1], s[2])
    med[op] = m
    L.append(row(labels[op], m, lambda v: f"{v:.1f}", spread))
L += ["", "Paired: the median over iterations of each iteration's own ratio (the runtimes of one iteration ran "
      "back to back).", "", "| measurement | modrun/crun | runc/crun | modrun/floor | samples |", "|---|---|---|---|---|"]
for op in ALL:
    d = samples.get(op, {})

    def paired(x, y):
        r = [d[x][i] / d[y][i] for i in d.get(x, {}) if i in d.get(y, {})]
        return (f"{statistics.median(r):.2f}×" if r else "n/a"), len(r)
    mc, k = paired("modrun", "crun")
    L.append(f"| `{op}` | {mc} | {paired('runc', 'crun')[0]} | {paired('modrun', 'floor')[0]} | {k} |")
if any("base" in samples.get(op, {}) for op in ALL):
    L += ["", f"## modrun against the baseline build ({E['VB_BASE']}), same boot, interleaved", "",
          "| measurement | baseline ms | modrun ms | modrun/baseline (medians) | paired | samples |",
          "|---|---|---|---|---|---|"]
    for op in ALL:
        d = samples.get(op, {})
        sb, sm = stats(list(d.get("base", {}).values())), stats(list(d.get("modrun", {}).values()))
        pr = [d["modrun"][i] / d["base"][i] for i in d.get("modrun", {}) if i in d.get("base", {})]
        if sb and sm and pr:
            L.append(f"| `{op}` | {sb[0]:.1f} | {sm[0]:.1f} | {sm[0] / sb[0]:.2f}× | {statistics.median(pr):.2f}× "
                     f"| {len(pr)} |")
L += ["", "## Where each runtime put the container (`cat /proc/self/cgroup` inside, once, untimed)", ""]
L += [f"- {k.split(' ', 1)[1]}: {v}" for k, v in info.items() if k.startswith("placement ")]
L += ["", "## Failures", "", f"timed commands that failed: {len(fails) or 'none'}"] + [f"- {f}" for f in fails[:20]]
open(out, "w").write("\n".join(L) + "\n")
r, sd, c, x, xsd = (med[op] for op in ALL)
print(f"vm-v2: modrun/crun: run with cgroups {ratio(r.get('modrun'), r.get('crun'))}, systemd "
      f"{ratio(sd.get('modrun'), sd.get('crun'))}, without "
      f"{ratio(c.get('modrun'), c.get('crun'))}; modrun/floor without {ratio(c.get('modrun'), c.get('floor'))}; "
      f"exec {ratio(x.get('modrun'), x.get('crun'))}, systemd {ratio(xsd.get('modrun'), xsd.get('crun'))}",
      file=sys.stderr)
sys.exit(1 if fails or not med["run"] else 0)
PY
say "wrote $results/vm-v2.md"
