#!/bin/bash
# version: one version everywhere. meson's project version (the source of
# `modrun --version` and of features' org.modrun.version, through
# modrun-config.h) must equal the version of the newest entry of
# debian/changelog, which is the packages' version (native format).
. "$(dirname "$0")/lib.sh"
meson_version=$(meson introspect --projectinfo "$SOURCE_ROOT/meson.build" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])') || die "meson introspect --projectinfo"
changelog_version=$(dpkg-parsechangelog -l "$SOURCE_ROOT/debian/changelog" -S Version) || die "dpkg-parsechangelog"
expect_eq "debian/changelog's version is meson's project version" "$meson_version" "$changelog_version"
expect_eq "debian/source/format is native (no Debian revision to add)" "3.0 (native)" \
    "$(cat "$SOURCE_ROOT/debian/source/format")"
expect_eq "modrun --version" "modrun version $meson_version" "$("$MODRUN" --version | head -n1)"
expect_eq "features: org.modrun.version" "$meson_version" "$("$MODRUN" --plugin-dir "$PLUGIN_DIR" features |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["annotations"]["org.modrun.version"])')"
finish
