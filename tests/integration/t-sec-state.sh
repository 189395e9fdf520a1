#!/bin/bash
# The state root is trusted: every later command runs what a container's
# stored config.json says (its poststop hook runs at delete) as the user
# who runs modrun. So modrun uses the state root and a container directory
# only when they belong to that user (the euid) and nobody else may write
# them, and it never falls back into a shared directory another user could
# make first (the old default without XDG_RUNTIME_DIR: /tmp/modrun-UID).
# An attacker user plants a container whose poststop hook writes a canary;
# the victim user runs list, state and delete: the canary must not appear,
# and the commands fail naming the directory, its owner and mode, and what
# to do. As root: a world-writable root, a root owned by another user and a
# symlinked container directory are refused too; the normal path works.
# The test makes its own two users and removes them at the end.
. "$(dirname "$0")/lib.sh"
for tool in useradd userdel setpriv; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool missing (apt-get install passwd util-linux)"; exit 77; }
done
chmod 0755 "$T"

ATT=mrsatk$$ VIC=mrsvic$$
sec_cleanup() {
    local rc=$?
    [ -n "${VU:-}" ] && rm -rf "/tmp/modrun-$VU"
    (exit "$rc")
    it_cleanup
}
trap 'sec_cleanup' EXIT
tmp_user "$ATT"
tmp_user "$VIC"
AU=$(id -u "$ATT") AG=$(id -g "$ATT") VU=$(id -u "$VIC") VG=$(id -g "$VIC")
[ -e "/tmp/modrun-$VU" ] && die "/tmp/modrun-$VU exists before the test"
[ -e "/run/user/$VU" ] && die "/run/user/$VU exists: the no-XDG_RUNTIME_DIR case needs it missing"

as_att() { setpriv --reuid="$AU" --regid="$AG" --clear-groups "$@"; }
# the victim's modrun, with a clean environment (no XDG_RUNTIME_DIR unless given)
vic() { setpriv --reuid="$VU" --regid="$VG" --clear-groups env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/ \
            ${VXDG:+XDG_RUNTIME_DIR=$VXDG} timeout -k 5 30 "$MODRUN" --plugin-dir "$PLUGIN_DIR" "$@"; }

# the canary: the hook writes the uid it ran as; a 1777 directory, so that
# a hook run as the victim could write it
CAN=$T/canary
mkdir -m 1777 "$CAN"
# where the attacker may make directories (a shared, sticky one like /tmp)
SH=$T/shared
mkdir -m 1777 "$SH"
canary_absent() { # canary_absent WHAT
    if [ -e "$CAN/hook" ]; then fail "$1: the planted poststop hook ran as uid $(cat "$CAN/hook")"; rm -f "$CAN/hook"
    else pass "$1: the planted poststop hook did not run"; fi
}

# plant DIR ID: as the attacker, a stopped container (its init pid gone) in
# DIR whose stored config has a poststop hook writing the canary; all of it
# writable by anyone, so that the victim's modrun can take its lock
make_bundle
PLANT_CFG=$T/planted.json
cp "$BUNDLE/config.json" "$PLANT_CFG"
CONFIG_FILE=$PLANT_CFG config "c['hooks'] = {'poststop': [{'path': '/bin/sh', 'args': ['sh', '-c', 'id -u > $CAN/hook']}]}"
chmod 0644 "$PLANT_CFG"
plant() {
    as_att sh -c "umask 0; mkdir -p '$1/$2' && cp '$PLANT_CFG' '$1/$2/config.json' &&
        printf '%s' '{\"id\":\"$2\",\"pid\":999999,\"pidStartTime\":1,\"bundle\":\"/\",\"rootfs\":\"/\",\"created\":\"2024-01-01T00:00:00Z\",\"owner\":$AU}' \
        >'$1/$2/state.json'" || die "plant $1/$2"
}

# --- 1: no XDG_RUNTIME_DIR: the attacker made /tmp/modrun-VICTIM first ------
as_att mkdir -m 0777 "/tmp/modrun-$VU" && as_att chmod 0777 "/tmp/modrun-$VU" || die "attacker mkdir"
plant "/tmp/modrun-$VU" evil
out=$(vic list 2>&1)
expect_no_match "no XDG_RUNTIME_DIR: list does not show the planted container" "evil" "$out"
out=$(vic state evil 2>&1) && fail "no XDG_RUNTIME_DIR: state of the planted container succeeded: $out"
expect_no_match "no XDG_RUNTIME_DIR: state does not read /tmp/modrun-$VU" "/tmp/modrun" "$out"
out=$(vic delete evil 2>&1) && fail "no XDG_RUNTIME_DIR: delete of the planted container succeeded: $out"
vic delete --force evil >/dev/null 2>&1 # of a missing container: succeeds, as runc's
canary_absent "no XDG_RUNTIME_DIR"
[ -e "/tmp/modrun-$VU/evil/state.json" ] && pass "no XDG_RUNTIME_DIR: the planted directory is left alone" ||
    fail "no XDG_RUNTIME_DIR: the planted directory was changed"
