#!/bin/bash
# runtime-spec 1.1-1.3 task attributes, read back from /proc/PID of the
# created init (set up, waiting on the exec fifo) and of exec'd processes:
# process.scheduler (/proc/PID/sched, stat), process.ioPriority (ionice),
# linux.personality (/proc/PID/personality), linux.memoryPolicy (numa_maps
# shows the task policy on every mapping without its own), and
# process.execCPUAffinity (Cpus_allowed_list); and their errors.
. "$(dirname "$0")/lib.sh"
make_bundle
config 'c["process"]["args"] = ["sleep", "1000"]'
BASE=$T/base.json; cp "$BUNDLE/config.json" "$BASE"
reset() { cp "$BASE" "$BUNDLE/config.json"; }

# create with the edit $1, print the init's pid
created() {
    reset; config "$1"
    mr delete --force sp-1 >/dev/null 2>&1 # one a wrongly accepted config left
    mr create --bundle "$BUNDLE" sp-1 >/dev/null 2>"$T/err" || { cat "$T/err" >&2; return 1; }
    mr state sp-1 | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' # no python: each start costs
}
stat_field() { awk '{ sub(/^.*\) /, ""); print $('"$2"' - 2) }' "/proc/$1/stat"; }

# A real-time policy needs real-time time in the container's cpu cgroup
# when the kernel has RT group scheduling (cgroup v1 cpu.rt_runtime_us).
RT=
[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] &&
    RT="c['linux']['cgroupsPath'] = '/sp-rt-$$'; c['linux'].setdefault('resources', {})['cpu'] = {'realtimeRuntime': 10000, 'realtimePeriod': 1000000}"
# ---- process.scheduler: policy (stat field 41), nice (19), rt priority (40)
for s in "SCHED_OTHER 0 nice=-5" "SCHED_BATCH 3 nice=7" "SCHED_IDLE 5 nice=0" "SCHED_FIFO 1 priority=10" "SCHED_RR 2 priority=20"; do
    set -- $s; pol=$1 num=$2 kv=$3
    pid=$(created "c['process']['scheduler'] = {'policy': '$pol', '${kv%=*}': ${kv#*=}}; $RT") || { fail "create $pol: $(cat $T/err)"; continue; }
    expect_eq "scheduler $pol: policy" "$num" "$(stat_field $pid 41)"
    case $kv in
    nice=*) [ "$pol" = SCHED_IDLE ] || expect_eq "scheduler $pol: nice" "${kv#*=}" "$(stat_field $pid 19)" ;;
    priority=*) expect_eq "scheduler $pol: rt priority" "${kv#*=}" "$(stat_field $pid 40)" ;;
    esac
    mr delete --force sp-1
done
# SCHED_FLAG_RESET_ON_FORK: a child of the init goes back to SCHED_OTHER
reset; config "c['process']['scheduler'] = {'policy': 'SCHED_RR', 'priority': 5, 'flags': ['SCHED_FLAG_RESET_ON_FORK']}; $RT"
config 'c["process"]["args"] = ["sh", "-c", "sh -c \"cut -d\\\" \\\" -f41 /proc/self/stat\"; cut -d\" \" -f41 /proc/self/stat"]'
expect_eq "SCHED_FLAG_RESET_ON_FORK: child SCHED_OTHER, process SCHED_RR" "0 2" "$(mr run --bundle "$BUNDLE" sp-2 2>&1 | xargs)"
# errors: SCHED_ISO (not in mainline), an unknown policy, FIFO without priority
pid=$(created "c['process']['scheduler'] = {'policy': 'SCHED_ISO'}") && fail "SCHED_ISO accepted"
expect_match "SCHED_ISO: the kernel's refusal, explained" "process.scheduler: sched_setattr.*Invalid argument.*SCHED_ISO is not in mainline" "$(cat $T/err)"
pid=$(created "c['process']['scheduler'] = {'policy': 'SCHED_NOPE'}") && fail "SCHED_NOPE accepted"
expect_match "unknown policy names the valid ones" "process.scheduler.policy: unknown value \"SCHED_NOPE\" \(valid: SCHED_OTHER" "$(cat $T/err)"
pid=$(created "c['process']['scheduler'] = {'policy': 'SCHED_FIFO'}; $RT") && fail "SCHED_FIFO priority 0 accepted"
expect_match "SCHED_FIFO priority 0" "1 to 99" "$(cat $T/err)"
assert_clean "after the scheduler errors"

