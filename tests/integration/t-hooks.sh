#!/bin/bash
# OCI hooks: every kind runs, in order, with the state on stdin, its args
# and env, in the right mount namespace; a createContainer hook can add a
# device node (as GPU tooling does); a failing or hanging hook fails the
# operation with its path, status and output, and leaves nothing behind.
. "$(dirname "$0")/lib.sh"
make_bundle
args sh -c 'ls -l /dev/gpu0; exit 0'
LOG=$T/hooks.log
cat > "$T/hook.sh" <<'SH'
#!/bin/sh
# hook.sh KIND: log kind, argv, env FOO, mount ns and the state's status
state=$(cat)
echo "$1 argv=$* foo=$FOO mntns=$(readlink /proc/self/ns/mnt) state=$state" >> "$HOOK_LOG"
if [ "$1" = createContainer ]; then
    bundle=$(echo "$state" | sed 's/.*"bundle":"\([^"]*\)".*/\1/')
    mknod "$bundle/rootfs/dev/gpu0" c 1 3 && chmod 666 "$bundle/rootfs/dev/gpu0"
fi
SH
chmod 755 "$T/hook.sh"
# startContainer resolves its path in the container: a copy in the rootfs
cp "$T/hook.sh" "$BUNDLE/rootfs/hook.sh"
hook() { echo "{'path': '$T/hook.sh', 'args': ['hook.sh', '$1', 'x y'], 'env': ['HOOK_LOG=$LOG', 'FOO=bar', 'PATH=/usr/bin:/bin:/usr/sbin:/sbin']}"; }
config "c['hooks'] = {k: [$(hook prestart)] for k in []}
for k in ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']:
    c.setdefault('hooks', {})[k] = [eval(\"\"\"$(hook KIND)\"\"\".replace('KIND', k))]
c['hooks']['startContainer'][0]['path'] = '/hook.sh'
c['hooks']['startContainer'][0]['env'][0] = 'HOOK_LOG=/start.log'
c['annotations'] = {'org.test.a': 'b'}
"
out=$(mr run --bundle "$BUNDLE" h1 2>&1) || fail "run with hooks: $out"
expect_match "device node added by the createContainer hook is there" "^crw-rw-rw- .* 1, +3 .*/dev/gpu0" "$out"
kinds=$(awk '{print $1}' "$LOG" | xargs)
expect_eq "every runtime-side hook ran once, in the spec's order" "prestart createRuntime createContainer poststart poststop" "$kinds"
cat "$BUNDLE/rootfs/start.log" >> "$LOG"
expect_match "args and env reach the hook" "^prestart argv=prestart x y foo=bar " "$(head -1 "$LOG")"
expect_match "state on stdin: id, pid, bundle, annotations" "\"id\":\"h1\",\"status\":\"created\",\"pid\":[1-9][0-9]*,\"bundle\":\"$BUNDLE\",\"annotations\":\{\"org.test.a\":\"b\"\}" "$(head -1 "$LOG")"
hostns=$(readlink /proc/self/ns/mnt)
ns_of() { awk -v k="$1" '$1 == k { for (i = 1; i <= NF; i++) if ($i ~ /^mntns=/) { sub("mntns=", "", $i); print $i } }' "$LOG"; }
expect_eq "createRuntime runs in the runtime's mount namespace" "$hostns" "$(ns_of createRuntime)"
[ "$(ns_of createContainer)" != "$hostns" ] && pass "createContainer runs in the container's mount namespace" || fail "createContainer ran in the host mount namespace"
expect_eq "startContainer in the container's namespace too" "$(ns_of createContainer)" "$(ns_of startContainer)"
expect_match "poststop sees status stopped" '"status":"stopped"' "$(grep ^poststop "$LOG")"
assert_clean "after a run with hooks"

# GPU tooling's way (the NVIDIA hook): a createContainer hook creates a
# device node and allows it in the container's device filter, which on this
# host is the v1 devices cgroup; the container can then open it.
if [ -d /sys/fs/cgroup/devices ]; then
cat > "$T/gpu.sh" <<'SH'
#!/bin/sh
state=$(cat)
pid=$(echo "$state" | sed 's/.*"pid":\([0-9]*\).*/\1/')
bundle=$(echo "$state" | sed 's/.*"bundle":"\([^"]*\)".*/\1/')
cg=$(awk -F: '$2 == "devices" { print $3 }' /proc/$pid/cgroup)
mknod -m 666 "$bundle/rootfs/dev/gpu-tun" c 10 229 &&
echo 'c 10:229 rwm' > "/sys/fs/cgroup/devices$cg/devices.allow"
SH
chmod 755 "$T/gpu.sh"
args sh -c 'exec 3<>/dev/gpu-tun && echo opened; exit 0'
config "c['hooks'] = {}; c['linux']['devices'] = [{'path': '/dev/gpu-tun', 'type': 'c', 'major': 10, 'minor': 229}]"
out=$(mr run --bundle "$BUNDLE" g1 2>&1)
expect_match "without the hook the device is denied (EPERM)" "Operation not permitted" "$out"
config "c['linux']['devices'] = []; c['hooks'] = {'createContainer': [{'path': '$T/gpu.sh'}]}"
out=$(mr run --bundle "$BUNDLE" g2 2>&1)
expect_no_match "the hook's device node and device rule make it usable" "Operation not permitted" "$out"
expect_match "it opened (or the tun driver answered: not the filter)" "opened|No such device" "$out"
assert_clean "after the device hook"
fi

# failures: the error names the hook, its status and its output
printf '#!/bin/sh\necho "gpu driver missing" >&2\nexit 3\n' > "$T/fail.sh"; chmod 755 "$T/fail.sh"
printf '#!/bin/sh\nexec sleep 100\n' > "$T/hang.sh"; chmod 755 "$T/hang.sh"
for k in createRuntime createContainer; do
    config "c['hooks'] = {'$k': [{'path': '$T/fail.sh'}]}"
    out=$(mr create --bundle "$BUNDLE" hf 2>&1) && fail "$k failure: create succeeded"
    expect_match "$k failure names hook, status and stderr" "hooks.$k\[0\] $T/fail.sh exited with status 3: gpu driver missing" "$out"
    assert_clean "after a failed $k hook"
done
config "c['hooks'] = {'createRuntime': [{'path': '$T/hang.sh', 'timeout': 1}]}"
out=$(mr create --bundle "$BUNDLE" ht 2>&1) && fail "hanging hook: create succeeded"
expect_match "hook timeout" "hooks.createRuntime\[0\] $T/hang.sh did not finish within 1 s" "$out"
assert_clean "after a hook timeout"
config "c['hooks'] = {'poststart': [{'path': '$T/fail.sh'}]}"
args sleep 100
mr create --bundle "$BUNDLE" hp >"$T/out" 2>&1 || fail "create for poststart"
pid=$(state_field hp pid)
out=$(mr start hp 2>&1) && fail "failing poststart: start succeeded"
expect_match "poststart failure" "hooks.poststart\[0\]" "$out"
wait_for gone "$pid" || fail "container kept running after poststart failed"
mr delete --force hp
config "c['hooks'] = {'poststop': [{'path': '$T/fail.sh'}]}"
args true
out=$(mr run --bundle "$BUNDLE" hs 2>&1); rc=$?
expect_eq "failing poststop is only a warning" 0 "$rc"
expect_match "poststop warning" "poststop\[0\].*status 3" "$out"
assert_clean "at the end"
finish
