#!/bin/bash
# exec --cgroup in runc 1.1.5's forms on cgroup v1 (this host's hybrid
# layout), checked in /proc/PID/cgroup of the exec'd process:
# CONTROLLER:PATH and CONTROLLER,CONTROLLER:PATH (repeatable) move it into
# those hierarchies' sub-cgroups, the others stay in the container's; PATH
# alone applies to every hierarchy; a missing sub-cgroup, an unknown
# controller, a path climbing out (also through a symlink), a plain path
# among others and a second ':' are refused (exit 255, as runc).
. "$(dirname "$0")/lib.sh"
CGP=/c16-execcg-$$
trap cg_cleanup EXIT  # lib.sh
grep -q ':cpu[,:]' /proc/self/cgroup && grep -q ':memory:' /proc/self/cgroup || { echo "SKIP: no cgroup v1 cpu and memory"; exit 77; }
make_bundle
args sleep 1000
config "c['linux']['cgroupsPath'] = '$CGP/c'"
ID=c16-excg
mr run -d --bundle "$BUNDLE" $ID </dev/null >"$T/out" 2>&1 || die "run -d: $(cat "$T/out")"
init=$(state_field $ID pid)
# mkcg SUB: SUB in every hierarchy of the container (as the init's /proc/PID/cgroup lists them)
mkcg() { # (a new cpuset cgroup gets its parent's cpus and mems)
    local d; for d in /sys/fs/cgroup/*/; do [ -d "$d${CGP#/}/c" ] && mkdir -p "$d${CGP#/}/c/$1"; done
    d=/sys/fs/cgroup/cpuset${CGP}/c
    [ -e "$d/$1/cpuset.cpus" ] && cat "$d/cpuset.cpus" > "$d/$1/cpuset.cpus" && cat "$d/cpuset.mems" > "$d/$1/cpuset.mems"
}
mkdir /sys/fs/cgroup/cpu${CGP}/c/s1 /sys/fs/cgroup/memory${CGP}/c/s2 || die "mkdir sub-cgroups"
cg_of() { grep -E "^[0-9]+:$1:" "$2" | cut -d: -f3; }

mr exec --cgroup cpu:s1 --cgroup memory:s2 $ID cat /proc/self/cgroup >"$T/cg" 2>&1 || fail "exec --cgroup cpu:s1 --cgroup memory:s2: $(cat "$T/cg")"
expect_eq "cpu:s1: the cpu hierarchy's sub-cgroup" "$CGP/c/s1" "$(cg_of cpu "$T/cg")"
expect_eq "memory:s2: the memory hierarchy's sub-cgroup" "$CGP/c/s2" "$(cg_of memory "$T/cg")"
expect_eq "pids: the container's cgroup" "$CGP/c" "$(cg_of pids "$T/cg")"
expect_eq "the init stays where it was" "$CGP/c" "$(cg_of cpu /proc/$init/cgroup)"

mkdir /sys/fs/cgroup/cpu${CGP}/c/s3 /sys/fs/cgroup/memory${CGP}/c/s3
mr exec -d --pid-file "$T/pid" --cgroup cpu,memory:s3 $ID sleep 100 >"$T/out" 2>&1 || fail "cpu,memory:s3: $(cat "$T/out")"
p=$(cat "$T/pid")
expect_eq "cpu,memory:s3: cpu" "$CGP/c/s3" "$(cg_of cpu /proc/$p/cgroup)"
expect_eq "cpu,memory:s3: memory" "$CGP/c/s3" "$(cg_of memory /proc/$p/cgroup)"
expect_eq "cpu,memory:s3: blkio stays" "$CGP/c" "$(cg_of blkio /proc/$p/cgroup)"
kill -9 "$p"

mkcg all
mr exec --cgroup all $ID cat /proc/self/cgroup >"$T/cg" 2>&1 || fail "exec --cgroup all: $(cat "$T/cg")"
expect_eq "PATH alone: every hierarchy's sub-cgroup" "" "$(grep -v ":$CGP/c/all\$" "$T/cg")"

for bad in "cpu:nosuch|no sub-cgroup nosuch" "nope:s1|no cgroup v1 hierarchy with the controller nope" \
           "cpu:../x|is not a sub cgroup path" "cpu:esc/s1|no sub-cgroup esc/s1" "cpu:s1 s1|missing CONTROLLER: prefix" \
           "cpu:a:b|more than one ':'" ":s1|an empty controller name"; do
    arg=${bad%|*}; want=${bad#*|}
    set -- $arg; a=(); for x in "$@"; do a+=(--cgroup "$x"); done
    out=$(mr exec "${a[@]}" $ID cat /proc/self/cgroup 2>&1); rc=$?
    expect_eq "--cgroup $arg: exits 255" 255 "$rc"
    expect_match "--cgroup $arg: $want" "$want" "$out"
    expect_no_match "--cgroup $arg: nothing ran" "^[0-9]+:" "$out"
done
mr delete --force $ID || fail "delete"
[ -z "$(cg_left)" ] || find $(cg_left) -depth -type d -exec rmdir {} \; 2>/dev/null
assert_clean
finish