# ---- process.ioPriority
for s in "IOPRIO_CLASS_RT 3 realtime" "IOPRIO_CLASS_BE 6 best-effort" "IOPRIO_CLASS_IDLE 0 idle"; do
    set -- $s
    pid=$(created "c['process']['ioPriority'] = {'class': '$1', 'priority': $2}") || { fail "create $1: $(cat $T/err)"; continue; }
    want="$3: prio $2"; [ "$1" = IOPRIO_CLASS_IDLE ] && want=idle
    expect_eq "ioPriority $1" "$want" "$(ionice -p $pid)"
    mr delete --force sp-1
done
pid=$(created "c['process']['ioPriority'] = {'class': 'IOPRIO_CLASS_BE', 'priority': 8}") && fail "priority 8 accepted"
expect_match "ioPriority 8 refused" "process.ioPriority.priority" "$(cat $T/err)"

# ---- linux.personality (PER_LINUX32 = 0x8), also for exec'd processes
pid=$(created "c['linux']['personality'] = {'domain': 'LINUX32'}") || fail "create LINUX32: $(cat $T/err)"
expect_eq "personality LINUX32 (init)" 00000008 "$(cat /proc/$pid/personality)"
mr start sp-1 || fail "start"
expect_eq "personality LINUX32: uname -m in exec" "i686" "$(mr exec sp-1 uname -m 2>&1)"
mr delete --force sp-1
pid=$(created "c['linux']['personality'] = {'domain': 'LINUX'}") || fail "create LINUX"
expect_eq "personality LINUX" 00000000 "$(cat /proc/$pid/personality)"
mr delete --force sp-1
pid=$(created "c['linux']['personality'] = {'domain': 'LINUX', 'flags': ['X']}") && fail "personality flags accepted"
expect_match "personality flags refused" "linux.personality.flags: runtime-spec defines no personality flags" "$(cat $T/err)"

