#!/bin/bash
# Mounts as runc and crun do them, checked in the container's mountinfo:
# 1. a destination that is a dangling symlink is followed inside the rootfs
#    and its target created there (crun), never on the host;
# 2. bind sources the init cannot reach in its user namespace (a 0700
#    directory of host root on the way, a symlinked source) are opened by
#    the runtime and attached (runc 1.2's mount source fds, crun);
# 3. linux.rootfsPropagation: the optional fields of "/" (shared:N,
#    master:N, unbindable), and what propagates;
# 4. every mount option `features` lists is accepted; recursive attributes
#    reach a submount; tmpcopyup; src-nofollow/dest-nofollow (crun's);
#    an unknown option is file system data (ignored by a bind, refused by
#    tmpfs naming it), as runc.
. "$(dirname "$0")/lib.sh"
chmod 0755 "$T" # the user namespace's root must reach the bundle
make_bundle
cp "$BUNDLE/config.json" "$T/config.base.json"
base() { cp "$T/config.base.json" "$BUNDLE/config.json"; }
# mountinfo fields of the mount at $2 in process $1: options, optional fields
mnt_opts() { awk -v m="$2" '$5 == m { print $6 }' "/proc/$1/mountinfo" | tail -1; }
mnt_optional() { awk -v m="$2" '$5 == m { s = ""; for (i = 7; $i != "-"; i++) s = s " " $i; print s }' "/proc/$1/mountinfo" | tail -1; }
# (python starts slowly on a loaded host: the pid is read with sed)
# between sections: no state, no mount of the rootfs left (assert_clean,
# which walks every process, once at the end)
left_clean() {
    local st; st=$(ls -A "$ROOT" 2>/dev/null)
    [ -z "$st" ] || fail "$1: state left: $st"
    if grep -q " $BUNDLE/rootfs" /proc/self/mountinfo; then fail "$1: mounts left under the rootfs"; fi
}
create() { # create ID: create, or fail with the output; sets pid
    pid=
    if mr create --bundle "$BUNDLE" "$1" >"$T/out" 2>&1 </dev/null; then
        pid=$(mr state "$1" | sed -n 's/^ *"pid": *\([0-9]*\).*/\1/p')
    else fail "create $1: $(cat "$T/out")"; fi
}

# --- 1. dangling symlink destinations ------------------------------------
mkdir -p "$T/src/sub"
echo nameserver-x >"$T/src/resolv"
ln -s ../run/resolv.conf "$BUNDLE/rootfs/etc/resolv.conf"        # relative, dangling
ln -s "/../../../..$T/escaped" "$BUNDLE/rootfs/etc/hosts"         # absolute, aims out of the rootfs
ln -s /nowhere/dir "$BUNDLE/rootfs/dlink"                         # a directory destination
ln -s ../nowhere2/dir "$BUNDLE/rootfs/etc/deep"                   # dangling below the first component
config "c['mounts'] += [
  {'destination': '/etc/resolv.conf', 'type': 'bind', 'source': '$T/src/resolv', 'options': ['bind', 'ro']},
  {'destination': '/etc/hosts', 'type': 'bind', 'source': '$T/src/resolv', 'options': ['bind']},
  {'destination': '/dlink', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']},
  {'destination': '/etc/deep/sub', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['size=1m']}]"
args sleep 100
create mt-1
if [ -n "$pid" ]; then
    expect_eq "file bind through a dangling relative symlink" nameserver-x "$(cat /proc/$pid/root/etc/resolv.conf)"
    expect_match "... mounted on its target /run/resolv.conf, read-only" "^ro," "$(mnt_opts $pid /run/resolv.conf)"
    [ -f "$BUNDLE/rootfs/run/resolv.conf" ] && pass "target file created inside the rootfs" ||
        fail "no $BUNDLE/rootfs/run/resolv.conf"
    [ -e "$T/escaped" ] && fail "an absolute dangling symlink led out of the rootfs to $T/escaped" ||
        pass "absolute dangling symlink stays in the rootfs"
    expect_eq "... its target made beneath the rootfs" nameserver-x "$(cat "/proc/$pid/root$T/escaped")"
    expect_eq "tmpfs through a dangling directory symlink" tmpfs \
        "$(awk '$5 == "/nowhere/dir" { for (i = 7; $i != "-"; i++); print $(i + 1) }' /proc/$pid/mountinfo)"
    expect_eq "tmpfs below a dangling relative symlink in /etc" tmpfs \
        "$(awk '$5 == "/nowhere2/dir/sub" { for (i = 7; $i != "-"; i++); print $(i + 1) }' /proc/$pid/mountinfo)"
