#!/bin/bash
# Real seccomp profiles run a container (exit 0) with and without
# noNewPrivileges: the init does everything (user, cwd, executable lookup,
# signals, fds) before the filter, so a profile need not allow what a
# runtime uses (faccessat2, close_range...). Profiles: runtime-tools'
# generator default (Docker's 2019 profile, via helpers/oci-gen), podman's
# containers-common default, and a minimal allow-list of what a static
# busybox needs (default: kill the process). runc runs the same bundles.
# A syscall newer than the profile fails with ENOSYS (runc's stub).
# Then linux.seccomp.listenerPath: what the listener receives (a checker
# of the runtime-spec's fields, helpers/seccomp-listener-check.py).
. "$(dirname "$0")/lib.sh"
[ -n "${OCI_GEN:-}" ] && [ -x "$OCI_GEN" ] ||
    die "OCI_GEN (tests/integration/helpers/oci-gen) not built: apt-get install golang-go golang-github-opencontainers-runtime-tools-dev, then reconfigure"
PODMAN_PROFILE=/usr/share/containers/seccomp.json
[ -r "$PODMAN_PROFILE" ] || die "$PODMAN_PROFILE missing: apt-get install golang-github-containers-common"
make_bundle

gen() { # gen NNP ARGS...: config.json from runtime-tools' generator
    local nnp=$1; shift
    "$OCI_GEN" -rootfs rootfs -out "$BUNDLE/config.json" -no-new-privileges="$nnp" -- "$@" || die "oci-gen"
}
# runs ID LABEL: modrun and runc both exit 0 on the bundle
runs() {
    local out rc
    out=$(mr run --bundle "$BUNDLE" "$1" 2>&1); rc=$?
    expect_eq "$2: modrun exits 0 ($out)" 0 "$rc"
    out=$(timeout -k 5 30 runc --root "$T/runc" run --bundle "$BUNDLE" "$1" 2>&1); rc=$?
    expect_eq "$2: runc exits 0 too ($out)" 0 "$rc"
}

for nnp in false true; do
    # /bin/true, as PATH lookup (true) and by path; the filter is on
    gen $nnp /bin/true
    runs sc-rt-$nnp "runtime-tools default profile, noNewPrivileges=$nnp, /bin/true"
    gen $nnp sh -c 'grep -E "^(Seccomp|Seccomp_filters|NoNewPrivs):" /proc/self/status; unshare -U true 2>&1 || echo unshare-denied'
    out=$(mr run --bundle "$BUNDLE" sc-rt2-$nnp 2>&1)
    expect_match "runtime-tools profile nnp=$nnp: one filter in mode 2" "Seccomp:[[:space:]]+2.*Seccomp_filters:[[:space:]]+1" "$(echo $out)"
    expect_match "runtime-tools profile nnp=$nnp: NoNewPrivs as configured" "NoNewPrivs:[[:space:]]+$([ $nnp = true ] && echo 1 || echo 0)" "$out"
    expect_match "runtime-tools profile nnp=$nnp: unshare is denied by the profile" "unshare-denied" "$out"

    # podman's default profile, as podman turns it into linux.seccomp
    gen $nnp true
    python3 "$(dirname "$0")/helpers/containers-seccomp.py" "$PODMAN_PROFILE" "$BUNDLE/config.json" || die "convert $PODMAN_PROFILE"
    runs sc-pm-$nnp "podman's default profile, noNewPrivileges=$nnp, true via PATH"
    gen $nnp sh -c 'grep -E "^Seccomp" /proc/self/status'
    python3 "$(dirname "$0")/helpers/containers-seccomp.py" "$PODMAN_PROFILE" "$BUNDLE/config.json"
    out=$(mr run --bundle "$BUNDLE" sc-pm2-$nnp 2>&1)
    expect_match "podman profile nnp=$nnp: one filter in mode 2" "Seccomp:[[:space:]]+2.*Seccomp_filters:[[:space:]]+1" "$(echo $out)"
done
assert_clean "after the generator profiles"