# ---- linux.memoryPolicy: each mode on node 0, and the flags
policy_of() { awk 'NR == 1 { print $2 }' "/proc/$1/numa_maps"; }
for s in "MPOL_DEFAULT - default" "MPOL_LOCAL - local" "MPOL_BIND 0 bind:0" "MPOL_PREFERRED 0 prefer:0" \
         "MPOL_INTERLEAVE 0 interleave:0" "MPOL_PREFERRED_MANY 0 prefer (many):0" \
         "MPOL_WEIGHTED_INTERLEAVE 0 weighted interleave:0"; do
    mode=${s%% *} rest=${s#* }; nodes=${rest%% *} want=${rest#* }
    [ "$nodes" = - ] && m="{'mode': '$mode'}" || m="{'mode': '$mode', 'nodes': '$nodes'}"
    pid=$(created "c['linux']['memoryPolicy'] = $m") || { fail "create $mode: $(cat $T/err)"; continue; }
    expect_eq "memoryPolicy $mode" "$want" "$(awk 'NR == 1 { sub(/^[^ ]+ /, ""); sub(/ (file|anon|heap|stack|dirty|mapped|N0)[=].*$/, ""); print }' /proc/$pid/numa_maps)"
    mr delete --force sp-1
done
for s in "MPOL_F_STATIC_NODES bind=static:0" "MPOL_F_RELATIVE_NODES bind=relative:0" "MPOL_F_NUMA_BALANCING bind=balancing:0"; do
    pid=$(created "c['linux']['memoryPolicy'] = {'mode': 'MPOL_BIND', 'nodes': '0', 'flags': ['${s% *}']}") || { fail "create ${s% *}: $(cat $T/err)"; continue; }
    expect_eq "memoryPolicy flag ${s% *}" "${s#* }" "$(policy_of $pid)"
    mr delete --force sp-1
done
# exec'd processes get it too
pid=$(created "c['linux']['memoryPolicy'] = {'mode': 'MPOL_INTERLEAVE', 'nodes': '0'}") || fail "create interleave"
mr start sp-1 || fail "start"
expect_match "memoryPolicy in an exec'd process" "^[0-9a-f]+ interleave:0 " "$(mr exec sp-1 head -1 /proc/self/numa_maps 2>&1)"
mr delete --force sp-1
pid=$(created "c['linux']['memoryPolicy'] = {'mode': 'MPOL_BIND', 'nodes': '7'}") && fail "node 7 accepted"
expect_match "memoryPolicy: absent node explained" "linux.memoryPolicy: set_mempolicy.*Invalid argument.*allowed here \(0\)" "$(cat $T/err)"
pid=$(created "c['linux']['memoryPolicy'] = {'mode': 'MPOL_BIND', 'nodes': '0-x'}") && fail "nodes 0-x accepted"
expect_match "memoryPolicy: bad list" "linux.memoryPolicy.nodes: \"0-x\" is not a list" "$(cat $T/err)"
pid=$(created "c['linux']['memoryPolicy'] = {'mode': 'MPOL_NOPE'}") && fail "MPOL_NOPE accepted"
expect_match "memoryPolicy: unknown mode" "linux.memoryPolicy.mode: unknown value \"MPOL_NOPE\"" "$(cat $T/err)"
assert_clean "after the memoryPolicy errors"

# ---- process.execCPUAffinity: exec's alone ("not applicable to the
# container's init process", config.md); the init, and exec without it,
# get every CPU of their cpuset whatever the runtime's affinity (runc 1.2,
# cpu_affinity.bats "CPU affinity should reset")
ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then
    mine=$(proc_field $$ Cpus_allowed_list)
    reset; config "c['process']['execCPUAffinity'] = {'initial': '0', 'final': '1'}"
    taskset -c 0 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" create --bundle "$BUNDLE" sp-1 ||
        fail "create affinity under taskset"
    pid=$(state_field sp-1 pid)
    expect_eq "execCPUAffinity not the init's, nor the runtime's" "$mine" "$(proc_field $pid Cpus_allowed_list)"
    expect_eq "the caller's affinity is untouched" "$mine" "$(proc_field $$ Cpus_allowed_list)"
    mr start sp-1 || fail "start"
    expect_eq "the init's affinity after start" "$mine" "$(proc_field $pid Cpus_allowed_list)"
    expect_match "exec: config.json's execCPUAffinity.final" "Cpus_allowed_list:.1$" \
        "$(mr exec sp-1 grep Cpus_allowed_list /proc/self/status 2>&1)"
    # exec: the exec'd process's own affinity (--process with final 0)
    python3 - "$BUNDLE/config.json" > "$T/proc.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["process"]
p["args"] = ["grep", "Cpus_allowed_list", "/proc/self/status"]
p["execCPUAffinity"] = {"initial": "1", "final": "0"}
print(json.dumps(p))
PY
    expect_match "execCPUAffinity.final (exec --process)" "Cpus_allowed_list:.0$" "$(mr exec --process "$T/proc.json" sp-1 2>&1)"
    mr delete --force sp-1
    pid=$(created "c['process']['args'] = ['sleep', '1000']") || fail "create without execCPUAffinity"
    expect_match "exec without execCPUAffinity under taskset: every CPU" "Cpus_allowed_list:.$mine$" \
        "$(taskset -c 1 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" exec sp-1 grep Cpus_allowed_list /proc/self/status 2>&1)"
    mr delete --force sp-1
    # only initial: after the move into the container's cgroup the kernel
    # decides (config.md): a cpuset resets it, else initial stays
    pid=$(created "c['process']['execCPUAffinity'] = {'initial': '1'}") || fail "create initial only"
    mr start sp-1
    expect_match "execCPUAffinity.initial only: initial, or the cpuset's" "Cpus_allowed_list:.(1|$mine)$" \
        "$(mr exec sp-1 grep Cpus_allowed_list /proc/self/status 2>&1)"
    mr delete --force sp-1
