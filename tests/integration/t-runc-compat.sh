#!/bin/bash
# Where runc's own integration suite pins behaviour that scripts rely on:
# exec exits 255 when exec itself fails (so a caller tells it from the
# process's own exit code) and 1 for bad arguments; exec --cgroup refuses a
# path that climbs out of the container's cgroup (255: runc parses --cgroup
# in exec itself); ps of a stopped container
# lists what is left in its cgroup (nothing) and exits 0; with
# process.terminal, `run` in the foreground takes its terminal from stderr,
# stdout, stdin or the controlling one, and the pty keeps the devpts group.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 1000
mr run -d --bundle "$BUNDLE" fc-1 >"$T/out" 2>&1 || die "run -d: $(cat "$T/out")"
init=$(state_field fc-1 pid)
pids_cg=/sys/fs/cgroup/pids$(awk -F: '$2 == "pids" { print $3 }' /proc/$init/cgroup)

mr exec fc-1 false; expect_eq "exec: the process's own exit code 1" 1 "$?"
mr exec fc-1 sh -c 'exit 42'; expect_eq "exec: the process's own exit code 42" 42 "$?"
out=$(mr exec --pid-file /non-existent/directory fc-1 true 2>&1); rc=$?
expect_eq "exec --pid-file in a missing directory exits 255" 255 "$rc"
expect_match "... and says why" "pid file /non-existent/directory" "$out"
out=$(mr exec fc-1 no-such-binary 2>&1); rc=$?
expect_eq "exec of a missing binary exits 255" 255 "$rc"
expect_match "... and names it" "no-such-binary" "$out"
out=$(mr exec fc-no-such true 2>&1); rc=$?
expect_eq "exec in a missing container exits 255" 255 "$rc"
out=$(mr exec 2>&1); rc=$?
expect_eq "exec without an id (bad arguments) exits 1" 1 "$rc"
out=$(mr exec --no-such-flag fc-1 true 2>&1); rc=$?
expect_eq "exec with an unknown flag exits 1" 1 "$rc"

# --cgroup "..": refused before anything runs, the container's cgroup as before
before=$(ls /proc/$init/task | wc -l; cat /proc/$init/cgroup)
for sub in .. ../x a/../.. /..; do
    out=$(mr exec --cgroup "$sub" fc-1 cat /proc/self/cgroup 2>&1); rc=$?
    expect_eq "exec --cgroup $sub exits 255 (as runc 1.1.5)" 255 "$rc"
    expect_match "exec --cgroup $sub: refused" "$sub is not a sub cgroup path" "$out"
    expect_no_match "exec --cgroup $sub: nothing ran" "^0::" "$out"
done
expect_eq "the container's cgroups unchanged" "$before" "$(ls /proc/$init/task | wc -l; cat /proc/$init/cgroup)"
out=$(mr exec --cgroup / fc-1 cat /proc/self/cgroup 2>&1)
expect_eq "exec --cgroup / is the container's own cgroup" "$(cat /proc/$init/cgroup)" "$out"

# ps after the container stopped: the header, no process; json: []
mr kill fc-1 KILL
wait_for status_is fc-1 stopped || fail "fc-1 did not stop"
out=$(mr ps fc-1 2>&1); rc=$?
expect_eq "ps of a stopped container exits 0" 0 "$rc"
expect_eq "... and prints ps(1)'s header alone" 1 "$(printf '%s\n' "$out" | wc -l)"
expect_match "... which is the header" "^UID +PID +PPID" "$out"
expect_eq "ps --format json of a stopped container" "[]" "$(mr ps --format json fc-1 2>&1)"
expect_eq "... and the kernel shows no process in its cgroup" "" "$(cat "$pids_cg/cgroup.procs" 2>/dev/null || echo missing-cgroup)"
out=$(mr pause fc-1 2>&1) && fail "pause of a stopped container accepted"
expect_match "other verbs still refuse a stopped container" "cannot pause container fc-1: it is stopped" "$out"

mr delete --force fc-1

