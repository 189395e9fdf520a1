#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# checkpoint-payload.sh BUILDDIR BUNDLE - runs INSIDE the systemd guest of
# systemd.sh (Debian's kernel, where Debian's criu 3.17 works; the host's
# kernel makes `criu check` fail): checkpoint and restore through CRIU,
# with runc (the baseline) and the build tree's modrun side by side, then
# podman's `container checkpoint` / `container restore` with each of them
# as --runtime. BUNDLE is a busybox bundle made by scripts/make-bundle.sh
# (on the host: its 400 applet links take a minute under emulation).
# Prints "SDTEST criu_<runtime>_<check> OK|FAIL|SKIP detail" and
# "SDTEST-CRIU-TIME step seconds"; exit code = number of failures.
# shellcheck disable=SC2317 # functions called through wait_until
B=${1:?usage: checkpoint-payload.sh BUILDDIR BUNDLE}
BUNDLE=${2:?usage: checkpoint-payload.sh BUILDDIR BUNDLE}
MODRUN="$B/core/modrun --root /run/modrun-cvtest --plugin-dir $B/plugins"
W=/tmp/cvtest.$$          # tmpfs: bundles, images, podman's storage
fails=0
res() { if [ "$2" = 0 ]; then echo "SDTEST criu_$1 OK $3"; else echo "SDTEST criu_$1 FAIL $3"; fails=$((fails + 1)); fi; }
skip() { echo "SDTEST criu_$1 SKIP $2"; }
now() { cut -d' ' -f1 /proc/uptime; }
T0=$(now)
tstep() { # tstep NAME: seconds since the previous tstep
    local t; t=$(now)
    echo "SDTEST-CRIU-TIME $1 $(awk -v a="$T0" -v b="$t" 'BEGIN { printf "%.1f", b - a }')"
    T0=$t
}
wait_until() { # wait_until SECONDS CMD...: true once CMD succeeds
    local end; end=$(($(date +%s) + $1)); shift
    until "$@" > /dev/null 2>&1; do
        [ "$(date +%s)" -ge $end ] && return 1
        sleep 0.2
    done
}
# what went wrong: the runtime's last lines and criu's errors in LOG
why() { # why OUT [LOG]
    tail -2 "$1" 2> /dev/null | tr '\n' ' '
    grep -E 'Error|Warn' "$2" 2> /dev/null | tail -4 | sed 's/^/| /' | tr '\n' ' '
}
# a counter file (read again while the counter rewrites it); of a process
read_count() {
    local v=""
    for _ in 1 2 3 4 5 6 7 8; do v=$(cat "$1" 2> /dev/null); [ -n "$v" ] && break; sleep 0.05; done
    echo "${v:-0}"
}
count_of() { read_count "/proc/$1/root/tmp/count"; }
count_above() { [ "$(count_of "$1")" -gt "$2" ]; }
count_not() { [ "$(count_of "$1")" != "$2" ]; }
# restored processes count on from their value at the dump: the first
# value that differs from what the file held before the restore (BEFORE)
# is above COUNT_AT_DUMP, where a program started afresh would show 1, 2...
# The file is left as it was: criu restores a file that was open at the
# dump (the dump may catch `echo $i > /tmp/count` between its truncate and
# its write) only at the size the dump saw.
counts_on() { # counts_on PID COUNT_AT_DUMP BEFORE
    local v
    wait_until 20 count_not "$1" "$3" || { echo "nothing counted (still $3)"; return 1; }
    v=$(count_of "$1")
    echo "count at dump $2, before the restore $3, first after it $v"
    [ "$v" -gt "$2" ]
}
pages_size() { du -cb "$1"/pages-*.img 2>/dev/null | tail -1 | cut -f1; }

command -v criu > /dev/null || { skip all "no criu on the host (scripts/setup.sh --tests installs it)"; exit 0; }
mkdir -p "$W"
echo "== criu $(criu --version | awk '/^Version/ { print $2 }'), kernel $(uname -r), runc $(runc --version | awk 'NR == 1 { print $3 }'), $(podman --version)"
criu check > "$W/check.out" 2>&1; rc=$?
[ $rc = 0 ] || criu check -v4 2>&1 | grep -iE "error|warn|nft" | head -20
res check $rc "$(tail -2 "$W/check.out" | tr '\n' ' ')"
tstep criu_check
[ $rc = 0 ] || { echo "SDTEST-CRIU-SUMMARY fails=$fails"; exit $fails; }

