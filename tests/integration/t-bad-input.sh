#!/bin/bash
# Bad input: a clear error, a non-zero exit, and nothing left behind.
. "$(dirname "$0")/lib.sh"
make_bundle
args true

bad() { # bad WHAT REGEX CMD...: CMD must fail, print REGEX, leave nothing
    local what=$1 re=$2; shift 2
    local out rc
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq 0 ]; then fail "$what: exit 0"; else pass "$what: exit $rc"; fi
    expect_match "$what: message" "$re" "$out"
    assert_clean "$what"
}

cp "$BUNDLE/config.json" "$T/good.json"
printf '{"ociVersion": "1.2.0", "process": {' > "$BUNDLE/config.json"
bad "malformed JSON" "config.json.*(malformed|JSON|parse)" mr create --bundle "$BUNDLE" b1
cp "$T/good.json" "$BUNDLE/config.json"
config 'c["process"]["args"][0] = 5'
bad "wrong type" "process.args\[0\]: expected a string, got (a )?(number|int)" mr create --bundle "$BUNDLE" b1
cp "$T/good.json" "$BUNDLE/config.json"
config 'c["ociVersion"] = "2.0.0"'
bad "ociVersion 2" "ociVersion" mr create --bundle "$BUNDLE" b1
cp "$T/good.json" "$BUNDLE/config.json"
config 'c["root"]["path"] = "nonexistent-rootfs"'
bad "missing rootfs" "$BUNDLE/nonexistent-rootfs" mr create --bundle "$BUNDLE" b1
cp "$T/good.json" "$BUNDLE/config.json"
config 'c["linux"]["resources"] = {"pids": {"limit": 10}}'
bad "limits without a cgroup manager that sets them" 'linux.resources.pids: the cgroup manager "disabled" cannot set resource limits' \
    "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --cgroup-manager=disabled create --bundle "$BUNDLE" b1
cp "$T/good.json" "$BUNDLE/config.json"
config 'c["mounts"].append({"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["bind", "idmap=uids=0-1-10;gids=0-1-10"]})'
bad "crun's idmap=MAPPING option (a bind would drop it silently)" \
    'mounts\[[0-9]+\]\.options\[1\]: "idmap=uids=0-1-10;gids=0-1-10": .*crun.s syntax.*uidMappings and gidMappings' \
    mr create --bundle "$BUNDLE" b1
cp "$T/good.json" "$BUNDLE/config.json"
bad "missing bundle" "bundle $T/nope" mr create --bundle "$T/nope" b1
bad "id with /" "character '/' is not allowed" mr create --bundle "$BUNDLE" a/b
bad "id .." "invalid container ID" mr create --bundle "$BUNDLE" ..
bad "unknown plugin" "plugin.*nosuch" "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --plugin mount=nosuch create --bundle "$BUNDLE" b1
bad "plugin name is a path" "mount=../x|name" "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" --plugin mount=../x create --bundle "$BUNDLE" b1
bad "unknown kind" "kind" "$MODRUN" --root "$ROOT" --plugin nope=x create --bundle "$BUNDLE" b1
bad "unknown command" "unknown command \"frobnicate\"" "$MODRUN" --root "$ROOT" frobnicate
bad "unknown option" "unknown option --nope" mr create --nope --bundle "$BUNDLE" b1
args /bin/no-such-binary
bad "executable not found" "no-such-binary" mr create --bundle "$BUNDLE" b1
args true

# duplicate id: the first container must survive the second create
mr create --bundle "$BUNDLE" dup || die "create dup"
pid=$(state_field dup pid)
out=$(mr create --bundle "$BUNDLE" dup 2>&1) && fail "duplicate create succeeded"
expect_match "duplicate id" "container ID \"dup\" already exists" "$out"
expect_eq "first container still created" created "$(state_field dup status)"
[ -d "/proc/$pid" ] || fail "first container's init died"
out=$(mr kill dup SIGNOPE 2>&1) && fail "unknown signal accepted"
expect_match "unknown signal" "unknown signal \"SIGNOPE\"" "$out"
mr delete --force dup || fail "delete dup"
assert_clean "after duplicate"

# --log with --log-format json gets the error as a JSON line (containerd's shim reads it)
"$MODRUN" --root "$ROOT" --log "$T/log.json" --log-format json create --bundle "$T/nope" b2 2>/dev/null && fail "create succeeded"
line=$(tail -1 "$T/log.json")
expect_match "json error line" '^\{"level":"error","msg":"[^"]*bundle [^"]*","time":"[0-9T:.-]+Z"\}$' "$line"
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$line" && pass "log line is valid JSON" || fail "log line is not JSON"
finish