else
    echo "skip: execCPUAffinity needs 2 CPUs"
fi
pid=$(created "c['process']['execCPUAffinity'] = {'final': '3-1'}") && fail "3-1 accepted"
expect_match "execCPUAffinity: reversed range" "process.execCPUAffinity.final: \"3-1\": the range 3-1 is reversed" "$(cat $T/err)"
pid=$(created "c['process']['execCPUAffinity'] = {'final': '1000'}") || fail "create with CPU 1000 (exec's)"
mr start sp-1
expect_match "execCPUAffinity: CPU not online, at exec" "process.execCPUAffinity.final: sched_setaffinity.*Invalid argument.*online" \
    "$(mr exec sp-1 true 2>&1)"
mr delete --force sp-1

# ---- linux.netDevices: veth ends made here (and a dummy where the kernel
# has it) move in, renamed when asked, and back on delete
NETDEVS="sp-v0 sp-v0p sp-v1 sp-v1p sp-d0"
netdevs_cleanup() {
    local rc=$? d
    for id in $(ls "$ROOT" 2>/dev/null); do "$MODRUN" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; done
    for d in $NETDEVS; do ip link del "$d" 2>/dev/null; done
    (exit $rc)
    it_cleanup
}
trap netdevs_cleanup EXIT
ip link add sp-v0 type veth peer name sp-v0p || die "ip link add veth"
ip link add sp-v1 type veth peer name sp-v1p || die "ip link add veth"
ip addr add 10.213.0.1/24 dev sp-v0 && ip addr add fd00:213::1/64 dev sp-v0 || die "ip addr add"
devs="'sp-v0': {'name': 'eth7'}, 'sp-v1': {}"
dummy=; ip link add sp-d0 type dummy 2>/dev/null && { dummy=1; devs="$devs, 'sp-d0': {'name': 'dm0'}"; }
pid=$(created "c['linux']['netDevices'] = {$devs}") || fail "create with netDevices: $(cat $T/err)"
links=$(nsenter -t "$pid" -n ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | xargs)
want=$(printf '%s\n' eth7 lo sp-v1 ${dummy:+dm0} | sort | xargs)
expect_eq "netDevices: in the container, renamed" "$want" "$links"
ip link show sp-v0 >/dev/null 2>&1 && fail "sp-v0 still on the host"
expect_match "netDevices: permanent addresses kept" "eth7.* 10\.213\.0\.1/24 fd00:213::1/64" "$(nsenter -t "$pid" -n ip -br addr show eth7)"
mr start sp-1 || fail "start"
mr kill sp-1 KILL; wait_for status_is sp-1 stopped || fail "init did not stop"
mr delete sp-1 || fail "delete"
expect_match "netDevices: back on the host with their names (init gone first)" "sp-v0.*sp-v1" "$(ip -o link show | awk -F': ' '{print $2}' | xargs)"
[ -n "$dummy" ] && { ip link show sp-d0 >/dev/null 2>&1 && pass "dummy device back" || fail "dummy device lost"; }
pid=$(created "c['linux']['netDevices'] = {'sp-nope': {}}") && fail "a missing device accepted"
expect_match "netDevices: missing device" "linux.netDevices: no network interface sp-nope on the host" "$(cat $T/err)"
pid=$(created "c['linux']['netDevices'] = {'sp-v0': {'name': 'lo'}}") && fail "a name clash accepted"
expect_match "netDevices: name clash" "move sp-v0 on the host as lo: an interface of that name is in the container already" "$(cat $T/err)"
ip link show sp-v0 >/dev/null 2>&1 && pass "netDevices: the device stays on the host after a clash" || fail "sp-v0 lost after a clash"
pid=$(created "c['linux']['netDevices'] = {'sp-v0': {}, 'sp-v1': {'name': 'lo'}}") && fail "second device clash accepted"
ip link show sp-v0 >/dev/null 2>&1 && pass "netDevices: a device moved before a failure is moved back" || fail "sp-v0 lost after a partial move"
pid=$(created "c['linux']['netDevices'] = {'sp-v0': {}}; c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'network']") && fail "no netns accepted"
expect_match "netDevices: no network namespace" "needs a new network namespace of its own.*has none" "$(cat $T/err)"
pid=$(created "c['linux']['netDevices'] = {'bad/name': {}}") && fail "bad name accepted"
expect_match "netDevices: bad name" "is not a valid network interface name" "$(cat $T/err)"
assert_clean "after netDevices"

