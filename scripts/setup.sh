#!/bin/bash
# Install what the demo (scripts/demo.sh) or, with --tests, the whole test
# suite (scripts/test.sh) needs on Debian 12: only the packages that are
# missing. Run as root. apt-get's output shows when it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# building modrun and all its plugins (meson: json-c and libseccomp for the
# runtime, libbpf for devices-ebpf, libsystemd for the systemd plugin)
build_pkgs=(meson ninja-build pkg-config gcc libc6-dev
            libjson-c-dev libseccomp-dev libbpf-dev libsystemd-dev)
# the demo: the build, python3 (scripts edit config.json with it) and a
# static busybox for the container's rootfs (scripts/make-bundle.sh)
demo_pkgs=(python3 busybox-static)
test_pkgs=(libcmocka-dev valgrind qemu-system-x86 cpio xz-utils kmod util-linux procps tmux
           podman conmon catatonit containerd runc uidmap bsdutils
           clang libclang-rt-14-dev bpftool)
test_pkgs+=(strace)  # t-mount-table (reads of /proc/self/mountinfo), t-exec-race (one clone per exec)
test_pkgs+=(golang-go golang-github-opencontainers-runtime-tools-dev)  # tests/integration/helpers/oci-gen: configs from runtime-tools' generator
test_pkgs+=(golang-github-containers-common)  # /usr/share/containers/seccomp.json: podman's default seccomp profile (t-seccomp-profiles)
test_pkgs+=(scdoc)  # man pages (man/*.scd), checked by t-cli-help
test_pkgs+=(python3-jsonschema)  # t-features: validate `modrun features` against the runtime-spec 1.3.0 features schema
test_pkgs+=(criu)  # checkpoint/restore: t-checkpoint runs the criu command here (its check fails on newer kernels); tests/vm/checkpoint-payload.sh does the real dump and restore in the systemd VM, which sees the host's / over 9p
test_pkgs+=(dpkg-dev debhelper lintian)  # tests/packaging: dpkg-buildpackage, dh (meson), lintian
want=("${build_pkgs[@]}" "${demo_pkgs[@]}")
[ "${1:-}" = "--tests" ] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: ${missing[*]}; run as root (apt-get install)" >&2
    exit 1
fi
echo "setup: apt-get install ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
quiet apt-get update
quiet apt-get install -y --no-install-recommends "${missing[@]}"