fi
mr delete --force mt-1
left_clean "after dangling symlinks"

# --- 2. bind sources in a user namespace -----------------------------------
HOST_ID=100000
if [ -f "$PLUGIN_DIR/idmap/namespace-idmap.so" ] || [ -f "$PLUGIN_DIR/namespace-idmap.so" ]; then
    mkdir -p "$T/priv/src/sub" "$T/priv/dir"
    echo hidden >"$T/priv/src/f"; echo in-dir >"$T/priv/dir/f"
    ln -s "$T/priv/src" "$T/priv/link"; ln -s "$T/priv/dir" "$T/priv/dirlink"
    mount -t tmpfs -o size=1m privsub "$T/priv/src/sub" && echo inner >"$T/priv/src/sub/g"
    chmod 0700 "$T/priv"                        # host root's, not the container's to reach
    chown -R $HOST_ID:$HOST_ID "$BUNDLE/rootfs"
    echo host-file >"$T/a-file"; ln -s "$T/a-file" "$T/a-symlink"
    ln -s point-to-nowhere "$BUNDLE/rootfs/target"
    config "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $HOST_ID, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $HOST_ID, 'size': 65536}]
c['mounts'] = c['mounts'][:7] + [
  {'destination': '/b', 'type': 'bind', 'source': '$T/priv/src', 'options': ['rbind', 'ro']},
  {'destination': '/s', 'type': 'bind', 'source': '$T/priv/dirlink', 'options': ['bind', 'ro']},
  {'destination': '/im', 'type': 'bind', 'source': '$T/priv/link', 'options': ['rbind', 'idmap']},
  {'destination': '/rim', 'type': 'bind', 'source': '$T/priv/src', 'options': ['rbind', 'ridmap']},
  {'destination': '/target', 'type': 'bind', 'source': '$T/a-symlink', 'options': ['bind', 'dest-nofollow', 'src-nofollow']}]"
    args sleep 100
    create mt-2
    if [ -n "$pid" ]; then
        expect_eq "userns: bind from a 0700 directory of host root" hidden "$(cat /proc/$pid/root/b/f)"
        expect_match "userns: ... read-only" "^ro," "$(mnt_opts $pid /b)"
        expect_eq "userns: rbind brought the submount" inner "$(cat /proc/$pid/root/b/sub/g)"
        expect_eq "userns: bind through a symlinked source" in-dir "$(cat /proc/$pid/root/s/f)"
        expect_match "userns: idmap through a symlinked source" "idmapped" "$(mnt_opts $pid /im)"
        expect_match "userns: ridmap maps the submount too" "idmapped" "$(mnt_opts $pid /rim/sub)"
        expect_no_match "userns: idmap (not ridmap) leaves the submount" "idmapped" "$(mnt_opts $pid /im/sub)"
        expect_eq "userns: src-nofollow + dest-nofollow bind the symlink itself" "$T/a-file" \
            "$(readlink /proc/$pid/root/target)"
        mr start mt-2 && wait_for grep -q sleep /proc/$pid/comm || fail "mt-2 did not start"
        expect_eq "userns: the container's root reads it" "hidden" \
            "$(mr exec mt-2 cat /b/f 2>&1)"
    fi
    mr delete --force mt-2
    # the kernel's rule, not lifted: no non-recursive bind of a directory
    # with mounts below it into a user namespace (runc 1.2 alike)
    config "c['mounts'] = c['mounts'][:7] + [{'destination': '/b', 'type': 'bind', 'source': '$T/priv/src', 'options': ['bind']}]"
    if mr create --bundle "$BUNDLE" mt-2b >"$T/out" 2>&1 </dev/null; then fail "userns: a non-recursive bind uncovered a submount"; mr delete --force mt-2b
    else expect_match "userns: non-recursive bind over a submount refused, with the fix" "/b.*$T/priv/src.*use rbind" "$(cat "$T/out")"; fi
    # the clone keeps the kernel's locks of a less privileged mount
    # namespace: the container's root (CAP_SYS_ADMIN in its namespace) can
    # neither make a read-only host mount writable nor uncover a submount
    mkdir -p "$T/rosrc" && mount -t tmpfs -o ro,size=1m rotmp "$T/rosrc"
    config "c['mounts'] = c['mounts'][:7] + [
  {'destination': '/lk', 'type': 'bind', 'source': '$T/rosrc', 'options': ['rbind']},
  {'destination': '/b', 'type': 'bind', 'source': '$T/priv/src', 'options': ['rbind']}]
