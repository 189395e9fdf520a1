#!/bin/bash
# Security: a "cgroup" mount shows the container its own cgroup in every
# hierarchy and nothing above it: with and without a cgroup namespace, ro
# and rw, in a user namespace, on v1/hybrid (this host) and v2 (cgroup2 over
# /sys/fs/cgroup in a private mount namespace). The init once read
# /proc/self/cgroup after unsharing its cgroup namespace ("/" everywhere)
# and bound every hierarchy's root: read-only it saw every host cgroup and
# release_agent; read-write it wrote its pid into any cgroup.procs (v1 has
# no namespace check), left its pids and devices cgroups and, with
# CAP_MKNOD, read a host block device. Checked from the host (the kernel's
# view): the root of every cgroup mount in /proc/PID/mountinfo is the
# container's cgroup; after the container wrote its pid into every
# cgroup.procs it can name (its own, its parent's, the hierarchy's root, a
# sibling canary cgroup the test made), /proc/PID/cgroup is unchanged, the
# canary and the parent hold no process, and mknod + read of the host's
# root block device fails.
. "$(dirname "$0")/lib.sh"

CGP=/modrun-it-seccg-$$        # every cgroupsPath of this test is below it
PLUG=(--plugin cgroup=cgroupfs)
trap cg_cleanup EXIT  # lib.sh

pid_of() { state_field "$1" pid; }

# The hierarchies a cgroup mount at /sys/fs/cgroup shows in mountinfo file
# $1, one "name root" a line, sorted ("" as the name of a cgroup2 mounted on
# /sys/fs/cgroup itself); with $2, "name $2" (what they must show). As
# mount-cgroup.c: the top mount at /sys/fs/cgroup if cgroup2, else the top
# v1 (type cgroup) mounts right beneath it (hidden ones do not count; the
# hybrid cgroup2 one is not shown, as by runc and crun).
cg_mounts() {
    python3 - "$1" "${2:-}" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    pre, post = line.split(" - ", 1)
    f = pre.split()
    rows.append((f[0], f[1], f[3], f[4], post.split()[0]))
def top(mp):
    t = [r for r in rows if r[3] == mp]
    return t[-1] if t else None
base = "/sys/fs/cgroup"
t, out = top(base), []
if t and t[4] == "cgroup2":
    out.append(("", t[2]))
elif t:
    for r in rows:
        name = r[3][len(base) + 1:]
        if r[1] == t[0] and r[4] == "cgroup" and r[3].startswith(base + "/") \
                and "/" not in name and top(r[3]) is r:
            out.append((name, r[2]))
print("\n".join("%s %s" % (n, sys.argv[2] or root) for n, root in sorted(out)))
PY
}

# The attack, inside the container (sh is the init: $$ is its pid there):
# its pid into every cgroup.procs it can name from each hierarchy's mount.
attack='for h in /sys/fs/cgroup/ /sys/fs/cgroup/*/; do
  for f in cgroup.procs ../cgroup.procs canary/cgroup.procs ../canary/cgroup.procs '"${CGP#/}"'/cgroup.procs \
           '"${CGP#/}"'/canary/cgroup.procs ../../cgroup.procs; do
    [ -e "$h$f" ] && echo $$ 2>/dev/null >"$h$f" && echo "$h$f" >>/tmp/wrote
  done
done
[ -n "$BLK" ] && mknod /tmp/sec-blk b ${BLK%:*} ${BLK#*:} 2>/dev/null &&
  { head -c 512 /tmp/sec-blk 2>/dev/null | wc -c >/tmp/blk.bytes; }
echo done >/tmp/attack.done
exec sleep 1000'

# the host's root block device ("maj:min"), the canary of the devices escape
BLK=$(mountpoint -d / 2>/dev/null)
[ -n "$BLK" ] && [ -e "/sys/dev/block/$BLK" ] || { echo "note: / is not on a block device: mknod check skipped"; BLK=""; }

make_bundle
chmod 1777 "$BUNDLE/rootfs/tmp"  # (the user namespace case writes there too)
cp "$BUNDLE/config.json" "$T/base.json"

# setup CGNS(0|1) RO(0|1) ID [python]: the config, with a cgroup mount
setup() {
    cp "$T/base.json" "$BUNDLE/config.json"
    local ro=""; [ "$2" = 1 ] && ro=", 'ro'"
    config "
c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/sys/fs/cgroup']
c['mounts'].append({'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup',
                    'options': ['nosuid', 'noexec', 'nodev', 'relatime'$ro]})
c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'cgroup']
if $1: c['linux']['namespaces'].append({'type': 'cgroup'})
c['linux']['cgroupsPath'] = '$CGP/$3'
for k in ('bounding', 'effective', 'permitted'):
    c['process']['capabilities'][k].append('CAP_MKNOD')
c['process']['env'].append('BLK=$BLK')
${4:-}
"
    args sh -c "$attack"
    rm -f "$BUNDLE/rootfs/tmp/wrote" "$BUNDLE/rootfs/tmp/blk.bytes" "$BUNDLE/rootfs/tmp/attack.done"
}

