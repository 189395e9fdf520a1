#!/bin/bash
# The process as runtime-spec 1.3 and runc set it up: HOME from the
# container's /etc/passwd, a missing cwd created, --preserve-fds refused
# beyond the open fds, SIGTERM not ignored while waiting, lo up in a new
# network namespace. Each behaviour is compared with runc on the bundle.
# (sysctl namespaces: t-sysctl.sh; the seccomp listener: t-seccomp-profiles.sh)
. "$(dirname "$0")/lib.sh"
make_bundle
echo "sc:x:1234:1234:sc:/home/sc:/bin/sh" >> "$BUNDLE/rootfs/etc/passwd"
rc() { timeout -k 5 30 runc --root "$T/runc" "$@"; }
both() { # both ID: "modrun-output|runc-output" of `run` on the bundle
    local a b
    a=$(mr run --bundle "$BUNDLE" "$1" 2>&1); b=$(rc run --bundle "$BUNDLE" "$1" 2>&1)
    echo "$a|$b"
}
config "c['process']['env'] = ['PATH=/bin']"

# HOME: from /etc/passwd of the uid, "/" without an entry, as given if set
config "c['process']['user'] = {'uid': 1234, 'gid': 1234}"
args sh -c 'echo "HOME=$HOME"'
expect_eq "uid 1234 without HOME in env: HOME=/home/sc (modrun|runc)" "HOME=/home/sc|HOME=/home/sc" "$(both sc-home-1)"
config "c['process']['user'] = {'uid': 4321, 'gid': 4321}"
expect_eq "uid 4321 (no passwd entry): HOME=/" "HOME=/" "$(mr run --bundle "$BUNDLE" sc-home-2 2>&1)"
config "c['process']['env'] = ['PATH=/bin', 'HOME=/given']"
expect_eq "HOME in process.env is kept" "HOME=/given" "$(mr run --bundle "$BUNDLE" sc-home-3 2>&1)"
# HOME given empty is replaced as a missing one; a variable given twice is
# set once, at its first place with its last value (runc sets them in turn)
config "c['process']['env'] = ['PATH=/bin', 'HOME=', 'ONE=two', 'X=1', 'ONE=', 'ONE=three']"
config "c['process']['user'] = {'uid': 1234, 'gid': 1234}"
args env
expect_eq "empty HOME, ONE three times (modrun|runc)" "PATH=/bin HOME=/home/sc ONE=three X=1|PATH=/bin HOME=/home/sc ONE=three X=1" \
    "$(both sc-home-4 | xargs)"
# process.user without gid (or uid): 0, as runc and crun take it
config "c['process']['env'] = ['PATH=/bin']; c['process']['user'] = {'uid': 1234}"
args sh -c 'echo $(id -u):$(id -g)'
expect_eq "user {uid: 1234}, no gid: 1234:0 (modrun|runc)" "1234:0|1234:0" "$(both sc-nogid)"
config "c['process']['user'] = {'uid': 0, 'gid': 0}"

# a missing cwd is created, root's, 0755, and the process (another user)
# starts in it
config "c['process']['cwd'] = '/new/sub/dir'; c['process']['user'] = {'uid': 1234, 'gid': 1234}"
args sh -c 'pwd'
out=$(mr run --bundle "$BUNDLE" sc-cwd 2>&1)
expect_eq "missing cwd: the process runs in it" "/new/sub/dir" "$out"
expect_eq "missing cwd: created 0755, owned by root (as runc)" "755 0:0 755 0:0" \
    "$(stat -c '%a %u:%g' "$BUNDLE/rootfs/new" "$BUNDLE/rootfs/new/sub/dir" | xargs)"
rm -rf "$BUNDLE/rootfs/new"
out=$(rc run --bundle "$BUNDLE" sc-cwd 2>&1)
expect_eq "runc: the same" "/new/sub/dir|755 0:0 755 0:0" "$out|$(stat -c '%a %u:%g' "$BUNDLE/rootfs/new" "$BUNDLE/rootfs/new/sub/dir" | xargs)"
# a dangling symlink on the way is followed inside the root, never outside
ln -s ../../../../../../outside-$$ "$BUNDLE/rootfs/escape"
config "c['process']['cwd'] = '/escape/d'"
out=$(mr run --bundle "$BUNDLE" sc-cwd2 2>&1)
expect_eq "cwd through a symlink pointing up: made inside the root" "/outside-$$/d" "$out"
[ -e "/outside-$$" ] && { fail "a directory was made outside the root"; rm -rf "/outside-$$"; } || pass "nothing made outside the root"
config "c['process']['cwd'] = '/'; c['process']['user'] = {'uid': 0, 'gid': 0}"

# --preserve-fds beyond the open fds: refused at once (as runc), nothing left
args true
out=$(timeout 20 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" run --preserve-fds 3 --bundle "$BUNDLE" sc-pfd 3</dev/null 2>&1); st=$?
expect_match "--preserve-fds 3 with only fd 3 open: refused, naming fd 4 (status $st)" "preserve-fds 3: fd 4 is not open" "$out"
# runc checks the same way, but counts its own fds (Go's): compare beyond them
out=$(rc run --preserve-fds 20 --bundle "$BUNDLE" sc-pfd 3</dev/null 2>&1) && fail "runc accepted 20" || pass "runc refuses 20 too"
args sh -c 'ls /proc/self/fd | xargs'
out=$(timeout 20 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" run --preserve-fds 2 --bundle "$BUNDLE" sc-pfd2 3</dev/null 4</dev/null 2>&1)
expect_eq "--preserve-fds 2 with fds 3 and 4 open: exactly those reach the process" "0 1 2 3 4 5" "$out"

# SIGTERM to `run` while it waits for the init (a createContainer hook
# that sleeps) ends it within a second, and nothing is left
config "c.setdefault('hooks', {})['createContainer'] = [{'path': '/bin/sleep', 'args': ['sleep', '29.$$']}]"
args true
"$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" run --bundle "$BUNDLE" sc-term >/dev/null 2>&1 & pid=$!
wait_for pgrep -f "^sleep 29.$$\$" >/dev/null || fail "the hook did not start"
kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then fail "run ignored SIGTERM while waiting for the init"; kill -9 $pid; else pass "run ended on SIGTERM while waiting"; fi
wait $pid; st=$?
expect_eq "run ended by SIGTERM (128+15)" 143 "$st"
wait_for test ! -e "$ROOT/sc-term" || fail "sc-term state left"
config "c['hooks'].pop('createContainer')"

# lo is up in a new network namespace (flags IFF_UP|IFF_LOOPBACK = 0x9)
args sh -c 'cat /sys/class/net/lo/flags'
expect_eq "lo up in the new network namespace (modrun|runc)" "0x9|0x9" "$(both sc-lo)"
assert_clean "after the process cases"

finish