# a copy of BUNDLE whose init counts in /tmp/count every 0.2 s, in the
# cgroup /cvtest/ID
counter_bundle() { # counter_bundle DIR ID
    cp -a "$BUNDLE" "$1" || return 1
    python3 - "$1/config.json" "$2" <<'PY'
import json, sys
p, cid = sys.argv[1], sys.argv[2]
c = json.load(open(p))
c["process"]["args"] = ["/bin/sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/count; usleep 200000; done"]
c["linux"]["cgroupsPath"] = "/cvtest/" + cid
json.dump(c, open(p, "w"), indent=1)
PY
}

# state ID -> "status pid"
state_of() {
    local j pid=0
    j=$($RT state "$1" 2> /dev/null) || return 0
    [[ $j =~ \"pid\":\ *([0-9]+) ]] && pid=${BASH_REMATCH[1]}
    [[ $j =~ \"status\":\ *\"([a-z]+)\" ]] && echo "${BASH_REMATCH[1]} $pid"
}

# the checks a restored container passes: it is the same program, in the
# same cgroup, counting on from where it was dumped, and `state` says so
restored_ok() { # restored_ok NAME ID CMDLINE COUNT_AT_DUMP RESTORE_RC COUNT_BEFORE_RESTORE
    local name=$1 id=$2 cmd=$3 c0=$4 st pid out k
    if [ "$5" != 0 ]; then  # what runs may be the container that was never dumped
        for k in state_running same_program cgroup counts_on; do res "${name}_$k" 1 "not checked: the restore failed"; done
        return
    fi
    st=$(state_of "$id"); pid=${st#* }; pid=${pid:-none}
    [ "${st% *}" = running ] && [ -d "/proc/$pid" ]; res "${name}_state_running" $? "state: $st"
    [ "$(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null)" = "$cmd" ]; res "${name}_same_program" $? "pid $pid: $(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null)"
    grep -qx "0::/cvtest/$id" "/proc/$pid/cgroup" && grep -qx "$pid" "/sys/fs/cgroup/cvtest/$id/cgroup.procs"
    res "${name}_cgroup" $? "/proc/$pid/cgroup: $(cat "/proc/$pid/cgroup" 2> /dev/null)"
    out=$(counts_on "$pid" "$c0" "$6"); res "${name}_counts_on" $? "$out"
}

# stopped, or no state at all (nothing to wait for)
is_stopped() { case "$(state_of "$1")" in "stopped "*|"") true ;; *) false ;; esac; }

# kill and delete: no process, cgroup, mount or state directory left
gone_ok() { # gone_ok NAME ID STATEDIR
    local name=$1 id=$2 sd=$3 left
    $RT kill "$id" KILL > "$W/kill.err" 2>&1
    wait_until 20 is_stopped "$id"
    $RT delete "$id" > "$W/del.err" 2>&1; res "${name}_delete" $? "$(cat "$W/kill.err" "$W/del.err" | tr '\n' ' ')"
    left=""
    [ -e "/sys/fs/cgroup/cvtest/$id" ] && left="$left cgroup"
    [ -e "$sd/$id" ] && left="$left state-dir"
    grep -q "$W/$id" /proc/self/mountinfo && left="$left mount"
    while read -r p; do
        p=${p#/proc/}; left="$left pid:${p%/root}"
    done < <(find /proc -mindepth 2 -maxdepth 2 -name root -lname "$W/$id/rootfs" 2> /dev/null)
    [ -z "$left" ]; res "${name}_nothing_left" $? "left:${left:- nothing}"
}

# one runtime: run; checkpoint --leave-running (it counts on); --pre-dump
# and a final dump with --parent-path (it stops); restore from that (it
# counts on from the dump); kill and delete; restore the --leave-running
# image (it was usable all along); kill and delete.
runtime_checks() { # runtime_checks NAME STATEDIR
    local n=$1 sd=$2 id=cv-$1 pid cmd c0 c_lr before st p1 p2 skipped written rc
    counter_bundle "$W/$id" "$id" || { res "${n}_bundle" 1; return; }
    # the container's stdio is /dev/null: a file outside its mount
    # namespace is no file criu can dump (runc says the same)
    (cd "$W/$id" && $RT --log "$W/$n.log" run -d "$id" < /dev/null > /dev/null 2>&1); res "${n}_run" $? "$(why "$W/$n.log")"
    st=$(state_of "$id"); pid=${st#* }; pid=${pid:-none}
    wait_until 30 count_above "$pid" 4
    cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null)
    tstep "${n}_run"

    # 1. --leave-running: the container keeps counting, in the same process
    $RT checkpoint --leave-running --image-path "$W/$n.lr" --work-path "$W/$n.w1" "$id" > "$W/$n.ck1" 2>&1
    res "${n}_leave_running" $? "$(why "$W/$n.ck1" "$W/$n.w1/dump.log")"
    c_lr=$(read_count "$W/$id/rootfs/tmp/count")
    st=$(state_of "$id")
    wait_until 20 count_above "$pid" "$c_lr" && [ "$st" = "running $pid" ]
    res "${n}_leave_running_counts" $? "state: $st, count $c_lr -> $(count_of "$pid")"
    p1=$(pages_size "$W/$n.lr")
    tstep "${n}_leave_running"

    # 2. --pre-dump (it runs on), then the final dump (it stops) with its
    # unchanged pages in the parent
    $RT checkpoint --pre-dump --image-path "$W/$n.pre" --work-path "$W/$n.w2" "$id" > "$W/$n.ck2" 2>&1
    res "${n}_pre_dump" $? "$(why "$W/$n.ck2" "$W/$n.w2/dump.log")"
    st=$(state_of "$id")
    [ "$st" = "running $pid" ]; res "${n}_pre_dump_running" $? "state: $st"
    $RT checkpoint --image-path "$W/$n.img" --work-path "$W/$n.w3" --parent-path "../$n.pre" "$id" > "$W/$n.ck3" 2>&1
    res "${n}_checkpoint" $? "$(why "$W/$n.ck3" "$W/$n.w3/dump.log")"
    c0=$(read_count "$W/$id/rootfs/tmp/count")
    # runc deletes a container it checkpointed without --leave-running
    st=$(state_of "$id")
    ! [ -d "/proc/$pid" ] && case "$st" in "stopped "*|"") true ;; *) false ;; esac
    res "${n}_checkpoint_stopped" $? "pid $pid gone, state: ${st:-none}"
    p2=$(pages_size "$W/$n.img")
    crit show "$W/$n.w3/stats-dump" > "$W/$n.stats" 2> /dev/null
    skipped=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["entries"][0]["dump"].get("pages_skipped_parent", 0))' "$W/$n.stats" 2> /dev/null)
    written=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["entries"][0]["dump"].get("pages_written", 0))' "$W/$n.stats" 2> /dev/null)
    # the final dump's page images hold only the pages it wrote, the rest
    # being in the parent (comparing with the full dump's size is not
    # reliable: the loop's usleep child may or may not be in a dump)
    [ -L "$W/$n.img/parent" ] && [ "${skipped:-0}" -gt 0 ] && [ "${p2:-0}" -eq $(( ${written:-0} * 4096 )) ]
    res "${n}_pages_in_parent" $? "work dir's stats-dump: pages_skipped_parent ${skipped:-?}, pages_written ${written:-?}; pages-*.img: final dump ${p2:-?} B (full dump with --leave-running ${p1:-?} B)"
    tstep "${n}_pre_dump_and_dump"

    # 3. restore: the same program, in its cgroup, counting on
    before=$(read_count "$W/$id/rootfs/tmp/count")
    (cd "$W/$id" && $RT restore -d --image-path "$W/$n.img" --work-path "$W/$n.w3r" "$id" < /dev/null > "$W/$n.rs" 2>&1)
    rc=$?; res "${n}_restore" $rc "$(why "$W/$n.rs" "$W/$n.w3r/restore.log")"
    restored_ok "$n" "$id" "$cmd" "$c0" $rc "$before"
    tstep "${n}_restore"
    gone_ok "$n" "$id" "$sd"
    tstep "${n}_kill_delete"

    # 4. the --leave-running image restores too
    before=$(read_count "$W/$id/rootfs/tmp/count")
    (cd "$W/$id" && $RT restore -d --image-path "$W/$n.lr" --work-path "$W/$n.w1r" "$id" < /dev/null > "$W/$n.rs1" 2>&1)
    rc=$?; res "${n}_restore_leave_running_image" $rc "$(why "$W/$n.rs1" "$W/$n.w1r/restore.log")"
    restored_ok "${n}_lr" "$id" "$cmd" "$c_lr" $rc "$before"
    gone_ok "${n}_lr" "$id" "$sd"
    tstep "${n}_restore_leave_running_image"
}

