#!/bin/bash
# checkpoint and restore on this host (the real dump and restore run in the
# VM, tests/vm): runc 1.1's options (every one accepted, the same names as
# `runc checkpoint/restore --help`, CRI-O's --lsm-mount-context probe), usage
# and missing containers, no criu (PATH, --criu), the engine "none", the
# criu command lines (--debug), `criu check` failing on this kernel: the
# command fails at once with CRIU's reason and the fix and the container
# keeps running; criu's own failure shows dump.log/restore.log's last
# errors and leaves nothing; features reports the engine.
. "$(dirname "$0")/lib.sh"
command -v criu >/dev/null || { echo "SKIP: criu missing (scripts/setup.sh --tests)"; exit 77; }
CRIU=$(command -v criu)
make_bundle
mkdir -p "$T/bindsrc"
config 'c["mounts"].append({"destination": "/mnt", "type": "bind", "source": "'"$T"'/bindsrc", "options": ["rbind"]})'
args sh -c 'i=0; while :; do i=$((i+1)); echo $i > /mnt/count; sleep 0.1; done'

# 1. the options: runc's names, each accepted
opts() { sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\} *--\([a-z0-9-]*\).*/\2/p' | grep -vx help | sort -u | tr '\n' ' '; }
runc_opts() { runc "$1" --help | sed -n '/^OPTIONS:/,$p' | sed -n 's/^ *--\([a-z0-9-]*\).*/\1/p' | sort -u | tr '\n' ' '; }
for c in checkpoint restore; do
    expect_eq "$c: the options of runc $c" "$(runc_opts $c)" "$("$MODRUN" $c --help | opts)"
    for o in $(runc_opts $c); do
        case $o in
        manage-cgroups-mode) v=soft ;; empty-ns) v=network ;; page-server) v=127.0.0.1:27 ;; status-fd) v=-1 ;;
        image-path|work-path|parent-path|bundle|pid-file|console-socket) v=$T/none-$o ;;
        lsm-profile) v=apparmor:x ;; lsm-mount-context) v=system_u:object_r:container_file_t:s0 ;; *) v="" ;;
        esac
        out=$(mr $c --$o ${v:+"$v"} cc-nosuch 2>&1) && fail "$c --$o: a missing container accepted"
        expect_no_match "$c --$o accepted" "unknown option|needs a value" "$out"
    done
done
[ -e "$T/none-image-path" ] && fail "an image path was made for a missing container"

# CRI-O's probe: restore --lsm-mount-context without a value, runc's words
out=$(mr restore --lsm-mount-context 2>&1) && fail "--lsm-mount-context without a value accepted"
expect_match "--lsm-mount-context without a value: runc's text" "flag needs an argument: -lsm-mount-context" "$out"
expect_match "runc says the same" "flag needs an argument: -lsm-mount-context" "$(runc restore --lsm-mount-context 2>&1)"

out=$(mr checkpoint 2>&1) && fail "checkpoint without an id accepted"
expect_match "checkpoint without an id: usage" "usage: modrun checkpoint \[options\] ID" "$out"
out=$(mr checkpoint cc-nosuch 2>&1) && fail "checkpoint of a missing container accepted"
expect_match "checkpoint of a missing container" 'container "cc-nosuch" does not exist' "$out"
out=$(mr checkpoint --manage-cgroups-mode bogus cc-nosuch 2>&1)
expect_match "a bad --manage-cgroups-mode: runc's words" "Invalid manage cgroups mode" "$out"
out=$(mr checkpoint --empty-ns pid cc-nosuch 2>&1)
expect_match "--empty-ns pid: runc's words" 'namespace "pid" is not supported' "$out"
out=$(mr checkpoint --page-server nowhere cc-nosuch 2>&1)
expect_match "--page-server without a port: runc's words" "use --page-server ADDRESS:PORT" "$out"

