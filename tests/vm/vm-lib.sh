# SPDX-License-Identifier: Apache-2.0
# vm-lib.sh - sourced, not run: one qemu boot of Debian's kernel with systemd
# as PID 1 on pure cgroup v2, for tests/vm/systemd.sh and bench/vm-v2.sh.
# The guest's / is the host's / over 9p (read-only) under a tmpfs overlay,
# so the host's systemd, crun, runc, python3 and busybox run inside; /tmp is
# a fresh tmpfs, so what the payload needs travels in the initramfs, below
# /NAME (NAME = VM_NAME), and appears at the same path in the guest.
#
# The caller sets VM_NAME (unit and directory name, e.g. sdtest) and VM_TAG
# (prefix of its messages) before sourcing, then calls in order:
#   vm_require                 root, qemu, cpio, xz, modprobe, systemd, dbus, busybox-static
#   vm_kernel                  Debian's kernel and modules, downloaded once: KVER, VM_KDIR
#   vm_workdir PREFIX          W (removed on exit), R = the initramfs tree
#   vm_modules MODULE...       the modules (and what they depend on) the init loads
#   vm_units TITLE             NAME.target (isolated at boot) and NAME.service,
#                              which runs /NAME/run.sh and powers off after it
#   vm_inject_build BUILDDIR   modrun and its plugins to /NAME/build/{core,plugins}
#   (the caller writes $R/inject/NAME/run.sh and whatever it needs)
#   vm_boot                    the initramfs, qemu, $W/serial.log; VM_QEMU_RC, VM_ACCEL
# Environment: MODRUN_VM_CACHE (default /var/tmp/modrun-vm-cache),
# MODRUN_VM_TIMEOUT (qemu; the caller's default in TIMEOUT), MODRUN_VM_KEEP=DIR
# (keep the serial log there), VM_MEM (default 1G), VM_SMP (default 2).

CACHE=${MODRUN_VM_CACHE:-/var/tmp/modrun-vm-cache}
TIMEOUT=${MODRUN_VM_TIMEOUT:-${TIMEOUT:-300}}
VM_MEM=${VM_MEM:-1G}
VM_SMP=${VM_SMP:-2}
export DEBIAN_FRONTEND=noninteractive

