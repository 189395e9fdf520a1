#!/bin/bash
# podman.sh - podman 4.3 (Debian 12) through conmon, rootful, cgroupfs
# manager, with --runtime pointing at runc and then at modrun (a wrapper
# that adds --plugin-dir and a private --root). Offline: the image is
# imported from a busybox-static rootfs tar. Private storage, runroot,
# tmpdir and containers.conf; nothing is left running.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/podman-checks.sh"

need_pkgs podman conmon catatonit runc uidmap tmux bsdutils busybox-static
make_rootfs
tar -C "$W/rootfs" -cf "$W/rootfs.tar" .

ULIMITS=$(podman_ulimits)
[ -z "$ULIMITS" ] || echo "# no CAP_SYS_RESOURCE here: $ULIMITS"

mkdir -p "$W/p"/{root,runroot,tmp,net}
cat > "$W/p/containers.conf" <<EOF
[containers]
netns = "none"
$ULIMITS
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_config_dir = "$W/p/net"
EOF
cat > "$W/p/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$W/p/root"
runroot = "$W/p/runroot"
EOF
# --userns=auto takes ranges from root-auto-userns-user's /etc/subuid entry:
# a throw-away user, removed at exit with its subuid lines and any process
# left in its ranges
AUTO_USER=mcl$$
if user_add "$AUTO_USER" /nonexistent 131072 >/dev/null 2>&1; then
    printf '[storage.options]\nroot-auto-userns-user = "%s"\n' "$AUTO_USER" >> "$W/p/storage.conf"
else
    AUTO_USER=""
fi
export CONTAINERS_CONF=$W/p/containers.conf CONTAINERS_STORAGE_CONF=$W/p/storage.conf
IMG=localhost/modrun-clients-bb:latest
PG=(--root "$W/p/root" --runroot "$W/p/runroot" --tmpdir "$W/p/tmp" --cgroup-manager cgroupfs
    --events-backend file --storage-driver overlay)
P() { timeout -k 5 90 podman "${PG[@]}" --runtime "$RT" "$@"; }
PSTR() { printf 'podman'; printf ' %q' "${PG[@]}" --runtime "$RT"; }
at_exit 'podman "${PG[@]}" system reset -f'
at_exit 'for rt in $RUNTIMES; do RT=$W/rt/$rt/$rt; P rm -a -f -t 0; P pod rm -a -f -t 0; done'

podman "${PG[@]}" import -q --change 'CMD ["/bin/sh"]' "$W/rootfs.tar" "$IMG" >/dev/null \
    || { echo "FAIL: podman import"; exit 1; }
echo "# $(podman --version), conmon $(conmon --version 2>/dev/null | awk 'NR==1{print $3}')"

