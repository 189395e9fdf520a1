#!/bin/bash
# install-without-cmocka: the tests are optional, and what `meson install`
# puts into a prefix works from there alone.
#  1. On a machine where cmocka cannot be found (its pkg-config file left
#     out of PKG_CONFIG_LIBDIR, its CMake package hidden in a private mount
#     namespace): -Dtests=auto configures without the unit tests and still
#     registers the integration suite; -Dtests=enabled fails naming cmocka;
#     -Dtests=disabled registers no test and builds nothing but modrun and
#     its plugins.
#  2. The auto build, with a distribution's defaults (-Ddefault-*), is
#     built and installed into a prefix: exactly the expected files, the
#     sample SYSCONFDIR/modrun/modrun.conf sets nothing and its example
#     lines, uncommented, are valid and name every key modrun knows.
#  3. The installed modrun, without --plugin-dir or MODRUN_CONFIG, reads
#     both files of the prefix, takes the distribution's defaults and runs
#     a container with the prefix's plugins.
. "$(dirname "$0")/lib.sh"

# 1. no cmocka
pcdir=$T/pkgconfig
mkdir -p "$pcdir"
IFS=: read -r -a pc_path <<<"$(pkg-config --variable pc_path pkg-config)"
for d in "${pc_path[@]}"; do
    for pc in "$d"/*.pc; do
        [ -e "$pc" ] && [ "${pc##*/}" != cmocka.pc ] && [ ! -e "$pcdir/${pc##*/}" ] && ln -s "$pc" "$pcdir/"
    done
done
cmake_dirs=$(find /usr/lib /usr/share /usr/local -maxdepth 4 -type d -path '*/cmake/cmocka' 2>/dev/null | tr '\n' ' ')
# nocm CMD...: CMD where neither pkg-config nor CMake finds cmocka
nocm() {
    PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH= unshare -m sh -c '
        for d in $0; do mount -t tmpfs -o ro,mode=0755 pk-no-cmocka "$d" || exit 1; done
        exec "$@"' "$cmake_dirs" "$@"
}
nocm pkg-config --exists cmocka && die "the hidden cmocka is still found by pkg-config"
nocm pkg-config --exists json-c libseccomp libbpf libsystemd || die "pkg-config lost the other libraries"

prefix=$T/prefix
mkdir -p "$T/vendor-plugins"
logged setup-auto nocm meson setup "$T/auto" "$SOURCE_ROOT" -Dtests=auto --prefix="$prefix" \
    -Ddefault-mount-strategy=move-mount -Ddefault-devices=none -Ddefault-plugin-dirs="$T/vendor-plugins"
expect_match "auto: meson looked for cmocka and did not find it" "Run-time dependency cmocka found: NO" \
    "$(cat "$T/setup-auto.log")"
expect_match "auto: meson says the unit tests are left out" "cmocka not found: the unit tests" \
    "$(cat "$T/setup-auto.log")"
suites() { meson introspect --tests "$1" | python3 -c '
import json, sys
print(" ".join(sorted({s.split(":")[-1] for t in json.load(sys.stdin) for s in t["suite"]})))'; }
expect_eq "auto without cmocka: the suites registered" "abi clients fuzz integration lint packaging sanitize vm" \
    "$(suites "$T/auto")"

nocm meson setup "$T/enabled" "$SOURCE_ROOT" -Dtests=enabled >"$T/setup-enabled.log" 2>&1 &&
    fail "-Dtests=enabled without cmocka: meson setup succeeded"
expect_match "enabled without cmocka: the error names cmocka" 'Dependency "cmocka" not found' \
    "$(cat "$T/setup-enabled.log")"

logged setup-disabled nocm meson setup "$T/disabled" "$SOURCE_ROOT" -Dtests=disabled
expect_eq "disabled: no test registered" "" "$(suites "$T/disabled")"
# (two targets named modrun where the launcher is built: it and the runtime)
case $(uname -m) in x86_64 | aarch64) MODRUNS="modrun modrun" RUNTIME_FILE=libexec/modrun/modrun ;; *) MODRUNS=modrun RUNTIME_FILE= ;; esac
expect_eq "disabled: only modrun and the plugins are built" "$(printf '%s\n' $MODRUNS $ALL_PLUGINS | sort | tr '\n' ' ' | sed 's/ $//')" \
    "$(meson introspect --targets "$T/disabled" | python3 -c '
