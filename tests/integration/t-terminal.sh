#!/bin/bash
# process.terminal with --console-socket: the pty master reaches the socket
# over SCM_RIGHTS (as conmon and containerd's shim receive it), the process
# has the pty as its controlling terminal and stdio, consoleSize is applied,
# /dev/console is the pty; exec --tty the same; input typed reaches it; in a
# user namespace too (the runtime connects to the socket, not the init).
. "$(dirname "$0")/lib.sh"
make_bundle
RECV="python3 $(dirname "$0")/helpers/console-receiver.py"
config "c['process']['terminal'] = True; c['process']['consoleSize'] = {'height': 30, 'width': 100}"
args sh -c 'tty; stty size; ls -l /dev/console; read line; echo "got $line"; echo DONE; sleep 100'
$RECV "$T/c.sock" "$T/c.out" $'hello\n' & BG_PIDS="$BG_PIDS $!"; recv=$!
wait_for test -S "$T/c.sock" || die "receiver did not listen"
mr run -d --console-socket "$T/c.sock" --bundle "$BUNDLE" t1 >"$T/out" 2>&1 || die "run -d: $(cat "$T/out")"
wait_for test -s "$T/c.out" || fail "receiver got nothing"
out=$(tr -d '\r' < "$T/c.out")
expect_match "the fd came with the pty's name" "^/dev/pts/[0-9]+$" "$(head -1 <<< "$out")"
expect_match "stdio is the pty" "^/dev/pts/0$" "$out"
expect_match "consoleSize 30x100" "^30 100$" "$out"
expect_match "/dev/console is the pty (char 136)" "^c.* 136, +0 .*/dev/console" "$out"
expect_match "typed input reached the process" "^got hello$" "$out"
pid=$(state_field t1 pid)
expect_match "the pty is the init's controlling terminal" "^[0-9]+ \(sleep\) S [0-9]+ [0-9]+ [0-9]+ 34816 " "$(cat /proc/$pid/stat)"

$RECV "$T/e.sock" "$T/e.out" & BG_PIDS="$BG_PIDS $!"; recv=$!
wait_for test -S "$T/e.sock" || die "receiver did not listen"
mr exec -t --console-socket "$T/e.sock" t1 sh -c 'tty; echo DONE' || fail "exec -t"
wait_for test -s "$T/e.out" || fail "receiver got nothing"
expect_match "exec --tty gets a pty of its own" "^/dev/pts/1$" "$(tr -d '\r' < "$T/e.out")"

out=$(setsid -w "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" exec -t t1 true </dev/null 2>&1) && fail "exec -t without any terminal accepted"
expect_match "exec -t without a console socket needs a terminal of modrun's" "modrun has no terminal" "$out"
out=$(mr exec -t -d t1 true 2>&1) && fail "exec -t -d without a console socket accepted"
expect_match "exec -t -d needs a console socket" "no --console-socket" "$out"
mr delete --force t1
out=$(mr create --bundle "$BUNDLE" t2 2>&1) && fail "terminal without console socket accepted"
expect_match "create with terminal needs a console socket" "process.terminal is true, and there is no --console-socket" "$out"

# In a user namespace the init (host uid 100000 here) may not connect to the
# socket (root's, mode 0755): the runtime connects, as runc does, for run
# and for exec.
config "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
args sh -c 'tty; echo DONE; sleep 100'
chmod 0711 "$T" # the rootfs must be reachable by it; the socket stays root's 0755
$RECV "$T/u.sock" "$T/u.out" & BG_PIDS="$BG_PIDS $!"
wait_for test -S "$T/u.sock" || die "receiver did not listen"
mr run -d --console-socket "$T/u.sock" --bundle "$BUNDLE" bt-u1 >"$T/out" 2>&1 || fail "run -d in a user namespace: $(cat "$T/out")"
wait_for test -s "$T/u.out" && expect_match "user namespace: the pty reached the socket" "^/dev/pts/0" "$(tr -d '\r' < "$T/u.out")"
$RECV "$T/v.sock" "$T/v.out" & BG_PIDS="$BG_PIDS $!"
wait_for test -S "$T/v.sock" || die "receiver did not listen"
mr exec -t --console-socket "$T/v.sock" bt-u1 sh -c 'tty; echo DONE' >"$T/out" 2>&1 || fail "exec -t in a user namespace: $(cat "$T/out")"
wait_for test -s "$T/v.out" && expect_match "user namespace: exec --tty's pty reached the socket" "^/dev/pts/1" "$(tr -d '\r' < "$T/v.out")"
mr delete --force bt-u1
assert_clean "at the end"
finish
