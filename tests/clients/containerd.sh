#!/bin/bash
# containerd.sh - a private containerd 1.6 (Debian 12) with ctr and the
# io.containerd.runc.v2 shim, run once per runtime: `ctr run --runc-binary
# WRAPPER --runc-root DIR` stores the shim options BinaryName/Root with each
# container, so create/start/exec/kill/pause/ps/delete all go to WRAPPER.
# The daemon also gets PATH=<dir with runc -> WRAPPER>, for the ctr paths
# that drop those options (`ctr container create`, `--uidmap`).
# Offline: the image is an OCI image layout made here from busybox-static.
. "$(dirname "$0")/lib.sh"

need_pkgs containerd runc bsdutils busybox-static
make_rootfs

# ------------------------------------------------------------------ image
IMG=localhost/modrun-clients-bb:latest
make_image "$W/image.tar" "$IMG" '["/bin/sh"]'

# ------------------------------------------------------------------ daemon
CTD_PID=""
start_containerd() { # start_containerd DIR: private daemon, socket DIR/sock
    local d=$1
    mkdir -p "$d/bin"; ln -sf "$RT" "$d/bin/runc"
    containerd_config "$d" io.containerd.grpc.v1.cri
    SOCK=$d/sock
    PATH="$d/bin:$PATH" containerd_start "$d"
}
stop_containerd() {
    [ -n "$CTD_PID" ] || return 0
    local t
    for t in $(C task ls -q 2>/dev/null); do C task kill -a -s KILL "$t" >/dev/null 2>&1; done
    for t in $(C task ls -q 2>/dev/null); do wait_until 5 task_stopped "$t"; C task delete -f "$t" >/dev/null 2>&1; done
    for t in $(C container ls -q 2>/dev/null); do C container delete "$t" >/dev/null 2>&1; done
    kill -TERM "$CTD_PID" 2>/dev/null
    wait_until 5 sh -c "! kill -0 $CTD_PID 2>/dev/null" || kill -KILL "$CTD_PID" 2>/dev/null
    wait "$CTD_PID" 2>/dev/null
    CTD_PID=""
    # the cgroup parent /<namespace> the runtime created in each hierarchy
    for t in /sys/fs/cgroup/*/"$NS" /sys/fs/cgroup/"$NS"; do [ -d "$t" ] && rmdir "$t"; done
    rmdir "/run/containerd/runc/$NS" 2>/dev/null
    true
}
at_exit stop_containerd

C() { timeout -k 5 60 ctr -a "$SOCK" -n "$NS" "$@"; }
CSTR() { printf 'ctr -a %q -n %q' "$SOCK" "$NS"; }
task_status() { C task ls 2>/dev/null | awk -v n="$1" '$1==n{print $3}'; }
task_stopped() { [ "$(task_status "$1")" = STOPPED ]; }
task_pid() { C task ls | awk -v n="$1" '$1==n{print $2}'; }
# end ID: kill and remove a detached container
end() { C task kill -s KILL "$1" >/dev/null 2>&1; wait_until 5 task_stopped "$1"; C task delete "$1" >/dev/null 2>&1; C container delete "$1" >/dev/null 2>&1; }

# ------------------------------------------------------------------ checks
c_import() { C images import "$W/image.tar" >/dev/null && C images ls -q | grep -qx "$IMG"; }
c_run_rc() {
    local o; o=$(C run --rm "${RA[@]}" "$IMG" "$T-e" echo hello) || return 1
    [ "$o" = hello ] || { echo "got '$o'"; return 1; }
    C run --rm "${RA[@]}" "$IMG" "$T-x" sh -c 'exit 7'; local rc=$?
    [ $rc = 7 ] || { echo "exit code $rc, want 7"; return 1; }
}
# ctr does not close the task's stdin at EOF: read one line, not to EOF
c_stdin() { local o; o=$(echo piped-x | C run --rm "${RA[@]}" "$IMG" "$T-i" head -n 1); [ "$o" = piped-x ] || { echo "got '$o'"; return 1; }; }
c_detached() {
    C run -d "${RA[@]}" "$IMG" "$T-d" sh -c 'trap "exit 0" TERM; trap "echo got-usr1 > /tmp/usr1" USR1; while :; do sleep 0.1; done' || return 1
    [ "$(task_status "$T-d")" = RUNNING ] || { C task ls; return 1; }
    [ -d "$RROOT/$NS/$T-d" ] || { echo "no state in --runc-root $RROOT/$NS: $(ls "$RROOT/$NS" 2>&1)"; return 1; }
}
c_exec() {
    local o; o=$(C task exec --exec-id x1 --cwd /tmp "$T-d" sh -c 'echo $(pwd):$(cat /proc/1/comm)'); want /tmp:sh "$o" || return 1
    C task exec --exec-id x2 "$T-d" sh -c 'exit 3'; local rc=$?
    [ $rc = 3 ] || { echo "exec exit code $rc, want 3"; return 1; }
}
c_ps() { local o; o=$(C task ps "$T-d"); echo "$o"; [ "$(grep -cE '^ *[0-9]+' <<< "$o")" -ge 2 ]; }
c_pause() {
    C task pause "$T-d" || return 1
    [ "$(task_status "$T-d")" = PAUSED ] || { C task ls; return 1; }
    C task resume "$T-d" || return 1
    [ "$(task_status "$T-d")" = RUNNING ] || { C task ls; return 1; }
}
c_kill_usr1() {
    C task kill -s USR1 "$T-d" || return 1
    wait_until 5 sh -c "$(CSTR) task exec --exec-id u\$\$ $T-d cat /tmp/usr1 2>/dev/null | grep -q got-usr1" \
        || { echo "USR1 not delivered"; return 1; }
}
c_kill_term() {
    C task kill "$T-d" || return 1
    wait_until 5 task_stopped "$T-d" || { C task ls; return 1; }
    local o; o=$(C task delete "$T-d" 2>&1); ! grep -q 'non-zero exit' <<< "$o" || { echo "$o"; return 1; }
    C container delete "$T-d"
}
c_kill_9() {
    C run -d "${RA[@]}" "$IMG" "$T-k" sleep 1000 || return 1
    C task kill -s KILL "$T-k" || return 1
    wait_until 5 task_stopped "$T-k" || { C task ls; return 1; }
    local o; o=$(C task delete "$T-k" 2>&1); C container delete "$T-k"
    want "exit code 137" "$o"
}
c_kill_all() {
    C run -d "${RA[@]}" "$IMG" "$T-ka" sh -c 'sleep 1000 & sleep 1000' || return 1
    C task kill -a -s KILL "$T-ka" || return 1
    wait_until 5 task_stopped "$T-ka" || { C task ls; return 1; }
    C task delete "$T-ka" >/dev/null; C container delete "$T-ka"
}
c_exec_user() {
    # own container: ctr's --user lookup mounts the snapshot a second time
    C run -d "${RA[@]}" "$IMG" "$T-u" sleep 1000 || return 1
    local o; o=$(C task exec --exec-id x3 --user 65534 "$T-u" id -u)
    end "$T-u"; want 65534 "$o"
}
c_run_tty() { local o; o=$(script_run "$(CSTR) run --rm -t $(printf '%q ' "${RA[@]}") $IMG $T-t sh -c 'tty; stty size'"); want /dev/pts/0 "$o"; }
c_exec_tty() {
    C run -d "${RA[@]}" "$IMG" "$T-xt" sleep 1000 || return 1
    local o; o=$(script_run "$(CSTR) task exec -t --exec-id t1 $T-xt tty")
    end "$T-xt"; want /dev/pts/ "$o"
}
c_create_start() {
    # `ctr container create` has no --runc-binary: the shim finds "runc" in PATH
    C container create "$IMG" "$T-cs" echo split-ok || return 1
    local o; o=$(C task start "$T-cs"); C task delete "$T-cs" >/dev/null 2>&1; C container delete "$T-cs"
    want split-ok "$o"
}
c_uidmap() {
    local o; o=$(C run --rm "${RA[@]}" --uidmap 0:300000:65536 --gidmap 0:300000:65536 "$IMG" "$T-um" \
        sh -c 'cat /proc/self/uid_map; touch /tmp/f && echo write-ok')
    want 300000 "$o" && want write-ok "$o"
}
c_pid_ns() {
    C run -d "${RA[@]}" "$IMG" "$T-pa" sleep 1000 || return 1
    local o; o=$(C run --rm "${RA[@]}" --with-ns "pid:/proc/$(task_pid "$T-pa")/ns/pid" "$IMG" "$T-pb" ps)
    end "$T-pa"; want 'sleep 1000' "$o"
}
c_cgroup() {
    C run -d "${RA[@]}" --memory-limit 67108864 --cpu-quota 50000 --cpu-period 100000 "$IMG" "$T-cg" sleep 1000 || return 1
    local pid m c; pid=$(task_pid "$T-cg")
    m=$(cat "$(cg_file "$pid" memory memory.limit_in_bytes memory.max)")
    c=$(cat "$(cg_file "$pid" cpu cpu.cfs_quota_us cpu.max)")
    echo "memory=$m cpu=$c"
    end "$T-cg"
    [ "$m" = 67108864 ] && [[ "$c" == 50000* ]]
}
c_caps() {
    # containerd's default set 00000000a80425fb, minus CHOWN (bit 0), plus NET_ADMIN (bit 12)
    local o; o=$(C run --rm "${RA[@]}" --cap-drop CAP_CHOWN --cap-add CAP_NET_ADMIN "$IMG" "$T-cap" grep CapEff /proc/self/status)
    want 00000000a80435fa "$o" || return 1
    o=$(C run --rm "${RA[@]}" --privileged "$IMG" "$T-pr" grep CapEff /proc/self/status)
    want "$(grep CapEff /proc/self/status)" "$o"
}
c_ro_seccomp() {
    local o; o=$(C run --rm "${RA[@]}" --read-only --seccomp "$IMG" "$T-ro" sh -c 'touch /x 2>&1; grep Seccomp: /proc/self/status')
    want 'Read-only file system' "$o" && want 'Seccomp:	2' "$o"
}
c_device_mount_net() {
    mkdir -p "$W/vol"; echo volfile > "$W/vol/f"
    local o; o=$(C run --rm "${RA[@]}" --device /dev/fuse --net-host \
        --mount "type=bind,src=$W/vol,dst=/mnt,options=rbind:ro" "$IMG" "$T-dm" \
        sh -c 'ls -l /dev/fuse; cat /mnt/f; touch /mnt/x 2>/dev/null || echo ro-ok; readlink /proc/self/ns/net')
    want '10, 229' "$o" && want volfile "$o" && want ro-ok "$o" && want "$(readlink /proc/self/ns/net)" "$o"
}
c_error() {
    # the shim reports the runtime's last --log-format json error line
    local o; o=$(C run --rm "${RA[@]}" "$IMG" "$T-err" /no-such-cmd 2>&1); local rc=$?
    echo "rc=$rc: $o"; [ $rc != 0 ] && want 'OCI runtime create failed' "$o" && want /no-such-cmd "$o" || return 1
    C container delete "$T-err" >/dev/null 2>&1; true
}
c_no_pivot() { local o; o=$(C run --rm "${RA[@]}" --no-pivot "$IMG" "$T-np" echo no-pivot-ok); want no-pivot-ok "$o"; }
c_no_state_left() {
    local left; left=$(ls -A "$RROOT/$NS" 2>/dev/null)
    [ -z "$left" ] || { echo "left in $RROOT/$NS: $left"; return 1; }
}

for RTN in $RUNTIMES; do
    RT=$(make_wrapper "$RTN" 0)
    D=$W/ctd-$RTN; NS=mc$$$RTN; T=$NS; RROOT=$D/runc-root
    RA=(--runc-binary "$RT" --runc-root "$RROOT")
    echo "# --- containerd $(containerd --version | awk '{print $3}') with $RTN: $("$RT" --version | head -n 1)"
    mkdir -p "$D"
    start_containerd "$D" || { echo "FAIL: private containerd did not start"; exit 1; }
    check "ctr images import"            c_import
    check "run --rm, exit code"          c_run_rc
    check "stdin"                        c_stdin
    check "run -d, state in --runc-root" c_detached
    check "task exec --cwd, rc"          c_exec
    check "task ps"                      c_ps
    check "task pause/resume"            c_pause
    check "task kill -s USR1"            c_kill_usr1
    check "task kill (TERM), exit 0"     c_kill_term
    check "task kill -s KILL, 137"       c_kill_9
    check "task kill --all"              c_kill_all
    check "task exec --user"             c_exec_user
    check "run -t (console socket)"      c_run_tty
    check "task exec -t"                 c_exec_tty
    check "container create+task start"  c_create_start
    check "--uidmap/--gidmap"            c_uidmap
    check "--with-ns pid (shared)"       c_pid_ns
    check "cgroup memory/cpu limits"     c_cgroup
    check "--cap-drop/--cap-add, --privileged" c_caps
    check "--read-only --seccomp"        c_ro_seccomp
    check "--device --mount --net-host"  c_device_mount_net
    check "--no-pivot"                   c_no_pivot
    check "error names the command"      c_error
    check "no runtime state left"        c_no_state_left
    stop_containerd
    [ "${TRACE_RUNTIME:-0}" = 1 ] && awk '{for(i=1;i<=NF;i++) if($i~/^(create|start|exec|kill|delete|pause|resume|ps|state|update|features|run)$/){print $i; break}}' "$W/trace.$RTN" | sort | uniq -c | sed 's/^/# trace /'
done
report