import json, sys
print(" ".join(sorted(t["filename"][0].rsplit("/", 1)[-1] for t in json.load(sys.stdin)
                      if t["type"] in ("executable", "shared module", "shared library"))))')"

# 2. build and install the auto configuration
logged build-auto nocm ninja -C "$T/auto"
logged install meson install -C "$T/auto"
libdir=$(meson introspect --buildoptions "$T/auto" | python3 -c '
import json, sys
print({o["name"]: o["value"] for o in json.load(sys.stdin)}["libdir"])')
expected="etc/modrun/modrun.conf
$libdir/modrun/plugins-1/cgroup-cgroupfs.so
$libdir/modrun/plugins-1/cgroup-systemd.so
$libdir/modrun/plugins-1/checkpoint-criu.so
$libdir/modrun/plugins-1/devices-ebpf.so
$libdir/modrun/plugins-1/mount-move-mount.so
$libdir/modrun/plugins-1/mount-pivot-root.so
$libdir/modrun/plugins-1/namespace-idmap.so
$libdir/pkgconfig/modrun-plugin.pc
include/modrun/plugin.h
$RUNTIME_FILE
sbin/modrun
share/modrun/modrun.conf"
expect_eq "meson install: the files in the prefix" "$(sed "/^$/d" <<<"$expected" | sort)" \
    "$(cd "$prefix" && find . -type f -o -type l | sed 's|^\./||' | grep -v '^share/\(man\|bash-completion\|zsh\|fish\)/' | sort)"
expect_eq "the distribution file holds the -Ddefault-* values" \
"devices = none
mount-strategy = move-mount
plugin-dir = $T/vendor-plugins" "$(grep -v '^#' "$prefix/share/modrun/modrun.conf")"
sample=$prefix/etc/modrun/modrun.conf
expect_eq "the sample admin file sets nothing" "" "$(grep -vE '^[[:space:]]*(#|$)' "$sample")"
grep -qF "$prefix/share/modrun/modrun.conf" "$sample" || fail "the sample does not name the distribution file of this prefix"
grep -qF "$prefix/$libdir/modrun/plugins-1" "$sample" || fail "the sample does not name the plugin directory of this prefix"
sed -E 's/^#([a-z-]+ = )/\1/' "$sample" >"$T/uncommented.conf"
sample_keys=$(grep -oE '^[a-z-]+ = ' "$T/uncommented.conf" | sed 's/ = //' | sort | tr '\n' ' ')
MODRUN_CONFIG=$T/uncommented.conf "$prefix/sbin/modrun" features >/dev/null 2>"$T/uncommented.err" ||
    fail "the sample's example lines, uncommented, are refused: $(cat "$T/uncommented.err")"
printf 'pk-no-such-key = 1\n' >"$T/unknown.conf"
known=$(MODRUN_CONFIG=$T/unknown.conf "$prefix/sbin/modrun" features 2>&1 >/dev/null |
    sed -n 's/.*(known keys: \(.*\))$/\1/p' | tr -d ',' | tr ' ' '\n' | sort | tr '\n' ' ')
[ -n "$known" ] || fail "modrun did not list its known keys"
expect_eq "the sample shows every key modrun knows" "$known" "$sample_keys"

# 3. the installed modrun alone: its prefix's files and plugins
[ "$(stat -c %U "$prefix/$libdir/modrun/plugins-1/mount-move-mount.so")" = root ] || die "installed plugins are not root's"
make_bundle
args sh -c 'echo "pid=$$"; exit 3'
out=$(timeout -k 5 60 "$prefix/sbin/modrun" --root "$ROOT" --debug run --bundle "$BUNDLE" pk-inst 2>&1); rc=$?
expect_eq "a container from the installed prefix: its exit code" 3 "$rc"
expect_match "its process is pid 1" "^pid=1$" "$out"
expect_match "the distribution file is read" "config file $prefix/share/modrun/modrun.conf: read" "$out"
expect_match "then the sample admin file" "config file $prefix/etc/modrun/modrun.conf: read" "$out"
expect_match "the distribution's mount strategy is used" \
    "mount strategy: move-mount \($prefix/share/modrun/modrun.conf line [0-9]+\)" "$out"
expect_match "the distribution's plugin directory comes first" "plugin directory 1: $T/vendor-plugins" "$out"
expect_match "the mount plugin comes from the prefix" \
    "mount strategy move-mount: $prefix/$libdir/modrun/plugins-1/mount-move-mount.so" "$out"
assert_clean "after the installed modrun's container"
finish
