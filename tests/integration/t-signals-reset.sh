#!/bin/bash
# Signals the caller ignores are not ignored in the container's process
# (create/start and exec): execve() keeps only SIG_IGN, and the init resets
# those it finds in SigIgn of /proc/self/status; with no procfs there (or
# an image's own file at /proc/self/status), every signal. An ignored
# SIGCHLD does not make run or exec lose the exit status.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 1000

# sig_ign PID: the SigIgn mask the kernel shows for PID
sig_ign() { awk '/^SigIgn:/ {print $2}' "/proc/$1/status"; }
# ignoring SIGHUP, SIGPIPE, SIGUSR1 (bits 0, 12, 9) like nohup or a shell with traps
# (set after timeout(1), which catches SIGHUP itself)
ign() { timeout -k 5 60 bash -c 'trap "" HUP PIPE USR1; exec "$@"' ign "$@"; }
mr_ign() { ign "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@"; }

check() { # check ID WHAT
    local pid; pid=$(state_field "$1" pid)
    expect_eq "$2: nothing ignored" 0000000000000000 "$(sig_ign "$pid")"
}

mr_ign create --bundle "$BUNDLE" p2-sr1 || die "create p2-sr1"
mr_ign start p2-sr1 || fail "start p2-sr1"
check p2-sr1 "create/start from a caller ignoring HUP, PIPE, USR1"
mr_ign exec -d --pid-file "$T/exec.pid" p2-sr1 sleep 1000 || fail "exec -d"
expect_eq "exec'd process: nothing ignored" 0000000000000000 "$(sig_ign "$(cat "$T/exec.pid")" 2>/dev/null)"
mr delete --force p2-sr1 || fail "delete p2-sr1"

# only the ignored signals are reset (one read of SigIgn), not all 62
if command -v strace >/dev/null; then
    args true
    ign strace -f -qq -o "$T/trace" -e trace=rt_sigaction \
        "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" run --bundle "$BUNDLE" p2-sr0 || fail "run under strace"
    n=$(grep -cE 'rt_sigaction\(SIG[A-Z0-9]+, \{sa_handler=SIG_DFL' "$T/trace") # set, not queried
    expect_eq "run: signals reset to SIG_DFL (the three ignored ones)" 3 "$n"
    args sleep 1000
fi

# a caller that ignores SIGCHLD (inherited through execve): the kernel
# would reap the runtime's children itself; run and exec still return the
# process's exit status at once instead of waiting for ever (runc does too)
chld() { timeout -k 5 20 bash -c 'trap "" CHLD; exec "$@"' chld "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@"; }
args sh -c 'exit 7'
chld run --bundle "$BUNDLE" p2-sr3; expect_eq "run with SIGCHLD ignored by the caller: the exit status" 7 "$?"
args sleep 1000
mr run -d --bundle "$BUNDLE" p2-sr4 || die "run -d p2-sr4"
chld exec p2-sr4 sh -c 'exit 5'; expect_eq "exec with SIGCHLD ignored by the caller: the exit status" 5 "$?"
mr delete --force p2-sr4 || fail "delete p2-sr4"

# no /proc mount, and a file at /proc/self/status that claims nothing is ignored
config 'c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/proc"]; c["linux"].pop("maskedPaths", None); c["linux"].pop("readonlyPaths", None)'
mkdir -p "$BUNDLE/rootfs/proc/self"
printf 'Name:\tfake\nSigIgn:\t0000000000000000\nSigCgt:\t0\n' > "$BUNDLE/rootfs/proc/self/status"
mr_ign create --bundle "$BUNDLE" p2-sr2 || die "create p2-sr2"
mr_ign start p2-sr2 || fail "start p2-sr2"
check p2-sr2 "no procfs in the container (an image's file is not trusted)"
mr delete --force p2-sr2 || fail "delete p2-sr2"
rm -rf "$BUNDLE/rootfs/proc/self"
assert_clean "at the end"
finish
