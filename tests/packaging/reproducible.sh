#!/bin/bash
# reproducible: two builds of the same tree give identical binaries and
# plugins. Two copies of the tree at different paths (of different
# lengths), each built in its own build directory with the same options
# (release, as distributions and bench/run.sh build; no debug info, which
# would record the build directory unless the distribution maps it with
# -ffile-prefix-map, as dpkg-buildflags does); then the sha256 of modrun
# and of every plugin must match. Nothing in the tree embeds a date, a
# time, a path or a commit id (`modrun --version` is meson's project
# version); this test is what keeps it so.
. "$(dirname "$0")/lib.sh"
a=$T/a/modrun
b=$T/bb-second-copy/src/modrun-tree
copy_tree "$a"
copy_tree "$b"
opts=(--buildtype=release -Dtests=disabled -Dplugin-systemd=enabled -Dplugin-devices-ebpf=enabled)
build repro-a "$a" "$a/build" "${opts[@]}"
pass "first build: $BUILD_SECONDS s"
# a later time, another umask and locale: none may show in the output
sleep 1
(umask 027; LC_ALL=C.UTF-8 build repro-b "$b" "$b/_b/build-two" "${opts[@]}") || die "second build"
pass "second build"
# modrun, and the runtime beside it where modrun is the launcher (core/launcher/)
bins=$(cd "$a/build" && ls core/modrun core/runtime/modrun 2>/dev/null | tr '\n' ' ')
sums() { # sha256 and the path below the build directory, of modrun and every plugin
    (cd "$1" && sha256sum $bins plugins/*.so)
}
expect_eq "files compared" "$bins$(for p in $ALL_PLUGINS; do printf 'plugins/%s ' "$p"; done | sed 's/ $//')" \
    "$(sums "$a/build" | awk '{print $2}' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "identical modrun and plugins from two paths" "$(sums "$a/build")" "$(sums "$b/_b/build-two")"
if [ "$FAILED" -ne 0 ]; then
    for f in $bins $(cd "$a/build" && ls plugins/*.so); do
        cmp -s "$a/build/$f" "$b/_b/build-two/$f" && continue
        echo "== $f differs; strings only in one of them:" >&2
        diff <(strings -n 6 "$a/build/$f" | sort -u) <(strings -n 6 "$b/_b/build-two/$f" | sort -u) | head -n 20 >&2
    done
fi
for f in $bins $(cd "$a/build" && ls plugins/*.so); do
    if strings -n 6 "$a/build/$f" | grep -qF -e "$a" -e "$T"; then fail "$f holds its build path"; fi
done
finish
