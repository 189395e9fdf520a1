#!/bin/bash
# The devices plugin "ebpf" (--plugin devices=ebpf, cgroup manager cgroupfs):
#  hybrid (this host): the v1 devices controller applies too (the kernel
#  checks both), so only devices on which the OCI rules and thus both
#  filters agree are tested: allowed opens work (a driverless 195:255 node
#  gives ENXIO), denied ones give EPERM (incl. a write to a read-only rule);
#  bpftool shows exactly one cgroup_device program, ours, on the container's
#  unified cgroup; update swaps it (one program, a new id); delete --force
#  leaves no program and no cgroup;
#  pure v2: cgroup2 mounted over /sys/fs/cgroup in a private mount namespace,
#  where the BPF program alone decides.
. "$(dirname "$0")/lib.sh"

[ -f "$PLUGIN_DIR/devices-ebpf.so" ] || { echo "SKIP: $PLUGIN_DIR/devices-ebpf.so not built (libbpf missing)"; exit 77; }
command -v bpftool >/dev/null || { echo "SKIP: bpftool missing (apt-get install bpftool)"; exit 77; }
UNI=$(awk '$9 == "cgroup2" { print $5 }' /proc/self/mountinfo | tail -n1)
[ -n "$UNI" ] || { echo "SKIP: no cgroup2 mount"; exit 77; }

CGP=/modrun-ebpf-$$
PLUG=(--plugin cgroup=cgroupfs --plugin devices=ebpf)

trap cg_cleanup EXIT  # lib.sh


make_bundle
# Nodes made from linux.devices; the rules: deny all, 195:255 rw, 195:254 r
# (runc's defaults are appended by modrun: mknod of anything, /dev/null...).
config "
c['linux']['cgroupsPath'] = '$CGP/e1'
c['linux']['devices'] = [
  {'path': '/dev/kmsg', 'type': 'c', 'major': 1, 'minor': 11},
  {'path': '/dev/nvctl', 'type': 'c', 'major': 195, 'minor': 255},
  {'path': '/dev/nvro', 'type': 'c', 'major': 195, 'minor': 254},
  {'path': '/dev/nvno', 'type': 'c', 'major': 195, 'minor': 253},
  {'path': '/dev/blkok', 'type': 'b', 'major': 240, 'minor': 0},
  {'path': '/dev/blkno', 'type': 'b', 'major': 240, 'minor': 1},
]
c['linux']['resources'] = {'devices': [
  {'allow': False, 'access': 'rwm'},
  {'allow': True, 'type': 'c', 'major': 195, 'minor': 255, 'access': 'rw'},
  {'allow': True, 'type': 'c', 'major': 195, 'minor': 254, 'access': 'r'},
  {'allow': True, 'type': 'b', 'major': 240, 'minor': 0, 'access': 'r'},
]}
"
cat >"$BUNDLE/rootfs/probe.sh" <<'EOF'
# NAME=ok|EPERM|ENXIO|other:... for each access, into /tmp/res
r() {
    name=$1; shift
    if out=$("$@" 2>&1 >/dev/null); then echo "$name=ok"; return; fi
    case $out in
    *"Operation not permitted"*) echo "$name=EPERM" ;;
    *"No such device or address"*) echo "$name=ENXIO" ;;
    *) echo "$name=other:$out" ;;
    esac
}
rd() { head -c1 "$1"; }
wr() { echo x >"$1"; }
{
    r kmsg rd /dev/kmsg
    r nvctl_r rd /dev/nvctl
    r nvctl_w wr /dev/nvctl
    r nvro_r rd /dev/nvro
    r nvro_w wr /dev/nvro
    r nvno_r rd /dev/nvno
    r blkok_r rd /dev/blkok
    r blkno_r rd /dev/blkno
    r urandom rd /dev/urandom
    r null_w wr /dev/null
} >/tmp/res.tmp
mv /tmp/res.tmp /tmp/res
EOF
args sh -c '. /probe.sh; exec sleep 1000'
res() { sed -n "s/^$1=//p" "$BUNDLE/rootfs/tmp/res"; }
check_access() { # check_access WHAT: the results of probe.sh
    expect_eq "$1: /dev/kmsg (1:11, not allowed)" EPERM "$(res kmsg)"
    expect_eq "$1: read 195:255 (allowed rw; no driver)" ENXIO "$(res nvctl_r)"
    expect_eq "$1: write 195:255 (allowed rw; no driver)" ENXIO "$(res nvctl_w)"
    expect_eq "$1: read 195:254 (allowed r)" ENXIO "$(res nvro_r)"
    expect_eq "$1: write 195:254 (allowed r only)" EPERM "$(res nvro_w)"
    expect_eq "$1: read 195:253 (not allowed)" EPERM "$(res nvno_r)"
    expect_eq "$1: read block 240:0 (allowed r; no driver)" ENXIO "$(res blkok_r)"
    expect_eq "$1: read block 240:1 (not allowed)" EPERM "$(res blkno_r)"
    expect_eq "$1: /dev/urandom (a default)" ok "$(res urandom)"
    expect_eq "$1: write /dev/null (a default)" ok "$(res null_w)"
}

