#!/bin/bash
# Input that costs memory or time: config.json (or an exec --process file)
# that is a device (a symlink to /dev/zero), a FIFO, a directory, larger
# than the 4 MiB limit or full of empty objects is refused at once, with a
# small memory footprint; every number of config.json outside its
# runtime-spec type or range is refused with its JSON path. Nothing is left
# behind.
. "$(dirname "$0")/lib.sh"
make_bundle
args true
cp "$BUNDLE/config.json" "$T/good.json"
TIME=$(command -v time || true); [ -x /usr/bin/time ] && TIME=/usr/bin/time
MAX_RSS_KB=65536

# fast_refusal WHAT REGEX CMD...: CMD fails within 10 s (not killed by the
# timeout), says REGEX, stays under MAX_RSS_KB when /usr/bin/time is here
fast_refusal() {
    local what=$1 re=$2; shift 2
    local out rc rss
    if [ -x /usr/bin/time ]; then
        out=$(/usr/bin/time -f 'maxrss=%M' -o "$T/rss" timeout -k 2 10 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@" 2>&1)
        rc=$?
        rss=$(sed -n 's/^maxrss=//p' "$T/rss")
    else
        out=$(timeout -k 2 10 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@" 2>&1); rc=$?
    fi
    case $rc in
        0) fail "$what: accepted" ;;
        124|137) fail "$what: still running after 10 s (killed by the timeout)" ;;
        *) pass "$what: refused (exit $rc)" ;;
    esac
    expect_match "$what: message" "$re" "$out"
    if [ -n "${rss:-}" ]; then
        [ "$rss" -le "$MAX_RSS_KB" ] && pass "$what: max RSS ${rss} KiB" || fail "$what: max RSS ${rss} KiB > $MAX_RSS_KB KiB"
    fi
}

# --- config.json that is not a small regular file ----------------------------
ln -sf /dev/zero "$BUNDLE/config.json"
fast_refusal "config.json -> /dev/zero" "config.json is not a regular file \(it is a character device\)" \
    create --bundle "$BUNDLE" secin-i1
assert_clean "config.json -> /dev/zero"
rm -f "$BUNDLE/config.json"; mkfifo "$BUNDLE/config.json"
fast_refusal "config.json is a FIFO" "config.json is not a regular file \(it is a FIFO\)" create --bundle "$BUNDLE" secin-i1
assert_clean "config.json FIFO"
rm -f "$BUNDLE/config.json"; mkdir "$BUNDLE/config.json"
fast_refusal "config.json is a directory" "config.json is not a regular file \(it is a directory\)" \
    create --bundle "$BUNDLE" secin-i1
assert_clean "config.json directory"
rmdir "$BUNDLE/config.json"
python3 - "$T/good.json" "$BUNDLE/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["annotations"] = {"pad": "x" * (5 << 20)}
json.dump(c, open(sys.argv[2], "w"))
PY
fast_refusal "config.json of 5 MiB" "config.json: [0-9]+ bytes is larger than the limit of 4194304 bytes" \
    create --bundle "$BUNDLE" secin-i1
assert_clean "config.json of 5 MiB"
python3 - "$T/good.json" "$BUNDLE/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["x"] = [{}] * 1000000
json.dump(c, open(sys.argv[2], "w"), separators=(",", ":"))
PY
fast_refusal "config.json of 3 MiB of empty objects" "JSON objects and arrays, more than the limit of 32768" \
    create --bundle "$BUNDLE" secin-i1
assert_clean "config.json of empty objects"
# a symlink to a regular file is fine, as in runc
cp "$T/good.json" "$T/linked.json"; rm -f "$BUNDLE/config.json"; ln -s "$T/linked.json" "$BUNDLE/config.json"
mr run --bundle "$BUNDLE" secin-i2 >"$T/out" 2>&1 && pass "config.json -> a regular file: runs" || fail "symlinked config.json: $(cat "$T/out")"
mr delete --force secin-i2 >/dev/null 2>&1
rm -f "$BUNDLE/config.json"; cp "$T/good.json" "$BUNDLE/config.json"

# --- exec --process FILE -----------------------------------------------------
args sleep 1000
mr run -d --bundle "$BUNDLE" secin-e1 >"$T/out" 2>&1 </dev/null || die "run -d: $(cat "$T/out")"
mkfifo "$T/proc.fifo"; ln -s /dev/zero "$T/proc.zero"
python3 -c 'import json; print(json.dumps({"args": ["true"], "cwd": "/", "env": ["X=" + "x" * (5 << 20)]}))' >"$T/proc.big"
fast_refusal "exec --process /dev/zero" "proc.zero is not a regular file \(it is a character device\)" \
    exec --process "$T/proc.zero" secin-e1
fast_refusal "exec --process FIFO" "proc.fifo is not a regular file \(it is a FIFO\)" exec --process "$T/proc.fifo" secin-e1
fast_refusal "exec --process of 5 MiB" "proc.big: [0-9]+ bytes is larger than the limit of 4194304 bytes" \
    exec --process "$T/proc.big" secin-e1
