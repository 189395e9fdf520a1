#!/bin/bash
# Install what building (and, with --tests, testing) modrun needs on Debian 12,
# only the packages that are missing. Run as root.
set -euo pipefail
build_pkgs=(meson ninja-build pkg-config gcc libc6-dev python3
            libjson-c-dev libseccomp-dev libbpf-dev libsystemd-dev busybox-static)
test_pkgs=(libcmocka-dev valgrind qemu-system-x86 cpio xz-utils kmod util-linux procps tmux
           podman conmon catatonit containerd runc uidmap bsdutils
           clang libclang-rt-14-dev bpftool)
test_pkgs+=(golang-go golang-github-opencontainers-runtime-tools-dev)  # tests/integration/helpers/oci-gen: configs from runtime-tools' generator
test_pkgs+=(golang-github-containers-common)  # /usr/share/containers/seccomp.json: podman's default seccomp profile (t-seccomp-profiles)
test_pkgs+=(scdoc)  # man pages (man/*.scd), checked by t-cli-help
test_pkgs+=(python3-jsonschema)  # t-features: validate `modrun features` against the runtime-spec 1.3.0 features schema
want=("${build_pkgs[@]}")
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
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
