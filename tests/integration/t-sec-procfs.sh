#!/bin/bash
# Mounts and procfs (CVE-2019-16884, CVE-2019-19921, CVE-2025-52881
# classes): a mount destination that the image's symlinks lead into /proc is
# refused, proc is only mounted on an ordinary directory, masked and
# read-only paths are mounted on by fd (no path through the container's
# /proc), and sysctls are written only to a real procfs. Each case performs
# the attack against canaries made here and checks what the kernel shows;
# runc (when installed) is run on the same bundles for comparison.
. "$(dirname "$0")/lib.sh"
make_bundle
R=$BUNDLE/rootfs
args sleep 100
ID=secprocfs$$
cp "$BUNDLE/config.json" "$T/config.orig"
reset_config() { cp "$T/config.orig" "$BUNDLE/config.json"; }
# create ID: its output in $out (through a file: the container keeps stdout)
create() { mr create --bundle "$BUNDLE" "$1" </dev/null >"$T/out" 2>&1; local rc=$?; out=$(cat "$T/out"); return $rc; }
mounts_of() { awk '{ print $5 }' "/proc/$1/mountinfo"; }
RUNC=$(command -v runc || true)
# runc_note WHAT: runc on the same bundle, for comparison (printed, not
# asserted: runc 1.1.5 checks only bind mounts against /proc)
runc_note() {
    [ -n "$RUNC" ] || return 0
    local id=sec-procfs-$$ out
    if (cd "$BUNDLE" && timeout 30 "$RUNC" --root "$T/runc" create "$id" </dev/null >"$T/runc.out" 2>&1); then
        out="accepts it"
        timeout 10 "$RUNC" --root "$T/runc" delete -f "$id" >/dev/null 2>&1
    else
        out="refuses it: $(grep -o 'error mounting.*' "$T/runc.out" | head -1)"
    fi
    echo "info: $1: runc $("$RUNC" --version | awk 'NR == 1 { print $3 }') $out"
}

# 1. A destination that an image symlink leads into /proc: a tmpfs over
# /proc/sys/kernel, a host file over /proc/sys/kernel/core_pattern.
ln -s /proc/sys/kernel "$R/data"
ln -s /proc/sys/kernel/core_pattern "$R/cp"
echo canary > "$T/file-canary"
for m in "{'destination': '/data', 'type': 'tmpfs', 'source': 'tmpfs'}" \
         "{'destination': '/cp', 'type': 'bind', 'source': '$T/file-canary', 'options': ['bind']}"; do
    reset_config
    config "c['mounts'].append($m)"
    dest=$(python3 -c "print($m['destination'])")
    if create ${ID}p1; then
        pid=$(state_field ${ID}p1 pid)
        fail "symlinked destination $dest into /proc accepted; the container's mounts: $(mounts_of "$pid" | grep ^/proc/sys | xargs)"
        mr delete --force ${ID}p1
    else
        expect_match "$dest -> /proc/...: refused, naming where it resolved" \
            "mount destination $dest \(resolved beneath the rootfs .* to /proc/sys/kernel[a-z_/]*, following the image's symlinks\) cannot be mounted because it is inside /proc" "$out"
    fi
    runc_note "destination $dest -> /proc/sys/kernel..."
    assert_clean "after the symlinked destination $dest"
done
rm "$R/data" "$R/cp"

# The files lxcfs binds over stay allowed, also reached through a symlink.
reset_config
ln -s /proc/uptime "$R/up"
echo "1.00 1.00" > "$T/uptime"
config "c['mounts'].append({'destination': '/up', 'type': 'bind', 'source': '$T/uptime', 'options': ['bind', 'ro']})"
create ${ID}p2 || fail "a bind over /proc/uptime (lxcfs) was refused"
pid=$(state_field ${ID}p2 pid)
[ -n "$pid" ] && expect_eq "bind over /proc/uptime is in the container's mountinfo" 1 "$(mounts_of "$pid" | grep -cx /proc/uptime)"
mr delete --force ${ID}p2
rm "$R/up"

# 2. A rootfs whose /proc is a symlink: proc must not be mounted where it
# points (a canary directory, or the container's "/").
mv "$R/proc" "$R/proc.real"
mkdir -p "$R/tmp/x"
for target in /tmp/x /; do
    reset_config
    ln -sfn "$target" "$R/proc"
    if create ${ID}p3; then
        pid=$(state_field ${ID}p3 pid)
        fail "/proc -> $target: proc mounted through the symlink; container mounts: $(mounts_of "$pid" | xargs)"
        mr delete --force ${ID}p3
    else
        expect_match "/proc -> $target: refused" \
            "filesystem \"proc\" must be mounted on ordinary directory: /proc .* is or passes through a symlink" "$out"
    fi
    expect_eq "/proc -> $target: the canary directory stays empty" "" "$(ls -A "$R/tmp/x")"
    runc_note "/proc -> $target"
    assert_clean "after /proc -> $target"
done
rm "$R/proc"
mv "$R/proc.real" "$R/proc"

