#!/bin/bash
# bench/idmap-rootfs.sh: what an id-mapped rootfs saves. A busybox rootfs
# grown to 10,000 files; timed: `chown -R` of it into the container's range
# (what a user namespace needs without id mapping), `run` of /bin/true on
# the chowned copy, and `run` on the root-owned copy with
# org.modrun.rootfs-idmap=true. Medians of N runs (default 10), written to
# bench/results/idmap.md. As root, after `ninja -C build`.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-10}
M=build/core/modrun
[ -x "$M" ] || { echo "build modrun first (ninja -C build)" >&2; exit 1; }
T=$(mktemp -d /var/tmp/modrun-idmap-bench.XXXXXX)
trap 'for id in $(ls "$T/state" 2>/dev/null); do $M --root "$T/state" delete --force "$id" >/dev/null 2>&1; done; rm -rf "$T"' EXIT
chmod 755 "$T"
scripts/make-bundle.sh "$T/b" "$M" >/dev/null
mkdir -p "$T/b/rootfs/data"
for d in $(seq 100); do mkdir "$T/b/rootfs/data/$d"; for f in $(seq 100); do : >"$T/b/rootfs/data/$d/$f"; done; done
python3 - "$T/b/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["args"] = ["/bin/true"]
c["linux"]["namespaces"].append({"type": "user"})
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
json.dump(c, open(p, "w"))
c["annotations"] = {"org.modrun.rootfs-idmap": "true"}
json.dump(c, open(p.replace("config.json", "config.idmap.json"), "w"))
PY
cp -a "$T/b" "$T/c"                              # the copy that gets chowned
cp "$T/b/config.idmap.json" "$T/b/config.json"   # the root-owned one runs id-mapped
ms() { local a b; a=$(date +%s%N); "$@" >/dev/null 2>"$T/err" </dev/null || { echo "failed: $* ($(cat "$T/err"))" >&2; exit 1; }; b=$(date +%s%N); echo $(( (b - a) / 1000 )); }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)] / 1000}'; }
chown_us=() run_chowned=() run_idmap=()
for i in $(seq "$N"); do
    chown -R 0:0 "$T/c/rootfs"
    chown_us+=("$(ms chown -R 100000:100000 "$T/c/rootfs")")
    # alternate the order: the first container of a pair pays the kernel's
    # RCU grace period of the first cgroup v1 migration more often
    if [ $((i % 2)) = 0 ]; then
        run_chowned+=("$(ms $M --root "$T/state" --plugin-dir build/plugins run --bundle "$T/c" c$i)")
        run_idmap+=("$(ms $M --root "$T/state" --plugin-dir build/plugins run --bundle "$T/b" i$i)")
    else
        run_idmap+=("$(ms $M --root "$T/state" --plugin-dir build/plugins run --bundle "$T/b" i$i)")
        run_chowned+=("$(ms $M --root "$T/state" --plugin-dir build/plugins run --bundle "$T/c" c$i)")
    fi
done
files=$(find "$T/b/rootfs" | wc -l)
mkdir -p bench/results
{
    echo "# id-mapped rootfs vs chown, $(date -u +%F), kernel $(uname -r), $N runs, medians"
    echo
    echo "| measurement | ms |"
    echo "|---|---|"
    echo "| \`chown -R\` of the rootfs ($files files) into the container's range | $(printf '%s\n' "${chown_us[@]}" | median) |"
    echo "| \`run\` /bin/true, user namespace, chowned rootfs | $(printf '%s\n' "${run_chowned[@]}" | median) |"
    echo "| \`run\` /bin/true, user namespace, root-owned rootfs mounted id-mapped | $(printf '%s\n' "${run_idmap[@]}" | median) |"
} > bench/results/idmap.md
cat bench/results/idmap.md
