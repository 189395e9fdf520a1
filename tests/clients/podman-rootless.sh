#!/bin/bash
# podman-rootless.sh - podman 4.3 (Debian 12) rootless, through conmon, run
# as a throw-away unprivileged user with its own /etc/subuid and /etc/subgid
# ranges, with --runtime pointing at runc and then at modrun. No --root is
# given to either runtime: like a real rootless user, each keeps its state
# in its default directory, $XDG_RUNTIME_DIR/<runtime>. The cgroup manager
# is cgroupfs; on cgroup v1 a rootless container gets no cgroup of its own,
# so pause and resource limits are not checked here. Offline: the image is
# imported from a busybox-static rootfs tar. Everything, including the user,
# its processes and its subordinate ids, is removed at exit.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/podman-checks.sh"

need_pkgs podman conmon catatonit runc uidmap bsdutils busybox-static
make_rootfs
tar -C "$W/rootfs" -cf "$W/rootfs.tar" .

# ------------------------------------------------------------------ the user
RUSER=mrl$$
RHOME=$W/rl/home
XDG=$W/rl/xdg
user_add "$RUSER" "$RHOME" || { echo "FAIL: could not create the user $RUSER with subordinate ids"; exit 1; }
RUID=$(id -u "$RUSER")
SUBUID=$(awk -F: -v u="$RUSER" '$1==u{print $2; exit}' /etc/subuid)
echo "# user $RUSER: uid $RUID, subuids $SUBUID+65536"

mkdir -p "$W/rl"/{home,xdg,root,runroot,tmp}
chmod 700 "$XDG"
cat > "$W/rl/containers.conf" <<EOF
[containers]
netns = "none"
$(podman_ulimits)
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
cat > "$W/rl/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$W/rl/root"
runroot = "$W/rl/runroot"
EOF
chown -R "$RUSER:" "$W/rl"

IMG=localhost/modrun-clients-bb:latest
# RL_ENV: the user's environment, as a login would give it (env -i: nothing of ours leaks in)
RL_ENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
        HOME="$RHOME" USER="$RUSER" LOGNAME="$RUSER" XDG_RUNTIME_DIR="$XDG"
        CONTAINERS_CONF="$W/rl/containers.conf" CONTAINERS_STORAGE_CONF="$W/rl/storage.conf")
PG=(--root "$W/rl/root" --runroot "$W/rl/runroot" --tmpdir "$W/rl/tmp" --cgroup-manager cgroupfs
    --events-backend file --storage-driver overlay)
RL() { timeout -k 5 90 runuser -u "$RUSER" -- "${RL_ENV[@]}" podman "${PG[@]}" "$@"; }
P() { RL --runtime "$RT" "$@"; }
PSTR() { printf 'runuser -u %q --' "$RUSER"; printf ' %q' "${RL_ENV[@]}" podman "${PG[@]}" --runtime "$RT"; }
# rootless podman keeps a "catatonit -P" pause process holding its user
# namespace; the teardown (user_remove) kills it with the rest of the
# user's processes, then deletes the user
at_exit 'RL system reset -f'
at_exit 'for rt in $RUNTIMES; do RT=$W/rt/$rt/$rt; P rm -a -f -t 0; done'

RL import -q --change 'CMD ["/bin/sh"]' "$W/rootfs.tar" "$IMG" >/dev/null \
    || { echo "FAIL: rootless podman import"; RL import "$W/rootfs.tar" "$IMG"; exit 1; }
echo "# $(podman --version) rootless, conmon $(conmon --version 2>/dev/null | awk 'NR==1{print $3}')"

