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
assert_clean "after the sysctl error"
finish
