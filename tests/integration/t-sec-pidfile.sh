#!/bin/bash
# Files modrun writes on a path the caller gives (--pid-file of create, run
# and exec; --log) in a shared sticky directory such as /tmp, where another
# user made the names first. The pid file is written to a new temporary
# file (random name, O_EXCL) and renamed over the final name: a planted
# temporary name (the old one was predictable, .NAME.tmp.<pid>) is never
# opened, and a planted final name (file, symlink, FIFO) is replaced, not
# written through. So: no hang (a FIFO), the pid file is root's and holds
# the right pid, and the attacker's files and their targets are unchanged.
# --log refuses a planted symlink, FIFO or file of another user.
. "$(dirname "$0")/lib.sh"
for tool in useradd userdel setpriv mkfifo sha256sum; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
done
chmod 0755 "$T"
ATT=mrpatk$$
tmp_user "$ATT"
AU=$(id -u "$ATT") AG=$(id -g "$ATT")
as_att() { setpriv --reuid="$AU" --regid="$AG" --clear-groups "$@"; }

SH=$T/shared # the shared sticky directory
mkdir -m 1777 "$SH"
# a file of root's a planted symlink points to: must never be written
VICTIM=$T/victim-file
echo "root's data" >"$VICTIM"
VSUM=$(sha256sum <"$VICTIM")
ATTDIR=$SH/att
as_att mkdir -m 0755 "$ATTDIR" || die "attacker dir"

# plant KIND DIR NAME: as the attacker, DIR/NAME as a regular file (with a
# hard link kept in ATTDIR, to see its content later), a symlink to
# VICTIM, or a FIFO
plant() {
    case $1 in
    file) as_att sh -c "umask 0; echo attacker >'$2/$3' && ln -f '$2/$3' '$ATTDIR/$3'" ;;
    symlink) as_att ln -sf "$VICTIM" "$2/$3" ;;
    fifo) as_att mkfifo -m 0666 "$2/$3" ;;
    esac || die "plant $1 $2/$3"
}
# untouched KIND NAME WHAT: the planted thing was not written through
untouched() {
    case $1 in
    file) expect_eq "$3: the attacker's file was not written" "attacker" "$(cat "$ATTDIR/$2")" ;;
    symlink) expect_eq "$3: the symlink's target was not written" "$VSUM" "$(sha256sum <"$VICTIM")" ;;
    fifo) pass "$3: the FIFO did not hang modrun" ;;
    esac
}
# pidfile_ok FILE PID WHAT: a regular file of root's holding PID
pidfile_ok() {
    if [ -L "$1" ] || [ ! -f "$1" ]; then fail "$3: $1 is not a regular file"; return; fi
    expect_eq "$3: the pid file is root's" "0" "$(stat -c %u "$1")"
    expect_eq "$3: the pid file holds the pid" "$2" "$(cat "$1")"
}

make_bundle
args sleep 100

# --- create --pid-file: the temporary names planted -----------------------
# The old temporary name was .NAME.tmp.<pid of modrun>: bash -c plants the
# names with its own pid, then execs modrun, which keeps that pid.
n=0
for kind in file symlink fifo; do
    n=$((n + 1)) id=tmp$n name=tmp$n.pid
    # output into a file: the container's init keeps what it inherited open
    timeout -k 5 30 bash -c '
        case $1 in
        file) setpriv --reuid="$2" --regid="$3" --clear-groups sh -c "umask 0; echo attacker >\"\$0\" && ln -f \"\$0\" \"\$1\"" "$4/.$5.tmp.$$" "$6/.$5.tmp.$$" ;;
        symlink) setpriv --reuid="$2" --regid="$3" --clear-groups ln -s "$7" "$4/.$5.tmp.$$" ;;
        fifo) setpriv --reuid="$2" --regid="$3" --clear-groups mkfifo -m 0666 "$4/.$5.tmp.$$" ;;
        esac || exit 99
        exec "$8" --root "$9" --plugin-dir "${10}" create --bundle "${11}" --pid-file "$4/$5" "${12}" </dev/null
        ' sh "$kind" "$AU" "$AG" "$SH" "$name" "$ATTDIR" "$VICTIM" "$MODRUN" "$ROOT" "$PLUGIN_DIR" "$BUNDLE" "$id" >"$T/out" 2>&1
    rc=$? out=$(cat "$T/out")
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && fail "create with a planted temporary $kind hung (killed by timeout)"
    [ "$rc" -eq 99 ] && die "planting the temporary $kind failed"
    [ "$rc" -eq 0 ] || fail "create with a planted temporary $kind failed: $out"
    pidfile_ok "$SH/$name" "$(state_field "$id" pid 2>/dev/null)" "create, planted temporary $kind"
    [ "$kind" = file ] && for f in "$ATTDIR"/.tmp$n.pid.tmp.*; do
        expect_eq "create, planted temporary file: the attacker's file was not written" "attacker" "$(cat "$f")"
    done
    [ "$kind" = symlink ] && untouched symlink "" "create, planted temporary symlink"
    mr delete --force "$id" >/dev/null 2>&1
