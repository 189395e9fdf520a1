# lib.sh - shared by tests/clients/{podman,containerd}.sh.
#
# Each client test drives a real engine (podman through conmon, containerd
# through its runc v2 shim) twice: once with runc, once with modrun, and
# prints a table "check | runc | modrun". A check that passes with runc must
# pass with modrun; a check that fails with runc on this host is reported
# and does not fail the test. Exit 0 pass, 1 fail, 77 skip.
#
# Environment (set by meson; defaults work from a source tree with build/):
#   MODRUN, PLUGIN_DIR, SOURCE_ROOT
#   CLIENTS_RUNTIMES="runc modrun"   which runtimes to run (debugging)
#   TRACE_RUNTIME=1                  log every runtime call to $W/trace.<rt>
#   KEEP=1                           keep the work dir
set -u
export LC_ALL=C

SOURCE_ROOT=${SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MODRUN=${MODRUN:-$SOURCE_ROOT/build/core/modrun}
PLUGIN_DIR=${PLUGIN_DIR:-$(dirname "$MODRUN")/../plugins}
PLUGIN_DIR=$(readlink -f "$PLUGIN_DIR")
RUNTIMES=${CLIENTS_RUNTIMES:-runc modrun}

[ "$(id -u)" -eq 0 ] || { echo "SKIP: client tests need root"; exit 77; }
[ -x "$MODRUN" ] || { echo "FAIL: $MODRUN is not built"; exit 1; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
T_START=$(now_ms)

# need_pkgs PKG...: apt-get install the missing ones (Debian 12)
need_pkgs() {
    local p missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "# apt-get install ${missing[*]}"
    apt-get update -qq >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null 2>&1 \
        || { echo "SKIP: apt-get install ${missing[*]} failed (offline?)"; exit 77; }
}

# ------------------------------------------------------------------ work dir
# 0755: user-namespaced containers must be able to reach bundles below it.
W=$(mktemp -d /tmp/modrun-clients.XXXXXX)
chmod 755 "$W"
CLEANUP=()          # commands run at exit, last registered first
TEST_USERS=()       # throw-away users (user_add), deleted at exit
at_exit() { CLEANUP+=("$1"); }
# run_pids: the processes of this run that outlive their engine command:
# daemons, shims, conmon and its `podman container cleanup` all name the
# private work dir $W on their command line (no other process does)
run_pids() { pgrep -f -- "$W"; }
no_run_pids() { [ -z "$(run_pids)" ]; }
# After the cleanup commands, check that nothing is left: no process of
# this run, no test user (nor its processes, subordinate ids, files in
# /tmp, /var/tmp, /dev/shm), no mount below $W. Whatever is left is reported,
# ended by pid, and fails the test.
lib_cleanup() {
    local rc=$? i p u bad=()
    set +e
    for (( i=${#CLEANUP[@]}-1; i>=0; i-- )); do eval "${CLEANUP[$i]}" >/dev/null 2>&1; done
    [ -n "${TMUX_SOCK:-}" ] && tmux -S "$TMUX_SOCK" kill-server >/dev/null 2>&1
    if ! wait_until 10 no_run_pids; then
        for p in $(run_pids); do
            bad+=("process $(ps -o pid=,user=,args= -p "$p" | cut -c1-160)"); kill -KILL "$p" 2>/dev/null
        done
    fi
    for u in "${TEST_USERS[@]}"; do
        i=$(id -u "$u" 2>/dev/null)
        p=$(user_remove "$u" 2>&1) || bad+=("$p")
        id -u "$u" >/dev/null 2>&1 && bad+=("user $u")
        [ -n "$i" ] && [ -n "$(find /tmp /var/tmp /dev/shm -xdev -mindepth 1 -maxdepth 1 -uid "$i" 2>/dev/null)" ] \
            && bad+=("files of $u (uid $i) in /tmp, /var/tmp or /dev/shm")
        grep -qs "^$u:" /etc/subuid /etc/subgid && bad+=("/etc/subuid or /etc/subgid lines of $u")
    done
    grep -o " $W[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
    grep -q " $W" /proc/mounts && bad+=("mounts below $W")
    if [ "${KEEP:-0}" = 1 ]; then echo "# kept $W"; else rm -rf --one-file-system "$W"; fi
    if [ ${#bad[@]} -gt 0 ]; then
        printf '# teardown left: %s (removed now)\n' "${bad[@]}"
        [ "$rc" = 0 ] && { echo "FAIL: the test did not tear down everything it made"; exit 1; }
    fi
    exit "$rc"
}
trap lib_cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ runtimes
# $W/rt/<name>/<name>: what the engine is given as the runtime binary.
#   runc:   exec runc "$@"
#   modrun: exec modrun --plugin-dir <build>/plugins "$@" (engines do not
#           pass our --plugin-dir, so the build tree's plugins come from here)
# With EXTRA_ROOT=1 the wrapper also passes a private --root (podman passes
# no --root at all; containerd's shim always passes its own).
make_wrapper() { # make_wrapper NAME EXTRA_ROOT -> prints the wrapper's path
    local name=$1 extra_root=$2 d bin glob=()
    d=$W/rt/$name
    mkdir -p "$d"
    case $name in
        runc) bin=$(command -v runc) ;;
        modrun) bin=$MODRUN; glob=(--plugin-dir "$PLUGIN_DIR") ;;
    esac
    [ "$extra_root" = 1 ] && glob+=(--root "$W/state-$name")
    {
        echo '#!/bin/sh'
        [ "${TRACE_RUNTIME:-0}" = 1 ] && echo "echo \"\$*\" >> $W/trace.$name"
        printf 'exec %q' "$bin"; [ ${#glob[@]} -gt 0 ] && printf ' %q' "${glob[@]}"; echo ' "$@"'
    } > "$d/$name"
    chmod 755 "$d/$name"
    echo "$d/$name"
}

# ------------------------------------------------------------------ rootfs
# $W/rootfs: busybox-static with its applets, root user, /tmp 1777
make_rootfs() {
    local r=$W/rootfs a
    mkdir -p "$r"/{bin,etc,proc,sys,dev,tmp,root,run}
    cp /bin/busybox "$r/bin/busybox"
    for a in $("$r/bin/busybox" --list); do [ "$a" = busybox ] || ln -s busybox "$r/bin/$a"; done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$r/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' > "$r/etc/group"
    chmod 1777 "$r/tmp"
}

# make_image TAR NAME CMD_JSON: an OCI image layout archive of $W/rootfs
# (make_rootfs) for `ctr images import`, named NAME, running CMD_JSON.
# blobs/sha256/<digest> hold the layer (uncompressed, so its digest is its
# diff_id), the config and the manifest; index.json names the image.
make_image() {
    local tar=$1 name=$2 cmd=$3 L layer_d layer_s cfg_d cfg_s mf_d mf_s
    L=$(mktemp -d "$W/oci.XXXXXX")
    mkdir -p "$L/blobs/sha256"
    add_blob() { # add_blob FILE -> "digest size"
        local d; d=$(sha256sum "$1" | cut -d' ' -f1)
        mv "$1" "$L/blobs/sha256/$d"; echo "$d $(stat -c %s "$L/blobs/sha256/$d")"
    }
    tar --numeric-owner -C "$W/rootfs" -cf "$L/layer.tar" .
    read -r layer_d layer_s < <(add_blob "$L/layer.tar")
    printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
        "$cmd" "$layer_d" > "$L/cfg.json"
    read -r cfg_d cfg_s < <(add_blob "$L/cfg.json")
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
        "$cfg_d" "$cfg_s" "$layer_d" "$layer_s" > "$L/mf.json"
    read -r mf_d mf_s < <(add_blob "$L/mf.json")
    echo '{"imageLayoutVersion":"1.0.0"}' > "$L/oci-layout"
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"latest"}}]}' \
        "$mf_d" "$mf_s" "$name" > "$L/index.json"
    tar -C "$L" -cf "$tar" oci-layout index.json blobs
    rm -rf "$L"
}

# ------------------------------------------------------------------ checks
# check NAME FUNCTION [ARGS...]: runs FUNCTION for the current runtime
# ($RTN); rc 0 pass, 77 skip (first output line: why), else fail.
declare -A RES DETAIL
ORDER=()
check() {
    local name=$1 rc t0 t1; shift
    [[ " ${ORDER[*]-} " == *" $name "* ]] || ORDER+=("$name")
    t0=$(now_ms)
    "$@" > "$W/check.out" 2>&1 < /dev/null
    rc=$?
    t1=$(now_ms)
    case $rc in
        0) RES[$RTN,$name]=pass ;;
        77) RES[$RTN,$name]=skip; DETAIL[$RTN,$name]=$(head -n 1 "$W/check.out") ;;
        *) RES[$RTN,$name]=FAIL
           DETAIL[$RTN,$name]=$(grep -v '^$' "$W/check.out" | tail -n 6 | cut -c1-300) ;;
    esac
    printf '  %-4s %-7s %-32s %6d ms\n' "${RES[$RTN,$name]}" "$RTN" "$name" $((t1-t0))
}
# want SUBSTRING TEXT
want() { case "$2" in *"$1"*) return 0;; esac; echo "expected '$1' in: $2"; return 1; }

