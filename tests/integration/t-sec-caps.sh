#!/bin/bash
# Capabilities by omission: a config.json without process.capabilities (or
# without one of its sets) gives empty sets, as runc, not the runtime's
# capabilities; an exec'd process whose process object (exec --process
# FILE) leaves out capabilities, noNewPrivileges or rlimits gets the
# container's, never more. A static probe installed setuid root in the
# rootfs prints /proc/self/status: the kernel's view of its credentials.
. "$(dirname "$0")/lib.sh"
CC=${CC:-cc}
command -v "$CC" >/dev/null || { echo "SKIP: no C compiler ($CC) to build the probe"; exit 77; }
make_bundle
"$CC" -static -O2 -o "$BUNDLE/rootfs/bin/probe" "$(dirname "$0")/helpers/sec-caps-probe.c" ||
    { echo "SKIP: cannot build a static probe"; exit 77; }
cp "$BUNDLE/rootfs/bin/probe" "$BUNDLE/rootfs/bin/suidprobe"
chmod 4755 "$BUNDLE/rootfs/bin/suidprobe"
cp "$BUNDLE/config.json" "$T/spec.json"

# caps_of TEXT: "Uid CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs" of a status text
caps_of() {
    printf '%s\n' "$1" | awk '$1 ~ /^(Uid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):$/ { $1 = ""; sub(/^ /, ""); printf "%s|", $0 }'
}
# run_probe ID: run the bundle's config in the foreground, print its status
run_probe() { mr run --bundle "$BUNDLE" "$1" 2>&1; mr delete --force "$1" >/dev/null 2>&1; }
# with_runc WHAT EXPECTED: the same config under runc gives the same (when runc is here)
with_runc() {
    command -v runc >/dev/null || return 0
    local out; out=$(cd "$BUNDLE" && timeout 60 runc --root "$T/runc" run "r$$" 2>&1)
    timeout 30 runc --root "$T/runc" delete --force "r$$" >/dev/null 2>&1
    expect_eq "$1: same as runc" "$2" "$(caps_of "$out")"
}
ZERO=0000000000000000
EMPTY="$ZERO|$ZERO|$ZERO|$ZERO|$ZERO"

# --- process.capabilities absent -------------------------------------------
for who in "0 probe" "0 suidprobe" "1000 probe" "1000 suidprobe"; do
    set -- $who
    cp "$T/spec.json" "$BUNDLE/config.json"
    config "p = c['process']; del p['capabilities']; p['noNewPrivileges'] = False
p['user'] = {'uid': $1, 'gid': $1}; p['args'] = ['/bin/$2']"
    got=$(caps_of "$(run_probe seccaps-a1)")
    euid=0; [ "$1" = 1000 ] && [ "$2" = probe ] && euid=1000
    expect_eq "no process.capabilities, uid $1 runs $2: every set empty" "$1 $euid $euid $euid|$EMPTY|0|" "$got"
    with_runc "no process.capabilities, uid $1 runs $2" "$got"
done

# --- one set absent: empty; a setuid-root exec gets at most the bounding set -
cp "$T/spec.json" "$BUNDLE/config.json"
config "p = c['process']; p['capabilities'] = {'bounding': ['CAP_KILL']}; p['noNewPrivileges'] = False
p['user'] = {'uid': 1000, 'gid': 1000}; p['args'] = ['/bin/suidprobe']"
got=$(caps_of "$(run_probe seccaps-a2)")
expect_eq "bounding only, uid 1000 runs a setuid-root binary: CAP_KILL at most" \
    "1000 0 0 0|$ZERO|0000000000000020|0000000000000020|0000000000000020|$ZERO|0|" "$got"