for k in ('bounding', 'effective', 'permitted'):
    c['process']['capabilities'][k].append('CAP_SYS_ADMIN')"
    args sh -c 'mount -o remount,bind,rw /lk 2>/dev/null && echo remounted-rw || echo ro-locked
                umount /b/sub 2>/dev/null && echo uncovered || echo sub-locked'
    out=$(mr run --bundle "$BUNDLE" mt-2c 2>&1 </dev/null)
    expect_match "userns: a read-only host mount stays read-only (locked)" "^ro-locked$" "$out"
    expect_match "userns: a submount cannot be unmounted (locked)" "^sub-locked$" "$out"
    umount "$T/rosrc"
    umount "$T/priv/src/sub"
    chown -R 0:0 "$BUNDLE/rootfs"
    left_clean "after user namespace binds"
else
    echo "skip: no namespace-idmap plugin, no user namespace binds"
fi

# --- 3. linux.rootfsPropagation ---------------------------------------------
# $T becomes a shared mount holding the bundle, as on a systemd host.
base
mount --bind "$T" "$T" && mount --make-shared "$T"
mkdir -p "$BUNDLE/rootfs/mnt/h"
PROPS="shared rshared rslave private rprivate slave unbindable runbindable"
config "import copy
c['process']['args'] = ['sleep', '100']
for p in '$PROPS'.split():
    d = copy.deepcopy(c)
    d['linux']['rootfsPropagation'] = p
    if 'unbindable' in p:
        for k in ('bounding', 'effective', 'permitted'):
            d['process']['capabilities'][k].append('CAP_SYS_ADMIN')
        d['process']['args'] = ['sh', '-c', 'grep -E \"^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / \" /proc/self/mountinfo; mkdir -p /tmp/t; mount --bind / /tmp/t 2>/dev/null && echo bound || echo bind-refused']
    json.dump(d, open('$T/config.' + p + '.json', 'w'))"
prop_run() { # prop_run VALUE: create mt-3 with it
    cp "$T/config.$1.json" "$BUNDLE/config.json"
    create mt-3
}
for p in shared rshared; do
    prop_run $p
    [ -n "$pid" ] && expect_match "$p: / is shared inside" "shared:[0-9]+" "$(mnt_optional $pid /)"
    mount -t tmpfs hostmnt "$BUNDLE/rootfs/mnt/h"
    [ -n "$pid" ] && expect_eq "$p: not a peer of the host's mount" "" "$(mnt_opts $pid /mnt/h)"
    umount "$BUNDLE/rootfs/mnt/h"
    expect_no_match "$p: the rootfs bind did not reach the host" " $BUNDLE/rootfs " "$(cat /proc/self/mountinfo)"
    mr delete --force mt-3