# the table; exit status 1 when a check passed with runc and not with modrun
report() {
    local n bad=0 r m rt
    echo
    printf '%-34s | %-6s | %-6s\n' check runc modrun
    printf '%-34s-+-%-6s-+-%-6s\n' ---------------------------------- ------ ------
    for n in "${ORDER[@]}"; do
        r=${RES[runc,$n]:--} m=${RES[modrun,$n]:--}
        printf '%-34s | %-6s | %-6s\n' "$n" "$r" "$m"
    done
    echo
    for n in "${ORDER[@]}"; do
        for rt in $RUNTIMES; do
            [ "${RES[$rt,$n]:-}" = pass ] && continue
            [ -n "${DETAIL[$rt,$n]:-}" ] || continue
            echo "# $rt / $n:"; printf '%s\n' "${DETAIL[$rt,$n]}" | sed 's/^/#    /'
        done
        r=${RES[runc,$n]:--} m=${RES[modrun,$n]:--}
        if [ "$r" = pass ] && [ "$m" != pass ] && [[ " $RUNTIMES " == *" modrun "* ]]; then
            bad=$((bad+1)); echo "# REGRESSION: '$n' passes with runc, not with modrun"
        fi
        [ "$r" = FAIL ] && echo "# note: '$n' fails with runc on this host (not counted)"
    done
    echo "# total $(( $(now_ms) - T_START )) ms"
    if [ $bad -gt 0 ]; then echo "FAIL: $bad check(s) pass with runc and not with modrun"; return 1; fi
    echo "ok: every check that passes with runc passes with modrun"
}

