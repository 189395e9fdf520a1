#!/bin/bash
# linux.seccomp: a denied syscall returns the configured errno inside the
# container, the kernel shows the filter (Seccomp: 2), an argument rule
# matches only its value, a startContainer hook runs under the filter, and
# bad input is a clear error that leaves nothing.
. "$(dirname "$0")/lib.sh"
make_bundle

# mkdir -> EACCES (13), chmod with mode 0700 (arg 1) -> ENOSYS-like 38,
# everything else allowed; with and without noNewPrivileges.
seccomp_cfg() { # seccomp_cfg NNP
    config "
c['process']['noNewPrivileges'] = $1
c['linux']['seccomp'] = {
  'defaultAction': 'SCMP_ACT_ALLOW',
  'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
  'flags': ['SECCOMP_FILTER_FLAG_LOG'],
  'syscalls': [
    {'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 13},
    {'names': ['fchmodat', 'chmod'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38,
     'args': [{'index': 2, 'value': 448, 'op': 'SCMP_CMP_EQ'}]},
    {'names': ['chmod'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38,
     'args': [{'index': 1, 'value': 448, 'op': 'SCMP_CMP_EQ'}]},
    {'names': ['no_such_syscall_xyz'], 'action': 'SCMP_ACT_ERRNO'}
  ]
}"
}
for nnp in True False; do
    seccomp_cfg $nnp
    args sh -c 'grep ^Seccomp: /proc/self/status; mkdir /tmp/d 2>&1; touch /tmp/f; chmod 700 /tmp/f 2>&1; chmod 755 /tmp/f && echo chmod755-ok'
    out=$(mr run --bundle "$BUNDLE" sc-$nnp 2>&1)
    expect_match "nnp=$nnp: filter mode 2 in /proc/self/status" "Seccomp:[[:space:]]+2" "$out"
    expect_match "nnp=$nnp: mkdir denied with errnoRet 13" "mkdir.*Permission denied" "$out"
    expect_match "nnp=$nnp: chmod 0700 denied with errno 38 by its argument rule" "chmod.*(not implemented|Function not implemented)" "$out"
    expect_match "nnp=$nnp: chmod 0755 allowed" "chmod755-ok" "$out"
done
assert_clean "after the seccomp runs"

# a startContainer hook (the container's executable, run by the init) runs
# under the filter as the process does (runc's seccomp.bats; crun too)
for nnp in True False; do
    seccomp_cfg $nnp
    config "c['hooks'] = {'startContainer': [{'path': '/bin/sh', 'args': ['sh', '-c', 'mkdir /tmp/hook-d']}]}"
    args true
    out=$(mr run --bundle "$BUNDLE" sc-hook-$nnp 2>&1) && fail "nnp=$nnp: startContainer hook escaped the filter: $out"
    expect_match "nnp=$nnp: startContainer hook under the filter (its mkdir denied)" \
        "startContainer.*mkdir.*Permission denied" "$out"
    [ -e "$BUNDLE/rootfs/tmp/hook-d" ] && fail "nnp=$nnp: the hook's mkdir succeeded"
    mr delete --force sc-hook-$nnp >/dev/null 2>&1
done
# killed by the filter: the error names the signal (runc: "bad system call")
config "c['linux']['seccomp']['syscalls'][0]['action'] = 'SCMP_ACT_KILL'"
out=$(mr run --bundle "$BUNDLE" sc-hook-kill 2>&1) && fail "startContainer hook killed by the filter: run succeeded"
expect_match "a hook killed by the filter: the signal named" "startContainer\[0\] /bin/sh was killed by signal 31 \(Bad system call\)" "$out"
mr delete --force sc-hook-kill >/dev/null 2>&1
config "c.pop('hooks', None)"
assert_clean "after the startContainer hooks under the filter"

# a syscall the container may otherwise make (sethostname in its own uts
# namespace) fails with the configured errno, EIO here
config "
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW',
  'syscalls': [{'names': ['sethostname'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 5}]}"
args sh -c 'hostname renamed 2>&1; hostname'
out=$(mr run --bundle "$BUNDLE" sc-hostname 2>&1)
expect_match "sethostname denied with errnoRet 5" "sethostname: Input/output error" "$out"
expect_no_match "hostname unchanged" "^renamed$" "$out"

# SCMP_ACT_NOTIFY with listenerPath: the agent gets the notify fd and the
# state (runc's protocol), and its answer (EXDEV, 18) is what mkdir sees.
python3 "$(dirname "$0")/helpers/seccomp-agent.py" "$T/agent.sock" "$T/agent.out" 18 & BG_PIDS="$BG_PIDS $!"
wait_for test -S "$T/agent.sock" || fail "agent did not listen"
config "
c['process']['noNewPrivileges'] = True
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$T/agent.sock',
  'listenerMetadata': 'meta-1',
  'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
args sh -c 'mkdir /tmp/agent-made 2>&1; echo rc=$?'
out=$(mr run --bundle "$BUNDLE" sc-notify 2>&1)
expect_match "the agent's answer (EXDEV) is what mkdir gets" "Invalid cross-device link" "$out"
expect_match "the agent got the state: fds, pid, metadata, container id" \
    '"fds": \["seccompFd"\], "pid": [0-9]+, "metadata": "meta-1", "state": \{.*"id": "sc-notify"' "$(head -1 "$T/agent.out")"
expect_match "the agent saw mkdir or mkdirat" "^syscall=(83|258)$" "$(cat "$T/agent.out")"
[ -e "$BUNDLE/rootfs/tmp/agent-made" ] && fail "mkdir ran although the agent refused" || pass "mkdir did not run"
config "c['linux']['seccomp'].pop('listenerPath')"
out=$(mr create --bundle "$BUNDLE" sc-nolistener 2>&1) && fail "NOTIFY without listenerPath accepted"
expect_match "NOTIFY needs a listenerPath" "SCMP_ACT_NOTIFY without a listenerPath" "$out"
assert_clean "after the notify cases"
config "c['process']['noNewPrivileges'] = False"

bad() { # bad WHAT REGEX PYTHON
    config "$3"
    local out; out=$(mr create --bundle "$BUNDLE" sc-bad 2>&1) && fail "$1: accepted"
    expect_match "$1" "$2" "$out"
    assert_clean "after $1"
}
bad "unknown action" "linux.seccomp.syscalls\[0\]: unknown seccomp action \"SCMP_ACT_NOPE\"" \
    "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['uname'], 'action': 'SCMP_ACT_NOPE'}]}"
bad "bad default action" "linux.seccomp.defaultAction: unknown seccomp action" \
    "c['linux']['seccomp'] = {'defaultAction': 'ALLOW'}"
bad "unknown operator" "syscalls\[0\].args\[0\].op: unknown operator" \
    "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['uname'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_WHAT'}]}]}"
bad "unknown architecture" "architectures\[0\]: unknown architecture \"SCMP_ARCH_Z80\"" \
    "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_Z80']}"
bad "unknown syscall with the fail annotation" "unknown syscall \"no_such_syscall_xyz\"" \
    "c['annotations'] = {'run.oci.seccomp_fail_unknown_syscall': 'true'}; c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['no_such_syscall_xyz'], 'action': 'SCMP_ACT_ERRNO'}]}"
finish