# runc's -ENOSYS stub: under the generator's profile (default: EPERM) a
# syscall newer than any the profile names (1000) fails with ENOSYS, as
# an older kernel would say (glibc falls back then, not on EPERM); an old
# one it leaves out (tuxcall, 184) keeps the default; still one filter
if "${CC:-cc}" -static -O2 -o "$BUNDLE/rootfs/enosys-probe" "$(dirname "$0")/helpers/enosys-probe.c" 2>"$T/cc.err"; then
    for nnp in false true; do
        gen $nnp /enosys-probe 1000 184
        out=$(mr run --bundle "$BUNDLE" sc-enosys-$nnp 2>&1)
        expect_eq "nnp=$nnp: syscall 1000 (newer than the profile) ENOSYS, 184 (left out) EPERM" "1000=38 184=1" "$(echo $out)"
        out=$(timeout -k 5 30 runc --root "$T/runc" run --bundle "$BUNDLE" sc-enosys-$nnp 2>&1)
        expect_eq "nnp=$nnp: runc answers the same" "1000=38 184=1" "$(echo $out)"
    done
    # a default that allows: no stub (getppid, 110, above the only rule's
    # mkdir, 83, is allowed, not ENOSYS)
    gen true /enosys-probe 110
    config "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86_64'],
      'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}"
    expect_eq "default ALLOW: a syscall above every rule's is allowed (no stub)" "110=0" \
        "$(mr run --bundle "$BUNDLE" sc-enosys-allow 2>&1)"
    rm -f "$BUNDLE/rootfs/enosys-probe"
else
    fail "cannot build helpers/enosys-probe.c: $(cat "$T/cc.err")"
fi
assert_clean "after the -ENOSYS stub"

# A minimal allow-list: exactly the syscalls static busybox `true` makes
# (strace), anything else kills the process. With noNewPrivileges the
# filter is loaded right before execve(), so execve is all the runtime needs.
minimal="execve arch_prctl set_tid_address brk getuid prctl readlink mprotect exit_group rseq getrandom prlimit64 set_robust_list"
gen true /bin/true
config "
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_KILL_PROCESS', 'architectures': ['SCMP_ARCH_X86_64'],
  'syscalls': [{'names': '$minimal'.split(), 'action': 'SCMP_ACT_ALLOW'}]}"
out=$(mr run --bundle "$BUNDLE" sc-min 2>&1); rc=$?
expect_eq "minimal allow-list (kill otherwise): /bin/true exits 0 ($out)" 0 "$rc"
# the same list without getuid: the filter really is the one in force
config "c['linux']['seccomp']['syscalls'][0]['names'].remove('getuid')"
out=$(mr run --bundle "$BUNDLE" sc-min2 2>&1); rc=$?
expect_eq "minimal allow-list without getuid: busybox is killed by SIGSYS (128+31)" 159 "$rc"

# linux.seccomp.listenerPath: the listener gets one seccomp notify fd and the state the spec
# describes; a notified mkdir then fails (the listener has closed it)
for nnp in True False; do
    rm -f "$T/l.sock" "$T/l.out"
    python3 "$(dirname "$0")/helpers/seccomp-listener-check.py" "$T/l.sock" "$T/l.out" meta-$nnp & BG_PIDS="$BG_PIDS $!"
    wait_for test -S "$T/l.sock" || die "listener did not listen"
    config "
c['process']['noNewPrivileges'] = $nnp
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$T/l.sock', 'listenerMetadata': 'meta-$nnp',
  'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
    args sh -c 'sleep 0.5; mkdir /tmp/notified 2>&1; grep ^Seccomp: /proc/self/status'
    out=$(mr run --bundle "$BUNDLE" sc-listen-$nnp 2>&1)
    expect_match "nnp=$nnp: the notified mkdir fails once the listener closed the fd" "mkdir.*Function not implemented" "$out"
    wait_for grep -q "state.bundle" "$T/l.out" || fail "nnp=$nnp: the listener wrote nothing"
    bad=$(grep -c "^bad" "$T/l.out"); ok=$(grep -c "^ok" "$T/l.out")
    expect_eq "nnp=$nnp: the listener's checks pass ($ok ok: $(grep ^bad "$T/l.out" | xargs))" 0 "$bad"
done
# listenerPath without a SCMP_ACT_NOTIFY rule: runs, the listener is not
# contacted (spec: the state is sent when SCMP_ACT_NOTIFY is used; runc)
config "
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$T/none.sock',
  'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}"
args true
expect_eq "listenerPath without SCMP_ACT_NOTIFY: runs (modrun|runc)" "|" "$(mr run --bundle "$BUNDLE" sc-listen-none 2>&1)|$(timeout -k 5 30 runc --root "$T/runc" run --bundle "$BUNDLE" sc-listen-none 2>&1)"
assert_clean "after the listener cases"
finish
