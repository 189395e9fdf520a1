#!/bin/bash
# exec: the new process is in every namespace of the init and its cgroup,
# has the container's seccomp filter and no capability beyond its bounding
# set; flags (--user, --env, --cwd, --cap, --detach, --pid-file, --process)
# reach the kernel; bad input is a clear error.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 1000
config "c['process']['env'].append('BASE=1')
c['process']['capabilities']['effective'] = ['CAP_AUDIT_WRITE']
c['process']['capabilities']['permitted'] = ['CAP_AUDIT_WRITE']
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['sethostname'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 5}]}"
mr run -d --bundle "$BUNDLE" e1 >"$T/out" 2>&1 || die "run -d: $(cat "$T/out")"
init=$(state_field e1 pid)

mr exec e1 sh -c 'exit 7'; expect_eq "exit code of the exec'd process" 7 "$?"
mr exec -d --pid-file "$T/epid" e1 sleep 1000 || fail "exec -d"
epid=$(cat "$T/epid")
[ -d "/proc/$epid" ] && pass "exec -d leaves the process running (pid $epid)" || fail "no process $epid"
for ns in pid mnt uts ipc net cgroup; do
    expect_eq "exec'd process in the init's $ns namespace" "$(readlink /proc/$init/ns/$ns)" "$(readlink /proc/$epid/ns/$ns)"
done
expect_eq "exec'd process in the init's cgroups" "$(cat /proc/$init/cgroup)" "$(cat /proc/$epid/cgroup)"
expect_eq "exec'd process has the container's seccomp filter" 2 "$(proc_field $epid Seccomp)"
# without a terminal, the init and an exec'd process each lead a session of
# their own, as runc's (CRIU refuses a tree whose session leader is outside)
expect_eq "the init leads its own session (stat field 6)" "$init" "$(awk '{ sub(/^.*\) /, ""); print $4 }' /proc/$init/stat)"
expect_eq "an exec'd process leads its own session" "$epid" "$(awk '{ sub(/^.*\) /, ""); print $4 }' /proc/$epid/stat)"
# stdio on the host's /dev/null is reopened on the container's, as runc's
# reOpenDevNull (CRIU cannot dump an fd on a mount outside the container)
mr run -d --bundle "$BUNDLE" e-null </dev/null >/dev/null 2>&1 || fail "run -d with stdio on /dev/null"
np=$(state_field e-null pid)
expect_eq "stdio on /dev/null: the container's /dev/null (device of its /dev)" \
    "$(stat -c %d /proc/$np/root/dev/null) $(stat -c %d /proc/$np/root/dev/null) $(stat -c %d /proc/$np/root/dev/null)" \
    "$(stat -L -c %d /proc/$np/fd/0) $(stat -L -c %d /proc/$np/fd/1) $(stat -L -c %d /proc/$np/fd/2)"
mr delete --force e-null
expect_eq "same root as the init" "$(stat -L -c %d:%i /proc/$init/root)" "$(stat -L -c %d:%i /proc/$epid/root)"
expect_eq "CapBnd like the init's" "$(proc_field $init CapBnd)" "$(proc_field $epid CapBnd)"

out=$(mr exec --user 1000:1001 --additional-gids 7 --env FOO=bar --env BASE=2 --cwd /tmp e1 sh -c 'id -u; id -g; id -G; echo "$FOO $BASE"; pwd; hostname x 2>&1' 2>&1)
expect_eq "user, groups, env (overridden), cwd" "1000 1001 1001 7 bar 2 /tmp hostname: sethostname: Input/output error" "$(echo $out)"
# --user UID alone keeps the process's gid; --no-new-privs=false clears
# config.json's no_new_privs (both as runc)
cp "$BUNDLE/config.json" "$T/config.saved"
config "c['process']['user']['gid'] = 1234
c['process']['noNewPrivileges'] = True"
mr run -d --bundle "$BUNDLE" e-ids >"$T/out" 2>&1 || fail "run -d e-ids: $(cat "$T/out")"
cp "$T/config.saved" "$BUNDLE/config.json"
expect_eq "--user 1000: config.json's gid stays" "1000 1234" "$(mr exec --user 1000 e-ids sh -c 'echo $(id -u) $(id -g)' 2>&1)"
expect_match "without --no-new-privs: config.json's no_new_privs" "NoNewPrivs:[[:space:]]+1" \
    "$(mr exec e-ids grep NoNewPrivs /proc/self/status 2>&1)"
expect_match "--no-new-privs=false clears it" "NoNewPrivs:[[:space:]]+0" \
    "$(mr exec --no-new-privs=false e-ids grep NoNewPrivs /proc/self/status 2>&1)"
mr delete --force e-ids
# --cap beyond the container's bounding set: added to it, as runc and crun
out=$(mr exec --cap CAP_SYS_ADMIN e1 grep -E 'Cap(Bnd|Eff|Prm|Amb)' /proc/self/status 2>&1)
expect_eq "--cap CAP_SYS_ADMIN: in the bounding, effective and permitted sets, not ambient" \
    "$(printf '%016x' $((0x$(proc_field $init CapBnd) | 0x200000)))" "$(awk '$1 == "CapBnd:" {print $2}' <<< "$out")"