with_runc "bounding only" "$got"
cp "$T/spec.json" "$BUNDLE/config.json"
config "p = c['process']; p['capabilities'] = {'effective': ['CAP_KILL'], 'permitted': ['CAP_KILL']}
p['noNewPrivileges'] = False; p['args'] = ['/bin/probe']"
got=$(caps_of "$(run_probe seccaps-a3)")
expect_eq "no bounding list: an empty bounding set" "0000000000000000" "$(echo "$got" | cut -d'|' -f5)"
with_runc "no bounding list" "$got"

# --- exec --process without capabilities / noNewPrivileges ------------------
# the container: runc's default capabilities (0x20000420), noNewPrivileges,
# RLIMIT_NOFILE 1024
DEFAULT=0000000020000420
for nnp in False True; do
    cp "$T/spec.json" "$BUNDLE/config.json"
    config "c['process']['args'] = ['sleep', '1000']; c['process']['noNewPrivileges'] = $nnp"
    mr run -d --bundle "$BUNDLE" "seccaps-e$nnp" >"$T/out" 2>&1 </dev/null || die "run -d: $(cat "$T/out")"
done
printf '{"args": ["/bin/probe"], "cwd": "/", "user": {"uid": 0, "gid": 0}}' >"$T/root.json"
printf '{"args": ["/bin/suidprobe"], "cwd": "/", "user": {"uid": 1000, "gid": 1000}}' >"$T/user.json"
got=$(caps_of "$(mr exec --process "$T/root.json" seccaps-eFalse 2>&1)")
expect_eq "exec -p without capabilities, uid 0: the container's sets" \
    "0 0 0 0|$ZERO|$DEFAULT|$DEFAULT|$DEFAULT|$ZERO|0|" "$got"
got=$(caps_of "$(mr exec --process "$T/user.json" seccaps-eFalse 2>&1)")
expect_eq "exec -p without capabilities, uid 1000 runs a setuid-root binary: the container's bounding set" \
    "1000 0 0 0|$ZERO|$DEFAULT|$DEFAULT|$DEFAULT|$ZERO|0|" "$got"
got=$(caps_of "$(mr exec --process "$T/user.json" seccaps-eTrue 2>&1)")
expect_eq "exec -p without noNewPrivileges: the container's (set), so setuid gives nothing" \
    "1000 1000 1000 1000|$ZERO|$ZERO|$ZERO|$DEFAULT|$ZERO|1|" "$got"
expect_match "exec (command line): the container's RLIMIT_NOFILE" "Max open files +1024 +1024" \
    "$(mr exec seccaps-eTrue cat /proc/self/limits 2>&1)"
printf '{"args": ["cat", "/proc/self/limits"], "cwd": "/", "env": ["PATH=/bin"]}' >"$T/limits.json"
expect_match "exec -p without rlimits: the container's RLIMIT_NOFILE" "Max open files +1024 +1024" \
    "$(mr exec --process "$T/limits.json" seccaps-eTrue 2>&1)"
got=$(caps_of "$(mr exec seccaps-eTrue /bin/probe 2>&1)")
expect_eq "exec ID CMD: the container's sets and noNewPrivileges" "0 0 0 0|$ZERO|$DEFAULT|$DEFAULT|$DEFAULT|$ZERO|1|" "$got"
# what the caller asks for explicitly still goes, as in runc
printf '{"args": ["/bin/probe"], "cwd": "/", "noNewPrivileges": false, "capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}}' >"$T/explicit.json"
got=$(caps_of "$(mr exec --process "$T/explicit.json" seccaps-eTrue 2>&1)")
expect_eq "exec -p with explicit capabilities and noNewPrivileges false: as written" \
    "0 0 0 0|$ZERO|0000000000000020|0000000000000020|0000000000000020|$ZERO|0|" "$got"
got=$(caps_of "$(mr exec --no-new-privs --process "$T/root.json" seccaps-eFalse 2>&1)")
expect_eq "exec -p --no-new-privs: set" "1|" "$(echo "$got" | cut -d'|' -f7-)"
mr delete --force seccaps-eFalse; mr delete --force seccaps-eTrue
assert_clean
finish
