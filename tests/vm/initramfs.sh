#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# initramfs.sh BUILDDIR - FIELD-NOTES #5 on a real kernel: boot Debian's
# kernel in qemu with / still the initramfs rootfs, run modrun there, and
# check that
#   case1: the default `auto` mount strategy picks move-mount (and says why in
#          --debug) and the container runs: its output and exit code 7;
#   case2: --mount-strategy=pivot-root fails at once with an error that
#          names the initramfs.
# One boot for all cases. The guest prints "VMTEST caseN rc=R" and each
# case's output prefixed with "caseN| " to the serial console; this script
# greps the serial log. Exit 0 pass, 1 fail, 77 skip (no qemu, no kernel).
#
# Environment: MODRUN (default BUILDDIR/core/modrun), MODRUN_VM_KERNEL (a
# vmlinux or bzImage to boot instead of Debian's), MODRUN_VM_CACHE (default
# /var/tmp/modrun-vm-cache), MODRUN_VM_TIMEOUT (qemu, default 300 s),
# MODRUN_VM_KEEP=DIR (keep the serial log and initramfs there).
set -euo pipefail

BUILD=$(cd "${1:?usage: initramfs.sh BUILDDIR}" && pwd)
MODRUN=${MODRUN:-$BUILD/core/modrun}
CACHE=${MODRUN_VM_CACHE:-/var/tmp/modrun-vm-cache}
TIMEOUT=${MODRUN_VM_TIMEOUT:-300}
export DEBIAN_FRONTEND=noninteractive

