#!/bin/bash
# Allocation torture (curl's idea; a -Dfault-injection=true build without
# sanitizers, core/util/fault-alloc.c): MODRUN_TEST_FAIL_ALLOC=N makes the
# Nth malloc/calloc/realloc of the process fail (glibc's strdup, asprintf
# and json-c's allocations included). For N = 1, 2, ... until create
# has made all its allocations (MODRUN_TEST_FAIL_ALLOC=count says how
# many), every failure must be clean: exit status 1 (no signal, no abort),
# an error on stderr, and nothing left: no state directory, no cgroup
# directory, no mount, no process of the container. An N whose failure the
# code tolerates (an optional lookup, stdio's buffer) lets create succeed:
# that container is deleted, and the walk goes on.
#
# Everything before the state directory exists (the command line, the
# sealed re-exec, parsing the rich config.json, the rootfs, the default
# device rules) is walked at every N; after it, every STRIDE-th N (the
# create path: plugins, cgroup, clone, init set-up, hooks, state file), to
# stay within the time budget. A sample of N is run again under valgrind
# for definite leaks.
. "$(dirname "$0")/lib.sh"
grep -q MODRUN_TEST_FAIL_ALLOC "$RUNTIME_BIN" || {
    echo "SKIP: $MODRUN has no allocation torture (needs -Dfault-injection=true without -Db_sanitize)"; exit 77; }

CAP=${TORTURE_CAP:-6000}             # the most N tried
STRIDE=${TORTURE_STRIDE:-7}          # after the parser (5 took 150 s on a slow day)
BUDGET_S=${TORTURE_BUDGET_S:-250}    # wall-clock budget of the walk (meson: 300 s for this test)
TAG=modrun-torture-$$
make_bundle
# A rich config: every part of the parser has something to allocate.
config "c['process']['args'] = ['sleep', '1000']
c['process']['env'] += ['FAULT_TAG=$TAG', 'A=1', 'B=two words']
c['process']['rlimits'] = [{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024}, {'type': 'RLIMIT_NPROC', 'hard': 512, 'soft': 512}]
c['process']['capabilities']['ambient'] = ['CAP_NET_BIND_SERVICE']
c['process']['oomScoreAdj'] = 100
c['process']['user']['additionalGids'] = [1, 2]
c['hostname'] = 'torture'
c['annotations'] = {'org.test.a': 'b', 'org.test.c': 'd'}
c['mounts'] += [{'destination': '/scratch', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'size=1m']},
                {'destination': '/data', 'type': 'bind', 'source': '$T/data', 'options': ['rbind', 'ro']}]
c['linux']['cgroupsPath'] = '/$TAG/t'
c['linux']['sysctl'] = {'net.ipv4.ip_forward': '0', 'kernel.domainname': 'torture.test'}
c['linux']['resources'] = {'memory': {'limit': 67108864}, 'pids': {'limit': 64}, 'cpu': {'shares': 512},
    'devices': [{'allow': False, 'access': 'rwm'}, {'allow': True, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'rw'}]}