# script_run CMD: CMD on a fresh pty through script(1). Its stdin stays an
# open pipe: EOF there would be typed into the pty as ^D.
script_run() {
    local o keep
    exec 8< <(sleep 60); keep=$!
    o=$(timeout -k 5 60 script -qec "$1" /dev/null <&8)
    exec 8<&-; kill "$keep" 2>/dev/null
    printf '%s\n' "$o"
}

# cg_file PID CONTROLLER V1FILE V2FILE: the host cgroup file of PID
cg_file() {
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        echo "/sys/fs/cgroup$(awk -F: '$1==0{print $3}' "/proc/$1/cgroup")/$4"
    else
        echo "/sys/fs/cgroup/$2$(awk -F: -v c="$2" '{n=split($2,a,","); for(i=1;i<=n;i++) if(a[i]==c) print $3}' "/proc/$1/cgroup")/$3"
    fi
}

# ------------------------------------------------------------------ podman, users
# podman_ulimits: a containers.conf [containers] line, or nothing. Without
# CAP_SYS_RESOURCE (bit 24) podman's default RLIMIT_NOFILE (1048576) fails
# in any runtime; pin the container rlimits at our own hard limits.
podman_ulimits() {
    local capeff hn hu
    capeff=$(awk '/^CapEff/{print $2}' /proc/self/status)
    [ $(( (0x$capeff >> 24) & 1 )) -eq 0 ] || return 0
    hn=$(ulimit -Hn); hu=$(ulimit -Hu)
    { [ "$hu" = unlimited ] || [ "$hu" -gt 4096 ]; } && hu=4096
    echo "default_ulimits = [\"nofile=$hn:$hn\", \"nproc=$hu:$hu\"]"
}

# subid_free_base: the first id above every /etc/subuid and /etc/subgid range
# (and above 1000000), for a throw-away user's 65536 or 131072 ids
subid_free_base() {
    awk -F: 'BEGIN{m=1000000}{e=$2+$3; if(e>m)m=e}END{print m}' /etc/subuid /etc/subgid 2>/dev/null
}

