#!/bin/bash
# Mounts as runc 1.1.5's own mounts.bats, mask.bats and no_pivot.bats expect
# them, checked in the container's mountinfo:
# 1. a rootfs whose /proc or /sys is a dangling symlink: refused ("must be
#    mounted on ordinary directory"), the symlink not followed (a regression
#    test: other dangling destinations are followed inside the rootfs);
# 2. a read-only /dev (runc issue 3248) and a read-only tmpfs with a mount
#    below it (issue 2246): mounted writable, what goes below created, then
#    made read-only;
# 3. --no-pivot: the host's procfs and sysfs are not left in the
#    container's mount namespace, so a nested user namespace cannot mount a
#    fresh proc (the kernel's mount_too_revealing);
# 4. a tmpfs without mode= takes the mode of the directory it covers
#    (permission, set-id and sticky bits), as runc's mountToRootfs passes
#    "mode=%04o" of the existing destination before the options; an
#    explicit mode= wins; a destination made by the runtime keeps the
#    kernel's 1777.
. "$(dirname "$0")/lib.sh"
make_bundle
R=$BUNDLE/rootfs
cp "$BUNDLE/config.json" "$T/config.base.json"
base() { cp "$T/config.base.json" "$BUNDLE/config.json"; }
mnt_opts() { awk -v m="$2" '$5 == m { print $6 }' "/proc/$1/mountinfo" | tail -1; }
create() { # create ID: $out holds the output, $pid the init's pid
    pid=
    mr create --bundle "$BUNDLE" "$1" </dev/null >"$T/out" 2>&1
    local rc=$?
    out=$(cat "$T/out")
    [ $rc -eq 0 ] && pid=$(state_field "$1" pid)
    return $rc
}

# --- 1. /proc or /sys a dangling symlink ----------------------------------
for d in proc sys; do
    base
    args true
    mv "$R/$d" "$R/$d.real"
    ln -s /symlink "$R/$d"
    if create fm-1; then
        fail "/$d -> /symlink accepted; container mounts: $(awk '{print $5}' /proc/$pid/mountinfo | xargs)"
        mr delete --force fm-1
    else
        fs=$([ $d = proc ] && echo proc || echo sysfs)
        expect_match "/$d -> /symlink refused with the cause" \
            "filesystem \"$fs\" must be mounted on ordinary directory: /$d .* is or passes through a symlink" "$out"
    fi
    [ -e "$R/symlink" ] && fail "/$d -> /symlink: the symlink was followed, $R/symlink made" ||
        pass "/$d -> /symlink: not followed (no $R/symlink)"
    [ -e /symlink ] && fail "/symlink exists on the host" || pass "/$d -> /symlink: nothing made on the host"
    rm "$R/$d"
    mv "$R/$d.real" "$R/$d"
    assert_clean "after /$d -> /symlink"
done

