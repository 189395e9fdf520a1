#!/bin/bash
# bench/scale.sh: does the time per container grow with the number of
# containers already running? For modrun and runc (crun 1.8 refuses this
# hybrid host without run.sh's hugetlb move; SCALE_RUNTIMES=modrun,crun,runc
# where it does not), SCALE_TOTALS containers (default "100 500") running
# `sleep 3600` are created and started 8 at a time and then all deleted;
# every create (and start) is filed under the number running when it began,
# every delete --force under the number still running (buckets of
# SCALE_BUCKET, 50). Zero failures and nothing left in the state dir are
# required (exit 1 otherwise). Writes bench/results/scale-N.md and
# scale-N.json; `bench/scale.py --from-json F --total N` prints F's tables.
# Run as root; see bench/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=${SCALE_BUILD:-$top/build-bench}
totals=${SCALE_TOTALS:-100 500}
runtimes=${SCALE_RUNTIMES:-modrun,runc}
jobs=${SCALE_JOBS:-8}
bucket=${SCALE_BUCKET:-50}
py=/usr/bin/python3

log() { printf 'scale.sh: %s\n' "$*" >&2; }
[ "$(id -u)" = 0 ] || { log "run me as root (containers, cgroups)"; exit 1; }

if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$top" --buildtype=release -Doptimization=2 -Db_ndebug=true -Dtests=false >/dev/null
fi
ninja -C "$build" >/dev/null
modrun=$build/core/modrun

work=$(mktemp -d /tmp/modrun-scale.XXXXXX)
cleanup() {
    set +e
    # containers an interrupted run left behind: each runtime's own delete
    for root in "$work"/scale-*; do
        [ -d "$root" ] || continue
        rt=${root##*/scale-}
        case $rt in
            modrun) b=("$modrun" --plugin-dir "$build/plugins" --root "$root") ;;
            crun) b=(/usr/bin/crun --root "$root") ;;
            *) b=(/usr/sbin/runc --root "$root") ;;
        esac
        for d in "$root"/*; do [ -d "$d" ] && "${b[@]}" delete --force "${d##*/}" >/dev/null 2>&1; done
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

gcc -O2 -Wall -o "$work/tm" "$here/tm.c"
"$top/scripts/make-bundle.sh" "$work/bundle" "$modrun" >/dev/null
"$py" - "$work/bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["ociVersion"] = "1.1.0"   # crun 1.8 says "unknown version specified" to 1.2.0
c["process"]["args"] = ["/bin/sleep", "3600"]
json.dump(c, open(p, "w"), indent=1)
PY

mkdir -p "$here/results"
rc=0
for total in $totals; do
    log "$total containers, $jobs at a time: $runtimes"
    "$py" "$here/scale.py" --work "$work" --bundle "$work/bundle" --tm "$work/tm" --modrun "$modrun" \
        --plugin-dir "$build/plugins" --runtimes "$runtimes" --total "$total" --jobs "$jobs" \
        --bucket "$bucket" --out "$here/results/scale-$total.json" --md "$here/results/scale-$total.md" || rc=1
done
exit $rc