# ------------------------------------------------------------------ checks
# Container names carry $T (pid and runtime) so the two passes never meet.
c_run_rc() {
    local o; o=$(P run --rm "$IMG" echo hello) || return 1
    [ "$o" = hello ] || { echo "got '$o'"; return 1; }
    P run --rm "$IMG" sh -c 'exit 7'; local rc=$?
    [ $rc = 7 ] || { echo "exit code $rc, want 7"; return 1; }
}
c_detached_logs() {
    P run -d --name "$T-d" "$IMG" sh -c 'echo log-line; trap "exit 0" TERM; trap "echo got-usr1 > /tmp/usr1" USR1; while :; do sleep 0.1; done' >/dev/null || return 1
    local s; s=$(P inspect -f '{{.State.Status}}' "$T-d"); want running "$s" || return 1
    wait_until 5 sh -c "$(PSTR) logs $T-d 2>/dev/null | grep -q log-line" || { P logs "$T-d"; return 1; }
}
c_exec() {
    local o; o=$(P exec --user 65534:65534 --workdir /tmp -e XV=42 "$T-d" sh -c 'echo $(id -u):$(id -g):$(pwd):$XV:$(cat /proc/1/comm)')
    want 65534:65534:/tmp:42:sh "$o" || return 1
    P exec "$T-d" sh -c 'exit 3'; local rc=$?
    [ $rc = 3 ] || { echo "exec exit code $rc, want 3"; return 1; }
}
c_pause() {
    P pause "$T-d" >/dev/null || return 1
    local s; s=$(P inspect -f '{{.State.Status}}' "$T-d"); want paused "$s" || return 1
    P unpause "$T-d" >/dev/null || return 1
    s=$(P inspect -f '{{.State.Status}}' "$T-d"); want running "$s" || return 1
    P exec "$T-d" true
}
c_stop_term() {
    local t0=$(now_ms) s
    P stop -t 20 "$T-d" >/dev/null || return 1
    [ $(( $(now_ms) - t0 )) -lt 15000 ] || { echo "stop took $(( $(now_ms) - t0 )) ms: SIGTERM lost?"; return 1; }
    s=$(P inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$T-d"); want "exited 0" "$s" || return 1
    P rm "$T-d" >/dev/null && ! P container exists "$T-d"
}
c_rm_f() {
    P run -d --name "$T-f" "$IMG" sleep 1000 >/dev/null || return 1
    P rm -f -t 0 "$T-f" >/dev/null || return 1
    ! P container exists "$T-f" || { echo "still exists"; return 1; }
}
c_restart() {
    P run -d --name "$T-r" "$IMG" sh -c 'echo started; trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null || return 1
    local p1 p2 o; p1=$(P inspect -f '{{.State.Pid}}' "$T-r")
    P restart -t 5 "$T-r" >/dev/null || return 1
    p2=$(P inspect -f '{{.State.Pid}}' "$T-r")
    [ "$p2" -gt 0 ] && [ "$p1" != "$p2" ] || { echo "pid $p1 -> $p2"; return 1; }
    o=$(P logs "$T-r"); [ "$(grep -c started <<< "$o")" = 2 ] || { echo "logs: $o"; return 1; }
    P rm -f -t 0 "$T-r" >/dev/null
}
c_wait() {
    P run -d --name "$T-w" "$IMG" sh -c 'sleep 0.3; exit 5' >/dev/null || return 1
    local o; o=$(P wait "$T-w"); P rm "$T-w" >/dev/null
    [ "$o" = 5 ] || { echo "wait said '$o'"; return 1; }
}
pane_has() { tmux -S "$TMUX_SOCK" capture-pane -p -t cl 2>/dev/null | grep -q -- "$1"; }
c_tmux_resize() {
    TMUX_SOCK=$W/tmux.sock
    tmux -S "$TMUX_SOCK" new-session -d -s cl -x 100 -y 30 "$(PSTR) run --rm -it --name $T-tty $IMG sh" || return 1
    wait_until 20 pane_has '/ #' || { echo "no prompt"; return 1; }
    tmux -S "$TMUX_SOCK" send-keys -t cl 'stty size' Enter
    wait_until 10 pane_has '^30 100' || { echo "size not 30 100"; tmux -S "$TMUX_SOCK" capture-pane -p -t cl; return 1; }
    tmux -S "$TMUX_SOCK" resize-window -t cl -x 90 -y 25; sleep 0.5
    tmux -S "$TMUX_SOCK" send-keys -t cl 'stty size' Enter
    wait_until 10 pane_has '^25 90' || { echo "resize not seen"; tmux -S "$TMUX_SOCK" capture-pane -p -t cl; return 1; }
    tmux -S "$TMUX_SOCK" send-keys -t cl 'exit' Enter
    wait_until 10 sh -c "! tmux -S $TMUX_SOCK has-session -t cl 2>/dev/null"
    tmux -S "$TMUX_SOCK" kill-server 2>/dev/null; TMUX_SOCK=""
    ! P container exists "$T-tty" || { echo "container left behind"; return 1; }
}
c_privileged() {
    local o n; o=$(P run --rm --privileged "$IMG" sh -c 'grep CapEff /proc/self/status; ls /dev | wc -l')
    want "$(grep CapEff /proc/self/status)" "$o" || return 1
    n=$(tail -n 1 <<< "$o"); [ "$n" -gt 20 ] || { echo "only $n entries in /dev"; return 1; }
}
c_seccomp() {
    local o; o=$(P run --rm "$IMG" grep Seccomp: /proc/self/status); want 2 "$o" || return 1
    o=$(P run --rm --security-opt seccomp=unconfined "$IMG" grep Seccomp: /proc/self/status); want 0 "$o"
}
c_binds() {
    mkdir -p "$W/vol"; echo volfile > "$W/vol/f"
    local o; o=$(P run --rm -v "$W/vol:/ro:ro" -v "$W/vol:/rw" "$IMG" sh -c 'cat /ro/f; touch /ro/x 2>/dev/null || echo ro-ok; echo w > /rw/w && echo rw-ok')
    want volfile "$o" && want ro-ok "$o" && want rw-ok "$o" && [ -f "$W/vol/w" ]
}
c_init() { local o; o=$(P run --rm --init "$IMG" cat /proc/1/cmdline | tr '\0' ' '); want init "$o"; }
c_net_host() {
    local o; o=$(P run --rm --network host "$IMG" readlink /proc/self/ns/net)
    [ "$o" = "$(readlink /proc/self/ns/net)" ] || { echo "netns $o, host $(readlink /proc/self/ns/net)"; return 1; }
}
c_pid_container() {
    P run -d --name "$T-pa" "$IMG" sleep 1000 >/dev/null || return 1
    local o; o=$(P run --rm --pid "container:$T-pa" "$IMG" ps)
    P rm -f -t 0 "$T-pa" >/dev/null
    want 'sleep 1000' "$o"
}
c_pod() {
    P pod create --name "$T-pod" --share pid,ipc,uts >/dev/null || return 1
    P run -d --pod "$T-pod" --name "$T-pc" "$IMG" sleep 1000 >/dev/null || return 1
    local o; o=$(P run --rm --pod "$T-pod" "$IMG" ps)
    P pod rm -f -t 0 "$T-pod" >/dev/null
    want catatonit "$o" && want 'sleep 1000' "$o"
}
c_cgroup() {
    P run -d --name "$T-cg" --memory 64m --pids-limit 50 --cpus 0.5 "$IMG" sleep 1000 >/dev/null || return 1
    local pid m p c; pid=$(P inspect -f '{{.State.Pid}}' "$T-cg")
    m=$(cat "$(cg_file "$pid" memory memory.limit_in_bytes memory.max)")
    p=$(cat "$(cg_file "$pid" pids pids.max pids.max)")
    c=$(cat "$(cg_file "$pid" cpu cpu.cfs_quota_us cpu.max)")
    echo "memory=$m pids=$p cpu=$c ($(cg_file "$pid" memory memory.limit_in_bytes memory.max))"
    P rm -f -t 0 "$T-cg" >/dev/null
    [ "$m" = 67108864 ] && [ "$p" = 50 ] && [[ "$c" == 50000* ]]
}
c_device() {
    local o; o=$(P run --rm --device /dev/fuse --device /dev/null:/dev/mynull "$IMG" sh -c 'ls -l /dev/fuse; echo x > /dev/mynull && echo mynull-ok; head -c 1 /dev/fuse 2>&1')
    want '10, 229' "$o" && want mynull-ok "$o"
}
c_uidmap() {
    local o; o=$(P run --rm --uidmap 0:300000:65536 --gidmap 0:300000:65536 "$IMG" sh -c 'cat /proc/self/uid_map; touch /tmp/f && echo write-ok; stat -c %u /bin/busybox')
    want 300000 "$o" && want write-ok "$o" && [ "$(tail -n 1 <<< "$o")" = 0 ] || { echo "$o"; return 1; }
}
c_userns_auto() {
    [ -n "$AUTO_USER" ] || { echo "could not create a user for root-auto-userns-user"; return 77; }
    local o; o=$(P run --rm --userns=auto "$IMG" cat /proc/self/uid_map)
    awk '$1==0 && $2>0 {ok=1} END{exit !ok}' <<< "$o" || { echo "$o"; return 1; }
}
c_build() {
    mkdir -p "$W/ctx"
    printf 'FROM %s\nRUN echo built-by-%s > /built\nCMD ["cat","/built"]\n' "$IMG" "$RTN" > "$W/ctx/Containerfile"
    P build --pull=never --network none -q -t "localhost/$T-built" "$W/ctx" >/dev/null || return 1
    local o; o=$(P run --rm "localhost/$T-built"); P rmi "localhost/$T-built" >/dev/null
    want "built-by-$RTN" "$o"
}
c_no_state_left() {
    local d=$W/state-$RTN left
    left=$(ls -A "$d" 2>/dev/null)
    [ -z "$left" ] || { echo "left in $d: $left"; return 1; }
}

for RTN in $RUNTIMES; do
    RT=$(make_wrapper "$RTN" 1)
    T=mc$$-$RTN
    echo "# --- podman with $RTN: $("$RT" --version | head -n 1)"
    check "run --rm, exit code"          c_run_rc
    check "stdin (run -i, cat)"          c_stdin
    check "run -d + logs"                c_detached_logs
    check "exec --user --workdir -e, rc" c_exec
    check "exec -it (pty)"               c_exec_t
    check "pause/unpause"                c_pause
    check "kill -s USR1"                 c_kill_sig
    check "stop (SIGTERM) + rm"          c_stop_term
    check "stop -t 1 (SIGKILL fallback)" c_stop_kill
    check "rm -f running"                c_rm_f
    check "restart + logs"               c_restart
    check "wait exit code"               c_wait
    check "run -t"                       c_run_t
    check "run -it (script pty)"         c_run_it
    check "run -it in tmux + resize"     c_tmux_resize
    check "--read-only"                  c_readonly
    check "--cap-drop/--cap-add CapEff"  c_caps
    check "--privileged"                 c_privileged
    check "seccomp default/unconfined"   c_seccomp
    check "-v bind ro/rw"                c_binds
    check "--init"                       c_init
    check "--network host"               c_net_host
    check "--pid container:X"            c_pid_container
    check "pod (shared pid/ipc/uts)"     c_pod
    check "--memory/--pids-limit/--cpus" c_cgroup
    check "--device"                     c_device
    check "--uidmap/--gidmap"            c_uidmap
    check "--userns=auto"                c_userns_auto
    check "podman build (RUN step)"      c_build
    check "missing command: 127, named"  c_error
    P rm -a -f -t 0 >/dev/null 2>&1; P pod rm -a -f -t 0 >/dev/null 2>&1
    check "no runtime state left"        c_no_state_left
    [ "${TRACE_RUNTIME:-0}" = 1 ] && awk '{for(i=1;i<=NF;i++) if($i!~/^-/ && $i!~/\//){print $i; break}}' "$W/trace.$RTN" | sort | uniq -c | sed 's/^/# trace /'
done
report
