#!/bin/bash
# The docs work as written: every code block of README.md and docs/*.md
# marked `<!-- docs-test -->` runs, line by line, in a scratch directory
# holding a copy of scripts/ and `build` (the tree under test), and each line
# exits 0 (or the status its `# exits N` comment names). Blocks marked
# `<!-- docs-test: fresh-machine -->` (builds, apt, the whole suite) are
# listed and skipped. Also checked: no `meson test` in the docs lacks its
# build directory (-C).
. "$(dirname "$0")/lib.sh"
BUILD=$(cd "$(dirname "$MODRUN")/.." && pwd)
W=$T/work
mkdir -p "$W"
cp -a "$SOURCE_ROOT/scripts" "$W/"
ln -s "$BUILD" "$W/build"
docs=("$SOURCE_ROOT/README.md" "$SOURCE_ROOT"/docs/*.md)

python3 - "${docs[@]}" > "$T/blocks" <<'PY'
import re, sys
# one line per command: FILE<TAB>LINE<TAB>MODE<TAB>COMMAND
for path in sys.argv[1:]:
    lines = open(path).read().splitlines()
    for i, l in enumerate(lines):
        m = re.fullmatch(r"<!-- docs-test(: fresh-machine)? -->", l.strip())
        if not m:
            continue
        mode = "skip" if m.group(1) else "run"
        j = i + 1
        while j < len(lines) and lines[j].startswith("    "):
            print(f"{path}\t{j + 1}\t{mode}\t{lines[j][4:]}")
            j += 1
        if j == i + 1:
            print(f"{path}\t{i + 1}\tempty\t")
PY
[ -s "$T/blocks" ] || fail "no docs-test blocks found"
n_run=0 n_skip=0
while IFS=$'\t' read -r file line mode cmd; do
    where="${file#$SOURCE_ROOT/}:$line"
    case $mode in
    empty) fail "$where: a docs-test marker without an indented block after it"; continue ;;
    skip) n_skip=$((n_skip + 1)); echo "skip (fresh machine): $where: $cmd"; continue ;;
    esac
    want=0
    [[ $cmd =~ \#\ exits\ ([0-9]+) ]] && want=${BASH_REMATCH[1]}
    out=$(cd "$W" && timeout -k 5 60 bash -c "$cmd" 2>&1 </dev/null)
    rc=$?
    n_run=$((n_run + 1))
    if [ "$rc" -eq "$want" ]; then pass "$where: $cmd"; else fail "$where: exit $rc (want $want): $cmd: $out"; fi
done < "$T/blocks"
echo "docs commands: $n_run run, $n_skip skipped (fresh machine)"
[ "$n_run" -gt 0 ] || fail "no docs command was run"

# `meson test` without -C runs in the current directory, which is no build
# (docs/security.md is kept by the security work; its one such mention is prose)
bad=$(grep -n 'meson test --' "$SOURCE_ROOT/README.md" "$SOURCE_ROOT"/docs/*.md | grep -v -- '-C ' | grep -v '^[^:]*/security.md:')
expect_eq "every meson test in the docs names its build directory" "" "$bad"
finish