done
prop_run rslave
[ -n "$pid" ] && expect_match "rslave: / is a slave of the host's mount" "master:[0-9]+" "$(mnt_optional $pid /)"
mount -t tmpfs hostmnt "$BUNDLE/rootfs/mnt/h"
[ -n "$pid" ] && expect_match "rslave: a host mount propagates in" "^rw" "$(mnt_opts $pid /mnt/h)"
umount "$BUNDLE/rootfs/mnt/h"
mr delete --force mt-3
for p in private rprivate slave; do
    prop_run $p
    [ -n "$pid" ] && expect_eq "$p: no optional fields on /" "" "$(mnt_optional $pid /)"
    mr delete --force mt-3
done
for p in unbindable runbindable; do
    cp "$T/config.$p.json" "$BUNDLE/config.json"
    out=$(mr run --bundle "$BUNDLE" mt-3u 2>&1 </dev/null)
    expect_match "$p: the rootfs is bound onto itself and / is unbindable" " / [^ ]+ unbindable - " "$out"
    expect_match "$p: binding / inside fails (EINVAL)" "^bind-refused$" "$out"
done
umount "$T"
left_clean "after rootfsPropagation"

# --- 4. mount options ---------------------------------------------------------
base
mkdir -p "$BUNDLE/rootfs/etc/deep"; echo kept >"$BUNDLE/rootfs/etc/deep/x"; chmod 0710 "$BUNDLE/rootfs/etc"
# two submounts under the bind source: one with every flag (for the
# clearing options), one with none (for the setting ones)
mkdir -p "$T/src/plain"
mount -t tmpfs -o size=1m,ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow flagged "$T/src/sub"
mount -t tmpfs -o size=1m,relatime plain "$T/src/plain"
ln -sfn point-to-nowhere "$BUNDLE/rootfs/target"
echo host-file >"$T/a-file"; ln -sf "$T/a-file" "$T/a-symlink"
# every option features lists, each on a bind of its own (idmap and ridmap
# need a user namespace: section 2)
opts=$("$MODRUN" features | python3 -c 'import json, sys
print(" ".join(o for o in json.load(sys.stdin)["mountOptions"] if o not in ("idmap", "ridmap")))')
recs="rro rrw rnosuid rsuid rnodev rdev rnoexec rexec rnoatime rrelatime rstrictatime rnodiratime rdiratime rnosymfollow rsymfollow"
py="c['mounts'] += ["
for o in $opts; do py="$py {'destination': '/o/$o', 'type': 'bind', 'source': '$T/src', 'options': ['rbind', '$o']},"; done
py="$py {'destination': '/etc', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['tmpcopyup', 'size=1m']},
 {'destination': '/target', 'type': 'bind', 'source': '$T/a-symlink', 'options': ['bind', 'dest-nofollow']},
 {'destination': '/srcnf', 'type': 'bind', 'source': '$T/a-symlink', 'options': ['bind', 'src-nofollow']},
 {'destination': '/unknown', 'type': 'bind', 'source': '$T/src', 'options': ['bind', 'frobnicate=1']}]"