out=$(vic create --bundle "$BUNDLE" v1 2>&1 </dev/null) && fail "no XDG_RUNTIME_DIR, no /run/user/$VU: create succeeded"
expect_match "no runtime dir: create says what failed and what to do" \
    "create the state root /run/user/$VU/modrun.*(XDG_RUNTIME_DIR|--root)" "$out"
[ -e "/tmp/modrun-$VU/v1" ] && fail "no runtime dir: create fell back into /tmp/modrun-$VU"

# --- 2: the same directory given as --root, or as XDG_RUNTIME_DIR/modrun ----
R=/tmp/modrun-$VU
for cmd in "list" "state evil" "delete evil" "delete --force evil"; do
    plant "$R" evil # again: an old modrun deleted it
    # shellcheck disable=SC2086
    out=$(vic --root "$R" $cmd 2>&1) && fail "attacker's --root: $cmd succeeded: $out"
    expect_match "attacker's --root: $cmd names path, owner and why" \
        "refusing the state root $R: it belongs to uid $AU, not to you \(uid $VU\).*hooks" "$out"
done
expect_match "attacker's --root: the error says what to do" "remove $R.*XDG_RUNTIME_DIR.*--root" "$out"
canary_absent "attacker's --root"
XATT=$SH/xdg-att
as_att mkdir -m 0755 "$XATT" "$XATT/modrun" || die "attacker xdg"
plant "$XATT/modrun" evil
out=$(VXDG=$XATT vic delete evil 2>&1) && fail "attacker's XDG_RUNTIME_DIR/modrun (0755): delete succeeded: $out"
expect_match "attacker's XDG_RUNTIME_DIR/modrun, not writable by the victim, still refused" \
    "refusing the state root $XATT/modrun: it belongs to uid $AU" "$out"
canary_absent "attacker's XDG_RUNTIME_DIR"

# --- 3: the victim's own root, but world-writable: the attacker planted -----
VXDG=$T/xdg-vic # 0755: the attacker must reach the root inside
mkdir -m 0755 "$VXDG" && chown "$VU:$VG" "$VXDG" || die "victim xdg"
VR=$VXDG/modrun
setpriv --reuid="$VU" --regid="$VG" --clear-groups mkdir -m 0700 "$VR" || die "victim root"
chmod 0777 "$VR"
plant "$VR" evil
out=$(VXDG=$VXDG vic delete evil 2>&1) && fail "world-writable own root: delete succeeded: $out"
expect_match "world-writable own root: refused with path, mode and owner" \
    "refusing the state root $VR: mode 0777 \(owner uid $VU\) lets group or others write it" "$out"
expect_match "world-writable own root: the fix" "chmod go-w $VR" "$out"
canary_absent "world-writable own root"
# the victim fixes the root's mode: the attacker's container directory in it
# is still refused, by state and delete, and left out of list with a warning
chmod 0700 "$VR"
out=$(VXDG=$VXDG vic state evil 2>&1) && fail "attacker's container dir: state succeeded: $out"
expect_match "attacker's container dir: state refused, naming owner" \
    "refusing container directory $VR/evil: it belongs to uid $AU, not to you" "$out"
out=$(VXDG=$VXDG vic delete --force evil 2>&1) && fail "attacker's container dir: delete succeeded: $out"
expect_match "attacker's container dir: delete refused, with the fix" "remove $VR/evil" "$out"
out=$(VXDG=$VXDG vic list 2>&1) || fail "list with a refused container dir failed: $out"
expect_match "list warns about the refused container dir" "warning: refusing container directory $VR/evil" "$out"
expect_no_match "list does not show it" "^evil " "$out"
canary_absent "attacker's container dir in the victim's root"
rm -rf "$VR/evil"
out=$(VXDG=$VXDG vic list 2>&1) && expect_match "victim's own private root: list works" "^ID +PID +STATUS" "$out" ||
    fail "victim's own root: list failed: $out"

# --- 4: as root ---------------------------------------------------------------
WW=$SH/ww
mkdir -m 0777 "$WW" && chmod 0777 "$WW"
out=$(timeout 30 "$MODRUN" --root "$WW" list 2>&1) && fail "root: world-writable --root accepted: $out"
expect_match "root: world-writable root refused" "refusing the state root $WW: mode 0777 \(owner uid 0\)" "$out"
chown "$AU:$AG" "$WW" && chmod 0755 "$WW"
plant "$WW" evil
out=$(timeout 30 "$MODRUN" --root "$WW" delete --force evil 2>&1) && fail "root: user-owned --root accepted: $out"
expect_match "root: a root owned by another user refused" "refusing the state root $WW: it belongs to uid $AU, not to you \(uid 0\)" "$out"
canary_absent "root: user-owned root"

