#!/bin/bash
# Hooks as runtime-spec 1.3.0 (runtime.md "Lifecycle", config.md "POSIX-
# platform Hooks") says, compared with runc where runc follows it:
# - every kind gets the whole state on stdin (a 100 KiB annotation too:
#   no 8 KiB cut), with the status of its point of the lifecycle
#   (prestart, createRuntime, createContainer, startContainer: created,
#   the spec's status after step 2 of the lifecycle, as crun and
#   runtime-tools' hooks_stdin; runc says creating; poststart: running;
#   poststop: stopped), and only its own env;
# - they run in the listed order, poststart after the user process has
#   started (its /proc/PID/cmdline is the process's);
# - a failing poststart hook fails `start` and stops the container (1.3);
#   a failing poststop hook is a warning and the next one still runs.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 1000
ORDER=$BUNDLE/rootfs/order   # the startContainer hook sees it as /order
cat > "$T/rec.sh" <<'SH'
#!/bin/sh
# rec.sh KIND DIR: the state, the env this shell was given, the command
# line of the container's process, and KIND appended to DIR/order
cat > "$2/$1.state"
read -r me _ < /proc/self/stat   # our pid as this /proc sees it ($$ may be another namespace's)
tr '\0' '\n' < /proc/$me/environ > "$2/$1.env"
pid=$(sed 's/.*"pid":\([0-9]*\).*/\1/' "$2/$1.state")
tr '\0' ' ' < /proc/$pid/cmdline > "$2/$1.cmd" 2>/dev/null
echo "$1" >> "$2/order"
SH
chmod 755 "$T/rec.sh"
cp "$T/rec.sh" "$BUNDLE/rootfs/rec.sh"
config "
c['annotations'] = {'org.test.big': 'x' * 102400, 'org.test.k': 'v'}
c['hooks'] = {}
for k in ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']:
    inside = k == 'startContainer'
    c['hooks'][k] = [{'path': '/rec.sh' if inside else '$T/rec.sh',
                      'args': ['rec.sh', k, '/' if inside else '$BUNDLE/rootfs'], 'env': ['ONLY=this']}]
"
ID=hl-hooks
mr create --bundle "$BUNDLE" $ID >"$T/out" 2>&1 || die "create: $(cat "$T/out")"
pid=$(state_field $ID pid)
mr start $ID >"$T/out" 2>&1 || fail "start: $(cat "$T/out")"
mr kill $ID KILL
wait_for status_is $ID stopped || fail "not stopped after kill"
mr delete $ID || fail "delete"
expect_eq "every kind ran once, in the listed order" \
    "prestart createRuntime createContainer startContainer poststart poststop" "$(xargs < "$ORDER")"
# one python for every kind (each start of python costs on a loaded host)
python3 - "$BUNDLE/rootfs" "$ID" "$BUNDLE" "$pid" > "$T/states" <<'PY'
import json, sys
d, cid, bundle, pid = sys.argv[1:]
want = {"prestart": "created", "createRuntime": "created", "createContainer": "created",
        "startContainer": "created", "poststart": "running", "poststop": "stopped"}
for kind, status in want.items():
    s = json.load(open("%s/%s.state" % (d, kind)))
    problems = []
    if s.get("status") != status: problems.append("status %r" % s.get("status"))
    if str(s.get("pid", 0)) != (pid if status != "stopped" else "0"): problems.append("pid %r" % s.get("pid"))
    if s.get("id") != cid or s.get("bundle") != bundle: problems.append("id/bundle %r %r" % (s.get("id"), s.get("bundle")))
    if len(s.get("annotations", {}).get("org.test.big", "")) != 102400: problems.append("annotation cut")
    if not s.get("ociVersion"): problems.append("no ociVersion")
    print(kind, status, "ok" if not problems else ", ".join(problems))
