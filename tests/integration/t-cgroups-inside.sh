#!/bin/bash
# What a container sees through a "cgroup" mount at /sys/fs/cgroup: its own
# cgroup, with the limits of its config, on the host's layout (v1/hybrid
# here; pure v2 in tests/vm/systemd.sh's guest, which runs this file too):
#  - memory 128 MiB, pids 100 and cpu shares 512 read inside
#    (memory.limit_in_bytes, pids.max, cpu.shares on v1; memory.max,
#    pids.max, cpu.weight 20 on v2), with and without a cgroup namespace,
#    "ro" and "rw": ro mounts refuse a write (EROFS), rw ones take the
#    container's own pids.max (the host reads the new value; on v2 with
#    nsdelegate the root of a cgroup namespace refuses it, EPERM);
#  - the mounts (inside view: mount point, root, fstype, ro/rw) and the
#    listing of /sys/fs/cgroup as runc 1.1.5 shows them on the same bundle
#    (v1 only: on v2 without a cgroup namespace runc mounts the whole
#    cgroup2 tree, modrun only the container's cgroup; runc leaves the
#    tmpfs at /sys/fs/cgroup writable under "ro", modrun does not);
#  - type "cgroup2" on a hybrid host: the container's own directory of the
#    unified hierarchy (runc mounts that hierarchy's root);
#  - linux.resources.pids.limit (runtime-spec 1.3.0): 0 is a limit (a fork
#    inside fails), -1 and -5 are "max", a pids object without a limit and
#    no pids object leave pids.max at "max"; `update --pids-limit 0`, -1.
. "$(dirname "$0")/lib.sh"

CGP=/modrun-it-cgin-$$       # every cgroupsPath of this test is below it
PLUG=(--plugin cgroup=cgroupfs)
trap cg_cleanup EXIT  # lib.sh

