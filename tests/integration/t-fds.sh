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
assert_clean "at the end"
finish