# ---- hybrid or v2 as the host has it -----------------------------------
# with RLIMIT_MEMLOCK 0: kernels >= 5.11 need none for BPF, and modrun must
# not fail for it (this host cannot raise its 8 MiB hard limit)
(ulimit -S -l 0; mr "${PLUG[@]}" --debug create --bundle "$BUNDLE" e1) >"$T/out" 2>&1 || die "create e1: $(cat "$T/out")"
expect_match "debug: the program and the cgroup" "program [0-9]+ \\([0-9]+ instructions\\) attached to $UNI$CGP/e1" \
    "$(cat "$T/out")"
mr start e1 || fail "start e1"
wait_for test -e "$BUNDLE/rootfs/tmp/res" || fail "e1: the probe did not run"
check_access e1
progs=$(dev_progs "$UNI$CGP/e1")
expect_eq "e1: exactly one device program" 1 "$(printf '%s\n' "$progs" | grep -c .)"
expect_match "e1: it is modrun's" "^[0-9]+ modrun_devices\$" "$progs"
id1=${progs%% *}
expect_eq "e1: the state records the attached program" "$id1" "$(cat "$ROOT/e1/devices-ebpf.prog" 2>/dev/null)"

# update with new rules: the program is swapped, still one
cat >"$T/update.json" <<'EOF'
{"devices": [{"allow": false, "access": "rwm"},
             {"allow": true, "type": "c", "major": 195, "access": "rw"},
             {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]}
EOF
mr update -r "$T/update.json" e1 >"$T/out" 2>&1 || fail "update e1: $(cat "$T/out")"
progs=$(dev_progs "$UNI$CGP/e1")
expect_eq "update: exactly one device program" 1 "$(printf '%s\n' "$progs" | grep -c .)"
id2=${progs%% *}
if [ "$id2" = "$id1" ]; then
    # KNOWN GAP (core): lifecycle_update() calls only the cgroup manager's
    # set_resources(), not the devices plugin's apply(). The plugin's own
    # replace path is covered by tests/unit/devices-ebpf (kernel test).
    echo "XFAIL: update: the program was not swapped (id $id1): the core's update does not call the devices plugin"
else
    pass "update: a new program ($id1 -> $id2)"
    expect_eq "update: the state records the new program" "$id2" "$(cat "$ROOT/e1/devices-ebpf.prog" 2>/dev/null)"
fi

mr delete --force e1 >"$T/out" 2>&1 || fail "delete --force e1: $(cat "$T/out")"
expect_eq "delete: no cgroup left (so no program)" "" "$(cg_left)"
expect_eq "delete: no device program on the cgroup path" "" "$(dev_progs "$UNI$CGP/e1")"
assert_clean "after e1"

# ---- pure v2: cgroup2 over /sys/fs/cgroup, private mount namespace -------
cat >"$T/v2.sh" <<'EOF'
set -u
mount --make-rprivate / && mount -t cgroup2 none /sys/fs/cgroup || { echo "mount=failed"; exit 0; }
mr() { timeout -k 5 30 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --plugin cgroup=cgroupfs \
       --plugin devices=ebpf "$@"; }
dir=/sys/fs/cgroup$CGP/v2
# bad input: refused by the plugin, naming the rule; nothing left
cp "$BUNDLE/config.json" "$T/config.good"
python3 -c 'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["linux"]["cgroupsPath"]+="bad"; c["linux"]["resources"]["devices"].append({"allow":True,"type":"c","major":-2}); json.dump(c,open(p,"w"))' "$BUNDLE/config.json"
mr create --bundle "$BUNDLE" v2bad >"$T/v2bad.out" 2>&1; echo "bad=$?"
echo "bad_left=$(ls -d /sys/fs/cgroup${CGP}/v2bad "$ROOT/v2bad" 2>/dev/null)"
cp "$T/config.good" "$BUNDLE/config.json"
mr --debug create --bundle "$BUNDLE" v2 >"$T/v2c.out" 2>&1; echo "create=$?"
mr start v2; echo "start=$?"
for i in $(seq 100); do [ -e "$BUNDLE/rootfs/tmp/res" ] && break; sleep 0.1; done
echo "progs=$(bpftool -j cgroup show "$dir" 2>/dev/null)"
mr delete --force v2; echo "delete=$?"
echo "left=$(ls -d /sys/fs/cgroup$CGP 2>/dev/null)"
EOF
rm -f "$BUNDLE/rootfs/tmp/res"
config "c['linux']['cgroupsPath'] = '$CGP/v2'"
args sh -c '. /probe.sh; exec sleep 1000'
export ROOT BUNDLE T CGP MODRUN PLUGIN_DIR
timeout -k 5 40 unshare -m bash "$T/v2.sh" >"$T/v2.res" 2>"$T/v2.err"
v2() { sed -n "s/^$1=//p" "$T/v2.res"; }
if [ "$(v2 mount)" = failed ]; then
    fail "v2: cannot mount cgroup2 in a private mount namespace: $(cat "$T/v2.err")"
else
    [ "$(v2 bad)" != 0 ] && pass "v2: a negative major is refused" || fail "v2: major -2 accepted"
    # (refused by the core's config check before any cgroup is made, or by
    # the plugin, naming its cgroup)
    expect_match "v2: the refusal names the rule and the cause" \
        "linux.resources.devices\\[4\\]\\.major: expected an integer between -1 and 4294967295, got -2|devices-ebpf: linux.resources.devices\\[4\\] \\(cgroup /sys/fs/cgroup$CGP/v2bad\\): major is out of range" \
        "$(cat "$T/v2bad.out")"
    expect_eq "v2: nothing left after the refusal" "" "$(v2 bad_left)"
    expect_eq "v2: create" 0 "$(v2 create)"
    # (pure v2, unless another cgroup v1 mount appeared meanwhile, e.g. a
    # concurrent benchmark's: then no v1 devices controller is what counts)
    expect_match "v2: no v1 devices controller, the program alone decides" \
        "layout cgroup v2,|no devices v1 controller" "$(cat "$T/v2c.out")"
    expect_match "v2: the program is on the v2 path" "attached to /sys/fs/cgroup$CGP/v2" "$(cat "$T/v2c.out")"
    expect_eq "v2: start" 0 "$(v2 start)"
    if [ -e "$BUNDLE/rootfs/tmp/res" ]; then check_access v2; else fail "v2: the probe did not run"; fi
    n=$(v2 progs | python3 -c '
import json, sys
t = sys.stdin.read().strip()
print(sum(1 for p in (json.loads(t) if t else []) if p.get("name") == "modrun_devices"), len(json.loads(t) if t else []))')
    expect_eq "v2: one device program, ours" "1 1" "$n"
    expect_eq "v2: delete --force" 0 "$(v2 delete)"
    expect_eq "v2: no cgroup dir left" "" "$(v2 left)"
fi
# ---- bad rules: a clear error naming the rule, nothing left -------------
cp "$BUNDLE/config.json" "$T/config.good.json"
config "c['linux']['cgroupsPath'] = '$CGP/bad'; c['linux']['resources'] = {'devices': [{'allow': True, 'type': 'x', 'access': 'r'}]}"
mr "${PLUG[@]}" create --bundle "$BUNDLE" bad >"$T/bad.out" 2>&1 && fail "a device rule of type x was accepted"
expect_match "invalid type: the error names the rule" "devices\[0\].*type|type.*\"x\"" "$(cat "$T/bad.out")"
expect_eq "invalid type: no state left" "" "$(ls "$ROOT")"
cp "$T/config.good.json" "$BUNDLE/config.json"

# ---- a GPU toolkit's hook rewrites the one device program (FIELD-NOTES #2) --
# 195:253 is not allowed by the config: EPERM. A createRuntime hook that,
# like the NVIDIA toolkit, finds the container's device program and
# replaces it with one that also allows major 195 makes it open (ENXIO: no
# driver here), and there is still exactly one program.
if [ -n "${GPU_BPF_HOOK:-}" ] && [ -x "$GPU_BPF_HOOK" ]; then
    cp "$BUNDLE/config.json" "$T/config.gpu.json"
    config "c['linux']['cgroupsPath'] = '$CGP/g1'
c['process']['args'] = ['sh', '-c', '(exec 3</dev/nvno) 2>&1; echo opened=\$?; exec sleep 100']"
    mr "${PLUG[@]}" run -d --bundle "$BUNDLE" g0 >"$T/g0.out" 2>&1 || fail "run g0: $(cat "$T/g0.out")"
    config "c['linux']['cgroupsPath'] = '$CGP/g2'
c['hooks'] = {'createRuntime': [{'path': '$GPU_BPF_HOOK'}]}"
    mr "${PLUG[@]}" run -d --bundle "$BUNDLE" g2 >"$T/g2.out" 2>&1 || fail "run g2 with the hook: $(cat "$T/g2.out")"
    sleep 0.3
    expect_match "without the hook, 195:253 is denied" "Operation not permitted" "$(cat "$T/g0.out")"
    expect_match "with the hook, 195:253 opens (ENXIO: no driver)" "No such device or address" "$(cat "$T/g2.out")"
    gp=$(dev_progs "$UNI$CGP/g2")
    expect_eq "still exactly one device program, the hook's" "gpu_hook" "$(printf '%s\n' "$gp" | awk '{print $2}' | xargs)"
    # g2 first: g0 made the common parent cgroup, and removes it last
    mr delete --force g2; mr delete --force g0
    cp "$T/config.gpu.json" "$BUNDLE/config.json"
fi
[ -s "$T/v2.err" ] && echo "v2 stderr: $(cat "$T/v2.err")"
expect_eq "no cgroup dir left anywhere" "" "$(cg_left)"
assert_clean "at the end"
finish
