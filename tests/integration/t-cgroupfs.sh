#!/bin/bash
# The cgroupfs cgroup manager (--plugin cgroup=cgroupfs), on the layout the
# host has (v1/hybrid here; pure v2 in tests/vm/systemd.sh's guest, which
# runs this same file): resources read back from the kernel's cgroup files,
# the container in every hierarchy incl. the unified one, device rules
# (EPERM for a device not allowed: the v1 devices controller, or the
# devices-ebpf plugin on pure v2), pause/resume/update/events, kill --all
# reaching a forked child (in its own pid namespace, and in the host's),
# delete --force removing every directory, the runc default path (below the
# caller's own cgroup), and a bad value failing with the file and value and
# leaving nothing; then cgroup2 mounted over /sys/fs/cgroup in a private
# mount namespace (v2 code paths on a v1 host).
. "$(dirname "$0")/lib.sh"

CGP=/modrun-it-$$            # every absolute cgroupsPath of this test is below it
DID=cgfs-$$-default          # the container with the default (relative) path
PLUG=(--plugin cgroup=cgroupfs)

CG_EXTRA=$DID
trap cg_cleanup EXIT  # lib.sh

cg_v1() { grep -qE " /sys/fs/cgroup/$1 [^-]* - cgroup " /proc/self/mountinfo; }
# v1: the controllers in their hierarchies (this host); v2: cgroup2 on
# /sys/fs/cgroup itself (systemd hosts, the VM)
LAYOUT=none
if cg_v1 memory && cg_v1 devices && cg_v1 pids && cg_v1 cpu && cg_v1 cpuset; then LAYOUT=v1
elif [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then LAYOUT=v2; fi
echo "note: cgroup layout $LAYOUT"
# the directory of container path $2 (below $CGP) holding controller $1's files
cgd() { if [ $LAYOUT = v1 ]; then echo "/sys/fs/cgroup/$1$CGP/$2"; else echo "/sys/fs/cgroup$CGP/$2"; fi; }
pid_of() { state_field "$1" pid; }
# gone, or a zombie (the init that exec'd sleep does not reap its child)
dead() { [ ! -d "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

make_bundle

# The config denies everything; modrun appends runc's default rules (mknod
# of anything; null, random, full, tty, zero, urandom, pts, ptmx, tun),
# so devices.list is exactly those, and /dev/kmsg (1:11) stays denied.
devices_rules="[{'allow': False, 'access': 'rwm'}]"
expected_devices_list=$RUNC_DEFAULT_DEVICES_LIST

if [ $LAYOUT = v2 ]; then
    for c in memory pids cpu cpuset; do
        grep -qw $c /sys/fs/cgroup/cgroup.controllers || { echo "note: no $c controller in cgroup v2"; LAYOUT=none; }
    done
fi
if [ $LAYOUT != none ]; then
    # ---- resources, placement, devices, kill --all, delete --force -------
    config "
c['linux']['cgroupsPath'] = '$CGP/c1'
c['linux']['devices'] = [{'path': '/dev/kmsg', 'type': 'c', 'major': 1, 'minor': 11}]
c['linux']['resources'] = {
  'devices': $devices_rules,
  'memory': {'limit': 67108864},
  'pids': {'limit': 64},
  'cpu': {'shares': 512, 'quota': 50000, 'period': 100000, 'cpus': '0', 'mems': '0'},
}
"
    args sh -c 'setsid sleep 1002 & head -c1 /dev/kmsg >/dev/null 2>/tmp/zero.err; echo $? >/tmp/zero.rc;
                head -c1 /dev/urandom >/dev/null 2>/tmp/urandom.err; echo $? >/tmp/urandom.rc;
                echo ready >/tmp/ready; exec sleep 1001'
    mr "${PLUG[@]}" create --bundle "$BUNDLE" c1 >"$T/out" 2>&1 || die "create c1: $(cat "$T/out")"
    pid=$(pid_of c1)
    if [ $LAYOUT = v1 ]; then
        for h in cpu cpuacct cpuset memory devices freezer blkio pids systemd unified; do
            [ -d "/sys/fs/cgroup/$h$CGP/c1" ] && pass "cgroup dir in $h" || fail "no /sys/fs/cgroup/$h$CGP/c1"
        done
        expect_eq "memory.limit_in_bytes" 67108864 "$(cat /sys/fs/cgroup/memory$CGP/c1/memory.limit_in_bytes)"
        expect_eq "cpu.shares" 512 "$(cat /sys/fs/cgroup/cpu$CGP/c1/cpu.shares)"
        expect_eq "cpu.cfs_quota_us" 50000 "$(cat /sys/fs/cgroup/cpu$CGP/c1/cpu.cfs_quota_us)"
        expect_eq "cpu.cfs_period_us" 100000 "$(cat /sys/fs/cgroup/cpu$CGP/c1/cpu.cfs_period_us)"
        expect_eq "devices.list: the OCI rules in order" "$expected_devices_list" \
            "$(cat /sys/fs/cgroup/devices$CGP/c1/devices.list)"
    else
        [ -d "/sys/fs/cgroup$CGP/c1" ] && pass "cgroup dir in the v2 hierarchy" || fail "no /sys/fs/cgroup$CGP/c1"
        expect_eq "memory.max" 67108864 "$(cat /sys/fs/cgroup$CGP/c1/memory.max)"
        expect_eq "cpu.weight (shares 512)" 20 "$(cat /sys/fs/cgroup$CGP/c1/cpu.weight)"
        expect_eq "cpu.max" "50000 100000" "$(cat /sys/fs/cgroup$CGP/c1/cpu.max)"
    fi
    expect_eq "pids.max" 64 "$(cat "$(cgd pids c1)/pids.max")"
    expect_eq "cpuset.cpus" 0 "$(cat "$(cgd cpuset c1)/cpuset.cpus")"
    # /proc/PID/cgroup: the container path in every hierarchy, unified too
    bad=$(grep -v ":$CGP/c1\$" "/proc/$pid/cgroup")
    expect_eq "/proc/$pid/cgroup: $CGP/c1 in every hierarchy" "" "$bad"
    expect_eq "unified hierarchy" "0::$CGP/c1" "$(grep '^0::' "/proc/$pid/cgroup")"
    expect_eq "hierarchies in /proc/$pid/cgroup" "$(wc -l </proc/self/cgroup)" "$(wc -l <"/proc/$pid/cgroup")"

    mr start c1 || fail "start c1"
    wait_for test -e "$BUNDLE/rootfs/tmp/ready" || fail "c1 did not run"
    expect_eq "denied /dev/kmsg (1:11): head fails" 1 "$(cat "$BUNDLE/rootfs/tmp/zero.rc")"
    expect_match "denied /dev/kmsg: EPERM" "Operation not permitted" "$(cat "$BUNDLE/rootfs/tmp/zero.err")"
    expect_eq "allowed /dev/urandom works" 0 "$(cat "$BUNDLE/rootfs/tmp/urandom.rc")"

    # the forked child (own session), seen through the cgroup
    wait_until '[ "$(wc -l <"$(cgd pids c1)/cgroup.procs")" -eq 2 ]' || fail "not 2 processes in c1"
    child=$(grep -vx "$pid" "$(cgd pids c1)/cgroup.procs")
    expect_match "the child is sleep 1002" "sleep 1002" "$(tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null)"

    # the verbs that go through the cgroup manager: ps, events, pause, update
    expect_eq "ps --format json: both processes" "$(printf '%s\n' "$pid" "$child" | sort -n | tr '\n' ' ')" \
        "$(mr ps --format json c1 | python3 -c 'import json,sys; print(" ".join(map(str, sorted(json.load(sys.stdin)))), end=" ")')"
    stats=$(mr events --stats c1 2>&1)
    expect_eq "events --stats: memory limit" 67108864 \
        "$(printf '%s' "$stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["memory"]["usage"]["limit"])' 2>&1)"
    expect_eq "events --stats: pids" "2 64" \
        "$(printf '%s' "$stats" | python3 -c 'import json,sys; p=json.load(sys.stdin)["data"]["pids"]; print(p["current"], p["limit"])' 2>&1)"
    mr pause c1 || fail "pause c1"
    if [ $LAYOUT = v1 ]; then
        expect_eq "pause: freezer.state" FROZEN "$(cat /sys/fs/cgroup/freezer$CGP/c1/freezer.state)"
        expect_match "pause: the child is frozen" "^State:.*\\(stopped\\)|^State:.*D" "$(grep ^State: /proc/$child/status)"
    else
        expect_eq "pause: cgroup.freeze" 1 "$(cat /sys/fs/cgroup$CGP/c1/cgroup.freeze)"
        expect_eq "pause: every process frozen (cgroup.events)" "frozen 1" "$(grep ^frozen /sys/fs/cgroup$CGP/c1/cgroup.events)"
    fi
    mr resume c1 || fail "resume c1"
    if [ $LAYOUT = v1 ]; then
        expect_eq "resume: freezer.state" THAWED "$(cat /sys/fs/cgroup/freezer$CGP/c1/freezer.state)"
    else
        expect_eq "resume: cgroup.events" "frozen 0" "$(grep ^frozen /sys/fs/cgroup$CGP/c1/cgroup.events)"
    fi
    mr update --memory 128m --pids-limit 100 --cpu-shares 1024 c1 >"$T/out" 2>&1 || fail "update: $(cat "$T/out")"
    expect_eq "update: pids.max" 100 "$(cat "$(cgd pids c1)/pids.max")"
    if [ $LAYOUT = v1 ]; then
        expect_eq "update: memory.limit_in_bytes" 134217728 "$(cat /sys/fs/cgroup/memory$CGP/c1/memory.limit_in_bytes)"
        expect_eq "update: cpu.shares" 1024 "$(cat /sys/fs/cgroup/cpu$CGP/c1/cpu.shares)"
        expect_eq "update: devices.list unchanged" "$expected_devices_list" \
            "$(cat /sys/fs/cgroup/devices$CGP/c1/devices.list)"
        out=$(mr update --pids-limit -5 --memory 1 c1 2>&1) && fail "update to a 1-byte memory limit succeeded"
        expect_match "update refused by the kernel: file, value, errno" \
            'write "1" to /sys/fs/cgroup/memory.*/c1/memory.limit_in_bytes: Device or resource busy' "$out"
        memsw=/sys/fs/cgroup/memory$CGP/c1/memory.memsw.limit_in_bytes
        if [ -e "$memsw" ]; then
            # memory -1 alone lifts the swap limit of an earlier update too
            # (runc's rule; memory above memory+swap is refused by the kernel)
            mr update --memory-swap 256m c1 >"$T/out" 2>&1 || fail "update --memory-swap: $(cat "$T/out")"
            expect_eq "update: memory.memsw.limit_in_bytes" 268435456 "$(cat "$memsw")"
            mr update --memory -1 c1 >"$T/out" 2>&1 || fail "update --memory -1 after a swap limit: $(cat "$T/out")"
            expect_eq "update --memory -1: memory unlimited" "$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)" \
                "$(cat /sys/fs/cgroup/memory$CGP/c1/memory.limit_in_bytes)"
            expect_eq "update --memory -1: memory+swap unlimited" \
                "$(cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes)" "$(cat "$memsw")"
        fi
    else
        expect_eq "update: memory.max" 134217728 "$(cat /sys/fs/cgroup$CGP/c1/memory.max)"
        expect_eq "update: cpu.weight (shares 1024)" 39 "$(cat /sys/fs/cgroup$CGP/c1/cpu.weight)"
        # (v2 takes memory.max 1 and OOM-kills: a CPU the host lacks instead)
        out=$(mr update --cpuset-cpus 999 c1 2>&1) && fail "update to cpuset.cpus 999 succeeded"
        expect_match "update refused by the kernel: file, value, errno" \
            "write \"999\" to /sys/fs/cgroup$CGP/c1/cpuset.cpus: (Numerical result out of range|Invalid argument)" "$out"
    fi

    # cpu.idle: the kernel refuses any weight for an idle group, so idle
    # goes first and the stored cpu.shares is left alone while it is 1:
    # idle 1, 0, 1, then an update of something else, then 0 again all
    # succeed (runc's update.bats "update cgroup cpu.idle")
    idle_f=/sys/fs/cgroup$CGP/c1/cpu.idle
    [ $LAYOUT = v1 ] && idle_f=/sys/fs/cgroup/cpu$CGP/c1/cpu.idle
    if [ -e "$idle_f" ]; then
        for val in 1 0 1; do
            echo "{\"cpu\": {\"idle\": $val}}" | mr update -r - c1 >"$T/out" 2>&1 || fail "update cpu.idle $val: $(cat "$T/out")"
            expect_eq "update -r: cpu.idle $val" $val "$(cat "$idle_f")"
        done
        mr update --pids-limit 90 c1 >"$T/out" 2>&1 || fail "update --pids-limit of an idle group: $(cat "$T/out")"
        expect_eq "... cpu.idle stays 1" 1 "$(cat "$idle_f")"
        echo '{"cpu": {"idle": 0}}' | mr update -r - c1 >"$T/out" 2>&1 || fail "update cpu.idle 0 again: $(cat "$T/out")"
        expect_eq "... cpu.idle 0 again" 0 "$(cat "$idle_f")"
        for val in 1 0; do # runc 1.2's flag
            mr update --cpu-idle $val c1 >"$T/out" 2>&1 || fail "update --cpu-idle $val: $(cat "$T/out")"
            expect_eq "update --cpu-idle $val" $val "$(cat "$idle_f")"
        done
        out=$(mr update --cpu-idle 2 c1 2>&1) && fail "update --cpu-idle 2 accepted"
        expect_match "update --cpu-idle 2: refused, naming the field" "cpu.idle" "$out"
    fi

    mr kill c1 TERM || fail "kill c1 TERM"
    sleep 0.3
    dead "$child" && fail "kill without --all reached the child" || pass "kill without --all leaves the child"
    mr kill --all c1 TERM || fail "kill --all c1 TERM"
    wait_for dead "$child" && pass "kill --all TERM reached the forked child" \
        || fail "child $child survived kill --all"
    dead "$pid" && fail "init died of TERM" || pass "the init (pid 1, no TERM handler) survives TERM"
    mr delete --force c1 >"$T/out" 2>&1 || fail "delete --force c1: $(cat "$T/out")"
    wait_for test ! -d "/proc/$pid" || fail "init $pid survived delete --force"
    expect_eq "delete --force removes every cgroup dir it made" "" "$(cg_left)"
    assert_clean "after c1"

    # ---- kill --all in the host's pid namespace: only the cgroup finds the child
    config "
c['linux']['cgroupsPath'] = '$CGP/c2'
c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'pid']
"
    args sh -c 'setsid sleep 1003 & exec sleep 1004'
    mr "${PLUG[@]}" run -d --bundle "$BUNDLE" c2 >"$T/out" 2>&1 || die "run c2: $(cat "$T/out")"
    pid=$(pid_of c2)
    wait_until '[ "$(wc -l <"$(cgd pids c2)/cgroup.procs")" -eq 2 ]' || fail "not 2 processes in c2"
    child=$(grep -vx "$pid" "$(cgd pids c2)/cgroup.procs")
    [ -n "$child" ] && [ -d "/proc/$child" ] || fail "no child in c2"
    mr kill --all c2 KILL || fail "kill --all c2 KILL"
    wait_for dead "$child" && pass "kill --all KILL reached the child in the host pid namespace" \
        || fail "child $child survived kill --all KILL"
    wait_for dead "$pid" || fail "init survived kill --all KILL"
    mr delete c2 || fail "delete c2"
    expect_eq "delete removes every cgroup dir" "" "$(cg_left)"
    config "c['linux']['namespaces'].append({'type': 'pid'})"

    # ---- a value the kernel rejects: the file and the value, nothing left
    config "
c['linux']['cgroupsPath'] = '$CGP/c3'
c['linux']['resources']['cpu'] = {'cpus': '999'}
"
    args true
    out=$(mr "${PLUG[@]}" create --bundle "$BUNDLE" c3 2>&1) && fail "create with cpus 999 succeeded"
    expect_match "bad cpus: names the file and value" "write \"999\" to $(cgd cpuset c3)/cpuset.cpus" "$out"
    expect_match "bad cpus: the kernel's errno and a hint" "(Numerical result out of range|Invalid argument).*hint: .*parent" "$out"
    [ -e "$ROOT/c3" ] && fail "state dir of c3 left" || pass "no state dir after the failed create"
    expect_eq "no cgroup dir after the failed create" "" "$(cg_left)"

    # ---- a cgroupsPath naming a cgroup that holds other processes: refused,
    # and neither they nor their cgroup are touched
    busy=$(cgd pids busy)
    mkdir -p "$busy"
    sleep 100 & bystander=$!
    BG_PIDS="$BG_PIDS $bystander"
    echo "$bystander" >"$busy/cgroup.procs"
    config "
c['linux']['cgroupsPath'] = '$CGP/busy'
c['linux']['resources']['cpu'] = {'cpus': '0'}
"
    out=$(mr "${PLUG[@]}" create --bundle "$BUNDLE" c5 2>&1) && fail "create in a populated cgroup succeeded"
    expect_match "populated cgroup refused, naming it (runc's words first)" "container's cgroup is not empty: $busy exists and holds 1 process\\(es\\) \\($bystander\\)" "$out"
    dead "$bystander" && fail "the bystander was killed" || pass "the bystander lives"
    expect_eq "the bystander's cgroup is kept" "$bystander" "$(cat "$busy/cgroup.procs")"
    expect_eq "only the bystander's cgroup is left" "${busy%/busy}" "$(cg_left)"
    kill -9 "$bystander"; wait "$bystander" 2>/dev/null
    rmdir "$busy" "${busy%/busy}"

    # ---- v1 cpuset: a parent made by someone else (a pod's, with mkdir)
    # has empty cpus and mems, so nothing could join below it: it gets its
    # parent's, as runc does; a value already set is kept
    if [ $LAYOUT = v1 ]; then
        pod=/sys/fs/cgroup/cpuset$CGP/pod
        mkdir -p "$pod"
        config "
c['linux']['cgroupsPath'] = '$CGP/pod/c6'
c['linux']['resources'] = {}
"
        args sleep 1000
        mr "${PLUG[@]}" run -d --bundle "$BUNDLE" bt-c6 >"$T/out" 2>&1 || fail "run below an empty cpuset parent: $(cat "$T/out")"
        expect_eq "the pod's empty cpuset.cpus got its parent's" "$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)" "$(cat "$pod/cpuset.cpus")"
        expect_eq "the pod's empty cpuset.mems got its parent's" "$(cat /sys/fs/cgroup/cpuset/cpuset.mems)" "$(cat "$pod/cpuset.mems")"
        mr delete --force bt-c6 >/dev/null 2>&1
        expect_eq "the pod's cgroups are kept (not made by modrun)" "$pod" "$(find "${pod%/pod}" -mindepth 1 -type d)"
        rmdir "$pod" "${pod%/pod}"
        expect_eq "nothing else left" "" "$(cg_left)"

        # ---- linux.resources.unified on a v1/hybrid host: refused as by
        # runc and crun (its keys are v2 files), nothing left
        config "
c['linux']['cgroupsPath'] = '$CGP/c7'
c['linux']['resources'] = {'unified': {'cgroup.max.depth': '3'}}
"
        out=$(mr "${PLUG[@]}" run -d --bundle "$BUNDLE" bt-c7 2>&1) && fail "unified on a v1 host accepted"
        expect_match "unified on a v1 host: invalid configuration" \
            "invalid configuration: linux.resources.unified needs a cgroup v2 host" "$out"
        [ -e "$ROOT/bt-c7" ] && fail "state dir of bt-c7 left" || pass "no state dir after the refused unified"
        expect_eq "no cgroup dir after the refused unified" "" "$(cg_left)"
    fi

    # ---- default path: runc places <id> below the caller's own cgroup ---
    config "
del c['linux']['cgroupsPath']
c['linux']['resources'] = {'devices': $devices_rules}
"
    args sleep 1000
    mr "${PLUG[@]}" create --bundle "$BUNDLE" "$DID" >"$T/out" 2>&1 || die "create $DID: $(cat "$T/out")"
    pid=$(pid_of "$DID")
    want=$(sed -E "s#^([0-9]+:[^:]*:)/?(.*)\$#\\1/\\2/$DID#; s#//#/#g" /proc/self/cgroup)
    # pure v2: below the parent of the own cgroup, which holds processes (runc's fs2)
    [ $LAYOUT = v2 ] && want=$(sed -E "s#^0::(.*)/[^/]*\$#0::\\1/$DID#; s#//#/#g" /proc/self/cgroup)
    expect_eq "default path: <own cgroup>/<id> in every hierarchy" "$want" "$(sed 's#//#/#g' "/proc/$pid/cgroup")"
    mr delete --force "$DID" || fail "delete $DID"
    left=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "$DID" 2>/dev/null)
    expect_eq "default path: every dir removed" "" "$left"
    assert_clean "after the v1 cases"