# 3. Masked and read-only paths go through no path of the container's
# /proc: an image without a proc mount whose /proc/self/fd/N are symlinks to
# a decoy would have /dev/null bound over the decoy, and the secret left
# readable.
reset_config
echo secret > "$R/etc/secret"
echo decoy > "$R/etc/decoy"
mkdir -p "$R/proc/self/fd" "$R/etc/rodir"
for n in $(seq 3 40); do ln -s /etc/decoy "$R/proc/self/fd/$n"; done
config "c['mounts'] = [m for m in c['mounts'] if m['type'] != 'proc']
c['linux']['maskedPaths'] = ['/etc/secret']
c['linux']['readonlyPaths'] = ['/etc/rodir']"
create ${ID}p4 || fail "masked paths without proc: $out"
pid=$(state_field ${ID}p4 pid)
if [ -n "$pid" ]; then
    expect_eq "the secret is masked (the kernel's view through the init's root)" "" "$(cat "/proc/$pid/root/etc/secret")"
    expect_eq "the decoy is untouched" decoy "$(cat "/proc/$pid/root/etc/decoy")"
    expect_match "/etc/rodir is a read-only mount" "^ro" "$(awk '$5 == "/etc/rodir" { print $6 }' "/proc/$pid/mountinfo")"
    expect_eq "no mount on the decoy" 0 "$(mounts_of "$pid" | grep -cx /etc/decoy)"
fi
mr delete --force ${ID}p4
rm -rf "$R/proc/self" "$R/etc/secret" "$R/etc/decoy" "$R/etc/rodir"
assert_clean "after the masked-path decoy"

# A maskedPaths/readonlyPaths entry through an image symlink to a host path
# stays inside the container: the host canary is neither masked nor ro.
reset_config
mkdir -p "$T/host-canary"; echo host > "$T/host-canary/f"
ln -s "/../../../../../../$T/host-canary/f" "$R/etc/mlink"
ln -s "/../../../../../../$T/host-canary" "$R/etc/rlink"
config "c['linux']['maskedPaths'] = ['/etc/mlink']; c['linux']['readonlyPaths'] = ['/etc/rlink']"
create ${ID}p5 || fail "create with masked/readonly symlinks to host paths: $out"
pid=$(state_field ${ID}p5 pid)
[ -n "$pid" ] && expect_eq "no mount in the container at the host canary's path" "" "$(mounts_of "$pid" | grep "host-canary")"
expect_eq "host canary intact" host "$(cat "$T/host-canary/f")"
expect_eq "no mount on the host at the canary" "" "$(grep host-canary /proc/self/mountinfo)"
mr delete --force ${ID}p5
rm "$R/etc/mlink" "$R/etc/rlink"
assert_clean "after the masked-path symlinks"

# 3b. What masks a file is the null device, never what the image has at
# /dev/null (CVE-2025-31133 class): without a /dev mount, an image whose
# /dev/null is a symlink to a host file, or a plain file, must not get that
# file bound over the masked path (a symlink to, say, core_pattern would be
# bound read-write there). Refused, or masked with the real null device.
reset_config
echo secret > "$R/etc/secret"
echo host > "$T/null-canary"
config "c['mounts'] = [m for m in c['mounts'] if not m['destination'].startswith('/dev')]
c['linux']['maskedPaths'] = ['/etc/secret']; c['linux']['readonlyPaths'] = []"
for kind in symlink file; do
    rm -f "$R/dev/null"
    if [ $kind = symlink ]; then ln -s "/../../../../../../$T/null-canary" "$R/dev/null"; else echo fake > "$R/dev/null"; fi
    if create ${ID}n$kind; then
        pid=$(state_field ${ID}n$kind pid)
        expect_eq "/dev/null a $kind: the secret is masked" "" "$(cat "/proc/$pid/root/etc/secret")"
        expect_eq "/dev/null a $kind: what masks it is the null device" "character special file 1:3" \
            "$(nsenter -t "$pid" -m stat -L -c '%F %t:%T' /etc/secret)"
        mr delete --force ${ID}n$kind
    else
        expect_match "/dev/null a $kind: refused, naming /dev/null" \
            "(default device: /dev/null is already a|maskedPaths: /dev/null inside the container is not the null device)" "$out"
    fi
    expect_eq "/dev/null a $kind: the host file is untouched" host "$(cat "$T/null-canary")"
    expect_eq "/dev/null a $kind: no mount of it left on the host" "" "$(grep null-canary /proc/self/mountinfo)"
    assert_clean "after /dev/null a $kind"
done
rm -f "$R/dev/null" "$R/etc/secret"

# 4. sysctls go only to a real procfs: in a joined mount namespace whose
# /proc/sys is a tmpfs (with a fake ip_forward file), the value must reach
# the kernel (the container's network namespace), not the tmpfs.
reset_config
unshare -m --propagation private sh -c '
    mount -t tmpfs tmpfs /proc/sys && mkdir -p /proc/sys/net/ipv4 && echo 0 > /proc/sys/net/ipv4/ip_forward &&
    touch "$1/holder-ready" && exec sleep 100' sh "$T" &
BG_PIDS="$BG_PIDS $!"
holder=$!
wait_for test -e "$T/holder-ready" || die "mount namespace holder did not start"
config "c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'mount'] + [{'type': 'mount', 'path': '/proc/$holder/ns/mnt'}]
c['linux']['sysctl'] = {'net.ipv4.ip_forward': '1'}
c['mounts'] = []; c['linux']['maskedPaths'] = []; c['linux']['readonlyPaths'] = []
c['root']['path'] = '/'"
create ${ID}p6
rc=$?
expect_eq "the tmpfs over /proc/sys was not written to" 0 "$(cat "/proc/$holder/root/proc/sys/net/ipv4/ip_forward")"
if [ $rc -eq 0 ]; then
    pid=$(state_field ${ID}p6 pid)
    expect_eq "the kernel shows the sysctl in the container's network namespace" 1 \
        "$(nsenter -t "$pid" -n cat /proc/sys/net/ipv4/ip_forward)"
    mr delete --force ${ID}p6
else
    expect_match "or the write is refused, naming /proc/sys" "linux.sysctl net.ipv4.ip_forward=1: /proc/sys/net/ipv4/ip_forward is (covered by another mount|not a regular file on procfs)" "$out"
fi
assert_clean "after the sysctl through a joined mount namespace"
finish
