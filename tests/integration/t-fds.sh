#!/bin/bash
# File descriptors: --preserve-fds and systemd socket activation (LISTEN_FDS)
# pass exactly the fds asked for; nothing else of the runtime's (its --log
# file, its state directory, the container lock) reaches the container
# (CVE-2024-21626 class: no host fd to escape through).
. "$(dirname "$0")/lib.sh"
make_bundle
args sh -c 'cat <&3; cat <&4; echo "L=$LISTEN_FDS P=$LISTEN_PID"; exec sleep 100'
echo one > "$T/f3"; echo two > "$T/f4"
LISTEN_FDS=1 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --log "$T/modrun.log" \
    run -d --preserve-fds 1 --bundle "$BUNDLE" f1 3<"$T/f3" 4<"$T/f4" >"$T/out" 2>&1 </dev/null || die "run: $(cat "$T/out")"
pid=$(state_field f1 pid)
wait_for grep -q sleep /proc/$pid/comm || fail "no exec"
expect_eq "fd 3 (LISTEN_FDS) and fd 4 (--preserve-fds 1) reach the process" "one two L=1 P=1" "$(echo $(cat "$T/out"))"
expect_eq "the process has exactly fds 0-4" "0 1 2 3 4" "$(ls /proc/$pid/fd | sort -n | xargs)"
mr delete --force f1
args sh -c 'exec sleep 100'
"$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --log "$T/modrun.log" run -d --bundle "$BUNDLE" f2 \
    3<"$T/f3" >"$T/out" 2>&1 </dev/null || die "run f2"
pid=$(state_field f2 pid)
wait_for grep -q sleep /proc/$pid/comm || fail "no exec"
expect_eq "without --preserve-fds only stdio: the inherited fd 3 and the log are not passed" "0 1 2" "$(ls /proc/$pid/fd | sort -n | xargs)"
mr exec -d --pid-file "$T/epid" f2 sleep 100 3<"$T/f3" || fail "exec -d"
expect_eq "an exec'd process gets only stdio too" "0 1 2" "$(ls /proc/$(cat "$T/epid")/fd | sort -n | xargs)"
mr delete --force f2
# --pidfd-socket: the receiver gets a pidfd of the init (create) and of an
# exec'd process; /proc/self/fdinfo of the received fd names the pid.
pidfd_receiver() { # SOCKET OUT
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
c, _ = s.accept(); msg, fds, _, _ = socket.recv_fds(c, 64, 1)
pid = [l.split()[1] for l in open("/proc/self/fdinfo/%d" % fds[0]) if l.startswith("Pid:")][0]
open(sys.argv[2], "w").write(msg.decode() + " " + pid)' "$1" "$2" & BG_PIDS="$BG_PIDS $!"
    wait_for test -S "$1" || fail "pidfd receiver did not listen"
}
pidfd_receiver "$T/p1.sock" "$T/p1.out"
mr run -d --pidfd-socket "$T/p1.sock" --bundle "$BUNDLE" f3 >"$T/out" 2>&1 || die "run --pidfd-socket: $(cat "$T/out")"
wait_for test -s "$T/p1.out" || fail "no pidfd received"
expect_eq "create/run --pidfd-socket sends a pidfd of the init" "pidfd $(state_field f3 pid)" "$(cat "$T/p1.out")"
pidfd_receiver "$T/p2.sock" "$T/p2.out"
mr exec -d --pid-file "$T/epid2" --pidfd-socket "$T/p2.sock" f3 sleep 100 || fail "exec --pidfd-socket"
wait_for test -s "$T/p2.out" || fail "no pidfd received for exec"
expect_eq "exec --pidfd-socket sends a pidfd of the process" "pidfd $(cat "$T/epid2")" "$(cat "$T/p2.out")"
mr delete --force f3
assert_clean "at the end"
finish
