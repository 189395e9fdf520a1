#!/bin/bash
# packages: the Debian packages of debian/, built as a distribution builds
# them, from a copy of the tree (the source tree stays as it was):
#  1. dpkg-buildpackage -b (nocheck: no test program is built), lintian
#     without an error or a warning;
#  2. each plugin in its own package, the core with cgroupfs, pivot-root and
#     move-mount, modrun-dev with the header and modrun-plugin.pc; together
#     exactly the files `meson install` put into the DESTDIR (debian/tmp),
#     none in two packages; the sample config a conffile; the packages'
#     version is meson's and `modrun --version`'s;
#  3. a container from the extracted core package alone (its cgroup made by
#     the packaged cgroupfs), `features` listing exactly its plugins; then
#     with the systemd and devices-ebpf packages added, `features` lists
#     those too, and a container gets its device program from the packaged
#     ebpf plugin;
#  4. the example plugin built against the extracted modrun-dev alone
#     (pkg-config), and loaded by the extracted core.
. "$(dirname "$0")/lib.sh"

for tool in dpkg-buildpackage dh lintian; do
    command -v "$tool" >/dev/null ||
        die "$tool is missing: scripts/setup.sh --tests installs it (dpkg-dev, debhelper, lintian)"
done
arch=$(dpkg --print-architecture)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(dpkg-parsechangelog -l "$SOURCE_ROOT/debian/changelog" -S Version) || die "read debian/changelog"
PD=usr/lib/$ma/modrun/plugins-1
git_status() { git -C "$SOURCE_ROOT" status --porcelain 2>/dev/null; }
before=$(git_status)

# 1. build and lint
src=$T/modrun-$version
copy_tree "$src"
start=$SECONDS
# nocheck as a build option (no test step, -Dtests=disabled) and as a
# profile (so libcmocka-dev <!nocheck> is not required); noddebs: no
# -dbgsym packages, which only cost time here.
logged dpkg-buildpackage env -C "$src" DEB_BUILD_OPTIONS="nocheck noddebs parallel=$(nproc)" \
    DEB_BUILD_PROFILES=nocheck dpkg-buildpackage -b -us -uc
pass "dpkg-buildpackage -b: $((SECONDS - start)) s"
expect_eq "the source tree is untouched" "$before" "$(git_status)"
changes=$T/modrun_${version}_$arch.changes
[ -f "$changes" ] || die "no $changes after the build"
start=$SECONDS
lint=$(lintian --fail-on error,warning --display-info "$changes" 2>&1); rc=$?
lint=$(grep -v '^running with root privileges is not recommended' <<<"$lint")
[ -z "$lint" ] || echo "$lint"
expect_eq "lintian: no error or warning ($((SECONDS - start)) s)" 0 "$rc"

# 2. what each package holds
deb() { echo "$T/${1}_${version}_$arch.deb"; }
files_of() { # the files and symlinks of a .deb, without its doc and lintian dirs
    dpkg-deb --fsys-tarfile "$1" | tar -t | grep -v '/$' | sed 's|^\./||' |
        grep -vE '^usr/share/(doc|lintian)/' | sort
}
# the runtime, where usr/sbin/modrun is the launcher (core/launcher/)
case $arch in amd64 | arm64) LAUNCHED=usr/libexec/modrun/modrun ;; *) LAUNCHED= ;; esac
declare -A want=(
    [modrun]="etc/modrun/modrun.conf $LAUNCHED usr/sbin/modrun $PD/cgroup-cgroupfs.so $PD/mount-move-mount.so $PD/mount-pivot-root.so"
    [modrun-plugin-systemd]="$PD/cgroup-systemd.so"
    [modrun-plugin-devices-ebpf]="$PD/devices-ebpf.so"
    [modrun-plugin-idmap]="$PD/namespace-idmap.so"
    [modrun-plugin-criu]="$PD/checkpoint-criu.so"
    [modrun-dev]="usr/include/modrun/plugin.h usr/lib/$ma/pkgconfig/modrun-plugin.pc"
)
all=""
for p in "${!want[@]}"; do
    [ -f "$(deb "$p")" ] || { fail "package $p was not built"; continue; }
    have=$(files_of "$(deb "$p")")
    for f in ${want[$p]}; do
        grep -qxF "$f" <<<"$have" || fail "$p lacks $f (it has: $(echo $have))"
    done
    plugins=$(grep -E "^$PD/" <<<"$have" | sort | tr '\n' ' ')
    wanted=$(tr ' ' '\n' <<<"${want[$p]}" | grep -E "^$PD/" | sort | tr '\n' ' ')
    expect_eq "$p: exactly its plugins" "$wanted" "$plugins"
    all+="$have"$'\n'
done
dup=$(grep -v '^$' <<<"$all" | sort | uniq -d)
expect_eq "no file in two packages" "" "$dup"
installed=$(cd "$src/debian/tmp" && find . -type f -o -type l | sed 's|^\./||' | sort)
# dh_compress gzips the manuals: compare them by their installed names
expect_eq "the packages hold exactly what meson install put into DESTDIR" \
    "$installed" "$(grep -v '^$' <<<"$all" | sed -E 's|^(usr/share/man/.*)\.gz$|\1|' | sort)"
expect_eq "meson install put every plugin into $PD" "$ALL_PLUGINS" \
    "$(cd "$src/debian/tmp/$PD" && ls | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the sample config is a conffile" /etc/modrun/modrun.conf \
    "$(dpkg-deb -I "$(deb modrun)" conffiles)"