# user_pids USER: the live processes (zombies left out: they are gone, only
# not yet reaped) whose real or effective uid is USER's or in USER's
# /etc/subuid range (a rootless container's processes run there)
user_pids() {
    local uid lo n
    uid=$(id -u "$1" 2>/dev/null) || return 0
    read -r lo n < <(awk -F: -v u="$1" '$1==u{print $2, $3; exit}' /etc/subuid 2>/dev/null)
    awk -v u="$uid" -v lo="${lo:--1}" -v n="${n:-0}" '
        function ours(x) { return x == u || (lo >= 0 && x >= lo && x < lo + n) }
        FNR == 1 { pid = FILENAME; sub("^/proc/", "", pid); sub("/status$", "", pid); zombie = 0 }
        $1 == "State:" && $2 == "Z" { zombie = 1 }
        $1 == "Uid:" && !zombie && (ours($2) || ours($3)) { print pid }' /proc/[0-9]*/status 2>/dev/null
}

# user_add USER HOME [COUNT]: a throw-away user (no login shell, HOME not
# created) with COUNT (65536) subordinate uids and gids of its own; deleted
# at exit (user_remove). runuser -u runs commands as it without a shell.
user_add() {
    local base n=${3:-65536}
    useradd -M -d "$2" -s /usr/sbin/nologin "$1" || return 1
    TEST_USERS+=("$1")
    if ! grep -q "^$1:" /etc/subuid || ! grep -q "^$1:" /etc/subgid; then
        base=$(subid_free_base)
        usermod --add-subuids "$base-$((base+n-1))" --add-subgids "$base-$((base+n-1))" "$1" || return 1
    fi
}

# user_remove USER: kill every process of USER (and of its subordinate ids),
# by pid, until none is left, then delete USER (userdel also drops its
# /etc/subuid and /etc/subgid lines)
user_remove() {
    local i p pids
    id -u "$1" >/dev/null 2>&1 || return 0
    for i in $(seq 50); do
        pids=$(user_pids "$1")
        [ -n "$pids" ] || break
        for p in $pids; do kill -KILL "$p" 2>/dev/null; done
        sleep 0.1
    done
    pids=$(user_pids "$1")
    [ -z "$pids" ] || { echo "processes of $1 still running: $(echo $pids)"; return 1; }
    # what USER's podman left outside the work dir: conmon's console sockets
    # (/tmp/conmon-term.*), the rootless lock file /dev/shm/libpod_rootless_lock_UID
    find /tmp /var/tmp /dev/shm -xdev -mindepth 1 -maxdepth 1 -user "$1" -exec rm -rf --one-file-system {} + 2>/dev/null
    for i in $(seq 20); do userdel "$1" 2>/dev/null && break; sleep 0.25; done  # zombies not yet reaped
    id -u "$1" >/dev/null 2>&1 && { echo "userdel $1: $(userdel "$1" 2>&1)"; return 1; }
    sed -i "/^$1:/d" /etc/subuid /etc/subgid
}

# wait_until SECONDS CMD...: poll CMD every 0.1 s
wait_until() {
    local end=$(( $(now_ms) + $1 * 1000 )); shift
    until "$@"; do [ "$(now_ms)" -lt "$end" ] || return 1; sleep 0.1; done
}

# containerd_config DIR [PLUGIN...]: DIR/config.toml's common part for a
# private containerd (root, state, sockets and opt dir under DIR; no debug
# or metrics listener); PLUGINs are disabled besides the snapshotters and
# tracing this host has no use for. The caller appends its own sections.
containerd_config() {
    local d=$1 p dis=""; shift
    for p in "$@" io.containerd.snapshotter.v1.btrfs io.containerd.snapshotter.v1.zfs \
        io.containerd.snapshotter.v1.devmapper io.containerd.snapshotter.v1.aufs \
        io.containerd.internal.v1.tracing io.containerd.tracing.processor.v1.otlp; do
        dis+="${dis:+, }\"$p\""
    done
    cat > "$d/config.toml" <<EOT
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = [$dis]
[grpc]
  address = "$d/sock"
[ttrpc]
  address = "$d/sock.ttrpc"
[debug]
  address = ""
  level = "info"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
EOT
}

# containerd_start DIR: run containerd on DIR/config.toml (log DIR/containerd.log),
# its pid in CTD_PID; fails, showing the log's end, unless it answers in 20 s.
containerd_start() {
    setsid containerd --config "$1/config.toml" > "$1/containerd.log" 2>&1 < /dev/null &
    CTD_PID=$!
    wait_until 20 ctr -a "$1/sock" version >/dev/null 2>&1 || { tail -n 20 "$1/containerd.log"; return 1; }
}
