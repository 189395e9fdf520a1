#!/bin/bash
# bench/run.sh: build modrun in release mode and measure it against crun and
# runc (Debian's) and a minimal "floor" program, interleaved in one run.
# Writes bench/results/latest.md and latest.png. Run as root; see bench/README.md.
#   BENCH_N=30            iterations of each timed command per runtime
#   BENCH_PAR_ROUNDS=3    rounds of "100 containers, 8 at a time" per runtime
#   BENCH_LIST=1000       containers in the state dir for `list`
#   BENCH_PHASES_N=20     iterations of the per-phase trace (phases.py); 0: skip it
#   BENCH_ONLY=phases     only the per-phase trace: writes bench/results/phases.{md,json}
#   BENCH_PHASES_BASELINE=BINARY   also trace this modrun (e.g. a copy of an older build) in the same loop
#   BENCH_CRUN=BINARY     the crun to compare with (default Debian's /usr/bin/crun)
set -euo pipefail

N=${BENCH_N:-30}
PAR_ROUNDS=${BENCH_PAR_ROUNDS:-3}
LIST=${BENCH_LIST:-1000}
PHASES_N=${BENCH_PHASES_N:-20}
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=$top/build-bench
results=$here/results
py=/usr/bin/python3   # Debian's, not whatever python3 is first in PATH

