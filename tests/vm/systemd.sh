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
# MODRUN_VM_TIMEOUT (qemu, default 170 s), MODRUN_VM_KEEP=DIR (keep the
# serial log there).
set -euo pipefail

BUILD=$(cd "${1:?usage: systemd.sh BUILDDIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${MODRUN_VM_CACHE:-/var/tmp/modrun-vm-cache}
TIMEOUT=${MODRUN_VM_TIMEOUT:-170}
export DEBIAN_FRONTEND=noninteractive

say() { printf '[systemd-vm] %s\n' "$*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (qemu's 9p share of /, apt-get)"
for t in qemu-system-x86_64 cpio xz modprobe; do command -v $t >/dev/null || skip "$t is missing"; done
[ -x /lib/systemd/systemd ] || skip "no systemd on this host to boot as the guest's PID 1"
[ -x /usr/bin/dbus-daemon ] || skip "no dbus-daemon on this host"
file -L /bin/busybox 2>/dev/null | grep -q static || skip "no static /bin/busybox (busybox-static)"
[ -f "$BUILD/plugins/cgroup-systemd.so" ] || fail "$BUILD/plugins/cgroup-systemd.so is not built"

# Debian's kernel and its modules (9p, overlay), without installing it.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[ -n "$pkg" ] || skip "apt knows no linux-image-amd64"
KVER=${pkg#linux-image-}
dir=$CACHE/$KVER
if [ ! -s "$dir/vmlinux" ] || [ ! -d "$dir/mods/lib/modules/$KVER" ]; then
    mkdir -p "$dir"
    tmp=$(mktemp -d "$CACHE/download.XXXXXX"); chown _apt "$tmp" 2>/dev/null || true
    say "downloading $pkg (once)"
    (cd "$tmp" && timeout 300 apt-get download -qq "$pkg" >/dev/null 2>&1) || { rm -rf "$tmp"; skip "apt-get download $pkg failed"; }
    mkdir -p "$tmp/x"; dpkg-deb -x "$tmp"/*.deb "$tmp/x"
    if [ ! -s "$dir/vmlinux" ]; then
        off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$tmp/x/boot/vmlinuz-$KVER" | head -1 | cut -d: -f1 || true)
        [ -n "$off" ] && xz -dc --single-stream < <(tail -c +$((off + 1)) "$tmp/x/boot/vmlinuz-$KVER") > "$dir/vmlinux" 2>/dev/null || true
        [ "$(head -c 4 "$dir/vmlinux" | tail -c 3)" = ELF ] || cp "$tmp/x/boot/vmlinuz-$KVER" "$dir/vmlinux"
    fi
    rm -rf "$dir/mods"; mkdir -p "$dir/mods/lib"; mv "$tmp/x/lib/modules" "$dir/mods/lib/"
    depmod -b "$dir/mods" "$KVER" 2>/dev/null || true
    rm -rf "$tmp"
fi

W=$(mktemp -d /tmp/modrun-sdvm.XXXXXX)
cleanup() { [ -n "${MODRUN_VM_KEEP:-}" ] && cp "$W/serial.log" "$MODRUN_VM_KEEP/" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
R=$W/root
mkdir -p "$R"/{bin,proc,sys,dev,lower,rw,newroot,modules} "$R/inject/etc/systemd/system" "$R/inject/sdtest"
cp /bin/busybox "$R/bin/busybox"
for m in virtio_pci 9pnet_virtio 9p overlay; do
    modprobe -d "$dir/mods" -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r f; do
    n=$(basename "$f"); n=${n%.xz}; n=${n%.zst}
    case "$f" in *.xz) xz -dc "$f" > "$R/modules/$n" ;; *.zst) zstd -qdc "$f" > "$R/modules/$n" ;; *) cp "$f" "$R/modules/$n" ;; esac
    echo "$n" >> "$R/modules.order"
done
[ -s "$R/modules.order" ] || skip "no 9p/overlay modules for $KVER"

cat > "$R/inject/etc/systemd/system/sdtest.target" <<'EOF'
[Unit]
Description=modrun systemd test: minimal boot
Requires=sysinit.target sockets.target dbus.socket
Wants=sdtest.service
After=sysinit.target sockets.target
AllowIsolate=yes
EOF
cat > "$R/inject/etc/systemd/system/sdtest.service" <<EOF
[Unit]
Description=modrun systemd test payload
Requires=dbus.socket
After=sysinit.target sockets.target dbus.socket
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=exec
Environment=PATH=/usr/sbin:/usr/bin:/sbin:/bin
ExecStart=/bin/sh /sdtest/run.sh
StandardOutput=journal+console
StandardError=journal+console
EOF
# The guest sees the host's / but a fresh /tmp: the binary, the plugins and
# the payload travel inside the initramfs, wherever the tree was checked out.
mkdir -p "$R/inject/sdtest/build/core" "$R/inject/sdtest/build/plugins"
cp "$BUILD/core/modrun" "$R/inject/sdtest/build/core/"
cp "$BUILD"/plugins/*.so "$R/inject/sdtest/build/plugins/"
cp "$HERE/systemd-payload.sh" "$R/inject/sdtest/"
chmod -R go-w "$R/inject/sdtest"
cat > "$R/inject/sdtest/run.sh" <<EOF
#!/bin/sh
systemctl is-system-running --wait >/dev/null 2>&1
echo "SDTEST-BOOTED uptime \$(cut -d' ' -f1 /proc/uptime)"
timeout 140 sh /sdtest/systemd-payload.sh /sdtest/build 2>&1
echo "SDTEST-EXIT rc=\$? uptime \$(cut -d' ' -f1 /proc/uptime)"
EOF
cat > "$R/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc; /bin/busybox mount -t sysfs sys /sys; /bin/busybox mount -t devtmpfs dev /dev
for m in $(/bin/busybox cat /modules.order); do /bin/busybox insmod /modules/$m || echo "insmod $m failed"; done
/bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /lower || exec /bin/busybox sh
/bin/busybox mount -t tmpfs -o mode=0755 tmpfs /rw; /bin/busybox mkdir -p /rw/upper /rw/work
/bin/busybox mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || exec /bin/busybox sh
/bin/busybox cp -a /inject/. /newroot/
: > /newroot/etc/fstab
/bin/busybox rm -f /newroot/.dockerenv /newroot/run/.containerenv
/bin/busybox mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
/bin/busybox umount /proc /sys /dev
exec /bin/busybox switch_root /newroot /lib/systemd/systemd systemd.unit=sdtest.target
EOF
chmod 755 "$R/init"
(cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet) > "$W/initrd"

APPEND="console=ttyS0 quiet panic=-1 rdinit=/init systemd.unified_cgroup_hierarchy=1 systemd.unit=sdtest.target systemd.show_status=0"
# mask what costs seconds under TCG and is not needed
for u in systemd-timesyncd.service systemd-pstore.service getty.target serial-getty@ttyS0.service \
         systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udev-trigger.service \
         systemd-hwdb-update.service modprobe@dm_mod.service modprobe@configfs.service modprobe@fuse.service \
         modprobe@loop.service modprobe@drm.service modprobe@efi_pstore.service sys-kernel-debug.mount \
         sys-kernel-tracing.mount sys-kernel-config.mount sys-fs-fuse-connections.mount dev-hugepages.mount \
         systemd-journal-flush.service systemd-sysusers.service systemd-random-seed.service systemd-update-utmp.service \
         systemd-modules-load.service e2scrub_reap.service systemd-binfmt.service; do
    APPEND+=" systemd.mask=$u"
done
# software emulation: KVM here cannot boot a stock kernel (see ../shared/vmtest)
accel=(-accel tcg,thread=multi -cpu max)
grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && accel=(-accel kvm -cpu host)
t0=$(date +%s)
rc=0
timeout --foreground -k 5 "$TIMEOUT" qemu-system-x86_64 "${accel[@]}" -m 1G -smp 2 -nodefaults -display none -no-reboot \
    -serial "file:$W/serial.log" -kernel "$dir/vmlinux" -initrd "$W/initrd" -append "$APPEND" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -device virtio-rng-pci </dev/null || rc=$?
say "qemu: $(( $(date +%s) - t0 )) s (rc=$rc)"
tr -d '\r' < "$W/serial.log" | grep -E 'SDTEST|modrun|systemd-payload' | sed 's/^.*\(SDTEST\)/\1/' >&2 || true
grep -q 'SDTEST-BOOTED' "$W/serial.log" || fail "the guest never finished booting (serial log: MODRUN_VM_KEEP=DIR)"
grep -q 'SDTEST-EXIT rc=0' "$W/serial.log" || fail "the payload failed or did not finish"
n=$(grep -c 'SDTEST [a-z0-9_-]* OK' "$W/serial.log" || true)
[ "$n" -ge 10 ] || fail "only $n checks passed"
if grep -q 'SDTEST [a-z0-9_-]* FAIL' "$W/serial.log"; then fail "some checks failed"; fi
say "PASS: $n checks"