meson_version=$("$MODRUN" --version | awk 'NR == 1 { print $3 }')
expect_eq "package version = meson project version" "$meson_version" "$(dpkg-deb -f "$(deb modrun)" Version)"

# 3. containers from the extracted packages. A host with modrun's packages
# installed has plugins in the built-in directory too: hide it.
x=$T/root
mkdir -p "$x" && dpkg -x "$(deb modrun)" "$x" || die "dpkg -x modrun"
expect_eq "modrun --version of the package" "modrun version $version" "$("$x/usr/sbin/modrun" --version | head -n1)"
pm() {
    local cmd=("$x/usr/sbin/modrun" --root "$ROOT" --plugin-dir "$x/$PD" "$@")
    if [ -d "/$PD" ]; then
        cmd=(unshare -m sh -c 'mount -t tmpfs -o ro pk-hidden "$0" && exec "$@"' "/$PD" "${cmd[@]}")
    fi
    MODRUN_CONFIG=$x/etc/modrun/modrun.conf timeout -k 5 60 "${cmd[@]}"
}
usable_plugins() { # "kind:name" of every usable plugin `features` lists, and where each is
    pm features | python3 -c '
import json, sys
for p in json.loads(json.load(sys.stdin)["annotations"]["org.modrun.plugins"]):
    if p["usable"]:
        print("%s:%s %s" % (p["kind"], p["name"], p["path"] or "builtin"))' | sort
}
expect_eq "features with the core package alone" \
"cgroup:cgroupfs $x/$PD/cgroup-cgroupfs.so
cgroup:disabled builtin
mount:move-mount $x/$PD/mount-move-mount.so
mount:pivot-root $x/$PD/mount-pivot-root.so" "$(usable_plugins)"

CGP=/pk-packages-$$
trap cg_cleanup EXIT  # lib.sh
bash "$SOURCE_ROOT/scripts/make-bundle.sh" "$BUNDLE" "$x/usr/sbin/modrun" >/dev/null || die "make-bundle"
config "c['linux']['cgroupsPath'] = '$CGP/c1'; c['process']['args'] = ['sleep', '100']"
pm create --bundle "$BUNDLE" pk-core || die "create a container from the core package"
pm start pk-core || fail "start pk-core"
pid=$(pm state pk-core | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
expect_eq "the container's process is sleep" sleep "$(cat "/proc/$pid/comm" 2>/dev/null)"
expect_match "its cgroup is the one cgroupfs made" "^[0-9]+:memory:$CGP/c1\$" "$(cat "/proc/$pid/cgroup")"
[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] || fail "pk-core is in the host's pid namespace"
pm delete --force pk-core || fail "delete pk-core"
expect_eq "no cgroup left" "" "$(cg_left)"

for p in modrun-plugin-systemd modrun-plugin-devices-ebpf; do
    dpkg -x "$(deb "$p")" "$x" || die "dpkg -x $p"
done
expect_eq "features with the systemd and devices-ebpf packages added" \
"cgroup:cgroupfs $x/$PD/cgroup-cgroupfs.so
cgroup:disabled builtin
cgroup:systemd $x/$PD/cgroup-systemd.so
devices:ebpf $x/$PD/devices-ebpf.so
mount:move-mount $x/$PD/mount-move-mount.so
mount:pivot-root $x/$PD/mount-pivot-root.so" "$(usable_plugins)"
UNI=$(awk '$9 == "cgroup2" { print $5 }' /proc/self/mountinfo | tail -n1)
if [ -n "$UNI" ] && command -v bpftool >/dev/null; then
    config "c['linux']['cgroupsPath'] = '$CGP/c2'"
    pm --plugin devices=ebpf create --bundle "$BUNDLE" pk-ebpf || die "create with the packaged ebpf plugin"
    progs=$(dev_progs "$UNI$CGP/c2" | wc -l)
    expect_eq "the packaged ebpf plugin attached one device program to $UNI$CGP/c2" 1 "$progs"
    pm delete --force pk-ebpf || fail "delete pk-ebpf"
    expect_eq "no cgroup left" "" "$(cg_left)"
else
    echo "no cgroup2 mount or no bpftool: the ebpf plugin's container is not run"
fi

# 4. an out-of-tree plugin from modrun-dev alone
dev=$T/dev
mkdir -p "$dev" && dpkg -x "$(deb modrun-dev)" "$dev" || die "dpkg -x modrun-dev"
ex=$dev/usr/share/doc/modrun-dev/examples/mount-logged-pivot
[ -f "$ex/logged-pivot.c" ] || die "modrun-dev lacks the example plugin ($ex)"
mkdir -p "$T/ex-plugins"
logged example-build env PKG_CONFIG_LIBDIR="$dev/usr/lib/$ma/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dev" \
    sh "$ex/build.sh" "$T/ex-plugins"
expect_eq "pkg-config plugindir of modrun-dev" "/$PD" \
    "$(PKG_CONFIG_LIBDIR="$dev/usr/lib/$ma/pkgconfig" pkg-config --variable=plugindir modrun-plugin)"
expect_match "the extracted core loads the example built against modrun-dev" \
    "mount:logged-pivot $T/ex-plugins/mount-logged-pivot.so" "$(pm --plugin-dir "$T/ex-plugins" features |
    python3 -c '
import json, sys
for p in json.loads(json.load(sys.stdin)["annotations"]["org.modrun.plugins"]):
    if p["usable"]:
        print("%s:%s %s" % (p["kind"], p["name"], p["path"]))')"
assert_clean "after the packaged containers"
finish
