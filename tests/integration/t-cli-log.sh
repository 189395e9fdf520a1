#!/bin/bash
# What shims read from --log: text lines are logfmt (quotes and backslashes
# in msg escaped), --log-format json is runc's logrus line
# {"level":...,"msg":...,"time":RFC 3339}, --log-level filters, and
# --log journald without a journal is a clear error.
. "$(dirname "$0")/lib.sh"
cd "$T"   # a modrun without journald support would write a file named "journald" here
L=$T/log
mr --log "$L" state 'cl-"q"' >/dev/null 2>&1 && fail "state of a missing container succeeded"
line=$(tail -1 "$L")
expect_match "text: runc's logfmt keys" '^time="[0-9-]+T[0-9:]+(Z|[+-][0-9]{2}:[0-9]{2})" level=error msg="' "$line"
python3 - "$line" <<'PY' || fail "text: msg is not logfmt-escaped: $line"
import re, sys
m = re.fullmatch(r'time="[^"]*" level=error msg="((?:[^"\\]|\\.)*)"', sys.argv[1])
assert m, "not time= level= msg= with an escaped msg"
assert '\\"cl-\\\\\\"q\\\\\\"\\"' in m.group(1) or 'cl-\\"q\\"' in m.group(1), m.group(1)
PY
pass "text: quotes in msg are escaped"
J=$T/log.json
mr --log "$J" --log-format json state 'cl-"j"' >/dev/null 2>&1
python3 - "$J" <<'PY' || fail "json: not runc's line: $(cat "$J")"
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines, "no line"
raw = lines[-1]
o = json.loads(raw)
assert list(o) == ["level", "msg", "time"], list(o)   # logrus sorts the keys
assert o["level"] == "error"
assert 'cl-"j"' in o["msg"], o["msg"]
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", o["time"]), o["time"]
PY
pass "json: level, msg, time as runc writes them"
# --log-level: warnings only at warn and below; --debug shows the choices
make_bundle
args true
mr --log "$T/dbg" --log-level debug run --bundle "$BUNDLE" cl-1 >/dev/null 2>&1 || fail "run cl-1"
expect_match "--log-level debug logs the plugin choices" "level=debug" "$(cat "$T/dbg")"
mr --log "$T/err" --log-level error run --bundle "$BUNDLE" cl-2 >/dev/null 2>&1 || fail "run cl-2"
expect_no_match "--log-level error: no debug or info lines" "level=(debug|info)" "$(cat "$T/err")"
out=$(mr --log-level loud list 2>&1) && fail "an unknown level accepted"
expect_match "unknown level: what to use" "unknown level .*hint: use debug, info, warn or error" "$out"
# journald: this host has no journal socket (PID 1 is not systemd)
if [ ! -S /run/systemd/journal/socket ]; then
    out=$(mr --log journald list 2>&1) && fail "--log journald without a journal succeeded"
    expect_match "--log journald: no journal, a clear error" "no journal socket at /run/systemd/journal/socket.*hint: " "$out"
    out=$(mr --log journald: list 2>&1) && fail "--log journald: with an empty ident accepted"
else
    mr --log journald:cl-test list >/dev/null || fail "--log journald:IDENT"
fi
assert_clean "at the end"
finish