done

# --- create, run and exec --pid-file: the final name planted ----------------
for kind in file symlink fifo; do
    id=fin$kind name=fin$kind.pid
    plant "$kind" "$SH" "$name"
    mr create --bundle "$BUNDLE" --pid-file "$SH/$name" "$id" >"$T/out" 2>&1 </dev/null
    rc=$? out=$(cat "$T/out")
    [ "$rc" -eq 124 ] && fail "create with a planted final $kind hung"
    [ "$rc" -eq 0 ] || fail "create with a planted final $kind failed: $out"
    pidfile_ok "$SH/$name" "$(state_field "$id" pid 2>/dev/null)" "create, planted final $kind"
    untouched "$kind" "$name" "create, planted final $kind"
    if [ "$kind" = fifo ]; then
        # exec into the same container, its pid file a planted FIFO too
        plant fifo "$SH" "exec-$name"
        mr start "$id" || fail "start $id"
        mr exec -d --pid-file "$SH/exec-$name" "$id" sleep 50 >"$T/out" 2>&1 </dev/null
        rc=$? out=$(cat "$T/out")
        [ "$rc" -eq 124 ] && fail "exec with a planted final FIFO hung"
        [ "$rc" -eq 0 ] || fail "exec with a planted final FIFO failed: $out"
        epid=$(cat "$SH/exec-$name" 2>/dev/null)
        [ -n "$epid" ] && expect_eq "exec, planted final FIFO: the pid file's pid is the exec'd sleep" \
            "sleep 50 " "$(tr '\0' ' ' <"/proc/$epid/cmdline" 2>/dev/null)"
        pidfile_ok "$SH/exec-$name" "$epid" "exec, planted final FIFO"
    fi
    mr delete --force "$id" >/dev/null 2>&1
done
plant symlink "$SH" run.pid
mr run -d --bundle "$BUNDLE" --pid-file "$SH/run.pid" runp >"$T/out" 2>&1 </dev/null ||
    fail "run -d with a planted final symlink: $(cat "$T/out")"
pidfile_ok "$SH/run.pid" "$(state_field runp pid 2>/dev/null)" "run, planted final symlink"
untouched symlink run.pid "run, planted final symlink"
mr delete --force runp >/dev/null 2>&1

# --- --log: a planted symlink, FIFO or file of another user is refused -----
for kind in file symlink fifo; do
    plant "$kind" "$SH" "log-$kind"
    out=$(timeout -k 5 20 "$MODRUN" --root "$ROOT" --log "$SH/log-$kind" --debug list 2>&1)
    rc=$?
    [ "$rc" -eq 124 ] && fail "--log to a planted $kind hung"
    [ "$rc" -ne 0 ] && expect_match "--log to a planted $kind: refused, naming it" "open log file $SH/log-$kind: refusing" "$out" ||
        fail "--log to a planted $kind accepted"
    untouched "$kind" "log-$kind" "--log to a planted $kind"
done
# the normal path: a new file, then appending to it (an error is logged)
mr --log "$T/own.log" state nope1 >/dev/null 2>&1
mr --log "$T/own.log" state nope2 >/dev/null 2>&1
expect_eq "--log to a file of root's: created, then appended to" "2" "$(grep -c 'container \\"nope[12]\\" does not exist' "$T/own.log")"

assert_clean "pid file and log attacks"
finish
