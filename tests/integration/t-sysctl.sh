#!/bin/bash
# linux.sysctl is written in the container's namespaces, not the host's.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 1000
host_val=$(cat /proc/sys/net/ipv4/ip_forward)
config "c['linux']['sysctl'] = {'net.ipv4.ip_forward': '1', 'kernel.msgmax': '12345'}"
mr create --bundle "$BUNDLE" s1 || die "create"
pid=$(state_field s1 pid)
expect_eq "net.ipv4.ip_forward in the container" 1 "$(nsenter -t $pid -n cat /proc/sys/net/ipv4/ip_forward)"
expect_eq "kernel.msgmax in the container" 12345 "$(nsenter -t $pid -i cat /proc/sys/kernel/msgmax)"
expect_eq "host ip_forward unchanged" "$host_val" "$(cat /proc/sys/net/ipv4/ip_forward)"
mr delete --force s1
config "c['linux']['sysctl'] = {'net.nosuch.key': '1'}"
out=$(mr create --bundle "$BUNDLE" s2 2>&1) && fail "unknown sysctl accepted"
expect_match "sysctl error names the key" "net.nosuch.key" "$out"

# Each key only with the namespace that owns it (runc's validator), the
# reason given; runc refuses the same (compared on two of them).
rc() { timeout -k 5 30 runc --root "$T/runc" "$@"; }
# sysctls only with the namespace that owns them
sysctl_case() { # sysctl_case KEY VALUE NSTYPE NSNAME
    config "c.pop('hostname', None); c['linux']['sysctl'] = {'$1': '$2'}; c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != '$3']"
    out=$(mr create --bundle "$BUNDLE" sc-sysctl 2>&1) && fail "$1 without a $4 namespace: accepted"
    expect_match "$1 without a $4 namespace: refused with the reason" "linux.sysctl \"$1\": needs a $4 namespace" "$out"
    [ "$1" = kernel.hostname ] || [ "$1" = net.ipv4.ip_forward ] || { cp "$T/config.sysctl" "$BUNDLE/config.json"; return; }
    rc create --bundle "$BUNDLE" sc-sysctl >/dev/null 2>&1 && { fail "runc accepts $1 without $4"; rc delete -f sc-sysctl; } || pass "runc refuses it too"
    cp "$T/config.sysctl" "$BUNDLE/config.json"
}
cp "$BUNDLE/config.json" "$T/config.sysctl"
sysctl_case kernel.hostname x uts uts
sysctl_case net.ipv4.ip_forward 1 network network
sysctl_case kernel.shmmax 65536 ipc ipc
sysctl_case fs.mqueue.msg_max 20 ipc ipc
config "c['linux']['sysctl'] = {'kernel.pid_max': '65536'}"
out=$(mr create --bundle "$BUNDLE" sc-sysctl 2>&1) && fail "kernel.pid_max accepted"
expect_match "a sysctl no namespace owns is refused" "not namespaced, setting it would change the host" "$out"
cp "$T/config.sysctl" "$BUNDLE/config.json"
# kernel.hostname with a uts namespace: refused too, it conflicts with the
# "hostname" field (runc and crun refuse it; crun's uts-sysctl)
config "c['linux']['sysctl'] = {'kernel.hostname': 'cs-x'}"
# (output to a file: a wrongly created container's init holds it open)
mr create --bundle "$BUNDLE" cs-sysctl >"$T/out" 2>&1 && { fail "kernel.hostname with a uts namespace accepted"; mr delete --force cs-sysctl; }
out=$(cat "$T/out")
expect_match "kernel.hostname with a uts namespace: refused, says why" "kernel.hostname\": not allowed, it conflicts with the \"hostname\" field" "$out"
rc create --bundle "$BUNDLE" cs-sysctl >/dev/null 2>&1 && { fail "runc accepts kernel.hostname"; rc delete -f cs-sysctl; } || pass "runc refuses it too"
cp "$T/config.sysctl" "$BUNDLE/config.json"
config "c['linux']['sysctl'] = {'kernel.domainname': 'sc.example', 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '65536'}"
args sh -c 'cat /proc/sys/kernel/domainname /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax | xargs'
out=$(mr run --bundle "$BUNDLE" sc-sysctl-ok 2>&1)
expect_eq "with their namespaces the sysctls are set" "sc.example 1 65536" "$out"
config "c['linux'].pop('sysctl')"

assert_clean "after the sysctl errors"
finish
