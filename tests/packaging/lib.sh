# lib.sh - shared by the packaging tests (meson.build here): builds of the
# tree in temporary directories. Sources tests/integration/lib.sh for the
# temporary directory $T (removed at exit), fail/pass/die/expect_* and the
# container helpers; needs root like those tests.
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

# Every plugin the tree builds (with libbpf and libsystemd present), as
# installed into LIBDIR/modrun/plugins-1.
ALL_PLUGINS="cgroup-cgroupfs.so cgroup-systemd.so checkpoint-criu.so devices-ebpf.so mount-move-mount.so mount-pivot-root.so namespace-idmap.so"

# logged NAME CMD...: run CMD with its output in $T/NAME.log; when it fails,
# show the end of that output and the command, and fail the test.
logged() {
    local name=$1; shift
    if ! "$@" >"$T/$name.log" 2>&1; then
        tail -n 60 "$T/$name.log" >&2
        die "$name: '$*' failed (output above; whole log $T/$name.log)"
    fi
}

# build NAME SRC BUILDDIR [MESON OPTIONS...]: meson setup and ninja, logged;
# the build's time in seconds goes into BUILD_SECONDS.
build() {
    local name=$1 src=$2 dir=$3 start=$SECONDS; shift 3
    logged "$name-setup" meson setup "$dir" "$src" "$@"
    logged "$name-ninja" ninja -C "$dir"
    BUILD_SECONDS=$((SECONDS - start))
}

# copy_tree DEST: the source tree as git sees it (tracked files and
# untracked ones not ignored: no build directories), or without git the
# whole tree minus build*/, _work/ and .git.
copy_tree() {
    local dest=$1
    mkdir -p "$dest" || die "mkdir $dest"
    if git -C "$SOURCE_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$SOURCE_ROOT" && git ls-files -z -co --exclude-standard |
            while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
            tar --null -T - -cf -) | tar -xf - -C "$dest" || die "copy the tree to $dest"
    else
        (cd "$SOURCE_ROOT" && tar --exclude='./build*' --exclude=./_work --exclude=./.git -cf - .) |
            tar -xf - -C "$dest" || die "copy the tree to $dest"
    fi
}

