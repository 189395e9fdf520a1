#!/bin/bash
# Hooks leave no process behind: a hook killed at its timeout, or that
# fails, takes its children with it, those still in its process group and
# those that left it with setsid (a double-forked daemon); a hook that
# exits 0 but leaves a child holding its output pipe does not hold the
# runtime until its timeout. Checked in /proc by a marker each sleeper
# carries, for createRuntime and prestart (run by the runtime) and
# startContainer (run by the container's init, in the host's pid
# namespace so that the init's exit does not kill them for us).
. "$(dirname "$0")/lib.sh"
make_bundle
args true
ID=sechooks$$
cat > "$T/h.sh" <<'SH'
#!/bin/sh
# h.sh MODE MARK: leave a sleeper whose argument is MARK, then hang or end
case $1 in
group)  sleep "$2" & exec sleep 100 ;;
setsid) setsid sh -c "sleep $2 & exit 0" & sleep 0.2; exec sleep 100 ;;
fail)   sleep "$2" & setsid sh -c "sleep $2 & exit 0" & sleep 0.2; echo "no gpu" >&2; exit 3 ;;
ok)     sleep "$2" & exit 0 ;;
esac
SH
chmod 755 "$T/h.sh"
cp "$T/h.sh" "$BUNDLE/rootfs/h.sh"
cp "$BUNDLE/config.json" "$T/config.orig"

# pids of the processes whose argv holds the marker
marker_args() { local p r=""; for p in /proc/[0-9]*; do { tr "\0" "\n" < "$p/cmdline"; } 2>/dev/null | grep -qx -- "$1" && r="$r ${p#/proc/}"; done; echo $r; }

n=0
for kind in createRuntime prestart startContainer; do
    for mode in group setsid fail; do
        n=$((n + 1))
        mark=$((200000 + RANDOM * 4 + n))
        path=$T/h.sh; [ $kind = startContainer ] && path=/h.sh
        cp "$T/config.orig" "$BUNDLE/config.json"
        config "c['hooks'] = {'$kind': [{'path': '$path', 'args': ['h.sh', '$mode', '$mark'], 'timeout': 1}]}"
        [ $kind = startContainer ] && config "c['linux']['namespaces'] = [x for x in c['linux']['namespaces'] if x['type'] != 'pid']"
        start=$(date +%s%N)
        out=$(mr run --bundle "$BUNDLE" "$ID$n" </dev/null 2>&1) && fail "$kind $mode: run succeeded"
        ms=$((($(date +%s%N) - start) / 1000000))
        if [ $mode = fail ]; then
            expect_match "$kind $mode: the error names the hook's status and output" "exited with status 3: no gpu" "$out"
        else
            expect_match "$kind $mode: the error names the timeout" "did not finish within 1 s" "$out"
        fi
        [ $ms -lt 8000 ] && pass "$kind $mode: returned in $ms ms" || fail "$kind $mode: took $ms ms"
        left=$(marker_args "$mark")
        [ -z "$left" ] && pass "$kind $mode: no process of the hook left" ||
            { fail "$kind $mode: processes left: $left ($(for p in $left; do tr '\0' ' ' < /proc/$p/cmdline; echo -n "; "; done))"; kill -9 $left; }
        assert_clean "after the $kind $mode hook"
    done
done

# A hook that exits 0 with a child holding its output pipe: the command is
# not held until the hook's timeout (10 s); the child, a daemon the hook
# meant to start, may go on.
mark=$((300000 + RANDOM))
cp "$T/config.orig" "$BUNDLE/config.json"
config "c['hooks'] = {'createRuntime': [{'path': '$T/h.sh', 'args': ['h.sh', 'ok', '$mark'], 'timeout': 10}]}"
start=$(date +%s%N)
out=$(mr run --bundle "$BUNDLE" "${ID}ok" </dev/null 2>&1) || fail "a hook that exits 0 with a background child: $out"
ms=$((($(date +%s%N) - start) / 1000000))
[ $ms -lt 3000 ] && pass "exit 0 with a child holding the pipe: returned in $ms ms" ||
    fail "exit 0 with a child holding the pipe: took $ms ms (the hook's timeout is 10 s)"
left=$(marker_args "$mark"); [ -z "$left" ] || kill -9 $left
assert_clean "after the hook with a background child"
finish
