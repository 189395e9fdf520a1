#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# systemd.sh BUILDDIR - the systemd cgroup manager under a real systemd:
# boot Debian's kernel in qemu with systemd as PID 1 on pure cgroup v2
# (the host's / over 9p read-only + a tmpfs overlay, so the guest sees the
# build tree at the same path), run systemd-payload.sh there once, and
# grep its "SDTEST name OK|FAIL" lines from the serial console.
# Exit 0 pass, 1 fail, 77 skip (no qemu, kernel or systemd).
#
# Environment: MODRUN_VM_CACHE (default /var/tmp/modrun-vm-cache),
# MODRUN_VM_TIMEOUT (qemu, default 900 s), MODRUN_VM_KEEP=DIR (keep the
# serial log there).
# In the same boot, after the systemd payload, the cgroupfs plugin's
# integration tests (tests/integration/t-cgroupfs.sh, t-cgroups-inside.sh)
# run on pure cgroup v2; their results are the lines
# "SDTEST cgroupfs_suite OK|FAIL" and "SDTEST cgroups_inside_suite OK|FAIL".
# Last, checkpoint and restore through Debian's criu, which works on
# Debian's kernel and not on this host's (checkpoint-payload.sh: runc, modrun,
# podman with each; lines "SDTEST criu_... OK|FAIL|SKIP").
set -euo pipefail