# a symlinked container directory, to a directory with a planted container
mkdir -m 0711 "$ROOT"
plant "$WW" sym-target
ln -s "$WW/sym-target" "$ROOT/evil"
for cmd in "state evil" "delete evil" "delete --force evil"; do
    # shellcheck disable=SC2086
    out=$(mr $cmd 2>&1) && fail "symlinked container dir: $cmd succeeded: $out"
    expect_match "symlinked container dir: $cmd refused" "refusing container directory $ROOT/evil: it is a symlink" "$out"
done
canary_absent "symlinked container dir"
[ -L "$ROOT/evil" ] && [ -e "$WW/sym-target/config.json" ] && pass "symlink and its target left alone" ||
    fail "the symlink or its target was removed"
rm -f "$ROOT/evil"

# a symlinked state.json in a real container directory (its lock file
# there) is not followed
mkdir -m 0711 "$ROOT/lnk" && touch "$ROOT/lnk/.lock" && ln -s "$WW/sym-target/state.json" "$ROOT/lnk/state.json" &&
    ln -s "$WW/sym-target/config.json" "$ROOT/lnk/config.json"
out=$(mr state lnk 2>&1) && fail "symlinked state.json followed: $out"
expect_match "symlinked state.json refused" "read the state of container lnk in $ROOT/lnk: open state.json for reading: Too many levels of symbolic links.*hint: remove $ROOT/lnk" "$out"
out=$(mr delete --force lnk 2>&1)
canary_absent "symlinked config.json"
rm -rf "$ROOT/lnk"

# a corrupt state.json: list leaves that container out with a warning (it
# crashed once) and still shows the others
mkdir -m 0711 "$ROOT/px-bad" "$ROOT/px-fine" "$ROOT/px-nolock" && echo garbage >"$ROOT/px-bad/state.json" &&
    touch "$ROOT/px-fine/.lock"
out=$(mr list 2>&1) || fail "list with a corrupt state.json failed (exit $?): $out"
expect_no_match "list leaves out a directory without state.json or lock (state: does not exist)" "^px-nolock " "$out"
out2=$(mr state px-nolock 2>&1) && fail "state of a directory without a lock succeeded: $out2"
expect_match "list warns about the corrupt state.json" "warning: state file $ROOT/px-bad/state.json is corrupt" "$out"
expect_no_match "list leaves the corrupt one out" "^px-bad " "$out"
expect_match "list shows the one without state.json as creating" "^px-fine +0 +creating" "$out"
expect_match "list's warning says what to do" "corrupt.*, ignoring: .*remove the directory" "$out"
out=$(mr list -q 2>&1) || fail "list -q with a corrupt state.json failed (exit $?): $out"
expect_match "list -q shows the others" "^px-fine$" "$out"
rm -rf "$ROOT/px-bad" "$ROOT/px-fine" "$ROOT/px-nolock"

# delete --force of a container whose recorded plugin is gone fails and keeps
# its state (it once said "does not exist" and succeeded, leaving the cgroup)
mkdir -p "$T/pl" && cp "$PLUGIN_DIR"/*.so "$T/pl/"
args sleep 100
timeout -k 5 60 "$MODRUN" --root "$ROOT" --plugin-dir "$T/pl" create --bundle "$BUNDLE" px-gone >"$T/out" 2>&1 </dev/null ||
    fail "create px-gone: $(cat "$T/out")"
mv "$T/pl" "$T/pl-away"
out=$(timeout -k 5 60 "$MODRUN" --root "$ROOT" delete --force px-gone 2>&1) &&
    fail "delete --force with its cgroup plugin gone succeeded: $out"
expect_match "delete --force names the missing plugin" "cgroup-cgroupfs.so" "$out"
expect_eq "the state directory is kept" "yes" "$([ -d "$ROOT/px-gone" ] && echo yes)"
mv "$T/pl-away" "$T/pl"
mr delete --force px-gone || fail "delete --force px-gone once the plugin is back"
expect_eq "then it is deleted" "no" "$([ -d "$ROOT/px-gone" ] && echo yes || echo no)"

# --- 5: the normal path -------------------------------------------------------
rm -rf "$ROOT"
args sleep 100
mr create --bundle "$BUNDLE" ok1 >"$T/out" 2>&1 </dev/null || fail "normal create: $(cat "$T/out")"
expect_eq "normal: the state root is root's, 0711" "0:711" "$(stat -c %u:%a "$ROOT")"
expect_eq "normal: the container directory is root's, 0711" "0:711" "$(stat -c %u:%a "$ROOT/ok1")"
expect_eq "normal: state" "created" "$(state_field ok1 status)"
mr start ok1 || fail "normal start"
expect_match "normal: list" "^ok1 +[0-9]+ +running" "$(mr list 2>&1)"
mr delete --force ok1 || fail "normal delete"
[ -e "$ROOT/ok1" ] && fail "normal: state directory left after delete"
assert_clean "normal path"
finish