say() { printf '[%s] %s\n' "$VM_TAG" "$*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "FAIL: $*"; exit 1; }

vm_require() {
    local t
    [ "$(id -u)" = 0 ] || skip "needs root (qemu's 9p share of /, apt-get)"
    for t in qemu-system-x86_64 cpio xz modprobe; do command -v $t >/dev/null || skip "$t is missing"; done
    [ -x /lib/systemd/systemd ] || skip "no systemd on this host to boot as the guest's PID 1"
    [ -x /usr/bin/dbus-daemon ] || skip "no dbus-daemon on this host"
    file -L /bin/busybox 2>/dev/null | grep -q static || skip "no static /bin/busybox (busybox-static)"
}

# Debian's kernel and its modules (9p, overlay), without installing it.
vm_kernel() {
    local pkg tmp off
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    [ -n "$pkg" ] || skip "apt knows no linux-image-amd64"
    KVER=${pkg#linux-image-}
    VM_KDIR=$CACHE/$KVER
    [ -s "$VM_KDIR/vmlinux" ] && [ -d "$VM_KDIR/mods/lib/modules/$KVER" ] && return 0
    mkdir -p "$VM_KDIR"
    tmp=$(mktemp -d "$CACHE/download.XXXXXX"); chown _apt "$tmp" 2>/dev/null || true
    say "downloading $pkg (once)"
    (cd "$tmp" && timeout 300 apt-get download -qq "$pkg" >/dev/null 2>&1) || { rm -rf "$tmp"; skip "apt-get download $pkg failed"; }
    mkdir -p "$tmp/x"; dpkg-deb -x "$tmp"/*.deb "$tmp/x"
    if [ ! -s "$VM_KDIR/vmlinux" ]; then
        off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$tmp/x/boot/vmlinuz-$KVER" | head -1 | cut -d: -f1 || true)
        [ -n "$off" ] && xz -dc --single-stream < <(tail -c +$((off + 1)) "$tmp/x/boot/vmlinuz-$KVER") > "$VM_KDIR/vmlinux" 2>/dev/null || true
        [ "$(head -c 4 "$VM_KDIR/vmlinux" | tail -c 3)" = ELF ] || cp "$tmp/x/boot/vmlinuz-$KVER" "$VM_KDIR/vmlinux"
    fi
    rm -rf "$VM_KDIR/mods"; mkdir -p "$VM_KDIR/mods/lib"; mv "$tmp/x/lib/modules" "$VM_KDIR/mods/lib/"
    depmod -b "$VM_KDIR/mods" "$KVER" 2>/dev/null || true
    rm -rf "$tmp"
}

vm_cleanup() { [ -n "${MODRUN_VM_KEEP:-}" ] && mkdir -p "$MODRUN_VM_KEEP" && cp "$W/serial.log" "$MODRUN_VM_KEEP/" 2>/dev/null; rm -rf "$W"; }

vm_workdir() {
    W=$(mktemp -d "/tmp/$1.XXXXXX")
    trap vm_cleanup EXIT
    R=$W/root
    mkdir -p "$R"/{bin,proc,sys,dev,lower,rw,newroot,modules} "$R/inject/etc/systemd/system" "$R/inject/$VM_NAME"
    cp /bin/busybox "$R/bin/busybox"
}

vm_modules() {
    local m f n
    for m in "$@"; do
        modprobe -d "$VM_KDIR/mods" -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" { print $2 }'
    done | awk '!seen[$0]++' | while read -r f; do
        n=$(basename "$f"); n=${n%.xz}; n=${n%.zst}
        case "$f" in *.xz) xz -dc "$f" > "$R/modules/$n" ;; *.zst) zstd -qdc "$f" > "$R/modules/$n" ;; *) cp "$f" "$R/modules/$n" ;; esac
        echo "$n" >> "$R/modules.order"
    done
    [ -s "$R/modules.order" ] || skip "no 9p/overlay modules for $KVER"
}

vm_units() {
    cat > "$R/inject/etc/systemd/system/$VM_NAME.target" <<EOF
[Unit]
Description=$1: minimal boot
Requires=sysinit.target sockets.target dbus.socket
Wants=$VM_NAME.service
After=sysinit.target sockets.target
AllowIsolate=yes
EOF
    cat > "$R/inject/etc/systemd/system/$VM_NAME.service" <<EOF
[Unit]
Description=$1 payload
Requires=dbus.socket
After=sysinit.target sockets.target dbus.socket
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=exec
Environment=PATH=/usr/sbin:/usr/bin:/sbin:/bin
ExecStart=/bin/sh /$VM_NAME/run.sh
StandardOutput=journal+console
StandardError=journal+console
EOF
}

# The guest sees the host's / but a fresh /tmp: the binary, the plugins and
# the payload travel inside the initramfs, wherever the tree was checked out.
vm_inject_build() {
    mkdir -p "$R/inject/$VM_NAME/build/core" "$R/inject/$VM_NAME/build/plugins"
    cp "$1/core/modrun" "$R/inject/$VM_NAME/build/core/"
    # where modrun is the launcher (core/launcher/), the runtime beside it
    if [ -e "$1/core/runtime/modrun" ]; then
        mkdir -p "$R/inject/$VM_NAME/build/core/runtime"
        cp "$1/core/runtime/modrun" "$R/inject/$VM_NAME/build/core/runtime/"
    fi
    cp "$1"/plugins/*.so "$R/inject/$VM_NAME/build/plugins/"
}

vm_write_init() {
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
EOF
    printf 'exec /bin/busybox switch_root /newroot /lib/systemd/systemd systemd.unit=%s.target\n' "$VM_NAME" >> "$R/init"
    chmod 755 "$R/init"
}

vm_boot() {
    local u t0 append
    vm_write_init
    (cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet) > "$W/initrd"
    append="console=ttyS0 quiet panic=-1 rdinit=/init systemd.unified_cgroup_hierarchy=1 systemd.unit=$VM_NAME.target systemd.show_status=0"
    # mask what costs seconds under TCG and is not needed
    for u in systemd-timesyncd.service systemd-pstore.service getty.target serial-getty@ttyS0.service \
             systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udev-trigger.service \
             systemd-hwdb-update.service modprobe@dm_mod.service modprobe@configfs.service modprobe@fuse.service \
             modprobe@loop.service modprobe@drm.service modprobe@efi_pstore.service sys-kernel-debug.mount \
             sys-kernel-tracing.mount sys-kernel-config.mount sys-fs-fuse-connections.mount dev-hugepages.mount \
             systemd-journal-flush.service systemd-sysusers.service systemd-random-seed.service systemd-update-utmp.service \
             systemd-modules-load.service e2scrub_reap.service systemd-binfmt.service; do
        append+=" systemd.mask=$u"
    done
    # software emulation: KVM here cannot boot a stock kernel (see ../shared/vmtest)
    local accel=(-accel tcg,thread=multi -cpu max)
    grep -qwE 'vmx|svm' /proc/cpuinfo && [ -w /dev/kvm ] && accel=(-accel kvm -cpu host)
    VM_ACCEL="${accel[*]}"
    t0=$(date +%s)
    VM_QEMU_RC=0
    timeout --foreground -k 5 "$TIMEOUT" qemu-system-x86_64 "${accel[@]}" -m "$VM_MEM" -smp "$VM_SMP" -nodefaults -display none -no-reboot \
        -serial "file:$W/serial.log" -kernel "$VM_KDIR/vmlinux" -initrd "$W/initrd" -append "$append" \
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
        -device virtio-rng-pci </dev/null || VM_QEMU_RC=$?
    say "qemu: $(( $(date +%s) - t0 )) s (rc=$VM_QEMU_RC)"
}
