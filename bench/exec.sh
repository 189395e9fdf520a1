#!/bin/bash
# bench/exec.sh: `exec /bin/true` into a running busybox container, for
# several modrun builds beside crun and runc, interleaved (the order shuffled
# every iteration, bench/order.py); medians of wall time, CPU time (user + system of the
# command and the processes it waited for, from wait4) and peak RSS, and
# the CPU ratio to crun. Run as root; see bench/README.md ("exec").
#   bench/exec.sh [N] [NAME=MODRUN[:PLUGINDIR]]... [crun] [runc]
# Default: N=30, modrun=build-bench/core/modrun (run.sh's release build),
# crun, runc. PLUGINDIR defaults to the plugins/ beside MODRUN's core/.
#   EXEC_PHASES=M   then trace M runs of each with cpu_phases.py
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
log() { printf 'exec.sh: %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { log "run me as root"; exit 1; }
if [ -z "${MODRUN_BENCH_MNTNS:-}" ]; then
    export MODRUN_BENCH_MNTNS=1
    exec unshare --mount --propagation private "$0" "$@"
fi
N=30
[[ "${1:-}" =~ ^[0-9]+$ ]] && { N=$1; shift; }
[ $# -gt 0 ] || set -- "modrun=$top/build-bench/core/modrun" crun runc
work=$(mktemp -d /tmp/modrun-bench-exec.XXXXXX)
declare -A CMD
names=()
cleanup() {
    set +e
    for n in "${names[@]}"; do ${CMD[$n]} delete --force "bx-$n" >/dev/null 2>&1; done
    rm -rf "$work"
}
trap cleanup EXIT
# crun 1.8 refuses a hybrid host whose cgroup2 carries a controller: hide
# cgroup2 in this mount namespace (all runtimes then see the v1 hierarchies)
cg2=$(findmnt -rn -t cgroup2 -o TARGET | head -1)
if [ -n "$cg2" ] && [ "$cg2" != /sys/fs/cgroup ] && [ -n "$(cat "$cg2/cgroup.controllers" 2>/dev/null)" ]; then
    mount -t tmpfs -o mode=755 none "$cg2" && log "hid $cg2 (controllers: crun 1.8) in this mount namespace"
fi
gcc -O2 -Wall -o "$work/tm" "$here/tm.c"
for v in "$@"; do
    case $v in
    crun) CMD[crun]="/usr/bin/crun --root $work/root-crun" ;;
    runc) CMD[runc]="/usr/sbin/runc --root $work/root-runc" ;;
    *=*) n=${v%%=*} rest=${v#*=}; bin=${rest%%:*} pd=${rest#*:}
         [ "$pd" = "$rest" ] && pd=$(dirname "$(dirname "$bin")")/plugins
         CMD[$n]="$bin --plugin-dir $pd --root $work/root-$n" ;;
    *) log "unknown variant $v (NAME=MODRUN[:PLUGINDIR], crun, runc)"; exit 1 ;;
    esac
    names+=("${v%%=*}")
done
first_modrun=$(printf '%s\n' "$@" | grep -m1 = | sed 's/^[^=]*=//; s/:.*//')
"$top/scripts/make-bundle.sh" "$work/bundle" "${first_modrun:-$top/build-bench/core/modrun}"
/usr/bin/python3 - "$work/bundle/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["ociVersion"] = "1.1.0"   # crun 1.8 rejects 1.2.0
c["process"]["args"] = ["/bin/sleep", "3600"]
json.dump(c, open(sys.argv[1], "w"), indent=1)
PY
for n in "${names[@]}"; do
    ${CMD[$n]} create --bundle "$work/bundle" "bx-$n" </dev/null >/dev/null 2>"$work/err" || { log "$n create: $(cat "$work/err")"; exit 1; }
    ${CMD[$n]} start "bx-$n" || { log "$n start failed"; exit 1; }
done
log "$N iterations of ${names[*]}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# every iteration's order first (bench/order.py), not between timed commands
for ((i = 0; i < N; i++)); do
    /usr/bin/python3 "$here/order.py" "$i" "${names[@]}" || exit 1
done >"$work/orders"
while read -r -a order; do
    for n in "${order[@]}"; do
        echo "$n $("$work/tm" -- ${CMD[$n]} exec "bx-$n" /bin/true </dev/null)"
    done
done <"$work/orders" >"$work/raw"
/usr/bin/python3 - "$work/raw" <<'PY'
import sys, statistics as st
d, fails = {}, 0
for l in open(sys.argv[1]):
    n, ns, rss, code, cpu = l.split()
    if code != "0":
        fails += 1
        continue
    d.setdefault(n, []).append((int(ns) / 1e6, int(rss), int(cpu) / 1e3))
crun = st.median(x[2] for x in d["crun"]) if "crun" in d else None
print("| exec /bin/true | runs | wall ms | CPU ms | peak RSS KiB | CPU / crun |")
print("|---|---|---|---|---|---|")
for n, v in d.items():
    c = st.median(x[2] for x in v)
    print(f"| {n} | {len(v)} | {st.median(x[0] for x in v):.2f} | {c:.2f} | {st.median(x[1] for x in v):.0f} | "
          + (f"{c / crun:.2f}x |" if crun else "n/a |"))
if fails:
    print(f"failed: {fails}")
PY
if [ "${EXEC_PHASES:-0}" -gt 0 ]; then
    args=()
    for n in "${names[@]}"; do args+=("$n=exec ${CMD[$n]} exec bx-$n /bin/true"); done
    /usr/bin/python3 "$here/cpu_phases.py" --n "$EXEC_PHASES" "${args[@]}"
fi
