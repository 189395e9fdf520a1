#!/bin/bash
# Behaviour crun 1.8.1's own test suite pins where runc agrees (or which is
# crun's CLI): create/run --config FILE (-f) instead of the bundle's
# config.json; a missing process.cwd is created even with root.readonly; a
# hook without "env" gets the runtime's environment ("env": [] an empty one);
# delete --regex (crun's option).
. "$(dirname "$0")/lib.sh"
make_bundle

# --- --config FILE: read instead of <bundle>/config.json, relative to the
# current directory; the rootfs is still the bundle's
cp "$BUNDLE/config.json" "$T/other.json"
CONFIG_FILE=$T/other.json config 'c["process"]["args"] = ["echo", "from-other"]'
args echo from-bundle
out=$(cd "$T" && mr run --bundle "$BUNDLE" --config other.json cs-cfg1 2>&1)
expect_eq "run --config FILE (relative to the current directory)" "from-other" "$out"
out=$(mr run --bundle "$BUNDLE" -f "$T/other.json" cs-cfg2 2>&1)
expect_eq "run -f FILE (absolute)" "from-other" "$out"
out=$(mr run --bundle "$BUNDLE" cs-cfg3 2>&1)
expect_eq "without --config: the bundle's config.json" "from-bundle" "$out"
CONFIG_FILE=$T/other.json config 'c["process"]["args"] = ["sleep", "100"]'
mr create --bundle "$BUNDLE" --config "$T/other.json" cs-cfg4 || fail "create --config"
expect_match "create --config: the stored config is that file's" '"sleep"' \
    "$(cat "$ROOT/cs-cfg4/config.json" 2>/dev/null)"
expect_eq "... the bundle is the bundle" "$BUNDLE" "$(state_field cs-cfg4 bundle)"
mr delete --force cs-cfg4
out=$(mr run --bundle "$BUNDLE" --config "$T/nosuch.json" cs-cfg5 2>&1) && fail "a missing --config file accepted"
expect_match "a missing --config file: named, with the reason" "$T/nosuch.json: no such configuration file \(--config\)" "$out"
assert_clean "after --config"

# --- a missing process.cwd is made (0755, root's) before root.readonly, as
# runc's prepareRootfs and crun (crun's cwd-not-exist)
config 'c["root"]["readonly"] = True; c["process"]["cwd"] = "/cs/not/there"'
args sh -c 'pwd; stat -c "%a %u" .; touch x 2>&1 | grep -c "Read-only"'
out=$(mr run --bundle "$BUNDLE" cs-cwd 2>&1)
expect_eq "missing cwd with a read-only root: made, mode 0755, root's, and the root stays read-only" \
    "/cs/not/there 755 0 1" "$(echo $out)"
expect_eq "... in the rootfs" "755" "$(stat -c %a "$BUNDLE/rootfs/cs/not/there" 2>&1)"
config 'c["root"]["readonly"] = False; c["process"]["cwd"] = "/"'

# --- hooks without "env": the runtime's environment (runc: Go's exec.Cmd
# with a nil Env; crun's test-hook-env-inherit); "env": [] an empty one
cat > "$T/envhook.sh" <<EOF
#!/bin/sh
/usr/bin/env > "$T/\$1.env"
EOF
chmod +x "$T/envhook.sh"
config "c['hooks'] = {'prestart': [{'path': '$T/envhook.sh', 'args': ['envhook.sh', 'none']},
                                   {'path': '$T/envhook.sh', 'args': ['envhook.sh', 'empty'], 'env': []}],
                      'poststop': [{'path': '$T/envhook.sh', 'args': ['envhook.sh', 'poststop']}]}"
args true
CS_HOOK_MARK=cs-1 mr run --bundle "$BUNDLE" cs-hookenv >/dev/null 2>&1 || fail "run with env hooks"
expect_match "prestart hook without env: modrun's environment" "^CS_HOOK_MARK=cs-1$" "$(cat "$T/none.env" 2>&1)"
expect_match "... PATH included" "^PATH=" "$(cat "$T/none.env" 2>&1)"
expect_match "poststop hook without env: the same" "^CS_HOOK_MARK=cs-1$" "$(cat "$T/poststop.env" 2>&1)"
expect_no_match "hook with \"env\": []: nothing of modrun's" "CS_HOOK_MARK" "$(cat "$T/empty.env" 2>&1)"
config "c.pop('hooks')"

# --- delete --regex (crun's): every container whose id matches; one that
# cannot be deleted (running, no --force) is reported, the others go
args sleep 100
mr create --bundle "$BUNDLE" cs-re-1 && mr create --bundle "$BUNDLE" cs-re-2 && mr run -d --bundle "$BUNDLE" cs-keep \
    || fail "create for --regex"
keep=$(state_field cs-keep pid)
for id in cs-re-1 cs-re-2; do
    mr kill "$id" KILL || fail "kill $id"
    wait_for status_is "$id" stopped || fail "$id did not stop"
done
out=$(mr delete --regex '^cs-(re-[0-9]|keep)$' 2>&1) && fail "delete --regex of a running container without --force succeeded"
expect_match "delete --regex: the running one reported" "cannot delete container cs-keep: it is running" "$out"
expect_eq "delete --regex: the stopped ones deleted, the running one kept" "cs-keep" "$(ls "$ROOT")"
expect_eq "... and still running" running "$(state_field cs-keep status)"
mr delete --force --regex '^cs-k' || fail "delete --force --regex"
wait_for test ! -d "/proc/$keep" || fail "delete --force --regex: the init survived"
out=$(mr delete --regex '(' 2>&1) && fail "a bad regex accepted"
expect_match "a bad regex: refused, says why" "delete --regex \(: " "$out"

assert_clean
finish