# 2. a running container that every failure below must leave running
mr run -d --bundle "$BUNDLE" cc-1 || die "run cc-1"
pid=$(state_field cc-1 pid)
# the counter's value (`echo > count` truncates before it writes: a read
# between the two finds it empty, so read again)
count_now() {
    local v="" k
    for k in 1 2 3 4 5; do v=$(cat "$T/bindsrc/count" 2>/dev/null) && [ -n "$v" ] && break; sleep 0.02; done
    echo "$v"
}
running() { # running WHAT: cc-1 still runs, its counter advances, nothing frozen
    local a b
    expect_eq "$1: status" running "$(state_field cc-1 status)"
    expect_eq "$1: the same init" "$pid" "$(state_field cc-1 pid)"
    a=$(count_now); sleep 0.4; b=$(count_now)
    [ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ] && pass "$1: the counter goes on ($a -> $b)" ||
        fail "$1: the counter stopped ($a -> $b)"
}
wait_for test -s "$T/bindsrc/count" || fail "the counter never started"

out=$(timeout 20 env PATH=/nonexistent "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" checkpoint --image-path "$T/img0" cc-1 2>&1) && fail "checkpoint without criu in PATH succeeded"
expect_match "no criu in PATH: what and the fix" "criu program is not in \\\$PATH \(/nonexistent\).*hint: install CRIU" "$out"
out=$(mr --criu "$T/no-criu" checkpoint --image-path "$T/img0" cc-1 2>&1) && fail "checkpoint with --criu nowhere succeeded"
expect_match "--criu nowhere: the path and the fix" "--criu $T/no-criu: No such file or directory.*hint: install CRIU" "$out"
out=$(mr --plugin checkpoint=none checkpoint --image-path "$T/img0" cc-1 2>&1) && fail "checkpoint with the engine none succeeded"
expect_match "engine none: disabled" 'checkpoint engine is "none"' "$out"
[ -e "$T/img0" ] && fail "a refused checkpoint made its image path"
running "after the refusals"