modrun_ready=0
if $MODRUN checkpoint --help 2>&1 | grep -q 'does not support checkpoint'; then
    modrun_why="modrun checkpoint not implemented ($($MODRUN checkpoint --help 2>&1 | head -1))"
else
    modrun_ready=1
fi

RT=runc runtime_checks runc /run/runc
if [ $modrun_ready = 1 ]; then
    RT=$MODRUN runtime_checks modrun /run/modrun-cvtest
else
    skip modrun "$modrun_why"
fi

if ! command -v podman > /dev/null; then
    skip podman "no podman on the host"; rm -rf "$W"; echo "SDTEST-CRIU-SUMMARY fails=$fails"; exit $fails
fi

# podman: a local image of busybox-static (no registry), storage on tmpfs,
# `container checkpoint` then `container restore` with each runtime
P=$W/podman
mkdir -p "$P"/{root,runroot,tmp,net,rootfs/bin,rootfs/tmp,rt}
cp /bin/busybox "$P/rootfs/bin/busybox"; ln -s busybox "$P/rootfs/bin/sh"
cat > "$P/containers.conf" <<EOF
[containers]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_config_dir = "$P/net"
EOF
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' "$P/root" "$P/runroot" > "$P/storage.conf"
export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf
printf '#!/bin/sh\nexec runc "$@"\n' > "$P/rt/runc"
printf '#!/bin/sh\nexec %s/core/modrun --plugin-dir %s/plugins "$@"\n' "$B" "$B" > "$P/rt/modrun"
chmod 755 "$P/rt/runc" "$P/rt/modrun"
PG=(--root "$P/root" --runroot "$P/runroot" --tmpdir "$P/tmp" --cgroup-manager cgroupfs --events-backend file --storage-driver overlay)
IMG=localhost/cvtest-bb:latest
tar -C "$P/rootfs" -cf "$P/rootfs.tar" .
podman "${PG[@]}" import -q --change 'CMD ["/bin/sh"]' "$P/rootfs.tar" "$IMG" > "$W/import.out" 2>&1
res podman_import $? "$(tail -2 "$W/import.out" | tr '\n' ' ')"
tstep podman_import
podman_checks() { # podman_checks RUNTIME
    local n=$1 c=cv-pod-$1 pid pid2 c0 st cid upper out rc
    PR() { timeout -k 5 120 podman "${PG[@]}" --runtime "$P/rt/$n" "$@"; }
    PR run -d --name "$c" "$IMG" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count; usleep 200000; done' > "$W/$c.run" 2>&1
    res "podman_${n}_run" $? "$(tail -2 "$W/$c.run" | tr '\n' ' ')"
    pid=$(PR inspect -f '{{.State.Pid}}' "$c"); cid=$(PR inspect -f '{{.Id}}' "$c")
    wait_until 30 count_above "$pid" 4
    tstep "podman_${n}_run"
    PR container checkpoint "$c" > "$W/$c.ck" 2>&1
    res "podman_${n}_checkpoint" $? "$(why "$W/$c.ck" "$P/root/overlay-containers/$cid/userdata/dump.log")"
    st=$(PR inspect -f '{{.State.Status}} {{.State.Checkpointed}}' "$c")
    [ "$st" = "exited true" ] && ! [ -d "/proc/$pid" ]; res "podman_${n}_checkpointed" $? "inspect: $st"
    upper=$(PR inspect -f '{{.GraphDriver.Data.UpperDir}}' "$c")
    c0=$(read_count "$upper/tmp/count")
    tstep "podman_${n}_checkpoint"
    PR container restore "$c" > "$W/$c.rs" 2>&1
    rc=$?; res "podman_${n}_restore" $rc "$(why "$W/$c.rs" "$P/root/overlay-containers/$cid/userdata/restore.log")"
    st=$(PR inspect -f '{{.State.Status}} {{.State.Pid}}' "$c"); pid2=${st#* }
    if [ $rc = 0 ]; then
        [ "${st% *}" = running ] && [ -d "/proc/$pid2" ]; res "podman_${n}_running" $? "inspect: $st"
        out=$(counts_on "$pid2" "$c0" "$c0"); res "podman_${n}_counts_on" $? "$out"
    else
        res "podman_${n}_running" 1 "not checked: the restore failed"; res "podman_${n}_counts_on" 1 "not checked: the restore failed"
    fi
    tstep "podman_${n}_restore"
    PR rm -f -t 0 "$c" > "$W/$c.rm" 2>&1; res "podman_${n}_rm" $? "$(tail -2 "$W/$c.rm" | tr '\n' ' ')"
    ! [ -d "/proc/$pid2" ]; res "podman_${n}_nothing_left" $?
}
podman_checks runc
if [ $modrun_ready = 1 ]; then podman_checks modrun; else skip podman_modrun "$modrun_why"; fi
podman "${PG[@]}" system reset -f > /dev/null 2>&1
# what a failed step left
runc delete -f cv-runc > /dev/null 2>&1
$MODRUN delete -f cv-modrun > /dev/null 2>&1
rm -rf "$W"
echo "SDTEST-CRIU-SUMMARY fails=$fails"
exit $fails
