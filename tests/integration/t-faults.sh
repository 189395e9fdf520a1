#!/bin/bash
# Fault injection in create (a -Dfault-injection=true build; core/util/fault.h).
# For each fault point, with "fail" (create returns an error there) and
# "kill" (the runtime, or for init-after-mounts the init, SIGKILLs itself
# there): snapshot the host's mounts, the cgroup trees, the state root and
# the container's processes; create with the fault; `delete --force`; the
# snapshot must be the one from before. A "fail" must leave nothing even
# before delete; a "kill" of the runtime must leave something before delete
# (that is what delete --force is for), which also shows that the
# comparison sees a difference. The mount and process parts of the
# comparison are shown to see one too, with a bind mount and a process of
# our own.
. "$(dirname "$0")/lib.sh"
grep -q MODRUN_TEST_FAULT "$RUNTIME_BIN" || { echo "SKIP: $MODRUN is built without -Dfault-injection=true"; exit 77; }
[ -d /sys/fs/cgroup ] || { echo "SKIP: no /sys/fs/cgroup"; exit 77; }

TAG=modrun-faults-$$    # in the cgroup path, and in the environment of every process of the containers
make_bundle
config "c['process']['args'] = ['sleep', '1000']
c['process']['env'].append('FAULT_TAG=$TAG')
h = {'path': '/bin/true', 'env': ['FAULT_TAG=$TAG']}
c['hooks'] = {'createRuntime': [h], 'createContainer': [h]}"

# Every hierarchy under /sys/fs/cgroup, the state root, the host's mounts
# under the test directory, and every process that carries the tag (the
# runtime passes it on to the helper and the init, the config to the
# container's process and the hooks). Other tests may run at the same time:
# cgroups outside our cgroupsPath (/$TAG/...) and mounts outside $T are
# theirs, and are left out.
snapshot() { # snapshot FILE
    {
        echo "# state root"
        [ -d "$ROOT" ] && (cd "$ROOT" && find . -mindepth 1 | sort)
        echo "# cgroups"
        find /sys/fs/cgroup -mindepth 1 -type d -path "*/$TAG*" 2>/dev/null | sort
        echo "# mounts"
        awk -v t="$T" 'index($5, t) == 1 { print $5, $9, $4 }' /proc/self/mountinfo | sort
        echo "# processes"
        local f p
        for f in $(grep -l -z -x "FAULT_TAG=$TAG" /proc/[0-9]*/environ 2>/dev/null); do
            p=${f#/proc/}; p=${p%/environ}
            echo "$p $(cat "/proc/$p/comm" 2>/dev/null)"
        done | sort -n
    } >"$1"
}
same_as() { snapshot "$T/now"; cmp -s "$1" "$T/now"; }
# what is new in FILE2 compared to FILE1, one line each
new_in() { diff "$1" "$2" | sed -n 's/^> //p'; }

# --- the comparison sees a difference ----------------------------------
snapshot "$T/s0"
mkdir -p "$T/mnt-src" "$T/mnt-dst" && mount --bind "$T/mnt-src" "$T/mnt-dst" || die "bind mount"
env FAULT_TAG=$TAG sleep 60 &
sleeper=$!
BG_PIDS="$sleeper"
wait_for test -e "/proc/$sleeper/environ"
snapshot "$T/s1"
expect_match "the snapshot sees a mount" "^$T/mnt-dst " "$(new_in "$T/s0" "$T/s1")"
expect_match "the snapshot sees a process of the container" "^$sleeper sleep$" "$(new_in "$T/s0" "$T/s1")"
umount "$T/mnt-dst"
kill -9 "$sleeper"; wait "$sleeper" 2>/dev/null; BG_PIDS=""
snapshot "$T/s2"
expect_eq "and nothing once they are gone" "" "$(new_in "$T/s0" "$T/s2")"

# --- every point, fail and kill ------------------------------------------
points="after-state-dir after-cgroup after-clone init-after-mounts after-mounts after-hooks before-state-file"
for point in $points; do
    for how in fail kill; do
        id=$point-$how
        what="$point:$how"
        config "c['linux']['cgroupsPath'] = '/$TAG/$id'"
        snapshot "$T/before"
        # (not $(...): a created init would keep the pipe open)
        MODRUN_TEST_FAULT=$what FAULT_TAG=$TAG mr create --bundle "$BUNDLE" "$id" >"$T/out" 2>&1
        rc=$?
        out=$(cat "$T/out")
        snapshot "$T/mid"
        left=$(new_in "$T/before" "$T/mid")
        if [ "$how" = fail ] || [ "$point" = init-after-mounts ]; then
            expect_eq "$what: create exits 1" 1 "$rc"
            if [ "$how" = fail ]; then
                expect_match "$what: the error names the point" "^modrun: create container $id: .*fault injected at \"$point\"" "$out"
            else
                expect_match "$what: the error says the init died" "^modrun: create container $id: .*the process exited without a message" "$out"
            fi
            # the init's exit is asynchronous to nothing here: create reaped it
            expect_eq "$what: create itself left nothing" "" "$left"
        else
            expect_eq "$what: the runtime was killed (128+9)" 137 "$rc"
            expect_match "$what: a killed create leaves its state directory (so the comparison can fail)" "^\./$id$" "$left"
            case $point in
                after-state-dir) ;;
                *) expect_match "$what: ... and its cgroup" "/$TAG/$id$" "$left" ;;
            esac
        fi
        dout=$(mr delete --force "$id" 2>&1)
        drc=$?
        expect_eq "$what: delete --force succeeds${dout:+ ($dout)}" 0 "$drc"
        # a killed runtime's init may still be on its way out (it reads EOF)
        if wait_for same_as "$T/before"; then
            pass "$what: nothing left after delete --force"
        else
            fail "$what: left after delete --force: $(new_in "$T/before" "$T/now" | xargs)"
        fi
    done
done

# --- a good create still works with the test build ---------------------
config "c['linux']['cgroupsPath'] = '/$TAG/good'"
snapshot "$T/before"
FAULT_TAG=$TAG mr create --bundle "$BUNDLE" good >"$T/out" 2>&1 || fail "create without a fault: $(cat "$T/out")"
expect_eq "without a fault: created" created "$(state_field good status)"
mr delete --force good || fail "delete --force good"
wait_for same_as "$T/before" && pass "without a fault: nothing left" || fail "without a fault: left: $(new_in "$T/before" "$T/now" | xargs)"
assert_clean "at the end"
finish