# ---- linux.intelRdt: resctrl is not mounted here; the code path runs on a
# fake tree (MODRUN_TEST_RESCTRL_ROOT, honoured by fault-injection builds)
rdt="c['linux']['intelRdt'] = {'closID': 'sp-clos', 'l3CacheSchema': 'L3:0=f', 'memBwSchema': 'MB:0=50', 'schemata': ['L2:0=3'], 'enableMonitoring': True}"
if ! grep -q ' /sys/fs/resctrl resctrl ' /proc/self/mountinfo; then
    pid=$(created "$rdt") && fail "intelRdt without resctrl accepted"
    expect_match "intelRdt: resctrl not mounted" "linux.intelRdt: the resctrl filesystem is not mounted on /sys/fs/resctrl.*mount -t resctrl" "$(cat $T/err)"
fi
FAKE=$T/resctrl; mkdir -p "$FAKE"
if pid=$(MODRUN_TEST_RESCTRL_ROOT=$FAKE created "$rdt") && [ -n "$pid" ]; then
    expect_eq "intelRdt: schemata written" "L3:0=f MB:0=50 L2:0=3" "$(xargs < $FAKE/sp-clos/schemata)"
    expect_eq "intelRdt: init in the CLOS group" "$pid" "$(cat $FAKE/sp-clos/tasks)"
    expect_eq "intelRdt: init in its monitoring group" "$pid" "$(cat $FAKE/sp-clos/mon_groups/sp-1/tasks)"
    mr start sp-1 || fail "start"
    MODRUN_TEST_RESCTRL_ROOT=$FAKE mr exec -d sp-1 sleep 100 || fail "exec with intelRdt"
    expect_eq "intelRdt: an exec'd process joins both groups" "2 2" "$(wc -l < $FAKE/sp-clos/tasks) $(wc -l < $FAKE/sp-clos/mon_groups/sp-1/tasks)"
    MODRUN_TEST_RESCTRL_ROOT=$FAKE mr delete --force sp-1
    [ -e "$FAKE/sp-clos" ] && fail "intelRdt: CLOS group left" || pass "intelRdt: the group modrun made is removed"
    # an existing closID group is shared and kept
    mkdir -p "$FAKE/shared/mon_groups"
    pid=$(MODRUN_TEST_RESCTRL_ROOT=$FAKE created "c['linux']['intelRdt'] = {'closID': 'shared'}") || fail "shared CLOS"
    expect_eq "intelRdt: shared group joined" "$pid" "$(cat $FAKE/shared/tasks)"
    MODRUN_TEST_RESCTRL_ROOT=$FAKE mr delete --force sp-1
    [ -d "$FAKE/shared" ] && pass "intelRdt: a shared group is kept" || fail "intelRdt: shared group removed"
else
    echo "skip: the fake resctrl tree needs a fault-injection build ($(cat $T/err))"
fi
assert_clean "at the end"
