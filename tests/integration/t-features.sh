#!/bin/bash
# `modrun features`: valid against the runtime-spec 1.3.0 features document
# (a schema written here from features.md and features-linux.md, stricter
# than the spec's own: no property the spec does not define, enums closed),
# the fields engines read (containerd, CRI-O), and true: every hook,
# namespace, mount option, seccomp architecture, action, operator and flag
# it lists is accepted by `modrun run`.
. "$(dirname "$0")/lib.sh"
python3 -c 'import jsonschema' 2>/dev/null || { echo "SKIP: python3-jsonschema missing (scripts/setup.sh --tests)"; exit 77; }
F=$T/features.json
mr features > "$F" || die "modrun features"

out=$(python3 - "$F" <<'PY' 2>&1
import json, sys, jsonschema
f = json.load(open(sys.argv[1]))
strs = {"type": "array", "items": {"type": "string"}}
def enum_list(*names): return {"type": "array", "items": {"enum": list(names)}, "uniqueItems": True}
def obj(props, **kw): return dict({"type": "object", "properties": props, "additionalProperties": False}, **kw)
enabled = {"type": "boolean"}
version = {"type": "string", "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$"}
schema = obj({
    "ociVersionMin": version, "ociVersionMax": version,
    "hooks": enum_list("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"),
    "mountOptions": strs,
    "potentiallyUnsafeConfigAnnotations": strs,
    "annotations": {"type": "object", "additionalProperties": {"type": "string"},
                    "propertyNames": {"pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"}},
    "linux": obj({
        "namespaces": enum_list("mount", "pid", "network", "uts", "ipc", "user", "cgroup", "time"),
        "capabilities": {"type": "array", "items": {"type": "string", "pattern": "^CAP_[A-Z_]+$"}},
        "cgroup": obj({k: enabled for k in ("v1", "v2", "systemd", "systemdUser", "rdma")}),
        "seccomp": obj({
            "enabled": enabled,
            "actions": enum_list("SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
                                 "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"),
            "operators": enum_list("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
                                   "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"),
            "archs": enum_list(*["SCMP_ARCH_" + a for a in (
                "X86", "X86_64", "X32", "ARM", "AARCH64", "MIPS", "MIPS64", "MIPS64N32", "MIPSEL", "MIPSEL64",
                "MIPSEL64N32", "PPC", "PPC64", "PPC64LE", "S390", "S390X", "PARISC", "PARISC64", "RISCV64",
                "LOONGARCH64", "M68K", "SH", "SHEB")]),
            "knownFlags": enum_list("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                    "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
            "supportedFlags": enum_list("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                        "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
        }),
        "apparmor": obj({"enabled": enabled}),
        "selinux": obj({"enabled": enabled}),
        "intelRdt": obj({"enabled": enabled, "schemata": enabled, "monitoring": enabled}),
        "mountExtensions": obj({"idmap": obj({"enabled": enabled})}),
        "memoryPolicy": obj({
            "modes": enum_list("MPOL_DEFAULT", "MPOL_BIND", "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
                               "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"),
            "flags": enum_list("MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES")}),
        "netDevices": obj({"enabled": enabled}),
    }),
}, required=["ociVersionMin", "ociVersionMax"])
errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(f)]
print("\n".join(errors) if errors else "valid")
PY
)
expect_eq "features: valid against the 1.3.0 features document" valid "$out"

jq_() { python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$F" "$1"; }
expect_eq "ociVersionMax" 1.3.0 "$(jq_ 'f["ociVersionMax"]')"
expect_eq "ociVersionMax is what modrun spec writes" "$(jq_ 'f["ociVersionMax"]')" \
    "$(python3 -c 'import json; print(json.load(open("'"$BUNDLE"'/../spec.json"))["ociVersion"])' 2>/dev/null || (mkdir -p $T/s && $MODRUN spec --bundle $T/s && python3 -c 'import json; print(json.load(open("'"$T"'/s/config.json"))["ociVersion"])'))"
expect_eq "hooks: all six" "prestart createRuntime createContainer startContainer poststart poststop" "$(jq_ '" ".join(f["hooks"])')"
expect_eq "engines: namespaces has user" True "$(jq_ '"user" in f["linux"]["namespaces"]')"
expect_eq "engines: mountOptions has rro" True "$(jq_ '"rro" in f["mountOptions"]')"
expect_eq "engines: mountExtensions.idmap.enabled" True "$(jq_ 'f["linux"]["mountExtensions"]["idmap"]["enabled"]')"
expect_eq "libseccomp version annotation" "$(dpkg-query -W -f='${Version}' libseccomp2 | sed 's/-.*//')" \
    "$(jq_ 'f["annotations"]["io.github.seccomp.libseccomp.version"]')"
expect_match "plugins in org.modrun.plugins (JSON text)" "cgroupfs" "$(jq_ '[p["name"] for p in json.loads(f["annotations"]["org.modrun.plugins"])]')"
expect_match "commit annotation" "^[0-9a-f]{7}|^[0-9]+\.[0-9]+" "$(jq_ 'f["annotations"]["org.modrun.commit"]')"

make_bundle
config 'c["process"]["args"] = ["true"]'
BASE=$T/base.json; cp "$BUNDLE/config.json" "$BASE"
runs() { # runs WHAT EDIT: `modrun run` of the base config with EDIT succeeds
    cp "$BASE" "$BUNDLE/config.json"; config "$2"
    local o; o=$(mr run --bundle "$BUNDLE" sp-f 2>&1) && pass "$1" || fail "$1: $o"
    mr delete --force sp-f >/dev/null 2>&1
}

# every hook listed runs
hooks=$(jq_ '" ".join(f["hooks"])')
runs "every hook listed runs" "
c['hooks'] = {h: [{'path': '/bin/sh', 'args': ['sh', '-c', 'touch $T/hook.' + h + ' 2>/dev/null || touch /hook.' + h]}] for h in '$hooks'.split()}"
# startContainer runs inside the container: its file is in the rootfs
for h in $hooks; do [ -e "$T/hook.$h" ] || [ -e "$BUNDLE/rootfs/hook.$h" ] || fail "hook $h did not run"; done

# every namespace listed (user with its maps and the idmap plugin)
ns=$(jq_ '" ".join(f["linux"]["namespaces"])')
chmod 0755 "$T"; chown -R 100000:100000 "$BUNDLE/rootfs"
cp "$BASE" "$BUNDLE/config.json"
config "
have = {n['type'] for n in c['linux']['namespaces']}
c['linux']['namespaces'] += [{'type': t} for t in '$ns'.split() if t not in have]
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['process']['args'] = ['sh', '-c', 'for f in /proc/self/ns/*; do readlink \$f; done']"
o=$(mr --plugin namespace=idmap run --bundle "$BUNDLE" sp-f 2>&1); rc=$?
[ $rc -eq 0 ] && pass "every namespace listed ($ns)" || fail "namespaces $ns: $o"
for t in $ns; do
    f=$t; [ $t = network ] && f=net; [ $t = mount ] && f=mnt
    line=$(grep "^$f:" <<< "$o")
    [ -n "$line" ] && [ "$line" != "$(readlink /proc/self/ns/$f)" ] && pass "namespace $t is new" || fail "namespace $t: '$line'"
done
mr delete --force sp-f >/dev/null 2>&1
chown -R 0:0 "$BUNDLE/rootfs"

# every mount option listed is accepted: one bind mount (or tmpfs) each
opts=$(jq_ '" ".join(f["mountOptions"])')
mkdir -p "$T/src"
cp "$BASE" "$BUNDLE/config.json"
config "
for i, o in enumerate('$opts'.split()):
    if o == 'tmpcopyup':
        c['mounts'].append({'destination': '/tmp/m%d' % i, 'type': 'tmpfs', 'source': 'tmpfs', 'options': [o]})
    else:
        c['mounts'].append({'destination': '/tmp/m%d' % i, 'type': 'bind', 'source': '$T/src', 'options': ['rbind', o]})"
o=$(mr run --bundle "$BUNDLE" sp-f 2>&1) && pass "every mount option listed is accepted ($(wc -w <<< "$opts"))" || fail "mount options: $o"
mr delete --force sp-f >/dev/null 2>&1

# seccomp: every architecture, action, operator and supported flag listed,
# in one profile (rules on system calls the container does not make)
# (a big-endian architecture cannot join this host's filter: libseccomp
# refuses it, EDOM, for runc as well; those are checked to be known names)
runs "every seccomp arch (of this byte order)/action/operator/flag listed" "
import json as j, sys
f = j.load(open('$F'))['linux']['seccomp']
big = {'SCMP_ARCH_' + a for a in ('MIPS', 'MIPS64', 'MIPS64N32', 'PPC', 'PPC64', 'S390', 'S390X', 'PARISC', 'PARISC64', 'SHEB', 'M68K')}
archs = [a for a in f['archs'] if a not in big] if sys.byteorder == 'little' else [a for a in f['archs'] if a in big]
acts = [a for a in f['actions'] if a != 'SCMP_ACT_NOTIFY']  # needs a listenerPath: t-seccomp
rare = ['kexec_load', 'init_module', 'delete_module', 'swapon', 'swapoff', 'acct', 'pivot_root', 'quotactl', 'reboot']
rules = [{'names': [rare[i]], 'action': a} for i, a in enumerate(acts)]
rules += [{'names': ['syslog'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 4242, 'valueTwo': 4242 if op == 'SCMP_CMP_MASKED_EQ' else 0, 'op': op}]} for op in f['operators']]
c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': archs, 'flags': f['supportedFlags'], 'syscalls': rules}"

# the fields of the 1.3 features that t-spec13 exercises, listed
expect_eq "memoryPolicy modes" "MPOL_DEFAULT MPOL_PREFERRED MPOL_BIND MPOL_INTERLEAVE MPOL_LOCAL MPOL_PREFERRED_MANY MPOL_WEIGHTED_INTERLEAVE" "$(jq_ '" ".join(f["linux"]["memoryPolicy"]["modes"])')"
expect_eq "netDevices, intelRdt schemata and monitoring" "True True True True" "$(jq_ '" ".join(str(x) for x in (f["linux"]["netDevices"]["enabled"], f["linux"]["intelRdt"]["enabled"], f["linux"]["intelRdt"]["schemata"], f["linux"]["intelRdt"]["monitoring"]))')"
assert_clean "at the end"