c['linux']['devices'] = [{'path': '/dev/fuse2', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 438, 'uid': 0, 'gid': 0}]
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86_64'],
    'syscalls': [{'names': ['sethostname', 'setdomainname'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1},
                 {'names': ['personality'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'}]}]}
h = {'path': '/bin/true', 'args': ['true', 'x'], 'env': ['FAULT_TAG=$TAG'], 'timeout': 5}
c['hooks'] = {'prestart': [h], 'createRuntime': [h], 'createContainer': [h]}"
mkdir -p "$T/data" "$BUNDLE/rootfs/data" "$BUNDLE/rootfs/scratch"

tagged_procs() {
    local f
    for f in $(grep -l -z -x "FAULT_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null); do
        f=${f#/proc/}; echo "${f%/environ}"
    done
}
# what is left of a failed create (one line each), "" when nothing
leftovers() {
    [ -e "$ROOT/t" ] && echo "state directory $ROOT/t"
    find /sys/fs/cgroup -mindepth 1 -type d -path "*/$TAG*" 2>/dev/null | sed 's/^/cgroup /'
    awk -v t="$T" 'index($5, t) == 1 { print "mount " $5 }' /proc/self/mountinfo
    tagged_procs | sed 's/^/process /'
}
# the leftovers of one N: wait briefly (a dying init), then clean them up for
# the next N and report them
check_clean() { # check_clean N
    local left
    wait_until '[ -z "$(leftovers)" ]' && return 0
    left=$(leftovers | head -5 | xargs)
    fail "N=$1: left behind: $left"
    "$MODRUN" --root "$ROOT" delete --force t >/dev/null 2>&1
    find /sys/fs/cgroup -mindepth 1 -depth -type d -path "*/$TAG*" -exec rmdir {} \; 2>/dev/null
    return 1
}
torture() { # torture N: one create; sets rc and out
    MODRUN_TEST_FAIL_ALLOC=$1 timeout -k 2 20 "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" \
        create --bundle "$BUNDLE" t >"$T/out" 2>&1
    rc=$?
    out=$(cat "$T/out")
}

# how many allocations a create makes (the runtime's; a forked child
# counts on from its parent's count, so a little beyond is walked too)
torture count
[ "$rc" -eq 0 ] || die "create with MODRUN_TEST_FAIL_ALLOC=count: $out"
total=$(sed -n 's/^modrun: test build: \([0-9]*\) heap allocations$/\1/p' "$T/out")
[ -n "$total" ] || die "no allocation count: $out"
mr delete --force t || die "delete --force t"
last=$((total + 50))
[ "$last" -le "$CAP" ] || { fail "create makes $total allocations, more than TORTURE_CAP=$CAP"; last=$CAP; }

# the walk
n=1 parse_end=0 tried=0 failures=0 start=$(date +%s) ok=0
while [ "$n" -le "$last" ]; do
    torture "$n"
    tried=$((tried + 1))
    if [ "$rc" -eq 0 ]; then
        ok=$((ok + 1))
        [ "$(state_field t status)" = created ] || fail "N=$n: create succeeded, and the container is $(state_field t status)"
        mr delete --force t || fail "N=$n: delete --force t"
        check_clean "$n"
        n=$((n + 1))
        continue
    fi
    failures=$((failures + 1))
    if [ "$rc" -ne 1 ]; then
        fail "N=$n: exit status $rc (a signal or abort?): $(tail -3 "$T/out" | xargs)"
    elif ! grep -q '^modrun: ' "$T/out"; then
        fail "N=$n: exit status 1 and no error message: $(tail -3 "$T/out" | xargs)"
    fi
    # an unexpected message shape is worth seeing in the log
    grep -q '^modrun: ' "$T/out" && echo "N=$n: $(grep -m1 '^modrun: ' "$T/out" | cut -c1-160)"
    check_clean "$n"
    # errors from the state directory on carry "create container t:"
    if [ "$parse_end" -eq 0 ] && grep -q '^modrun: create container t: ' "$T/out"; then
        parse_end=$n
    fi
    if [ $(( $(date +%s) - start )) -ge "$BUDGET_S" ]; then
        fail "the walk took more than ${BUDGET_S}s (at N=$n): raise TORTURE_STRIDE"
        break
    fi
    if [ "$parse_end" -eq 0 ]; then n=$((n + 1)); else n=$((n + STRIDE)); fi
done
echo "walk: create makes $total allocations; $tried creates in $(( $(date +%s) - start ))s: every N up to $parse_end" \
     "(before the state directory), then every ${STRIDE}th up to $last; $failures failed, $ok succeeded"
[ "$parse_end" -gt 1 ] && pass "the parser and everything before the state directory: N=1..$parse_end" ||
    fail "the walk never reached the state directory"
[ "$failures" -gt $((tried / 2)) ] && pass "most N fail create ($failures of $tried), each cleanly unless said above" ||
    fail "only $failures of $tried N made create fail: is the torture working?"

# definite leaks on error paths, under valgrind: a sample before and after
# the state directory (--trace-children: the sealed re-exec is followed;
# the forked helper and init are valgrind's too, and exit through _exit)
if command -v valgrind >/dev/null && [ "$parse_end" -gt 0 ]; then
    sample="3 $((parse_end / 3)) $((parse_end * 2 / 3)) $((parse_end - 1)) $((parse_end + 5)) $(( (parse_end + total) / 2 )) $((total - 40))"
    for n in $sample; do
        [ "$n" -ge 1 ] || continue
        MODRUN_TEST_FAIL_ALLOC=$n timeout -k 2 120 valgrind -q --trace-children=yes --leak-check=full \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite --error-exitcode=99 --log-file="$T/vg.%p" \
            "$MODRUN" --root "$ROOT" --plugin-dir "$PLUGIN_DIR" create --bundle "$BUNDLE" t >"$T/out" 2>&1
        rc=$?
        if [ "$rc" -eq 99 ] || grep -qs "definitely lost" "$T"/vg.*; then
            fail "valgrind N=$n: a definite leak: $(grep -h -A12 'definitely lost' "$T"/vg.* | head -30)"
        elif [ "$rc" -ne 1 ] && [ "$rc" -ne 0 ]; then
            fail "valgrind N=$n: exit status $rc: $(tail -3 "$T/out" | xargs)"
        else
            pass "valgrind N=$n: no definite leak (exit $rc)"
        fi
        rm -f "$T"/vg.*
        [ "$rc" -eq 0 ] && "$MODRUN" --root "$ROOT" delete --force t >/dev/null 2>&1
        check_clean "valgrind-$n"
    done
else
    echo "note: no valgrind (apt-get install valgrind): leaks not checked"
fi
assert_clean "at the end"
finish