# check ID WHAT RO: run the attack in container ID, check the kernel's view.
# CG_LINES selects the /proc/PID/cgroup lines of the hierarchies the
# container has cgroups in.
CG_LINES=.
check() {
    local id=$1 what=$2 pid h
    mr "${PLUG[@]}" run -d --bundle "$BUNDLE" "$id" >"$T/out" 2>&1 || { fail "$what: run: $(cat "$T/out")"; return; }
    pid=$(pid_of "$id")
    wait_for test -e "$BUNDLE/rootfs/tmp/attack.done" || fail "$what: the attack never finished"
    local seen; seen=$(cg_mounts "/proc/$pid/mountinfo")
    expect_eq "$what: every hierarchy mounted, each with the container's cgroup as root" \
        "$(cg_mounts /proc/self/mountinfo "$CGP/$id")" "$seen"
    expect_no_match "$what: no mount root above the container's cgroup" ' (/|/\.\..*)$' "$seen"
    local now; now=$(grep -E "$CG_LINES" "/proc/$pid/cgroup")
    expect_eq "$what: /proc/PID/cgroup unchanged after the writes" "$(sed "s|:[^:]*\$|:$CGP/$id|" <<<"$now")" "$now"
    for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [ -e "$h${CGP#/}/canary/cgroup.procs" ] || continue
        [ -z "$(cat "$h${CGP#/}/canary/cgroup.procs")" ] || fail "$what: a process reached the canary in $h"
        [ -z "$(cat "$h${CGP#/}/cgroup.procs")" ] || fail "$what: a process reached the parent cgroup in $h"
    done
    expect_no_match "$what: no cgroup.procs outside its own cgroup written" \
        'canary|\.\./|seccg' "$(cat "$BUNDLE/rootfs/tmp/wrote" 2>/dev/null)"
    [ -z "$BLK" ] || expect_eq "$what: the host's block device $BLK unreadable" "" \
        "$(grep -v '^0$' "$BUNDLE/rootfs/tmp/blk.bytes" 2>/dev/null)"
    [ "$3" = 1 ] && expect_no_match "$what: the mounts are read-only" '(^| )rw' \
        "$(awk '$5 ~ "^/sys/fs/cgroup" { print $6 }' "/proc/$pid/mountinfo" | sort -u | tr '\n' ' ')"
    mr delete --force "$id" >/dev/null 2>&1 || fail "$what: delete"
}

# ---- v1 / hybrid: the host's layout -------------------------------------
if grep -qE " /sys/fs/cgroup/[^ /]+ [^-]* - cgroup " /proc/self/mountinfo; then
    for h in $(cg_mounts /proc/self/mountinfo x | awk '{ print $1 }'); do
        mkdir -p "/sys/fs/cgroup/$h$CGP/canary" || die "make the canary cgroup in $h"
    done
    # (a v1 cpuset cgroup takes no task, hence no child, until it has cpus and mems)
    for d in /sys/fs/cgroup/cpuset$CGP /sys/fs/cgroup/cpuset$CGP/canary; do
        [ -e "$d/cpuset.cpus" ] || continue
        cat /sys/fs/cgroup/cpuset/cpuset.cpus >"$d/cpuset.cpus" && cat /sys/fs/cgroup/cpuset/cpuset.mems >"$d/cpuset.mems" ||
            die "give $d cpus and mems"
    done
    for cgns in 1 0; do
        for ro in 0 1; do
            setup $cgns $ro "c$cgns$ro"
            check "c$cgns$ro" "cgroupns=$cgns ro=$ro" $ro
        done
    done
    # a user namespace owning the cgroup namespace: the same view
    chmod 711 "$T"  # (its root, host uid 100000, must reach the bundle)
    setup 1 0 cu "
c['annotations'] = {'org.modrun.rootfs-idmap': 'true'}
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
    check cu "cgroupns=1 userns ro=0" 0
else
    echo "note: no cgroup v1 hierarchy on this host: v1 cases skipped"
fi

# ---- v2: cgroup2 over /sys/fs/cgroup in a private mount namespace ----------
# (a pure v2 host has it there already: mounting it again is EBUSY)
{
    declare -p PLUG CGP BLK attack ROOT BUNDLE T MODRUN PLUGIN_DIR SOURCE_ROOT
    declare -f mr state_field wait_for fail pass expect_eq expect_match expect_no_match pid_of cg_mounts \
        setup check config args
} >"$T/v2.defs"
cat >"$T/v2.sh" <<'V2'
set -u
. "$1"
mount --make-rprivate / && { [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || mount -t cgroup2 none /sys/fs/cgroup; } ||
    { echo "FAIL: v2: cannot mount cgroup2 in a private mount namespace"; exit 1; }
FAILED=0 CG_LINES='^0::'
PLUG+=(--plugin devices=ebpf)  # (no v1 devices controller here: CAP_MKNOD needs a filter)
mkdir -p "/sys/fs/cgroup$CGP/canary" || { echo "FAIL: v2: make the canary cgroup"; exit 1; }
for cgns in 1 0; do
    for ro in 0 1; do
        setup $cgns $ro "v$cgns$ro"
        check "v$cgns$ro" "v2 cgroupns=$cgns ro=$ro" $ro
    done
done
exit $FAILED
V2
timeout -k 5 120 unshare -m bash "$T/v2.sh" "$T/v2.defs" || fail "the v2 cases (above)"

expect_eq "no process left in the canaries" "" \
    "$(cat /sys/fs/cgroup/*$CGP/canary/cgroup.procs /sys/fs/cgroup$CGP/canary/cgroup.procs 2>/dev/null)"
for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$d${CGP#/}" ] && find "$d${CGP#/}" -depth -type d -exec rmdir {} \;
done
expect_eq "no cgroup dir left anywhere" "" "$(cg_left)"
assert_clean "at the end"
finish
