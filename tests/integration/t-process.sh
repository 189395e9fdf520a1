#!/bin/bash
# process.*: user, groups, umask, capabilities (5 sets), noNewPrivileges,
# oomScoreAdj, rlimits, env, cwd: read back from /proc/PID of the init,
# which has set all of this up before it waits on the exec fifo.
. "$(dirname "$0")/lib.sh"
make_bundle
mkdir -p "$BUNDLE/rootfs/work"
config '
p = c["process"]
p["args"] = ["sleep", "1000"]
p["user"] = {"uid": 1000, "gid": 1001, "umask": 18, "additionalGids": [5, 7]}
p["cwd"] = "/work"
p["env"] = ["PATH=/bin", "FOO=bar baz"]
p["noNewPrivileges"] = True
p["oomScoreAdj"] = 123
p["rlimits"] = [{"type": "RLIMIT_NOFILE", "hard": 512, "soft": 256}, {"type": "RLIMIT_NPROC", "hard": 1000, "soft": 900}]
caps = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
p["capabilities"] = {"bounding": caps, "effective": ["CAP_KILL"], "permitted": caps, "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}
'
mr create --bundle "$BUNDLE" p1 || die "create"
pid=$(state_field p1 pid)
expect_eq "Uid" "1000 1000 1000 1000" "$(proc_field $pid Uid | xargs)"
expect_eq "Gid" "1001 1001 1001 1001" "$(proc_field $pid Gid | xargs)"
expect_eq "Groups" "5 7" "$(proc_field $pid Groups | xargs)"
expect_eq "Umask" "0022" "$(proc_field $pid Umask)"
# CAP_CHOWN=0, CAP_KILL=5, CAP_NET_BIND_SERVICE=10 -> 0x421; CAP_KILL -> 0x20
expect_eq "CapBnd" 0000000000000421 "$(proc_field $pid CapBnd)"
expect_eq "CapPrm" 0000000000000421 "$(proc_field $pid CapPrm)"
expect_eq "CapInh" 0000000000000020 "$(proc_field $pid CapInh)"
expect_eq "CapAmb" 0000000000000020 "$(proc_field $pid CapAmb)"
expect_eq "NoNewPrivs" 1 "$(proc_field $pid NoNewPrivs)"
expect_eq "oom_score_adj" 123 "$(cat /proc/$pid/oom_score_adj)"
expect_match "RLIMIT_NOFILE" "^Max open files +256 +512 " "$(grep 'Max open files' /proc/$pid/limits)"
expect_match "RLIMIT_NPROC" "^Max processes +900 +1000 " "$(grep 'Max processes' /proc/$pid/limits)"
expect_eq "cwd is the rootfs's /work (same inode)" "$(stat -c %d:%i "$BUNDLE/rootfs/work")" "$(stat -L -c %d:%i /proc/$pid/cwd)"
mr start p1 || fail "start"
wait_for grep -q sleep /proc/$pid/comm || fail "no exec"
env=$(tr '\0' '\n' < /proc/$pid/environ)
# process.env, plus HOME as runc and crun add it when it is missing (uid
# 1000 has no /etc/passwd entry in the rootfs: "/")
expect_eq "environment is exactly process.env plus HOME" "PATH=/bin
FOO=bar baz
HOME=/" "$env"
# after exec: effective caps follow the ambient set for a non-root user
expect_eq "CapEff after exec" 0000000000000020 "$(proc_field $pid CapEff)"
mr delete --force p1

# "capabilities": {} (podman's --cap-drop all) means every set empty, as runc
config 'c["process"]["capabilities"] = {}; c["process"]["args"] = ["grep", "Cap", "/proc/self/status"]'
out=$(mr run --bundle "$BUNDLE" pcap 2>&1)
expect_eq "capabilities {}: every set empty" "0000000000000000 0000000000000000 0000000000000000 0000000000000000 0000000000000000" \
    "$(awk '{print $2}' <<< "$out" | xargs)"
config 'c["process"]["capabilities"] = {"bounding": ["CAP_KILL"]}'

# an unknown capability name is a warning and left out, as runc and crun
# (runtime-spec: a value that cannot be mapped to the kernel is a warning)
config 'c["process"]["capabilities"]["bounding"].append("CAP_NOPE"); c["process"]["args"] = ["grep", "CapBnd", "/proc/self/status"]'
out=$(mr run --bundle "$BUNDLE" p2 2>&1) || fail "CAP_NOPE refused: $out"
expect_match "unknown capability: a warning naming it" "ignoring the unknown capability \"CAP_NOPE\"" "$out"
expect_match "unknown capability: the known ones applied" "CapBnd:[[:space:]]+0000000000000020" "$out"
assert_clean "after the unknown capability"

# Without CAP_SYS_RESOURCE (this CI host's bounding set lacks it; setpriv
# makes it so anywhere) an rlimit above the current hard limit is a clear error.
cur=$(ulimit -Hn)
config "c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'hard': $((cur * 4)), 'soft': 1024}]; c['process']['capabilities']['bounding'].remove('CAP_NOPE')"
out=$(setpriv --bounding-set -sys_resource "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" create --bundle "$BUNDLE" p3 2>&1) && fail "raising RLIMIT_NOFILE without CAP_SYS_RESOURCE succeeded"
expect_match "rlimit error names the limit" "RLIMIT_NOFILE" "$out"
expect_match "rlimit error names the cause" "CAP_SYS_RESOURCE" "$out"
assert_clean "after the rlimit error"

# a cwd only root may search (0700): entered as root before the user
# switch, as runc does (runc's cwd.bats); the user still cannot list it
mkdir -p "$BUNDLE/rootfs/rootonly" && chmod 0700 "$BUNDLE/rootfs/rootonly"
config "c['process']['rlimits'] = []; c['process']['cwd'] = '/rootonly'; c['process']['args'] = ['sh', '-c', 'pwd; ls . >/dev/null 2>&1 || echo denied']"
out=$(mr run --bundle "$BUNDLE" p4 2>&1) || fail "cwd only root may search: $out"
expect_eq "cwd only root may search: entered, not readable by the user" "/rootonly denied" "$(echo $out)"
assert_clean "after the root-only cwd"

# an executable only its owner (root) may execute, 0744: the user runs it
# with CAP_DAC_OVERRIDE in its sets (checked with the capabilities it will
# run with), and is refused without, as runc (start_hello.bats)
printf '#!/bin/sh\necho ran\n' > "$BUNDLE/rootfs/bin/ownerx" && chmod 0744 "$BUNDLE/rootfs/bin/ownerx"
config "c['process']['cwd'] = '/'; c['process']['user'] = {'uid': 1000, 'gid': 100}; c['process']['args'] = ['/bin/ownerx']
c['process']['capabilities'] = {k: ['CAP_DAC_OVERRIDE'] for k in ('bounding', 'effective', 'permitted')}"
out=$(mr run --bundle "$BUNDLE" p5 2>&1)
expect_eq "owner-only x bit, user 1000 with CAP_DAC_OVERRIDE: runs" "ran" "$out"
config "c['process']['capabilities'] = {k: ['CAP_KILL'] for k in ('bounding', 'effective', 'permitted')}"
out=$(mr run --bundle "$BUNDLE" p6 2>&1) && fail "owner-only x bit without CAP_DAC_OVERRIDE ran: $out"
expect_match "... without it: refused before start, naming the file" 'exec: "/bin/ownerx": Permission denied' "$out"
assert_clean "after the owner-only executable"
finish
