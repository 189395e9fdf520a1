#!/bin/bash
# bench/devices-ebpf.sh: the device filter's cost (parse + compile, load +
# attach) for runc's default rules and for 200 rules, on a scratch cgroup v2
# directory; writes bench/results/devices-ebpf.md. As root.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-50}
root=$(awk '$9 == "cgroup2" { print $5 }' /proc/self/mountinfo | tail -n1)
[ -n "$root" ] || { echo "no cgroup2 mount" >&2; exit 1; }
T=$(mktemp -d); cg="$root/modrun-bench-ebpf-$$"
trap 'rmdir "$cg" 2>/dev/null; rm -rf "$T"' EXIT
mkdir "$cg"
gcc -O2 -o "$T/devices-ebpf" bench/devices-ebpf.c plugins/devices-ebpf/rules.c plugins/devices-ebpf/compile.c \
    -Iplugins/devices-ebpf -Icore/include $(pkg-config --cflags --libs json-c libbpf)
mkdir -p bench/results
{ echo "# devices-ebpf: from rules to an attached program, $(date -u +%F), kernel $(uname -r), medians of $N"; echo
  "$T/devices-ebpf" "$cg" "$N"; } | tee bench/results/devices-ebpf.md