# 3. criu check failing on this kernel (Debian 12's criu on a newer kernel)
check=$("$CRIU" check --log-file=/dev/stderr 2>&1); check_rc=$?
if [ $check_rc -ne 0 ]; then
    first=$(printf '%s\n' "$check" | sed -n 's/^.*Error ([^)]*): //p' | head -1)
    start=$(date +%s%N)
    out=$(mr checkpoint --image-path "$T/img1" cc-1 2>&1) && fail "checkpoint succeeded where criu check fails"
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    [ $ms -lt 5000 ] && pass "criu check failure: at once (${ms} ms)" || fail "criu check failure took ${ms} ms"
    expect_match "criu check failure: CRIU's reason" "criu check failed \(exit status 1\): .*${first//[/\\[}" "$out"
    expect_match "criu check failure: the fix" "hint: CRIU [0-9.]+ \($CRIU\) does not support this kernel \($(uname -r)\).*or a newer criu" "$out"
    [ -e "$T/img1" ] && fail "a checkpoint that failed its check made its image path"
    running "after the failed criu check"
    out=$(mr features) || fail "features"
    ann() { python3 -c 'import json,sys; print(json.load(sys.stdin)["annotations"].get(sys.argv[1], ""))' "$1" <<<"$out"; }
    expect_eq "features: checkpoint not enabled here" false "$(ann org.modrun.checkpoint.enabled)"
    expect_match "features: the backend" "^criu \(criu [0-9.]+ at $CRIU\)$" "$(ann org.modrun.checkpoint.backend)"
    expect_match "features: why not" "criu check failed" "$(ann org.modrun.checkpoint.error)"

    # 4. a criu whose check passes: the real dump and restore run and fail
    # (kerndat), through modrun's command lines, logs in the work path
    printf '#!/bin/sh\n[ "$1" = check ] && exit 0\nexec %s "$@"\n' "$CRIU" > "$T/criu-ok"
    chmod 755 "$T/criu-ok"
    out=$(mr --debug --criu "$T/criu-ok" checkpoint --image-path "$T/img2" --work-path "$T/work2" \
        --leave-running --tcp-established --file-locks cc-1 2>&1) && fail "dump succeeded where criu cannot work"
    rootfs=$(state_field cc-1 rootfs)
    expect_match "dump: criu's command line" "running $T/criu-ok dump --tree=$pid --images-dir=$T/img2 --work-dir=$T/work2 --log-file=dump.log -v4 --root=$rootfs --manage-cgroups=soft --tcp-established --file-locks --leave-running --empty-ns=net --external=mnt\[/mnt\]:/mnt" "$out"
    expect_match "dump: masked files are external mounts" "external=mnt\[/proc/keys\]:/proc/keys" "$out"
    expect_match "dump: cgroup mounts are external mounts" "external=mnt\[/sys/fs/cgroup/pids\]:/sys/fs/cgroup/pids( |$)" "$out"
    [ -s "$T/work2/dump.log" ] && pass "dump.log is in the work path" || fail "no $T/work2/dump.log"
    last=$(sed -n 's/^.*Error ([^)]*): //p' "$T/work2/dump.log" | tail -1)
    expect_match "dump failure: the last error of dump.log" "criu dump failed \(exit status 1\): .*${last//[/\\[}.*hint: criu's whole log is $T/work2/dump.log" "$out"
    [ -s "$T/img2/descriptors.json" ] && pass "the descriptors of the init are recorded" || fail "no descriptors.json"
    running "after the failed dump"
    out=$(mr --criu "$T/criu-ok" features)
    expect_eq "features: enabled with a criu whose check passes" true "$(ann org.modrun.checkpoint.enabled)"

    out=$(mr --debug --criu "$T/criu-ok" restore -d --image-path "$T/img2" --work-path "$T/work3" \
        --bundle "$BUNDLE" --pid-file "$T/r.pid" cc-2 2>&1) && fail "restore succeeded where criu cannot work"
    expect_match "restore: criu's command line" "running $T/criu-ok restore --images-dir=$T/img2 --work-dir=$T/work3 --log-file=restore.log -v4 --restore-detached --pidfile=$ROOT/cc-2/criu.pid --root=$ROOT/cc-2/criu-root --manage-cgroups=soft (--cgroup-root=[^ ]+ )+--empty-ns=net --external=mnt\[/mnt\]:$T/bindsrc --external=mnt\[/proc/keys\]:/dev/null" "$out"
    expect_match "restore: into the new container's cgroups, as runc" "--cgroup-root=pids:/cc-2 " "$out"
    expect_match "restore: its cgroup mounts are the new container's" "--external=mnt\[/sys/fs/cgroup/pids\]:/sys/fs/cgroup/pids/cc-2( |$)" "$out"
    expect_match "restore: made the cgroup as create does" "cgroupfs: .*cc-2" "$out"
    [ -s "$T/work3/restore.log" ] && pass "restore.log is in the work path" || fail "no $T/work3/restore.log"
    expect_match "restore failure: restore.log's errors" "criu restore failed \(exit status 1\): .*hint: criu's whole log is $T/work3/restore.log" "$out"
    expect_eq "a failed restore leaves no container" "cc-1" "$(mr list -q | tr '\n' ' ' | sed 's/ $//')"
    left=$(for d in /sys/fs/cgroup/*/cc-2 /sys/fs/cgroup/unified/cc-2; do [ -e "$d" ] && echo "$d"; done)
    expect_eq "a failed restore leaves no cgroup" "" "$left"
    expect_eq "a failed restore leaves no mount" "" "$(grep -c "criu-root" /proc/self/mountinfo | grep -v '^0$')"
    [ -e "$T/r.pid" ] && fail "a failed restore wrote its pid file"
else
    echo "criu check passes on this kernel: the failure paths are not testable here (tests/vm has the real ones)"
fi

mr delete -f cc-1 || fail "delete cc-1"
out=$(mr restore -d --image-path "$T/no-images" --bundle "$BUNDLE" cc-3 2>&1) && fail "restore without images succeeded"
expect_match "restore without images: the path" "--image-path $T/no-images: No such file or directory" "$out"
expect_eq "nothing left behind" "" "$(mr list -q)"
assert_clean "at the end"
finish
