#!/bin/bash
# release-builds: what distributions build, warning-free. The release
# configuration (--buildtype=release: -O3, no debug info) with -Dwerror=true,
# once with gcc and once with clang, each in its own directory out of the
# source tree; -Dtests=disabled, so only modrun and its plugins are built
# (the configuration a distribution without a test step uses). Then each
# build's modrun and plugins must load: `features` lists every plugin usable.
# docs/building.md lists the wider matrix (-O2, debugoptimized, plain, LTO)
# checked by hand.
. "$(dirname "$0")/lib.sh"
for cc in gcc clang; do
    command -v "$cc" >/dev/null || die "$cc is missing: scripts/setup.sh --tests installs it"
done
for cc in gcc clang; do
    dir=$T/$cc
    CC=$cc build "release-$cc" "$SOURCE_ROOT" "$dir" --buildtype=release -Dwerror=true -Dtests=disabled \
        -Dplugin-systemd=enabled -Dplugin-devices-ebpf=enabled
    pass "$cc: release build with -Dwerror=true in $BUILD_SECONDS s"
    expect_match "$cc: the compiler meson used" "C compiler for the host machine: $cc " \
        "$(cat "$T/release-$cc-setup.log")"
    expect_eq "$cc: every plugin built" "$ALL_PLUGINS" "$(cd "$dir/plugins" && ls -- *.so | tr '\n' ' ' | sed 's/ $//')"
    usable=$("$dir/core/modrun" --plugin-dir "$dir/plugins" features | python3 -c '
import json, sys
print(" ".join(sorted("%s:%s" % (p["kind"], p["name"]) for p in json.loads(json.load(sys.stdin)["annotations"]["org.modrun.plugins"]) if p["usable"] and p["path"])))')
    expect_eq "$cc: every plugin loads" \
        "cgroup:cgroupfs cgroup:systemd checkpoint:criu devices:ebpf mount:move-mount mount:pivot-root namespace:idmap" "$usable"
    rm -rf "$dir"
done
finish