else
    echo "note: no cgroup v1 hierarchies and no cgroup v2 with memory, pids, cpu and cpuset: cases skipped"
fi

# ---- cgroup v2 code paths: cgroup2 over /sys/fs/cgroup, private mount ns -----
cat >"$T/v2.sh" <<'EOF'
set -u
# (a pure v2 host has it there already: mounting it again is EBUSY)
mount --make-rprivate / && { [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || mount -t cgroup2 none /sys/fs/cgroup; } ||
    { echo "mount=failed"; exit 0; }
# (the covered v1 devices mount keeps the eBPF filter from being chosen, and
# a container nothing filters devices for is refused: name it)
mr() { timeout -k 5 30 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --plugin cgroup=cgroupfs \
       --plugin devices=ebpf "$@"; }
dir=/sys/fs/cgroup$CGP/v2
has_pids=no; grep -qw pids /sys/fs/cgroup/cgroup.controllers && has_pids=yes
echo "has_pids=$has_pids"
# pids.limit: applied when the controller exists, else a clear refusal
python3 -c 'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["linux"]["resources"]["pids"]={"limit":32}; json.dump(c,open(p,"w"))' "$BUNDLE/config.json"
mr create --bundle "$BUNDLE" v2p >"$T/v2p.out" 2>&1; echo "create_pids=$?"
if [ "$has_pids" = yes ]; then
    echo "pids_max=$(cat /sys/fs/cgroup$CGP/v2/pids.max)"  # (the config's cgroupsPath)
    mr delete --force v2p
else
    echo "pids_left=$(ls -d /sys/fs/cgroup$CGP 2>/dev/null)"
fi
# an unknown `unified` key: refused, naming it; then a valid one
python3 -c 'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["linux"]["resources"]={"unified":{"cgroup.bogus":"1"}}; json.dump(c,open(p,"w"))' "$BUNDLE/config.json"
mr create --bundle "$BUNDLE" v2u >"$T/v2u.out" 2>&1; echo "create_bogus=$?"
echo "bogus_left=$(ls -d /sys/fs/cgroup$CGP 2>/dev/null)"
python3 -c 'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["linux"]["resources"]={"unified":{"cgroup.max.depth":"3"}}; json.dump(c,open(p,"w"))' "$BUNDLE/config.json"
mr create --bundle "$BUNDLE" v2 >"$T/v2.out" 2>&1; echo "create=$?"
echo "max_depth=$(cat "$dir/cgroup.max.depth" 2>/dev/null)"
pid=$(mr state v2 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
echo "dir=$([ -d "$dir" ] && echo yes || echo no)"
echo "procs=$(cat "$dir/cgroup.procs" 2>/dev/null | tr '\n' ' ')"
echo "pid=$pid"
echo "proc_cgroup=$(grep '^0::' "/proc/$pid/cgroup")"
mr start v2
mr kill --all v2 KILL; echo "kill=$?"
for i in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
echo "init_gone=$([ -d "/proc/$pid" ] && echo no || echo yes)"
mr delete --force v2; echo "delete=$?"
echo "left=$(ls -d /sys/fs/cgroup$CGP 2>/dev/null)"
EOF
config "
c['linux']['cgroupsPath'] = '$CGP/v2'
c['linux']['resources'] = {}
"
args sleep 1000
export ROOT BUNDLE T CGP MODRUN PLUGIN_DIR
timeout -k 5 50 unshare -m bash "$T/v2.sh" >"$T/v2.res" 2>"$T/v2.err"
res() { sed -n "s/^$1=//p" "$T/v2.res"; }
if [ "$(res mount)" = failed ]; then
    fail "v2: cannot mount cgroup2 in a private mount namespace: $(cat "$T/v2.err")"
else
    if [ "$(res has_pids)" = yes ]; then
        expect_eq "v2: create with pids.limit" 0 "$(res create_pids)"
        expect_eq "v2: pids.max" 32 "$(res pids_max)"
    else
        [ "$(res create_pids)" != 0 ] && pass "v2 without the pids controller: pids.limit refused" \
            || fail "v2: pids.limit without the pids controller was accepted"
        expect_match "v2: the refusal names the controller" "the pids controller is not available" "$(cat "$T/v2p.out")"
        expect_eq "v2: nothing left after the refusal" "" "$(res pids_left)"
    fi
    [ "$(res create_bogus)" != 0 ] && pass "v2: unknown unified key refused" || fail "v2: unified cgroup.bogus accepted"
    expect_match "v2: the refusal names the key" 'unified\["cgroup.bogus"\]: unknown key' "$(cat "$T/v2u.out")"
    expect_eq "v2: nothing left after the refusal of the key" "" "$(res bogus_left)"
    expect_eq "v2: create" 0 "$(res create)"
    expect_eq "v2: unified cgroup.max.depth written" 3 "$(res max_depth)"
    expect_eq "v2: the cgroup dir exists under the cgroup2 mount" yes "$(res dir)"
    expect_eq "v2: the init is in it" "$(res pid) " "$(res procs)"
    expect_eq "v2: /proc/PID/cgroup" "0::$CGP/v2" "$(res proc_cgroup)"
    expect_eq "v2: kill --all" 0 "$(res kill)"
    expect_eq "v2: init killed" yes "$(res init_gone)"
    expect_eq "v2: delete --force" 0 "$(res delete)"
    expect_eq "v2: no cgroup dir left" "" "$(res left)"
fi
[ -s "$T/v2.err" ] && echo "v2 stderr: $(cat "$T/v2.err")"

# a fork bomb under pids.max is contained, and kill --all ends it
if [ $LAYOUT != none ]; then
    bomb=$(cgd pids bomb)
    config "c['linux']['cgroupsPath'] = '$CGP/bomb'; c['linux']['resources'] = {'pids': {'limit': 16}}"
    args sleep 1000
    mr run -d --bundle "$BUNDLE" bomb >"$T/out" 2>&1 || fail "run the container: $(cat "$T/out")"
    # the bomb's shell dies when fork fails; its children stay, at the limit
    mr exec -d bomb sh -c 'while :; do sleep 1000 & done' 2>/dev/null || fail "exec the fork bomb"
    wait_for grep -q "^max [1-9]" $bomb/pids.events || fail "the kernel never refused a fork (pids.events)"
    n=$(cat $bomb/pids.current)
    [ "$n" -le 16 ] && [ "$n" -ge 14 ] && pass "fork bomb contained at pids.max 16 ($n left after its shell died)" \
        || fail "fork bomb not contained: pids.current $n"
    mr kill --all bomb KILL || fail "kill --all of the bomb"
    # (cgroup.procs, not pids.current: an unreaped zombie still counts there)
    wait_until '[ -z "$(cat "$bomb/cgroup.procs" 2>/dev/null)" ]' || fail "processes of the bomb survived"
    mr delete --force bomb || fail "delete the bomb"
fi
expect_eq "no cgroup dir left anywhere" "" "$(cg_left)"
assert_clean "at the end"
finish
