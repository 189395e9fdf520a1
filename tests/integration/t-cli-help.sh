#!/bin/bash
# The command line as users find it: --help, -h and `help COMMAND` for every
# command (exit 0), the global help lists the compatibility flags,
# the man pages,
# --help and the parser agree on every option, bash completion, --version,
# update's runc flags reach the cgroup, and `run` with a terminal but no tty
# on stdin fails at once.
. "$(dirname "$0")/lib.sh"
MAN=$SOURCE_ROOT/man
cmds=$("$MODRUN" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
expect_match "the global help lists the commands" "create.*run.*update.*features.*checkpoint.*restore" "$(echo $cmds)"

# the long options of a --help text, or of a man page's option list
help_opts() { sed -n 's/^ *\(-[a-zA-Z], \)\{0,1\} *--\([a-z0-9-]*\).*/\2/p' | sort -u; }
man_opts() { sed -n 's/^\(\*-[a-zA-Z]\*, \)\{0,1\}\*--\([a-z0-9-]*\)\*.*/\2/p' "$1" | sort -u; }
# a value the parser takes for a --help line's value name
sample() {
    case $1 in
    *table*) echo json ;; DURATION) echo 1s ;; N|USEC|BYTES) echo 1 ;; LEVEL) echo info ;;
    text*) echo text ;; KIND=NAME) echo mount=pivot-root ;; *) echo /nonexistent ;;
    esac
}

for c in $cmds; do
    a=$("$MODRUN" $c --help) || fail "$c --help exited non-zero"
    b=$("$MODRUN" $c -h) || fail "$c -h exited non-zero"
    h=$("$MODRUN" help $c) || fail "help $c exited non-zero"
    [ "$a" = "$b" ] && [ "$a" = "$h" ] || fail "$c: --help, -h and help differ"
    expect_match "$c --help: usage" "^usage: modrun \[global options\] $c" "$a"
    [ $c = help ] && continue
    page=$MAN/modrun-$c.8.scd
    [ -f "$page" ] || { fail "no man page for $c"; continue; }
    expect_eq "$c: man page and --help list the same options" \
        "$(printf '%s\n' "$a" | help_opts | tr '\n' ' ')" "$(man_opts "$page" | tr '\n' ' ')"
    # every documented option is accepted: the parser reads it, then --help
    for o in $(man_opts "$page"); do
        [ $o = help ] && continue
        arg=$(printf "%s\n" "$a" | sed -n "s/^ *\(-., \)\{0,1\} *--$o \([^ ]*\)\( .*\)\{0,1\}$/\2/p" | head -1)
        if [ -n "$arg" ]; then set -- --$o "$(sample "$arg")"; else set -- --$o; fi
        "$MODRUN" $c "$@" --help >/dev/null 2>&1 || fail "$c: documented option --$o not accepted"
    done
    "$MODRUN" $c --no-such-option --help >/dev/null 2>&1 && fail "$c: an unknown option before --help accepted"
done
pass "every command: --help, -h and help agree; man page and parser agree"

g=$("$MODRUN" --help) || fail "--help exited non-zero"
for o in rootless criu systemd-cgroup log-format log-level root version; do
    expect_match "global help lists --$o" "--$o" "$g"
done
expect_eq "modrun.8 and --help list the same global options" \
    "$(printf '%s\n' "$g" | sed -n '/^global options:/,$p' | help_opts | tr '\n' ' ')" \
    "$(man_opts "$MAN/modrun.8.scd" | tr '\n' ' ')"
expect_eq "-h is --help" "$g" "$("$MODRUN" -h)"
out=$("$MODRUN" exec -h 2>&1 | head -1)
expect_match "exec -h is exec's help" "usage: modrun .* exec" "$out"
out=$("$MODRUN" --root "$ROOT" exec $$-nope sh -h 2>&1) && fail "exec ID sh -h exited 0"
expect_match "after exec's id, -h is the command's" "does not exist" "$out"
out=$("$MODRUN" pause 2>&1) && fail "pause without an id accepted"
expect_no_match "a usage error has no errno text" "Invalid argument" "$out"
expect_match "a usage error has a hint" "hint: see" "$out"

v=$("$MODRUN" --version) || fail "--version"
for k in "modrun version" commit: spec: libseccomp: "plugin ABI:" "plugin directory:"; do
    expect_match "--version: $k" "^$k" "$v"
done