# ------------------------------------------------------------------ checks
# host_status PID FIELD: a line of /proc/PID/status as the host sees it
host_status() { awk -v f="$2:" '$1==f{print $2; exit}' "/proc/$1/status"; }
c_run_rc() {
    local o; o=$(P run --rm "$IMG" sh -c 'echo hello; cat /proc/self/uid_map') || return 1
    want hello "$o" || return 1
    # container root is the user, as the kernel maps it
    awk -v u="$RUID" '$1==0 && $2==u && $3==1 {ok=1} END{exit !ok}' <<< "$o" || { echo "uid_map: $o"; return 1; }
    P run --rm "$IMG" sh -c 'exit 7'; local rc=$?
    [ $rc = 7 ] || { echo "exit code $rc, want 7"; return 1; }
}
c_detached() {
    P run -d --name "$T-d" "$IMG" sh -c 'echo log-line; trap "exit 0" TERM; trap "echo got-usr1 > /tmp/usr1" USR1; while :; do sleep 0.1; done' >/dev/null || return 1
    local s pid; s=$(P inspect -f '{{.State.Status}}' "$T-d"); want running "$s" || return 1
    wait_until 5 sh -c "$(PSTR) logs $T-d 2>/dev/null | grep -q log-line" || { P logs "$T-d"; return 1; }
    # the runtime keeps its state in its default rootless root
    [ -d "$XDG/$RTN/$(P inspect -f '{{.Id}}' "$T-d")" ] || { echo "no state in $XDG/$RTN: $(ls -A "$XDG" 2>&1)"; return 1; }
    # the kernel: the container's init runs as the user, in its own user namespace
    pid=$(P inspect -f '{{.State.Pid}}' "$T-d")
    [ "$(host_status "$pid" Uid)" = "$RUID" ] || { echo "init $pid: host uid $(host_status "$pid" Uid), want $RUID"; return 1; }
    [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] || { echo "init $pid is in the host user namespace"; return 1; }
}
c_exec() {
    local o; o=$(P exec --user 65534:65534 --workdir /tmp -e XV=42 "$T-d" sh -c 'echo $(id -u):$(id -g):$(pwd):$XV:$(cat /proc/1/comm)')
    want 65534:65534:/tmp:42:sh "$o" || return 1
    # the same process as the host sees it: container uid 65534 is subuid 65533
    P exec -d --user 65534:65534 "$T-d" sleep 30 >/dev/null || return 1
    local pid=""
    wait_until 5 sh -c "pgrep -u $((SUBUID+65533)) -x sleep >/dev/null" && pid=$(pgrep -u $((SUBUID+65533)) -x sleep | head -n 1)
    [ -n "$pid" ] || { echo "no sleep with host uid $((SUBUID+65533))"; ps -eo uid,pid,args | grep ' sleep 30' | grep -v grep; return 1; }
    [ "$(host_status "$pid" Gid)" = "$((SUBUID+65533))" ] || { echo "host gid $(host_status "$pid" Gid)"; return 1; }
    kill -KILL "$pid"
    P exec "$T-d" sh -c 'exit 3'; local rc=$?
    [ $rc = 3 ] || { echo "exec exit code $rc, want 3"; return 1; }
}
c_stop_term() {
    local t0=$(now_ms) s pid; pid=$(P inspect -f '{{.State.Pid}}' "$T-d")
    P stop -t 20 "$T-d" >/dev/null || return 1
    [ $(( $(now_ms) - t0 )) -lt 15000 ] || { echo "stop took $(( $(now_ms) - t0 )) ms: SIGTERM lost?"; return 1; }
    s=$(P inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$T-d"); want "exited 0" "$s" || return 1
    ! kill -0 "$pid" 2>/dev/null || { echo "init $pid still alive"; return 1; }
    P rm "$T-d" >/dev/null && ! P container exists "$T-d"
}
c_rm_f() {
    P run -d --name "$T-f" "$IMG" sleep 1000 >/dev/null || return 1
    local pid; pid=$(P inspect -f '{{.State.Pid}}' "$T-f")
    P rm -f -t 0 "$T-f" >/dev/null || return 1
    ! P container exists "$T-f" || { echo "still exists"; return 1; }
    wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" || { echo "init $pid still alive"; return 1; }
}
c_keep_id() {
    mkdir -p "$W/rl/vol-$RTN"; chown "$RUSER:" "$W/rl/vol-$RTN"
    local o; o=$(P run --rm --userns=keep-id -v "$W/rl/vol-$RTN:/v" "$IMG" sh -c 'id -u; id -g; touch /v/f && echo write-ok')
    want write-ok "$o" || return 1
    [ "$(sed -n 1p <<< "$o")" = "$RUID" ] && [ "$(sed -n 2p <<< "$o")" = "$(id -g "$RUSER")" ] || { echo "ids: $o"; return 1; }
    # the file the container wrote is the user's on the host
    [ "$(stat -c %u "$W/rl/vol-$RTN/f")" = "$RUID" ] || { echo "owner $(stat -c %u "$W/rl/vol-$RTN/f")"; return 1; }
}
c_uidmap() {
    # container 0..65535 -> the user namespace's 1..65536 -> host subuids
    P run -d --name "$T-u" --uidmap 0:1:65536 --gidmap 0:1:65536 "$IMG" sh -c 'touch /tmp/f && sleep 1000' >/dev/null || return 1
    local pid o h; pid=$(P inspect -f '{{.State.Pid}}' "$T-u")
    o=$(P exec "$T-u" sh -c 'cat /proc/self/uid_map; stat -c %u /tmp/f')
    h=$(host_status "$pid" Uid)
    P rm -f -t 0 "$T-u" >/dev/null
    want '0          1      65536' "$o" || return 1
    [ "$(tail -n 1 <<< "$o")" = 0 ] || { echo "/tmp/f owner: $o"; return 1; }
    [ "$h" = "$SUBUID" ] || { echo "init $pid: host uid $h, want $SUBUID"; return 1; }
}
c_no_state_left() {
    local left; left=$(ls -A "$XDG/$RTN" 2>/dev/null)
    [ -z "$left" ] || { echo "left in $XDG/$RTN: $left"; return 1; }
}
# after rm -a: within 10 s (conmon runs `podman container cleanup` as it
# exits) nothing but podman's pause process runs as the user or its
# subordinate ids: no conmon, no container process
others_left() { user_pids "$RUSER" | grep -vx "$(cat "$W/rl/tmp/pause.pid" 2>/dev/null || echo none)"; }
nothing_left() { [ -z "$(others_left)" ]; }
c_no_procs_left() {
    wait_until 10 nothing_left && return 0
    local p; echo "left running:"
    for p in $(others_left); do ps -o uid=,pid=,args= -p "$p"; done
    return 1
}

for RTN in $RUNTIMES; do
    RT=$(make_wrapper "$RTN" 0)
    [ "${TRACE_RUNTIME:-0}" = 1 ] && { : > "$W/trace.$RTN"; chmod 666 "$W/trace.$RTN"; }
    T=mc$$-$RTN
    echo "# --- rootless podman with $RTN: $("$RT" --version | head -n 1)"
    check "run --rm, exit code, uid_map" c_run_rc
    check "stdin (run -i, cat)"          c_stdin
    check "run -d + logs, state, owner"  c_detached
    check "exec --user --workdir -e, rc" c_exec
    check "exec -it (pty)"               c_exec_t
    check "kill -s USR1"                 c_kill_sig
    check "stop (SIGTERM) + rm"          c_stop_term
    check "stop -t 1 (SIGKILL fallback)" c_stop_kill
    check "rm -f running"                c_rm_f
    check "--userns=keep-id + volume"    c_keep_id
    check "--uidmap/--gidmap (subids)"   c_uidmap
    check "--read-only"                  c_readonly
    check "--cap-drop/--cap-add CapEff"  c_caps
    check "run -t"                       c_run_t
    check "run -it (script pty)"         c_run_it
    check "missing command: 127, named"  c_error
    P rm -a -f -t 0 >/dev/null 2>&1
    check "no runtime state left"        c_no_state_left
    check "no container process left"    c_no_procs_left
    [ "${TRACE_RUNTIME:-0}" = 1 ] && awk '{for(i=1;i<=NF;i++) if($i!~/^-/ && $i!~/\//){print $i; break}}' "$W/trace.$RTN" | sort | uniq -c | sed 's/^/# trace /'
done
report