expect_eq "the container still runs" running "$(state_field secin-e1 status)"
mr delete --force secin-e1
cp "$T/good.json" "$BUNDLE/config.json"
args true
cp "$BUNDLE/config.json" "$T/good.json"

# --- numbers out of their runtime-spec type or range -------------------------
# out_of_range EXPR PATH RANGE: config.json with EXPR applied is refused,
# naming PATH and the RANGE "between MIN and MAX"
out_of_range() {
    cp "$T/good.json" "$BUNDLE/config.json"
    config "$1"
    local out want="config.json: $2: expected an integer between $3"
    out=$(mr create --bundle "$BUNDLE" secin-r1 2>&1) && fail "$2 = out of range: accepted"
    case $out in
        *"$want"*) pass "$2: refused naming the path and the range" ;;
        *) fail "$2: '$want' not in: $out" ;;
    esac
    assert_clean "$2"
}
R='c["linux"].setdefault("resources", {})'
out_of_range "$R[\"memory\"] = {\"limit\": 9223372036854775808}" linux.resources.memory.limit "-1 and 9223372036854775807"
out_of_range "$R[\"memory\"] = {\"swap\": -2}" linux.resources.memory.swap "-1 and 9223372036854775807"
out_of_range "$R[\"memory\"] = {\"swappiness\": 101}" linux.resources.memory.swappiness "0 and 100"
out_of_range "$R[\"cpu\"] = {\"shares\": -1}" linux.resources.cpu.shares "0 and 18446744073709551615"
out_of_range "$R[\"cpu\"] = {\"quota\": -2}" linux.resources.cpu.quota "-1 and 9223372036854775807"
out_of_range "$R[\"cpu\"] = {\"idle\": 2}" linux.resources.cpu.idle "0 and 1"
out_of_range "$R[\"pids\"] = {\"limit\": 9223372036854775808}" linux.resources.pids.limit "-9223372036854775808 and 9223372036854775807"
out_of_range "$R[\"blockIO\"] = {\"weight\": 65536}" linux.resources.blockIO.weight "0 and 65535"
out_of_range "$R[\"blockIO\"] = {\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": -1}]}" \
    "linux.resources.blockIO.throttleReadBpsDevice[0].rate" "0 and 18446744073709551615"
out_of_range "$R[\"hugepageLimits\"] = [{\"pageSize\": \"2MB\", \"limit\": -1}]" "linux.resources.hugepageLimits[0].limit" "0 and"
out_of_range "$R[\"network\"] = {\"classID\": 4294967296}" linux.resources.network.classID "0 and 4294967295"
out_of_range "$R[\"rdma\"] = {\"mlx5_1\": {\"hcaHandles\": -3}}" linux.resources.rdma.mlx5_1.hcaHandles "0 and 4294967295"
out_of_range "$R[\"devices\"] = [{\"allow\": True, \"major\": -2}]" "linux.resources.devices[0].major" "-1 and 4294967295"
out_of_range 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": -1}' linux.seccomp.defaultErrnoRet "0 and 4294967295"
out_of_range 'c["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 6, "value": 0, "op": "SCMP_CMP_EQ"}]}]}' \
    "linux.seccomp.syscalls[0].args[0].index" "0 and 5"
out_of_range 'c["process"]["oomScoreAdj"] = 1001' process.oomScoreAdj "-1000 and 1000"
out_of_range 'c["process"]["user"]["uid"] = 4294967295' process.user.uid "0 and 4294967294"
out_of_range 'c["process"]["rlimits"] = [{"type": "RLIMIT_NOFILE", "soft": -1, "hard": 1}]' "process.rlimits[0].soft" "0 and 18446744073709551615"
out_of_range 'c["process"]["scheduler"] = {"policy": "SCHED_OTHER", "nice": 20}' process.scheduler.nice "-20 and 19"
out_of_range 'c["process"]["ioPriority"] = {"class": "IOPRIO_CLASS_BE", "priority": 8}' process.ioPriority.priority "0 and 7"
# runc refuses the first two as well (Go's int64/uint64 decoding)
if command -v runc >/dev/null; then
    for e in "$R[\"memory\"] = {\"limit\": 9223372036854775808}" "$R[\"cpu\"] = {\"shares\": -1}"; do
        cp "$T/good.json" "$BUNDLE/config.json"; config "$e"
        (cd "$BUNDLE" && timeout 30 runc --root "$T/runc" create "r$$" >/dev/null 2>&1) && fail "runc accepts $e?" || pass "runc refuses $e too"
        timeout 30 runc --root "$T/runc" delete --force "r$$" >/dev/null 2>&1
    done
fi
# in range: accepted (-1 is "unlimited")
cp "$T/good.json" "$BUNDLE/config.json"
config "$R[\"memory\"] = {\"limit\": -1, \"swappiness\": 100}; $R[\"cpu\"] = {\"shares\": 1024, \"quota\": -1}; $R[\"pids\"] = {\"limit\": -1}"
mr run --bundle "$BUNDLE" secin-r2 >"$T/out" 2>&1 && pass "in-range values: runs" || fail "in-range values refused: $(cat "$T/out")"
mr delete --force secin-r2 >/dev/null 2>&1
assert_clean
finish