# bash completion, from the source tree
if [ -x /bin/bash ]; then
    comp() { bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _modrun; echo "${COMPREPLY[*]}"' \
        _ "$SOURCE_ROOT/completions/modrun.bash" "$MODRUN" "$@"; }
    expect_eq "bash completes a command" "update" "$(comp upd)"
    expect_eq "bash completes a command's options" "--cpu-share --cpu-shares" "$(comp update --cpu-s)"
    expect_eq "bash completes a global option's value" "json" "$(comp --log-format j)"
fi

# update: runc's flags reach the cgroup (v1 cpu and pids here)
make_bundle
args sleep 60
mr run -d --bundle "$BUNDLE" cl-1 || die "run cl-1"
expect_eq "bash completes a container id" "cl-1" \
    "$(bash -c 'source "$1"; COMP_WORDS=("$2" --root "$3" kill cl-); COMP_CWORD=4; _modrun; echo "${COMPREPLY[*]}"' \
        _ "$SOURCE_ROOT/completions/modrun.bash" "$MODRUN" "$ROOT")"
pid=$(state_field cl-1 pid)
mr update --cpu-share 512 --pids-limit 77 --memory 64m cl-1 || fail "update with runc's flags"
cg() { local c=$1; awk -F: -v c="$c" '$2 ~ "(^|,)"c"(,|$)" {print $3}' /proc/$pid/cgroup; }
expect_eq "--cpu-share wrote cpu.shares" 512 "$(cat /sys/fs/cgroup/cpu,cpuacct$(cg cpu)/cpu.shares 2>/dev/null || cat /sys/fs/cgroup/cpu$(cg cpu)/cpu.shares)"
expect_eq "--pids-limit wrote pids.max" 77 "$(cat /sys/fs/cgroup/pids$(cg pids)/pids.max)"
expect_eq "--memory wrote memory.limit_in_bytes" $((64 << 20)) "$(cat /sys/fs/cgroup/memory$(cg memory)/memory.limit_in_bytes)"
echo '{"pids": {"limit": 55}}' | mr update -r - --pids-limit 9 cl-1 || fail "update -r -"
expect_eq "-r - from stdin wins over the flags (runc)" 55 "$(cat /sys/fs/cgroup/pids$(cg pids)/pids.max)"
out=$(mr update --l3-cache-schema L3:0=f cl-1 2>&1) && fail "--l3-cache-schema accepted without RDT"
expect_match "--l3-cache-schema: a clear error" "Intel RDT" "$out"
mr delete -f cl-1 || fail "delete cl-1"
out=$(mr pause cl-1 2>&1)
expect_match "pause of a missing container" "does not exist" "$out"

# plugins: a refused plugin is marked, with the loader's reason
mkdir -p "$T/pd"
cp "$PLUGIN_DIR/mount-pivot-root.so" "$T/pd/" && chmod 0666 "$T/pd/mount-pivot-root.so"
out=$("$MODRUN" --plugin-dir "$T/pd" plugins) || fail "plugins"
expect_match "plugins: a world-writable plugin is refused, and why" "pivot-root +refused .*
 +why: .*world-writable" "$out"
expect_match "plugins: the built-in one is usable" "disabled +usable" "$out"

# no device filter (cgroup manager "disabled", no devices plugin): a warning, not only under --debug
args true
out=$(mr --cgroup-manager=disabled run --bundle "$BUNDLE" cl-3 2>&1) || fail "run cl-3: $out"
expect_match "unfiltered device access: a warning without --debug" "warning: device access: not filtered" "$out"
out=$(mr run --bundle "$BUNDLE" cl-4 2>&1) || fail "run cl-4: $out"
expect_no_match "cgroupfs with the v1 devices controller filters: no warning" "device access" "$out"

# run: process.terminal and no terminal at all (no controlling one either:
# setsid) fails at once, leaving nothing
config "c['process']['terminal'] = True; c['process']['args'] = ['sh']"
start=$(date +%s)
out=$(setsid -w timeout -s KILL 20 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" run --bundle "$BUNDLE" cl-2 </dev/null 2>&1)
rc=$?
expect_eq "run with a terminal and no tty: exit 1" 1 "$rc"
[ $(($(date +%s) - start)) -le 5 ] || fail "run with a terminal and no tty took over 5 s"
expect_match "run with a terminal and no tty: cause and fix" "modrun has no terminal.*hint: run it from a terminal" "$out"
expect_eq "nothing left behind" "" "$(mr list -q)"
assert_clean "at the end"
finish