cg_v1() { grep -qE " /sys/fs/cgroup/$1 [^-]* - cgroup " /proc/self/mountinfo; }
LAYOUT=none
if cg_v1 memory && cg_v1 pids && cg_v1 cpu; then LAYOUT=v1
elif [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
    LAYOUT=v2
    for c in memory pids cpu; do
        grep -qw $c /sys/fs/cgroup/cgroup.controllers || { echo "note: no $c controller in cgroup v2"; LAYOUT=none; }
    done
fi
echo "note: cgroup layout $LAYOUT"
[ $LAYOUT = none ] && { echo "SKIP: neither v1 memory, pids and cpu hierarchies nor cgroup v2 with them"; exit 77; }
# the host directory of container ID's cgroup for controller $2
cgd() { if [ $LAYOUT = v1 ]; then echo "/sys/fs/cgroup/$2$CGP/$1"; else echo "/sys/fs/cgroup$CGP/$1"; fi; }
# the file inside the container for a controller file ("memory" "memory.max")
inner() { if [ $LAYOUT = v1 ]; then echo "/sys/fs/cgroup/$1/$2"; else echo "/sys/fs/cgroup/$2"; fi; }


make_bundle
# The probe: key=value lines, then the cgroup mounts as the container sees
# them ("mnt POINT ROOT OPTS FSTYPE"), then the listing of /sys/fs/cgroup;
# into /tmp/probe.out, then /tmp/probe.done; with "wait" it then waits (the
# host reads the cgroup files meanwhile), else it prints the output.
if [ $LAYOUT = v1 ]; then MEM=memory.limit_in_bytes CPU=cpu.shares CPU_WANT=512
else MEM=memory.max CPU=cpu.weight CPU_WANT=20; fi  # runc's shares->weight: 1 + (512-2)*9999/262142
cat >"$BUNDLE/rootfs/probe.sh" <<PROBE
{
echo "mem=\$(cat $(inner memory $MEM))"
echo "pids=\$(cat $(inner pids pids.max))"
echo "cpu=\$(cat $(inner cpu $CPU))"
printf procs=; while read p; do printf "%s " \$p; done <$(inner pids cgroup.procs); echo  # (no fork: only the init)
echo "selfcg=\$(grep -E '$([ $LAYOUT = v1 ] && echo ':pids:' || echo '^0::')' /proc/self/cgroup | cut -d: -f3)"
if echo 99 2>/tmp/w.err >$(inner pids pids.max); then echo "write=ok"; else echo "write=\$(cat /tmp/w.err)"; fi
awk '\$5 ~ "^/sys/fs/cgroup" { for (i = 7; \$i != "-"; i++); print "mnt", \$5, \$4, \$6, \$(i + 1) }' /proc/self/mountinfo
echo "ls=\$(ls /sys/fs/cgroup | tr '\n' ' ')"
} >/tmp/probe.out 2>&1
touch /tmp/probe.done
[ "\${1:-}" = wait ] && exec sleep 1000
cat /tmp/probe.out
PROBE
chmod 1777 "$BUNDLE/rootfs/tmp"

# Every config of this test, made at once (python is slow to start), as
# $T/cfg/ID.json. cg-iNR: cgroupns N, ro R, the limits, the probe; cg-rNR:
# the same for runc; cg-uN: type cgroup2; cg-pX: pids cases; cg-pu: update.
mkdir -p "$T/cfg" || die "mkdir $T/cfg"
python3 - "$BUNDLE/config.json" "$T/cfg" "$CGP" "$(inner pids pids.max)" <<'PY' || die "make the configs"
import copy, json, sys
base, out, cgp, pidsfile = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
def make(cid, cgns, ro, args, res, typ='cgroup'):
    c = copy.deepcopy(base)
    c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/sys/fs/cgroup']
    c['mounts'].append({'destination': '/sys/fs/cgroup', 'type': typ, 'source': typ,
                        'options': ['nosuid', 'noexec', 'nodev', 'relatime', 'ro' if ro else 'rw']})
    c['linux']['namespaces'] = [n for n in c['linux']['namespaces'] if n['type'] != 'cgroup']
    if cgns:
        c['linux']['namespaces'].append({'type': 'cgroup'})
    c['linux']['cgroupsPath'] = cgp + '/' + cid
    c['linux']['resources'] = res
    c['process']['args'] = args
    json.dump(c, open('%s/%s.json' % (out, cid), 'w'))
limits = {'memory': {'limit': 134217728}, 'pids': {'limit': 100}, 'cpu': {'shares': 512}}
for cgns in (0, 1):
    for ro in (0, 1):
        make('cg-i%d%d' % (cgns, ro), cgns, ro, ['sh', '/probe.sh', 'wait'], limits)
        make('cg-r%d%d' % (cgns, ro), cgns, ro, ['sh', '/probe.sh'], limits)
    make('cg-u%d' % cgns, cgns, 1, ['sh', '-c', 'printf procs=; while read p; do printf "%s " $p; done '
                                    '</sys/fs/cgroup/cgroup.procs; echo; grep " /sys/fs/cgroup " /proc/self/mountinfo'],
         {}, 'cgroup2')
# no fork but the one tried: with pids.max 0 a command substitution would fail (and sh exits)
probe = ['sh', '-c', 'read p <%s; echo "pids=$p"; if (true); then echo fork=ok; fi' % pidsfile]
for cid, pids in (('cg-p0', {'limit': 0}), ('cg-p1', {'limit': -1}), ('cg-p5', {'limit': -5}),
                  ('cg-pe', {}), ('cg-pn', None), ('cg-p7', {'limit': 7})):
    make(cid, 0, 1, probe, {} if pids is None else {'pids': pids})
make('cg-pu', 0, 1, ['sleep', '1000'], {'pids': {'limit': 50}})
PY
use() { cp "$T/cfg/$1.json" "$BUNDLE/config.json"; }
val() { sed -n "s/^$1=//p" "$2"; }

# ---- limits, ro/rw, cgroupns; compared with runc --------------------------
RUNC=$(command -v runc || true)
[ $LAYOUT = v1 ] && [ -n "$RUNC" ] || echo "note: no comparison with runc (layout $LAYOUT, runc '${RUNC:-none}')"
# the mount table without the tmpfs's flags, roots relative to the container's cgroup
norm() { grep '^mnt' "$1" | sed -E "s#$CGP/$2#<own>#; s#^(mnt /sys/fs/cgroup [^ ]+) [^ ]+ tmpfs#\\1 - tmpfs#" |
         awk '{ split($4, o, ","); $4 = o[1]; print }' | sort; }
for cgns in 0 1; do
    for ro in 0 1; do
        id=cg-i$cgns$ro what="cgroupns=$cgns ro=$ro" o=$T/cg-i$cgns$ro.out
        use $id
        rm -f "$BUNDLE/rootfs/tmp/probe.done"
        mr "${PLUG[@]}" run -d --bundle "$BUNDLE" $id >"$o" 2>&1 || { fail "$what: run: $(cat "$o")"; continue; }
        wait_for test -e "$BUNDLE/rootfs/tmp/probe.done" || fail "$what: the probe never finished"
        cp "$BUNDLE/rootfs/tmp/probe.out" "$o"
        expect_eq "$what: $MEM inside" 134217728 "$(val mem "$o")"
        expect_eq "$what: $CPU inside" $CPU_WANT "$(val cpu "$o")"
        expect_eq "$what: pids.max inside" 100 "$(val pids "$o")"
        expect_eq "$what: the init (pid 1) alone in its cgroup.procs" "1 " "$(val procs "$o")"
        if [ $cgns = 1 ]; then expect_eq "$what: /proc/self/cgroup" / "$(val selfcg "$o")"
        else expect_eq "$what: /proc/self/cgroup" "$CGP/$id" "$(val selfcg "$o")"; fi
        if [ $ro = 1 ]; then
            expect_match "$what: a write is refused" "Read-only file system" "$(val write "$o")"
            expect_eq "$what: pids.max on the host unchanged" 100 "$(cat "$(cgd $id pids)/pids.max")"
            expect_no_match "$what: every cgroup mount read-only" '(^|,)rw(,|$)' "$(awk '$1 == "mnt" { print $4 }' "$o")"
        elif [ $LAYOUT = v2 ] && [ $cgns = 1 ] && grep -qw nsdelegate /proc/self/mountinfo; then
            # (nsdelegate: the root of a cgroup namespace is a delegation boundary, its files are not writable from inside)
            expect_match "$what: a write to the namespace root's files is refused (nsdelegate)" "Operation not permitted" \
                "$(val write "$o")"
            expect_eq "$what: pids.max on the host unchanged" 100 "$(cat "$(cgd $id pids)/pids.max")"
        else
            expect_eq "$what: the container wrote its own pids.max" ok "$(val write "$o")"
            expect_eq "$what: the host reads the new pids.max" 99 "$(cat "$(cgd $id pids)/pids.max")"
            expect_no_match "$what: every cgroup mount writable" '(^|,)ro(,|$)' "$(awk '$1 == "mnt" { print $4 }' "$o")"
        fi
        mr delete --force $id >/dev/null 2>&1 || fail "$what: delete"
        if [ $LAYOUT = v1 ]; then
            hier=$(awk '$5 ~ "^/sys/fs/cgroup/[^/]+$" && / - cgroup / { sub("/sys/fs/cgroup/", "", $5); print $5 }' \
                   /proc/self/mountinfo | sort | tr '\n' ' ')
            expect_eq "$what: every v1 hierarchy, no unified (as runc and crun)" "$hier" \
                "$(awk '$1 == "mnt" && $5 == "cgroup" { sub("/sys/fs/cgroup/", "", $2); print $2 }' "$o" | sort | tr '\n' ' ')"
            expect_eq "$what: a tmpfs at /sys/fs/cgroup" tmpfs "$(awk '$1 == "mnt" && $2 == "/sys/fs/cgroup" { print $5 }' "$o")"
        else
            expect_eq "$what: cgroup2 at /sys/fs/cgroup" cgroup2 "$(awk '$1 == "mnt" && $2 == "/sys/fs/cgroup" { print $5 }' "$o")"
        fi
        # own cgroup only: a mount root is "/" in a cgroup namespace, else the own path
        if [ $cgns = 1 ]; then
            expect_no_match "$what: every mount root is the namespace's root" '^mnt [^ ]+ [^/]|^mnt [^ ]+ /[^ ]' \
                "$(grep '^mnt' "$o" | grep -v ' tmpfs$')"
        else
            expect_no_match "$what: no mount root above the container's cgroup" '^mnt [^ ]+ (/|/[^ ]*/\.\.[^ ]*) ' \
                "$(grep '^mnt' "$o" | grep -v ' tmpfs$')"
            expect_match "$what: the pids mount root is the container's cgroup" \
                "^mnt $(dirname "$(inner pids x)") $CGP/$id " "$(grep '^mnt' "$o")"
        fi
        if [ $LAYOUT = v1 ] && [ -n "$RUNC" ]; then
            rid=cg-r$cgns$ro
            use $rid
            (cd "$BUNDLE" && timeout -k 5 60 "$RUNC" --root "$T/runc" run $rid) >"$T/$rid.out" 2>&1 </dev/null ||
                fail "$what: runc run: $(cat "$T/$rid.out")"
            timeout 10 "$RUNC" --root "$T/runc" delete -f $rid >/dev/null 2>&1
            for k in mem pids cpu procs ls; do
                expect_eq "$what: $k as runc shows it" "$(val $k "$T/$rid.out")" "$(val $k "$o")"
            done
            expect_eq "$what: the cgroup mounts as runc shows them" "$(norm "$T/$rid.out" $rid)" "$(norm "$o" $id)"
        fi
    done
done

# ---- type cgroup2 on a hybrid host: the own unified directory --------------
if [ $LAYOUT = v1 ] && [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    for cgns in 0 1; do
        id=cg-u$cgns what="type cgroup2 on hybrid, cgroupns=$cgns"
        use $id
        mr "${PLUG[@]}" run --bundle "$BUNDLE" $id >"$T/$id.out" 2>&1 || { fail "$what: run: $(cat "$T/$id.out")"; continue; }
        expect_eq "$what: its cgroup.procs (the init)" "1 " "$(val procs "$T/$id.out")"
        want=$CGP/$id; [ $cgns = 1 ] && want=/
        expect_match "$what: the unified hierarchy at the container's cgroup, read-only" \
            "^[0-9]+ [0-9]+ [0-9:]+ $want /sys/fs/cgroup ro,.* - cgroup2 " "$(grep ' /sys/fs/cgroup ' "$T/$id.out")"
    done
else
    echo "note: no hybrid unified hierarchy: type cgroup2 cases skipped"
fi

# ---- pids.limit: 0 is a limit, negative is max, absent is not set ----------
for c in "cg-p0 0" "cg-p1 max" "cg-p5 max" "cg-pe max" "cg-pn max" "cg-p7 7"; do
    set -- $c
    use $1
    mr "${PLUG[@]}" run --bundle "$BUNDLE" $1 >"$T/$1.out" 2>&1; rc=$?
    expect_eq "$1: pids.max inside" "$2" "$(val pids "$T/$1.out")"
    if [ "$2" = 0 ]; then
        expect_match "$1: a fork inside is refused" "can't fork" "$(cat "$T/$1.out")"
    else
        expect_eq "$1: a fork inside" "0 ok" "$rc $(val fork "$T/$1.out")"
    fi
done

# update --pids-limit 0 / -1 on a running container; other updates keep it
use cg-pu
mr "${PLUG[@]}" run -d --bundle "$BUNDLE" cg-pu >"$T/pu.out" 2>&1 || fail "update: run: $(cat "$T/pu.out")"
pmax=$(cgd cg-pu pids)/pids.max
mr update --pids-limit 0 cg-pu >"$T/pu.out" 2>&1 || fail "update --pids-limit 0: $(cat "$T/pu.out")"
expect_eq "update --pids-limit 0" 0 "$(cat "$pmax")"
expect_match "exec with pids.max 0: a fork inside fails" "can't fork" "$(mr exec cg-pu sh -c 'cat /dev/null; true' 2>&1)"
mr update --memory 134217728 cg-pu >"$T/pu.out" 2>&1 || fail "update --memory: $(cat "$T/pu.out")"
expect_eq "update --memory keeps pids.max 0" 0 "$(cat "$pmax")"
mr update --pids-limit -1 cg-pu >"$T/pu.out" 2>&1 || fail "update --pids-limit -1: $(cat "$T/pu.out")"
expect_eq "update --pids-limit -1" max "$(cat "$pmax")"
echo '{"pids": {"limit": 0}}' >"$T/pu.json"
mr update -r "$T/pu.json" cg-pu >"$T/pu.out" 2>&1 || fail "update -r {pids: {limit: 0}}: $(cat "$T/pu.out")"
expect_eq "update -r with pids.limit 0" 0 "$(cat "$pmax")"
mr delete --force cg-pu >/dev/null 2>&1 || fail "delete cg-pu"

# (the runtimes make the parents of a cgroupsPath and leave them, as runc)
for d in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    [ -d "$d${CGP#/}" ] && rmdir "$d${CGP#/}"
done
expect_eq "no cgroup dir left anywhere" "" "$(cg_left)"
assert_clean "at the end"
finish
