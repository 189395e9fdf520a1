#!/bin/bash
# A command that opens a container more than once loads each plugin file
# once: `run` creates, then deletes after the process exits, with the same
# cgroup manager and mount strategy (core/plugin/loaded.c). Each file is
# still copied into a sealed memfd (the runtime and the init map the copy),
# and a file changed in between is loaded anew.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "SKIP: strace missing (apt-get install strace)"; exit 77; }
make_bundle
args true

# copies ID [GLOBAL-OPTION...]: one line per file sendfile()d into a memfd
copies() {
    local id=$1; shift
    timeout -k 5 60 strace -f -qq -y -o "$T/trace-$id" -e trace=sendfile \
        "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" "$@" run --bundle "$BUNDLE" "$id" >/dev/null 2>&1 ||
        fail "run $id under strace"
    grep -o 'in_fd=[0-9]*<[^>]*>\|, [0-9]*<[^>]*\.so>' "$T/trace-$id" | sed 's/.*<//; s/>$//' | sort | uniq -c
}

out=$(copies pr-1)
echo "$out"
expect_eq "cgroupfs copied once for create and delete" 1 "$(awk '/cgroup-cgroupfs.so$/ {print $1}' <<<"$out")"
expect_eq "pivot-root copied once for create and delete" 1 "$(awk '/mount-pivot-root.so$/ {print $1}' <<<"$out")"
expect_eq "no plugin file copied twice" "" "$(awk '$1 > 1 && /\.so$/' <<<"$out")"

# the created init (before it execs) maps sealed copies, never the files
"$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" create --bundle "$BUNDLE" pr-2 || fail "create pr-2"
pid=$(state_field pr-2 pid)
maps=$(cat "/proc/$pid/maps")
expect_match "the init maps the cgroup manager's sealed copy" "memfd:modrun-plugin" "$maps"
expect_eq "the init maps no installed plugin file" "" "$(grep -F "$PLUGIN_DIR" <<<"$maps")"
"$MODRUN" --root "$ROOT" delete --force pr-2 || fail "delete pr-2"
assert_clean "at the end"
finish