PY
for k in prestart:created createRuntime:created createContainer:created startContainer:created poststart:running poststop:stopped; do
    expect_eq "${k%%:*}: the whole state (100 KiB annotation), status ${k#*:}, the init's pid" "${k%%:*} ${k#*:} ok" \
        "$(grep "^${k%%:*} " "$T/states")"
done
for k in prestart createRuntime createContainer startContainer poststart poststop; do
    expect_eq "$k: only the env it declares" "ONLY=this" "$(cat "$BUNDLE/rootfs/$k.env")"
done
expect_eq "poststart runs once the user process has started" "sleep 1000 " "$(cat "$BUNDLE/rootfs/poststart.cmd")"

# poststart fails (runtime-spec 1.3: an error, and the container is stopped)
printf '#!/bin/sh\necho "no network" >&2\nexit 4\n' > "$T/fail.sh"; chmod 755 "$T/fail.sh"
config "c['annotations'] = {}; c['hooks'] = {'poststart': [{'path': '$T/fail.sh'}], 'poststop': [{'path': '$T/rec.sh', 'args': ['rec.sh', 'after-poststart', '$T']}]}"
mr create --bundle "$BUNDLE" hl-hps >"$T/out" 2>&1 || die "create: $(cat "$T/out")"
pid=$(state_field hl-hps pid)
out=$(mr start hl-hps 2>&1); rc=$?
expect_eq "a failing poststart hook fails start" 1 "$rc"
expect_match "the error names the hook, status and output" "hooks.poststart\[0\] $T/fail.sh exited with status 4: no network" "$out"
wait_for status_is hl-hps stopped && pass "the container is stopped" || fail "still $(state_field hl-hps status)"
mr delete hl-hps || fail "delete after a failed poststart"
expect_eq "delete then runs poststop" stopped "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$T/after-poststart.state" 2>&1)"

# poststop: the first fails, the second still runs; delete succeeds
rm -f "$T/order"
config "c['hooks'] = {'poststop': [{'path': '$T/fail.sh'}, {'path': '$T/rec.sh', 'args': ['rec.sh', 'second', '$T']}]}"
args true
out=$(mr run --bundle "$BUNDLE" hl-hpst 2>&1); rc=$?
expect_eq "a failing poststop hook does not fail the command" 0 "$rc"
expect_match "it is a warning naming the hook" "warning: .*hooks.poststop\[0\] $T/fail.sh exited with status 4" "$out"
expect_eq "the next poststop hook still runs" second "$(cat "$T/order" 2>/dev/null)"
assert_clean "after a failing poststop hook"

# a createContainer hook runs in the container's rootfs (runc chdirs there
# before them; its hooks.bats uses relative paths into the image)
printf '#!/bin/sh\npwd > "$1"\n' > "$T/pwd.sh"; chmod 755 "$T/pwd.sh"
config "c['hooks'] = {'createContainer': [{'path': '$T/pwd.sh', 'args': ['pwd.sh', '$T/cc.pwd']}]}"
mr run --bundle "$BUNDLE" hl-cwd >"$T/out" 2>&1 || fail "run with a createContainer hook: $(cat "$T/out")"
expect_eq "createContainer hook: its working directory is the rootfs" "$BUNDLE/rootfs" "$(cat "$T/cc.pwd" 2>&1)"
assert_clean "after the createContainer hook's cwd"
# the hooks the runtime runs work in the bundle, whatever the caller's
# directory (runc works there: relative paths in a hook reach the bundle)
config "c['hooks'] = {k: [{'path': '$T/pwd.sh', 'args': ['pwd.sh', '$T/' + k + '.pwd']}]
                      for k in ('prestart', 'createRuntime', 'poststart', 'poststop')}"
(cd / && mr run --bundle "$BUNDLE" hl-cwd2 >"$T/out" 2>&1) || fail "run with runtime hooks: $(cat "$T/out")"
for k in prestart createRuntime poststart poststop; do
    expect_eq "$k hook: its working directory is the bundle" "$BUNDLE" "$(cat "$T/$k.pwd" 2>&1)"
done
assert_clean "after the runtime hooks' cwd"
finish