expect_match "... effective" "CapEff:[[:space:]]+0000000020200000" "$out"
expect_match "... permitted" "CapPrm:[[:space:]]+0000000020200000" "$out"
expect_match "... not ambient (no inheritable set)" "CapAmb:[[:space:]]+0000000000000000" "$out"
out=$(mr exec --cap CAP_NOPE e1 grep CapEff /proc/self/status 2>&1)
expect_match "--cap CAP_NOPE: a warning" "ignoring the unknown capability \"CAP_NOPE\"" "$out"
expect_match "... and the process runs with the container's set" "CapEff:[[:space:]]+0000000020000000" "$out"
out=$(mr exec e1 grep CapEff /proc/self/status 2>&1)
expect_match "without --cap: the container's effective set" "CapEff:[[:space:]]+0000000020000000" "$out"
out=$(mr exec --cap CAP_KILL e1 grep CapEff /proc/self/status 2>&1)
expect_match "--cap CAP_KILL adds it" "CapEff:[[:space:]]+0000000020000020" "$out"

# --cgroup: an existing sub-cgroup of the container's cgroup v2 directory
# (pure cgroup v2: a plain path applies to every hierarchy, as runc; the
# v1 and hybrid forms are t-exec-cgroup's)
cg2=$(awk -F: '$1 == "0" { print $3 }' /proc/$init/cgroup)
unified=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$unified" ] && [ -d "$unified$cg2" ] && ! grep -qv '^0::' /proc/$init/cgroup; then
    mkdir "$unified$cg2/sub"
    mr exec -d --cgroup sub --pid-file "$T/spid" e1 sleep 100 || fail "exec --cgroup sub"
    expect_eq "exec --cgroup puts the process in the sub-cgroup" "0::$cg2/sub" "$(grep '^0::' /proc/$(cat "$T/spid")/cgroup)"
    kill -9 "$(cat "$T/spid")"; wait_for rmdir "$unified$cg2/sub" || fail "sub-cgroup stayed busy"
    out=$(mr exec --cgroup nosuch e1 true 2>&1) && fail "exec --cgroup into a missing sub-cgroup succeeded"
    expect_match "missing sub-cgroup" "exec --cgroup nosuch: no such sub-cgroup" "$out"
fi

# --ignore-paused: the process is set up, joins the frozen cgroup, and
# runs once the container is resumed
mr pause e1 || fail "pause"
out=$(mr exec e1 true 2>&1) && fail "exec into a paused container without --ignore-paused"
expect_match "paused: refused without the flag, in runc's words" \
    "cannot exec in a paused container: container e1 is paused.*--ignore-paused" "$out"
mr exec -d --ignore-paused e1 sh -c 'echo ran > /tmp/paused-exec' || fail "exec --ignore-paused"
sleep 0.5
[ -e "$BUNDLE/rootfs/tmp/paused-exec" ] && fail "ran while paused" || pass "the process does not run while paused"
mr resume e1 || fail "resume"
wait_for test -e "$BUNDLE/rootfs/tmp/paused-exec" && pass "it runs once resumed" || fail "did not run after resume"

cat > "$T/process.json" <<'JSON'
{"args": ["sh", "-c", "echo from-process-json $X; exit 3"], "env": ["X=y", "PATH=/bin"], "cwd": "/", "user": {"uid": 0, "gid": 0}}
JSON
out=$(mr exec --process "$T/process.json" e1 2>&1); rc=$?
expect_eq "--process exit code" 3 "$rc"
expect_eq "--process output" "from-process-json y" "$out"
echo '{"args": [1], "cwd": "/"}' > "$T/bad.json"
out=$(mr exec --process "$T/bad.json" e1 2>&1) && fail "bad process.json accepted"
expect_match "bad process.json names the path" "$T/bad.json: args\[0\]: expected a string" "$out"
out=$(mr exec --user nobody e1 true 2>&1) && fail "--user by name accepted"
expect_match "--user with a name" "exec --user \"nobody\": expected UID\[:GID\]" "$out"
out=$(mr exec e1 /no/such/bin 2>&1) && fail "missing binary accepted"
expect_match "missing binary" "/no/such/bin" "$out"
out=$(mr exec nosuch true 2>&1) && fail "exec in a missing container"
expect_match "missing container" "does not exist" "$out"

mr kill e1 KILL
wait_for status_is e1 stopped || fail "e1 did not stop"
out=$(mr exec e1 true 2>&1) && fail "exec into a stopped container succeeded"
expect_match "exec into a stopped container" "cannot exec in container e1: it is stopped" "$out"
mr delete --force e1
kill -9 "$epid" 2>/dev/null
assert_clean "at the end"
finish