log() { printf 'run.sh: %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { log "run me as root (containers, cgroups, tracefs)"; exit 1; }
# Our own mount namespace: the temporary hugetlb hierarchy and tracefs are
# mounted only here, so runtimes run by others on this host never see them.
if [ -z "${MODRUN_BENCH_MNTNS:-}" ]; then
    export MODRUN_BENCH_MNTNS=1
    exec unshare --mount --propagation private "$0" "$@"
fi

# --- what we need, from Debian -----------------------------------------------
need=()
for p in crun runc gnuplot-nox gcc meson ninja-build pkg-config binutils busybox-static \
         libjson-c-dev libseccomp-dev python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- build: release, its own build dir ------------------------------------------
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$top" --buildtype=release -Doptimization=2 -Db_ndebug=true -Dtests=false >/dev/null
fi
ninja -C "$build" >/dev/null
modrun=$build/core/modrun
plugins=$build/plugins
crun=${BENCH_CRUN:-/usr/bin/crun}
if [ "$crun" = /usr/bin/crun ]; then
    crun_what="$(crun --version | head -1) (Debian $(dpkg-query -W -f='${Version}' crun))"
else
    crun_what="$("$crun" --version | head -1) ($crun, BENCH_CRUN)"
fi

work=$(mktemp -d /tmp/modrun-bench.XXXXXX)
gcc -O2 -Wall -o "$work/tm" "$here/tm.c"
gcc -O2 -Wall -o "$work/floor" "$here/floor.c"

# --- host set-up, undone by the trap ------------------------------------------------
hugetlb_dir="" tracefs_mounted=""
# hugetlb goes back to cgroup2 when its v1 hierarchy is unmounted with no
# child cgroup left; one still dying keeps it, so remount, clear and retry.
restore_hugetlb() {
    for _ in 1 2 3 4 5; do
        find "$hugetlb_dir" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
        sleep 0.5
        umount "$hugetlb_dir"
        for _ in $(seq 20); do
            grep -qw hugetlb "$cg2/cgroup.controllers" && { rmdir "$hugetlb_dir"; return; }
            sleep 0.1
        done
        mount -t cgroup -o hugetlb none "$hugetlb_dir" || break
    done
    log "warning: hugetlb is not back on cgroup2 (see /proc/cgroups)"
}
# crun looks for a v1 hierarchy at /sys/fs/cgroup/NAME whatever the mount
# table says: with hugetlb moved, it makes its hugetlb "cgroups" as plain
# directories on /sys/fs/cgroup's tmpfs (with a cgroup.procs file it wrote)
# and cannot remove them. Remove the bench's (its container ids), and the
# directory if crun made it.
remove_crun_strays() {
    local d=/sys/fs/cgroup/hugetlb
    if mountpoint -q "$d" || [ "$(stat -f -c %T "$d" 2>/dev/null)" != tmpfs ]; then return; fi
    find "$d" -mindepth 1 -maxdepth 1 -type d \( -name 'run-*' -o -name 'csd-*' -o -name 'par-*' \
        -o -name sleeper -o -name listseed \) -exec rm -rf {} +
    [ -n "$stray_dir_made" ] && rmdir "$d" 2>/dev/null
}
stray_dir_made=""
[ -e /sys/fs/cgroup/hugetlb ] || stray_dir_made=1
cleanup() {
    set +e
    trap '' PIPE
    [ -n "${driver_started:-}" ] && "$py" "$here/driver.py" --cleanup-only --work "$work" \
        --modrun "$modrun" --plugin-dir "$plugins" --crun "$crun" 2>/dev/null
    [ -n "$hugetlb_dir" ] && { restore_hugetlb; remove_crun_strays; }
    [ -n "$tracefs_mounted" ] && umount /sys/kernel/tracing
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# crun 1.8 refuses hybrid cgroups while cgroup2 carries a controller
# ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2");
# here that is hugetlb: bind it to a v1 hierarchy of its own for the run.
cg2=$(findmnt -rn -t cgroup2 -o TARGET | head -1)
layout="cgroup2 at $cg2 with controllers [$(cat "$cg2/cgroup.controllers")]"
if [ "$cg2" != /sys/fs/cgroup ]; then
    layout="hybrid: v1 $(findmnt -rn -t cgroup -o OPTIONS | sed 's/.*,//' | paste -sd' '), $layout"
    if grep -qw hugetlb "$cg2/cgroup.controllers"; then
        hugetlb_dir=$(mktemp -d /tmp/modrun-bench-hugetlb.XXXXXX)
        if mount -t cgroup -o hugetlb none "$hugetlb_dir" 2>/dev/null; then
            layout="$layout; for the run hugetlb was moved to a v1 hierarchy at $hugetlb_dir (for crun)"
        else
            # Busy: a cgroup2 subtree of someone else enables hugetlb. Hide
            # cgroup2 instead, in this mount namespace only: the runtimes
            # then see v1 hierarchies and an empty tmpfs where cgroup2 was
            # (crun and runc still make their /ID directory there, from the
            # "0::" line of /proc/self/cgroup: a tmpfs directory, no cgroup).
            rmdir "$hugetlb_dir"; hugetlb_dir=""
            if mount -t tmpfs -o mode=755 none "$cg2"; then
                layout="$layout; hugetlb could not be moved (a cgroup2 subtree of another user enables it), so for the run cgroup2 was hidden under an empty tmpfs in the benchmark's own mount namespace: the runtimes saw the v1 hierarchies only (crun and runc wrote their unified-hierarchy files into that tmpfs)"
                log "hugetlb is busy on cgroup2: hid $cg2 in this mount namespace (all runtimes see v1 only)"
            else
                log "warning: could not move hugetlb to v1 nor hide $cg2; crun may fail"
            fi
        fi
    fi
fi
if [ ! -e /sys/kernel/tracing/uprobe_events ]; then
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null && tracefs_mounted=1 || true
fi

# --- bundles: busybox, /bin/true, no terminal; a second config that sleeps ------
"$top/scripts/make-bundle.sh" "$work/bundle" "$modrun"
mkdir -p "$work/sleeper"
"$py" - "$work" <<'PY'
import json, sys
w = sys.argv[1]
c = json.load(open(f"{w}/bundle/config.json"))
c["ociVersion"] = "1.1.0"   # crun 1.8 says "unknown version specified" to 1.2.0
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(f"{w}/bundle/config.json", "w"), indent=1)
c["process"]["args"] = ["/bin/sleep", "3600"]
c["root"]["path"] = f"{w}/bundle/rootfs"
json.dump(c, open(f"{w}/sleeper/config.json", "w"), indent=1)
PY

# --- the machine -----------------------------------------------------------------
commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(GIT_OPTIONAL_LOCKS=0 git -C "$top" status --porcelain -- core plugins 2>/dev/null)" ] \
    && commit="$commit + uncommitted changes in core/ or plugins/"
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
date=$(date -u +%Y-%m-%d)
cat > "$work/machine.md" <<EOF
# modrun benchmark, $date, $(nproc) × $cpu

| | |
|---|---|
| date (UTC) | $(date -u '+%Y-%m-%d %H:%M') |
| machine | $(nproc) CPUs, $cpu, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) |
| kernel | $(uname -r) |
| cgroups | $layout |
| modrun | $("$modrun" --version | head -1), commit $commit, meson release -O2, b_ndebug, plugins from $plugins |
| crun | $crun_what |
| runc | $(runc --version | head -1) (Debian $(dpkg-query -W -f='${Version}' runc)) |
| iterations | $N per timed command and runtime, interleaved (each iteration runs every command for floor, modrun, crun, runc in turn, in an order shuffled for each command and iteration (bench/order.py)); parallel: $PAR_ROUNDS rounds |
| load average | at start: $(cut -d' ' -f1-3 /proc/loadavg) |
| bundle | busybox-static rootfs, process /bin/true, terminal false, namespaces pid, net, ipc, uts, mount; ociVersion 1.1.0 (crun 1.8 rejects 1.2.0) |
| \`list\` state dir | $LIST containers fabricated: one real container per runtime created and killed (stopped), its state dir copied with the id replaced in every file |
EOF

only=${BENCH_ONLY:-}
[ -z "$only" ] || [ "$only" = phases ] || { log "BENCH_ONLY: only \"phases\" is known"; exit 1; }
mkdir -p "$results"

# --- measure -----------------------------------------------------------------------
if [ -z "$only" ]; then
log "measuring: $N iterations (log in $work/logs)"
driver_started=1
"$py" "$here/driver.py" --work "$work" --bundle "$work/bundle" --sleep-bundle "$work/sleeper" \
    --tm "$work/tm" --floor "$work/floor" --modrun "$modrun" --plugin-dir "$plugins" \
    --crun "$crun" \
    --out "$work/raw.json" --n "$N" --par-rounds "$PAR_ROUNDS" --list-count "$LIST"
driver_started=""
sed -i "s#^\(| load average | at start: [0-9. ]*\) |#\1, at end: $(cut -d' ' -f1-3 /proc/loadavg) |#" "$work/machine.md"

cp "$work/raw.json" "$results/latest.json"
"$py" "$here/report.py" "$work/raw.json" "$work/machine.md" "$results" "$modrun" "$plugins" "$crun"
log "wrote $results/latest.md, latest.png and latest.json"
fi

# --- where the time of `run` goes, phase by phase (phases.py, tracefs) ----------
if [ "$PHASES_N" -gt 0 ]; then
    log "per-phase trace: $PHASES_N iterations"
    "$py" "$here/phases.py" --tm "$work/tm" --floor "$work/floor" --modrun "$modrun" --plugin-dir "$plugins" \
        --bundle "$work/bundle" --work "$work" --n "$PHASES_N" \
        ${BENCH_PHASES_BASELINE:+--baseline "$BENCH_PHASES_BASELINE"} \
        --out "$work/phases.json" --md "$work/phases.md" >/dev/null
    if [ -z "$only" ]; then
        { printf '\n## Where the time of `run` goes (phases.py)\n\n'; cat "$work/phases.md"; } >> "$results/latest.md"
        cp "$work/phases.json" "$results/latest-phases.json"
        log "appended the phase table to $results/latest.md (raw: $results/latest-phases.json)"
    else
        sed -i "s#^\(| load average | at start: [0-9. ]*\) |#\1, at end: $(cut -d' ' -f1-3 /proc/loadavg) |#" "$work/machine.md"
        { sed '/^| iterations |/d; /^| `list`/d' "$work/machine.md"; printf '\n## Where the time of `run` goes (phases.py)\n\n'
          cat "$work/phases.md"; } > "$results/phases.md"
        cp "$work/phases.json" "$results/phases.json"
        log "wrote $results/phases.md and phases.json"
    fi
fi