# the pty: owner the process's uid, group the devpts mount's gid=5 (tty)
make_bundle "$T/b2"
CONFIG_FILE=$T/b2/config.json config "c['process']['terminal'] = True; c['process']['user'] = {'uid': 1000, 'gid': 100}
c['process']['args'] = ['sh', '-c', 'tty; stat -L -c %u:%g /proc/self/fd/0; echo DONE; sleep 100']"
expect_eq "the default config mounts devpts with gid=5" True "$(python3 -c 'import json,sys; print(any("gid=5" in m.get("options", []) for m in json.load(open(sys.argv[1]))["mounts"] if m["destination"] == "/dev/pts"))' "$T/b2/config.json")"
rm -f "$T/b2.sock"
python3 "$(dirname "$0")/helpers/console-receiver.py" "$T/b2.sock" "$T/b2.out" & BG_PIDS="$BG_PIDS $!"
wait_for test -S "$T/b2.sock" || die "receiver did not listen"
mr run -d --console-socket "$T/b2.sock" --bundle "$T/b2" fc-2 >"$T/out" 2>&1 || die "run -d fc-2: $(cat "$T/out")"
pid2=$(state_field fc-2 pid)
wait_for grep -q : "$T/b2.out" || fail "no output through the pty"
expect_eq "the kernel: the pty of the init is 1000:5" "1000:5" "$(stat -L -c %u:%g /proc/$pid2/fd/0)"
expect_match "... as the process sees it" "^1000:5" "$(tr -d '\r' < "$T/b2.out" | grep :)"
mr delete --force fc-2

# run in the foreground: stdin /dev/null, stdout and stderr a file, the
# controlling terminal (script's pty) is the terminal, as runc (timeout
# --foreground: in a background process group, raw mode would stop it)
CONFIG_FILE=$T/b2/config.json config "c['process']['user'] = {'uid': 0, 'gid': 0}
c['process']['args'] = ['sh', '-c', 'stty size; readlink /proc/self/fd/0']"
script -qec "timeout --foreground -k 5 60 $MODRUN --root $ROOT --plugin-dir $PLUGIN_DIR run --bundle $T/b2 fc-3 </dev/null >$T/fg.out 2>&1; echo rc=\$? >$T/fg.rc" /dev/null >/dev/null 2>&1
expect_eq "run with stdin not a tty, the controlling terminal one: exit 0" "rc=0" "$(cat "$T/fg.rc")"
expect_match "... the process's stdin is a pty" "^/dev/pts/[0-9]+" "$(tr -d '\r' < "$T/fg.out")"
# runc clears ONLCR on the pty it proxies: the file gets "\n", not "\r\n"
expect_eq "... its lines end in \\n alone (ONLCR cleared, as runc)" "0" "$(tr -cd '\r' < "$T/fg.out" | wc -c)"
# exec -t in the foreground, no --console-socket: the same, as runc
CONFIG_FILE=$T/b2/config.json config "c['process']['terminal'] = False; c['process']['args'] = ['sleep', '100']"
mr run -d --bundle "$T/b2" fc-5 >"$T/out" 2>&1 || die "run -d fc-5: $(cat "$T/out")"
script -qec "timeout --foreground -k 5 60 $MODRUN --root $ROOT --plugin-dir $PLUGIN_DIR exec -t --user 1000:100 fc-5 sh -c 'readlink /proc/self/fd/0; stat -L -c %u:%g /proc/self/fd/0; exit 3' </dev/null >$T/ex.out 2>&1; echo rc=\$? >$T/ex.rc" /dev/null >/dev/null 2>&1
expect_eq "exec -t with the controlling terminal: the process's exit code" "rc=3" "$(cat "$T/ex.rc")"
expect_eq "... its stdin a pty, 1000:5" "/dev/pts/0 1000:5" "$(tr -d '\r' < "$T/ex.out" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "... its lines end in \\n alone" "0" "$(tr -cd '\r' < "$T/ex.out" | wc -c)"
expect_eq "... and nothing left in the container but its init" "1" "$(mr ps --format json fc-5 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
mr delete --force fc-5
CONFIG_FILE=$T/b2/config.json config "c['process']['terminal'] = True"
out=$(setsid -w timeout -k 5 60 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" run --bundle "$T/b2" fc-4 </dev/null 2>&1); rc=$?
expect_eq "no terminal at all: refused" 1 "$rc"
expect_match "... and says why" "modrun has no terminal \(none of stdin, stdout, stderr is one" "$out"
assert_clean "at the end"
finish