say() { printf '[initramfs-vm] %s\n' "$*" >&2; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Install a missing Debian package (root only); returns 1 when impossible.
apt_install() {
    [ "$(id -u)" = 0 ] || return 1
    timeout 300 apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return 0
    timeout 120 apt-get update -qq >/dev/null 2>&1 || return 1
    timeout 300 apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

is_static() { LC_ALL=C ldd "$1" 2>&1 | grep -qE 'not a dynamic executable|statically linked'; }

need_tools() {
    local cmd pkg
    for cmd in qemu-system-x86_64:qemu-system-x86 cpio:cpio xz:xz-utils; do
        pkg=${cmd#*:}; cmd=${cmd%%:*}
        command -v "$cmd" >/dev/null || apt_install "$pkg" || skip "$cmd is missing and package $pkg could not be installed"
    done
    # The guest's shell and the container's rootfs are one static busybox.
    if [ ! -x /bin/busybox ] || ! is_static /bin/busybox; then
        apt_install busybox-static || skip "no static /bin/busybox and package busybox-static could not be installed"
    fi
}

# Debian's kernel, without installing linux-image (its postinst builds an
# initramfs for a minute): apt-get download, take only boot/vmlinuz out of
# the .deb, then the uncompressed vmlinux out of the bzImage, because qemu
# boots an ELF vmlinux through PVH twice as fast under TCG. Sets KERNEL.
get_kernel() {
    if [ -n "${MODRUN_VM_KERNEL:-}" ]; then
        [ -r "$MODRUN_VM_KERNEL" ] || skip "MODRUN_VM_KERNEL=$MODRUN_VM_KERNEL is not readable"
        KERNEL=$MODRUN_VM_KERNEL; return 0
    fi
    local pkg dir tmp deb off
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
        timeout 120 apt-get update -qq >/dev/null 2>&1 || true
        pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
    fi
    [ -n "$pkg" ] || skip "apt knows no linux-image-amd64 (not Debian, or no package lists)"
    dir=$CACHE/${pkg#linux-image-}
    KERNEL=$dir/vmlinux
    [ -s "$KERNEL" ] && return 0
    mkdir -p "$dir"
    tmp=$(mktemp -d "$CACHE/download.XXXXXX")
    chown _apt "$tmp" 2>/dev/null || true   # apt's download sandbox user
    say "downloading $pkg into $dir (once)"
    if ! (cd "$tmp" && timeout 300 apt-get download -qq "$pkg" >/dev/null 2>&1); then
        rm -rf "$tmp"; skip "apt-get download $pkg failed (offline?)"
    fi
    deb=$(ls "$tmp"/*.deb)
    dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './boot/vmlinuz-*' > "$tmp/vmlinuz" ||
        fail "cannot extract boot/vmlinuz from $deb"
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$tmp/vmlinuz" | head -1 | cut -d: -f1 || true)
    # (xz stops at the end of the stream: no pipe here, pipefail would see
    # tail's SIGPIPE)
    if [ -n "$off" ] && xz -dc --single-stream < <(tail -c +$((off + 1)) "$tmp/vmlinuz") > "$tmp/vmlinux" 2>/dev/null &&
        [ "$(head -c 4 "$tmp/vmlinux" | tail -c 3)" = ELF ]; then
        mv "$tmp/vmlinux" "$KERNEL"
    else
        say "no xz-compressed vmlinux inside the bzImage, booting the bzImage (slower)"
        mv "$tmp/vmlinuz" "$dir/vmlinuz"; KERNEL=$dir/vmlinuz
    fi
    rm -rf "$tmp"
}

# Copy every shared library the ELF files need (and the dynamic loader) to
# the same path beneath root.
copy_libs() {
    local root=$1 lib; shift
    for lib in $(for f in "$@"; do is_static "$f" || ldd "$f"; done |
                 grep -oE '(^|[[:space:]])/[^[:space:]]+' | sort -u); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
}

write_config() {
    cat > "$1" <<'EOF'
{
  "ociVersion": "1.2.0",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": ["sh", "-c", "echo hello-from-initramfs; echo cgroup=$(cat /proc/self/cgroup); (exec 3</dev/kmsg) 2>&1 | sed 's/^/kmsg: /'; (exec 3</dev/null) && echo null-ok; exit 7"],
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
    "cwd": "/"
  },
  "root": { "path": "rootfs" },
  "hostname": "vmtest",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] }
  ],
  "linux": {
    "devices": [ { "path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11 } ],
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "uts" }, { "type": "ipc" } ]
  }
}
EOF
}

# The guest's /init: run each case with a time limit, print its output and
# the marker, power off.
write_init() {
    cat > "$1" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /run/modrun /tmp
echo "VMTEST root: $(grep ' / / ' /proc/self/mountinfo | head -1)"
M="/bin/modrun --root /run/modrun --plugin-dir /plugins --debug"
run_case() {
    name=$1; shift
    timeout 120 "$@" > /tmp/$name.log 2>&1 < /dev/null
    rc=$?
    sed "s/^/$name| /" /tmp/$name.log
    echo "VMTEST $name rc=$rc"
}
run_case case1 $M run --bundle /bundle c1
run_case case2 $M --mount-strategy=pivot-root run --bundle /bundle c2
echo "VMTEST done uptime=$(cut -d' ' -f1 /proc/uptime)"
poweroff -f
EOF
    chmod 755 "$1"
}

build_initramfs() {
    local root=$1 out=$2
    mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,plugins} "$root"/bundle/rootfs/{bin,dev,proc,tmp}
    cp /bin/busybox "$root/bin/busybox"
    cp /bin/busybox "$root/bundle/rootfs/bin/busybox"
    ln -s busybox "$root/bundle/rootfs/bin/sh"
    cp "$MODRUN" "$root/bin/modrun"
    # where modrun is the launcher (core/launcher/), the runtime beside it
    local runtime; runtime=$(dirname "$MODRUN")/runtime/modrun
    [ -e "$runtime" ] && mkdir -p "$root/bin/runtime" && cp "$runtime" "$root/bin/runtime/modrun"
    cp "$BUILD"/plugins/*.so "$root/plugins/"
    copy_libs "$root" "$MODRUN" $(ls "$runtime" 2>/dev/null) "$root"/plugins/*.so
    write_config "$root/bundle/config.json"
    write_init "$root/init"
    chmod -R go-w "$root"
    (cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet) > "$out"
}

# Did case $1 print its marker? Sets RC and LOG (the case's output).
case_result() {
    RC=$(sed -n "s/^VMTEST $1 rc=\([0-9]*\)$/\1/p" "$SERIAL" | tail -1)
    LOG=$(sed -n "s/^$1| //p" "$SERIAL")
    [ -n "$RC" ]
}

expect() { # description command...
    local what=$1; shift
    if "$@"; then say "PASS $what"; else say "FAIL $what"; FAILED=1; fi
}
lacks() { ! grep -q -- "$1" <<< "$LOG"; }
debug_explains() { grep -i move-mount <<< "$LOG" | grep -qi initramfs; }

main() {
    [ -x "$MODRUN" ] || fail "modrun binary $MODRUN is missing (build it first)"
    ls "$BUILD"/plugins/mount-*.so >/dev/null 2>&1 || fail "no mount plugins in $BUILD/plugins"
    local t0 t
    t0=$(now)
    need_tools
    get_kernel
    say "tools and kernel ($KERNEL): $(elapsed "$t0") s"

    work=$(mktemp -d /tmp/modrun-vm.XXXXXX)
    trap 'rm -rf "$work"' EXIT
    build_initramfs "$work/root" "$work/initrd.cpio"
    SERIAL=$work/serial.log   # the console's \r\n turned into \n

    t=$(now)
    local qrc=0
    timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 512M -smp 2 \
        -nodefaults -display none -no-reboot -serial "file:$work/serial.raw" \
        -kernel "$KERNEL" -initrd "$work/initrd.cpio" \
        -append "console=ttyS0 quiet panic=-1 rdinit=/init" < /dev/null || qrc=$?
    say "qemu (TCG) boot to poweroff: $(elapsed "$t") s, qemu rc=$qrc, initramfs $(du -h "$work/initrd.cpio" | cut -f1)"
    if [ -n "${MODRUN_VM_KEEP:-}" ]; then
        mkdir -p "$MODRUN_VM_KEEP"; cp "$work/serial.raw" "$work/initrd.cpio" "$MODRUN_VM_KEEP/"
    fi

    tr -d '\r' < "$work/serial.raw" > "$SERIAL"
    if ! grep -q '^VMTEST root: .* - rootfs rootfs' "$SERIAL"; then
        cat "$SERIAL"
        fail "the guest did not report / as the initramfs rootfs (qemu rc=$qrc); serial log above"
    fi
    FAILED=0
    if case_result case1; then
        expect "case1 (auto): container exit code 7, got $RC" test "$RC" = 7
        expect "case1 (auto): container output hello-from-initramfs" grep -qx hello-from-initramfs <<< "$LOG"
        expect "case1 (auto): --debug says move-mount was chosen because / is the initramfs" debug_explains
        expect "case1: the container ran in its own cgroup v2 (cgroupfs on pure v2)" grep -qx 'cgroup=0::/c1' <<< "$LOG"
        expect "case1: on pure v2 the eBPF device filter is chosen, and says so" grep -q 'devices plugin: ebpf (auto' <<< "$LOG"
        expect "case1: a device the rules do not allow (1:11) gives EPERM" grep -q "kmsg: .*Operation not permitted" <<< "$LOG"
        expect "case1: an allowed device (/dev/null) opens" grep -qx null-ok <<< "$LOG"
    else
        expect "case1: marker \"VMTEST case1 rc=\" printed" false
    fi
    if case_result case2; then
        expect "case2 (pivot-root): modrun fails, rc $RC" test "$RC" != 0
        expect "case2 (pivot-root): the error names the initramfs" grep -qi initramfs <<< "$LOG"
        expect "case2 (pivot-root): the container did not run" lacks hello-from-initramfs
    else
        expect "case2: marker \"VMTEST case2 rc=\" printed" false
    fi
    if [ "$FAILED" != 0 ]; then
        say "serial log:"; cat "$SERIAL"
        exit 1
    fi
    say "all cases passed, total $(elapsed "$t0") s"
}

main