config "$py"
args sleep 100
create mt-4
if [ -n "$pid" ]; then
    pass "every option features lists is accepted on a bind mount: $(echo $opts | wc -w) options"
    # setting options on the plain submount, clearing ones on the flagged one
    has() { mnt_opts $pid "/o/$1/$2" | tr , '\n' | grep -qx "$3"; }
    for o in $recs; do
        sm=plain
        case $o in
            rro) has $o $sm ro ;; rrw) sm=sub; has $o $sm rw ;;
            rnosuid) has $o $sm nosuid ;; rsuid) sm=sub; ! has $o $sm nosuid ;;
            rnodev) has $o $sm nodev ;; rdev) sm=sub; ! has $o $sm nodev ;;
            rnoexec) has $o $sm noexec ;; rexec) sm=sub; ! has $o $sm noexec ;;
            rnoatime) has $o $sm noatime ;; rrelatime) sm=sub; has $o $sm relatime ;;
            rstrictatime) ! has $o $sm relatime && ! has $o $sm noatime ;;
            rnodiratime) has $o $sm nodiratime ;; rdiratime) sm=sub; ! has $o $sm nodiratime ;;
            rnosymfollow) has $o $sm nosymfollow ;; rsymfollow) sm=sub; ! has $o $sm nosymfollow ;;
        esac && pass "$o reached the submount $sm: $(mnt_opts $pid /o/$o/$sm)" ||
            fail "$o did not reach the submount $sm: $(mnt_opts $pid /o/$o/$sm)"
    done
    expect_match "plain ro leaves the submount alone" "^rw," "$(mnt_opts $pid /o/ro/plain)"
    expect_match "plain rw leaves the submount alone" "^ro," "$(mnt_opts $pid /o/rw/sub)"
    expect_match "tmpcopyup: /etc is a tmpfs" "tmpfs" "$(awk '$5 == "/etc"' /proc/$pid/mountinfo)"
    expect_eq "tmpcopyup: the directory's content copied up" kept "$(cat /proc/$pid/root/etc/deep/x)"
    expect_eq "tmpcopyup: the tmpfs takes the directory's mode" 710 "$(stat -c %a /proc/$pid/root/etc)"
    expect_eq "dest-nofollow: the symlink in the rootfs is the mount point" host-file "$(cat /proc/$pid/root/target)"
    [ -e "$BUNDLE/rootfs/point-to-nowhere" ] && fail "dest-nofollow followed the symlink" ||
        pass "dest-nofollow: its target was not created"
    [ -L "/proc/$pid/root/srcnf" ] && expect_eq "src-nofollow: the source symlink itself is bound" "$T/a-file" \
        "$(readlink /proc/$pid/root/srcnf)" || fail "src-nofollow: /srcnf is not a symlink"
    expect_match "unknown option on a bind is ignored (runc)" "." "$(mnt_opts $pid /unknown)"
fi
mr delete --force mt-4
config "c['mounts'] = [m for m in c['mounts'] if not m['destination'].startswith('/o/')]
c['mounts'].append({'destination': '/x', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['frobnicate']})"
if mr create --bundle "$BUNDLE" mt-5 >"$T/out" 2>&1 </dev/null; then fail "tmpfs with an unknown option was mounted"
else expect_match "unknown tmpfs option refused, named" "frobnicate" "$(cat "$T/out")"; fi
# dest-nofollow does not open a way into /proc (crun's test)
config "c['mounts'][-1] = {'destination': '/proc/self', 'type': 'bind', 'source': '$T/a-symlink',
                          'options': ['bind', 'dest-nofollow', 'src-nofollow']}"
if mr create --bundle "$BUNDLE" mt-6 >"$T/out" 2>&1 </dev/null; then fail "a symlink was bound over /proc/self"
else expect_match "dest-nofollow onto /proc/self refused" "/proc/self.*inside /proc" "$(cat "$T/out")"; fi
umount "$T/src/sub" "$T/src/plain"
assert_clean "after mount options"

# a tmpfs with tmpcopyup on "/" (runc and crun: crun's mount-tmpfs-to-rootfs):
# the rootfs is copied into it, the mounts after it go into it, and what
# the process writes stays out of the bundle's rootfs
make_bundle "$T/tc"
CONFIG_FILE=$T/tc/config.json config "c['mounts'].insert(0, {'destination': '/', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['tmpcopyup']})
c['process']['args'] = ['sh', '-c', 'touch /new && ls /bin/busybox && cat /proc/self/mountinfo']"
out=$(mr run --bundle "$T/tc" mt-7 2>&1) || fail "tmpcopyup on /: $out"
expect_match "tmpcopyup on /: the root is a tmpfs" "^[0-9]+ [0-9]+ [0-9:]+ / / .* - tmpfs " "$out"
expect_match "... with the rootfs copied into it" "^/bin/busybox$" "$out"
expect_match "... /proc mounted in it" " / /proc .* - proc " "$out"
[ -e "$T/tc/rootfs/new" ] && fail "tmpcopyup on /: the process wrote into the bundle's rootfs" ||
    pass "... what the process wrote is not in the bundle's rootfs"
assert_clean "after tmpcopyup on /"
finish
