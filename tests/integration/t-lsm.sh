#!/bin/bash
# process.apparmorProfile and process.selinuxLabel. Where the host has the
# LSM, the process runs with the label (read back from /proc/PID/attr);
# where it has not (this CI host), an AppArmor profile is a clear error
# that leaves nothing, a SELinux label is ignored (as runc), and the
# labelled cases report SKIP.
. "$(dirname "$0")/lib.sh"
make_bundle
args sleep 100
if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ]; then
    config "c['process']['apparmorProfile'] = 'unconfined'"
    mr run -d --bundle "$BUNDLE" a1 >"$T/out" 2>&1 || fail "run with apparmorProfile: $(cat "$T/out")"
    expect_match "AppArmor label" "unconfined" "$(cat /proc/$(state_field a1 pid)/attr/current)"
    mr delete --force a1
else
    config "c['process']['apparmorProfile'] = 'docker-default'"
    out=$(mr create --bundle "$BUNDLE" a1 2>&1) && fail "apparmorProfile accepted without AppArmor"
    expect_match "AppArmor profile without AppArmor: clear error" \
        'process.apparmorProfile "docker-default": AppArmor is not enabled on this host' "$out"
    assert_clean "after the AppArmor error"
    echo "SKIP: AppArmor is not enabled here: the labelled case cannot run"
    skipped=1
fi
config "c['process'].pop('apparmorProfile', None); c['process']['selinuxLabel'] = 'system_u:system_r:container_t:s0'"
mr run -d --bundle "$BUNDLE" s1 >"$T/out" 2>&1 || fail "run with selinuxLabel: $(cat "$T/out")"
if [ -e /sys/fs/selinux/enforce ]; then
    expect_match "SELinux label" "container_t" "$(cat /proc/$(state_field s1 pid)/attr/current)"
else
    expect_eq "SELinux label without SELinux: ignored, the container runs" running "$(state_field s1 status)"
    mr exec --process-label system_u:system_r:container_t:s0 s1 true || fail "exec --process-label (ignored here)"
    if [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
        out=$(mr exec --apparmor docker-default s1 true 2>&1) && fail "exec --apparmor accepted without AppArmor"
        expect_match "exec --apparmor without AppArmor: clear error" "AppArmor is not enabled on this host" "$out"
    fi
    echo "SKIP: SELinux is not enabled here: the labelled case cannot run"
    skipped=1
fi
mr delete --force s1
assert_clean "at the end"
[ "$FAILED" -eq 0 ] && [ -n "${skipped:-}" ] && exit 77
finish
