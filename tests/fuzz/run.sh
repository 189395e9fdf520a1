#!/bin/bash
# Build one libFuzzer target with clang and run it for a bounded time.
#
#   tests/fuzz/run.sh TARGET SECONDS [libFuzzer options...]
#   tests/fuzz/run.sh --list
#
# TARGET is config, process, mountinfo, cli, cgroupfs, devices, systemd, idmap
# or plugin (tests/fuzz/fuzz-TARGET.c).
# The binary goes to $FUZZ_BUILD_DIR (default: a temporary directory,
# removed afterwards). The seeds in tests/fuzz/corpus/TARGET are read, never
# written: new inputs go to a scratch corpus ($FUZZ_CORPUS_DIR to keep it).
# Exit status: 0 no crash, 1 a crash/leak/timeout (its input is printed as
# hex and as a C string, ready for a unit test), 2 a build failure, 77 skip
# (no clang or no libFuzzer runtime).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
targets=(config process mountinfo cli cgroupfs devices systemd idmap plugin)

oci_src=(core/oci/config-parse.c core/oci/config-process.c core/oci/config-linux.c core/oci/config-mounts.c
         core/oci/config-defaults.c core/oci/config-ranges.c core/oci/config-spec13.c core/oci/json-util.c core/util/error.c
         core/util/fs-util.c)
sources_for() {
    case "$1" in
        config|process) echo "${oci_src[@]}" ;;
        mountinfo) echo core/util/mountinfo.c core/util/error.c core/util/fs-util.c ;;
        cli) echo core/cli/args.c core/util/error.c ;;
        cgroupfs) echo plugins/cgroupfs/paths.c plugins/cgroupfs/convert.c plugins/cgroupfs/layout.c ;;
        devices) echo plugins/devices-ebpf/rules.c plugins/devices-ebpf/compile.c ;;
        systemd) echo plugins/systemd/unit-name.c plugins/systemd/props.c plugins/systemd/props-io.c \
                      plugins/systemd/devices.c ;;
        idmap) echo plugins/idmap/config.c plugins/idmap/maps.c plugins/idmap/diag.c ;;
        plugin) echo core/plugin/desc-check.c core/plugin/kind.c core/util/error.c core/util/log.c \
                     core/util/time-util.c core/util/fs-util.c ;;
        *) return 1 ;;
    esac
}
# A plugin's internal header is found in its own directory.
incs_for() {
    case "$1" in
        cgroupfs) echo -I"$src/plugins/cgroupfs" ;;
        devices) echo -I"$src/plugins/devices-ebpf" ;;
        systemd) echo -I"$src/plugins/systemd" ;;
        idmap) echo -I"$src/plugins/idmap" ;;
    esac
}
libs_for() {
    case "$1" in
        config|process|devices|systemd|idmap) pkg-config --libs json-c 2>/dev/null || echo -ljson-c ;;
    esac
    case "$1" in
        systemd) echo -lm ;;
    esac
}

if [ "${1:-}" = --list ]; then
    printf '%s\n' "${targets[@]}"
    exit 0
fi
if [ $# -lt 2 ]; then
    echo "usage: $0 TARGET SECONDS [libFuzzer options...]   (targets: ${targets[*]})" >&2
    exit 2
fi
target=$1 seconds=$2
shift 2
srcs=$(sources_for "$target") || { echo "fuzz: unknown target '$target' (targets: ${targets[*]})" >&2; exit 2; }

CC=${CC_FUZZ:-}
if [ -z "$CC" ]; then
    for c in clang clang-14 clang-15 clang-16; do
        command -v "$c" >/dev/null && { CC=$c; break; }
    done
fi
if [ -z "$CC" ]; then
    echo "fuzz: SKIP: no clang (apt-get install clang libclang-rt-14-dev)" >&2
    exit 77
fi

tmp=$(mktemp -d /tmp/modrun-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
out=${FUZZ_BUILD_DIR:-$tmp}
mkdir -p "$out"

sanflags=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
# The fuzzer runtime (libclang-rt-*-dev) is a separate package from clang.
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' \
    >"$tmp/probe.c"
if ! "$CC" "${sanflags[@]}" "$tmp/probe.c" -o "$tmp/probe" 2>"$tmp/probe.log"; then
    echo "fuzz: SKIP: $CC cannot link -fsanitize=fuzzer (apt-get install libclang-rt-14-dev):" >&2
    cat "$tmp/probe.log" >&2
    exit 77
fi

bin=$out/fuzz-$target
cflags=(-g -O1 -fno-omit-frame-pointer -std=gnu17 -D_GNU_SOURCE -Wall -Wno-unused-parameter
        -I"$src/core" -I"$src/core/include" -I"$here")
# shellcheck disable=SC2046
if ! (cd "$src" && "$CC" "${cflags[@]}" $(incs_for "$target") "${sanflags[@]}" "$here/fuzz-$target.c" $srcs \
        $(libs_for "$target") -o "$bin"); then
    echo "fuzz: building $target failed" >&2
    exit 2
fi

corpus=${FUZZ_CORPUS_DIR:-$tmp/corpus}
mkdir -p "$corpus" "$tmp/artifacts"
seeds=()
[ -d "$here/corpus/$target" ] && seeds=("$here/corpus/$target")
dict=()
[ -f "$here/$target.dict" ] && dict=(-dict="$here/$target.dict")

# Our settings, not inherited ones (meson test sets its own ASAN_OPTIONS);
# $FUZZ_ASAN_OPTIONS adds to them.
export ASAN_OPTIONS="detect_leaks=1${FUZZ_ASAN_OPTIONS:+:$FUZZ_ASAN_OPTIONS}"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
echo "fuzz: $target for ${seconds}s ($bin)" >&2
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$tmp/artifacts/" "${dict[@]}" "$@" "$corpus" "${seeds[@]}" >"$tmp/log" 2>&1
rc=$?
found=$(find "$tmp/artifacts" -type f | head -1)
if [ $rc -eq 0 ] && [ -z "$found" ]; then
    grep -E '^(stat::|Done|#[0-9]+.*DONE)' "$tmp/log" | tail -6 >&2  # the DONE line: executions, coverage
    exit 0
fi

echo "fuzz: $target FAILED (exit $rc)" >&2
grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse|INITED)' "$tmp/log" | tail -80 >&2
if [ -n "$found" ]; then
    keep=${FUZZ_ARTIFACT_DIR:-${FUZZ_BUILD_DIR:-$PWD}}
    mkdir -p "$keep" && cp "$found" "$keep/" 2>/dev/null && echo "fuzz: input saved as $keep/$(basename "$found")" >&2
    echo "fuzz: the input ($(stat -c %s "$found") bytes), hex:" >&2
    od -An -tx1 -v "$found" | tr -s ' \n' ' ' | fold -w 96 >&2
    echo >&2
    echo "fuzz: as a C string (for the unit test; pass its length, it may hold NULs):" >&2
    python3 - "$found" >&2 <<'PY' || od -c "$found" >&2
import sys
data = open(sys.argv[1], 'rb').read()
lines, cur = [], ''
for b in data:
    c = chr(b)
    # octal escapes are always three digits, so a following digit is safe
    cur += {'"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t'}.get(c, c if 32 <= b < 127 else '\\%03o' % b)
    if len(cur) >= 90 or c == '\n':
        lines.append(cur)
        cur = ''
if cur or not lines:
    lines.append(cur)
print('\n'.join('        "%s"' % l for l in lines) + ' /* %d bytes */' % len(data))
PY
fi
exit 1