# --- 2. read-only mounts with mounts below them ----------------------------
base
args sleep 100
config "[m['options'].append('ro') for m in c['mounts'] if m['destination'] == '/dev']
c['mounts'] += [
  {'destination': '/mnt', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['ro', 'nodev', 'nosuid', 'mode=755']},
  {'destination': '/mnt/sub/deeper', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']},
  {'destination': '/robind', 'type': 'bind', 'source': '$T/robind', 'options': ['bind', 'ro']},
  {'destination': '/robind/in', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']}]"
mkdir -p "$T/robind/in"
if create fm-2; then
    expect_match "/dev read-only (mountinfo)" "^ro," "$(mnt_opts $pid /dev)"
    expect_match "/dev/pts mounted below it" "^rw," "$(mnt_opts $pid /dev/pts)"
    [ -c "/proc/$pid/root/dev/null" ] && pass "/dev/null created before /dev became read-only" ||
        fail "no /dev/null in the read-only /dev"
    expect_match "/mnt tmpfs read-only" "^ro,.*nosuid.*nodev|^ro,.*nodev.*nosuid|^ro,nosuid,nodev" "$(mnt_opts $pid /mnt)"
    expect_match "/mnt/sub/deeper mounted below it, writable" "^rw," "$(mnt_opts $pid /mnt/sub/deeper)"
    expect_match "/robind bind read-only" "^ro," "$(mnt_opts $pid /robind)"
    expect_match "/robind/in mounted below it (on an existing mount point)" "^rw," "$(mnt_opts $pid /robind/in)"
    w=$(mr exec fm-2 sh -c 'touch /dev/x 2>&1; touch /mnt/x 2>&1; touch /mnt/sub/deeper/x && echo deeper-ok' 2>&1)
    expect_match "writes to /dev and /mnt fail with EROFS" "/dev/x.*Read-only.*/mnt/x.*Read-only" "$(echo $w)"
    expect_match "writes below them still work" "deeper-ok" "$w"
    mr delete --force fm-2
else
    fail "read-only /dev, /mnt and /robind with mounts below: $out"
fi
assert_clean "after the read-only mounts"
# a read-only bind stays read-only: no mount point is made in the host's
# source directory (runc and crun refuse it too)
config "c['mounts'].append({'destination': '/robind/new', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']})"
if create fm-2; then
    fail "a mount point made below a read-only bind"
    mr delete --force fm-2
else
    expect_match "a missing mount point below a read-only bind: refused naming it" "/robind/new.*Read-only file system" "$out"
fi
[ -e "$T/robind/new" ] && fail "$T/robind/new made in the read-only bind's source" ||
    pass "nothing made in the read-only bind's source"
assert_clean "after the refused mount below a read-only bind"

# --- 3. --no-pivot hides the host's procfs and sysfs -----------------------
base
config "c['process']['args'] = ['unshare', '-mrpf', 'sh', '-c', 'mount -t proc none /proc && echo MOUNTED || echo REFUSED']
for k in ('bounding', 'permitted', 'effective'):
    c['process']['capabilities'][k] = sorted(set(c['process']['capabilities'].get(k, []) + ['CAP_SETFCAP']))"
host_proc=$(grep -c ' - proc ' /proc/self/mountinfo)
out=$(mr run --no-pivot --bundle "$BUNDLE" fm-3 </dev/null 2>&1)
expect_no_match "--no-pivot: a nested user namespace cannot mount a bare proc" "MOUNTED" "$out"
expect_match "... the kernel refuses it (EPERM)" "mount: permission denied.*REFUSED" "$(echo $out)"
expect_eq "the host's proc mounts are untouched" "$host_proc" "$(grep -c ' - proc ' /proc/self/mountinfo)"
assert_clean "after --no-pivot"

# --- 4. a tmpfs takes the mode of the directory it covers ------------------
base
mkdir -p "$R/m710" "$R/m2775" "$R/mexp"
chmod 0710 "$R/m710" "$R/mexp"
chmod 2775 "$R/m2775"
rm -rf "$R/mnew"
config "c['mounts'] += [
  {'destination': '/m710', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'size=1m']},
  {'destination': '/m2775', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']},
  {'destination': '/mexp', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['mode=1777', 'size=1m']},
  {'destination': '/mnew', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']}]"
args sh -c 'for d in /m710 /m2775 /mexp /mnew /dev /dev/shm; do
    echo "$d $(stat -c %a $d) $(awk -v d=$d '"'"'$5 == d { print $NF }'"'"' /proc/self/mountinfo | tail -1)"; done'
out=$(mr run --bundle "$BUNDLE" fm-4 </dev/null 2>&1)
mode_of() { awk -v d="$1" '$1 == d { print $2 }' <<<"$out"; }
opts_of() { awk -v d="$1" '$1 == d { print $3 }' <<<"$out"; }
expect_eq "tmpfs on a 0710 directory: mode 710 (runc)" 710 "$(mode_of /m710)"
expect_match "... the tmpfs was mounted with mode=710" "(^|,)mode=710(,|$)" "$(opts_of /m710)"
expect_eq "tmpfs on a 2775 directory: the set-gid bit too" 2775 "$(mode_of /m2775)"
expect_match "... mounted with mode=2775" "(^|,)mode=2775(,|$)" "$(opts_of /m2775)"
expect_eq "an explicit mode=1777 on a 0710 directory wins" 1777 "$(mode_of /mexp)"
expect_no_match "... no mode= of the directory (1777 is the default mountinfo leaves out)" "mode=" "$(opts_of /mexp)"
expect_eq "a missing destination: created, the kernel's 1777" 1777 "$(mode_of /mnew)"
[ -d "$R/mnew" ] && pass "... /mnew created in the rootfs" || fail "/mnew not created in the rootfs"
expect_eq "/dev keeps the default config's mode=755" 755 "$(mode_of /dev)"
expect_eq "/dev/shm keeps the default config's mode=1777" 1777 "$(mode_of /dev/shm)"
expect_eq "the image's directory itself is unchanged" 710 "$(stat -c %a "$R/m710")"
rm -rf "$R/m710" "$R/m2775" "$R/mexp" "$R/mnew"
assert_clean "after the tmpfs modes"

finish