BUILD=$(cd "${1:?usage: systemd.sh BUILDDIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
VM_NAME=sdtest VM_TAG=systemd-vm TIMEOUT=900
# shellcheck source=SCRIPTDIR/vm-lib.sh
. "$HERE/vm-lib.sh"

vm_require
[ -f "$BUILD/plugins/cgroup-systemd.so" ] || fail "$BUILD/plugins/cgroup-systemd.so is not built"
vm_kernel
vm_workdir modrun-sdvm
# null_blk: a block device (nullb0, no memory used) for the IO limits
# criu: the socket diag modules (it dumps every socket of the container's
# network namespace), conntrack over netlink (nf_conntrack_netlink), the
# network lock (iptables-nft: nf_tables, nft_compat, xt_mark), and tun and
# veth for its `criu check`'s probes
vm_modules virtio_pci 9pnet_virtio 9p overlay null_blk \
    unix_diag inet_diag tcp_diag udp_diag raw_diag netlink_diag af_packet_diag \
    nf_conntrack_netlink nf_tables nft_compat xt_mark tun veth
vm_units "modrun systemd test"
vm_inject_build "$BUILD"
cp "$HERE/systemd-payload.sh" "$R/inject/sdtest/"
# the cgroupfs integration test and what it sources, as SOURCE_ROOT
SRC=$(cd "$HERE/../.." && pwd)
mkdir -p "$R/inject/sdtest/src/scripts" "$R/inject/sdtest/src/tests/integration"
cp "$SRC/scripts/make-bundle.sh" "$R/inject/sdtest/src/scripts/"
cp "$SRC/tests/integration/lib.sh" "$SRC/tests/integration/t-cgroupfs.sh" "$SRC/tests/integration/t-cgroups-inside.sh" \
    "$R/inject/sdtest/src/tests/integration/"
# checkpoint-payload.sh's bundle: made here, where make-bundle.sh's 400
# applet links take a second (a minute under emulation)
cp "$HERE/checkpoint-payload.sh" "$R/inject/sdtest/"
bash "$SRC/scripts/make-bundle.sh" "$R/inject/sdtest/bundle" "$BUILD/core/modrun" > /dev/null
chmod -R go-w "$R/inject/sdtest"
cat > "$R/inject/sdtest/run.sh" <<EOF
#!/bin/sh
systemctl is-system-running --wait >/dev/null 2>&1
echo "SDTEST-BOOTED uptime \$(cut -d' ' -f1 /proc/uptime)"
timeout 300 sh /sdtest/systemd-payload.sh /sdtest/build 2>&1
prc=\$?
echo "SDTEST-PAYLOAD rc=\$prc uptime \$(cut -d' ' -f1 /proc/uptime)"
# the cgroupfs suite on pure v2, in a cgroup of its own below this service
MODRUN=/sdtest/build/core/modrun PLUGIN_DIR=/sdtest/build/plugins SOURCE_ROOT=/sdtest/src \\
    timeout 300 bash /sdtest/src/tests/integration/t-cgroupfs.sh > /tmp/cgfs.log 2>&1
crc=\$?
sed 's/^/SDTEST-CGFS /' /tmp/cgfs.log
if [ \$crc = 0 ]; then echo "SDTEST cgroupfs_suite OK \$(grep -c '^ok:' /tmp/cgfs.log) checks"
elif [ \$crc = 77 ]; then echo "SDTEST cgroupfs_suite SKIP \$(tail -1 /tmp/cgfs.log)"
else echo "SDTEST cgroupfs_suite FAIL rc=\$crc: \$(grep -c '^FAIL' /tmp/cgfs.log) failed checks"; fi
# what a container sees through a cgroup mount, pids.limit 0, on pure v2
MODRUN=/sdtest/build/core/modrun PLUGIN_DIR=/sdtest/build/plugins SOURCE_ROOT=/sdtest/src \\
    timeout 300 bash /sdtest/src/tests/integration/t-cgroups-inside.sh > /tmp/cgin.log 2>&1
irc=\$?
sed 's/^/SDTEST-CGIN /' /tmp/cgin.log
if [ \$irc = 0 ]; then echo "SDTEST cgroups_inside_suite OK \$(grep -c '^ok:' /tmp/cgin.log) checks"
else echo "SDTEST cgroups_inside_suite FAIL rc=\$irc: \$(grep -c '^FAIL' /tmp/cgin.log) failed checks"; fi
# checkpoint and restore through criu: runc, modrun, podman with each
timeout 420 bash /sdtest/checkpoint-payload.sh /sdtest/build /sdtest/bundle 2>&1
krc=\$?
echo "SDTEST-CRIU rc=\$krc uptime \$(cut -d' ' -f1 /proc/uptime)"
[ \$prc = 0 ] && [ \$crc = 0 ] && [ \$irc = 0 ] && [ \$krc = 0 ]
echo "SDTEST-EXIT rc=\$? uptime \$(cut -d' ' -f1 /proc/uptime)"
EOF
vm_boot
tr -d '\r' < "$W/serial.log" | grep -E 'SDTEST|modrun|systemd-payload' | sed 's/^.*\(SDTEST\)/\1/' >&2 || true
grep -q 'SDTEST-BOOTED' "$W/serial.log" || fail "the guest never finished booting (serial log: MODRUN_VM_KEEP=DIR)"
n=$(grep -c 'SDTEST [a-z0-9_-]* OK' "$W/serial.log" || true)
skips=$(grep -c 'SDTEST [a-z0-9_-]* SKIP' "$W/serial.log" || true)
if grep -q 'SDTEST [a-z0-9_-]* FAIL' "$W/serial.log"; then fail "some checks failed"; fi
grep -q 'SDTEST-EXIT rc=0' "$W/serial.log" || fail "the payload failed or did not finish"
grep -q 'SDTEST cgroupfs_suite OK' "$W/serial.log" || fail "the cgroupfs suite did not pass on pure v2"
grep -q 'SDTEST cgroups_inside_suite OK' "$W/serial.log" || fail "the cgroups-inside suite did not pass on pure v2"
if [ -x /usr/sbin/criu ]; then
    grep -q 'SDTEST criu_check OK' "$W/serial.log" || fail "criu check did not pass in the guest"
    grep -q 'SDTEST criu_podman_runc_restore OK' "$W/serial.log" || fail "the checkpoint payload did not finish"
fi
[ "$n" -ge 40 ] || fail "only $n checks passed"
say "PASS: $n checks, $skips skipped"
