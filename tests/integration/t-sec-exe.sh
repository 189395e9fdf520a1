#!/bin/bash
# CVE-2019-5736: a container must never overwrite the runtime's binary.
# The image's ELF loader is an attacker (helpers/exe-attacker.c) and its
# program a script `#!/proc/self/exe`: the kernel then runs the binary the
# process was executing with that loader, which keeps an O_PATH fd of
# /proc/self/exe and writes through it once it can. Each path into the
# container is attacked against a private copy of modrun (world-writable,
# so only the runtime's own protection can stop the write; where modrun is
# the launcher, core/launcher/, the runtime beside it is copied too): run -d,
# create+start with and without a new pid namespace, exec, exec -d, a
# startContainer hook, a user namespace, rootless. After each,
# the attack must have run (its log shows the runtime's /proc/self/exe)
# and the copies' hashes and the plugins' hashes must be unchanged.
. "$(dirname "$0")/lib.sh"

command -v cc >/dev/null || { echo "SKIP: no C compiler (apt-get install gcc)"; exit 77; }
cc -nostdlib -static -O2 -fno-stack-protector -fno-builtin -o "$T/attacker" "$SOURCE_ROOT/tests/integration/helpers/exe-attacker.c" ||
    die "build the static attacker (needs libc6-dev)"
chmod 0755 "$T"
copy_modrun() { # copy_modrun DIR: modrun, and the runtime beside the launcher
    mkdir -p "$1" && cp "$MODRUN" "$1/modrun" || return 1
    [ "$RUNTIME_BIN" = "$MODRUN" ] || { mkdir -p "$1/runtime" && cp "$RUNTIME_BIN" "$1/runtime/modrun"; }
}
binaries() { ls "$1/modrun" "$1/runtime/modrun" 2>/dev/null; }
binaries_hash() { cat $(binaries "$1") | sha256sum; }
copy_modrun "$T/orig" || die "copy modrun"
GOOD=$(binaries_hash "$T/orig")
PRIVATE=$T/bin
PLUGINS_GOOD=$(cat "$PLUGIN_DIR"/*.so | sha256sum)
make_bundle
MODRUN=$PRIVATE/modrun   # mr and it_cleanup use the private copy
R=$BUNDLE/rootfs
mkdir -p "$R/lib64"
cp "$T/attacker" "$R/lib64/ld-linux-x86-64.so.2"
printf '#!/proc/self/exe\n' >"$R/evil"
chmod 0755 "$R/evil"
config 'c["root"]["readonly"] = False'
cp "$BUNDLE/config.json" "$T/config.base.json"

fresh() { # a world-writable private copy, the base config, no log
    rm -rf "$PRIVATE" && cp -a "$T/orig" "$PRIVATE" && chmod 0777 $(binaries "$PRIVATE")
    cp "$T/config.base.json" "$BUNDLE/config.json"
    rm -f "$R/attack.log"
}
# judge CASE: wait for the attack's result, then check what is on disk
judge() {
    local what=$1 i
    for i in $(seq 250); do grep -q '^result:' "$R/attack.log" 2>/dev/null && break; sleep 0.1; done
    local log; log=$(cat "$R/attack.log" 2>/dev/null)
    expect_match "$what: the attack ran from the runtime's image" 'stage1: exe ' "$log"
    expect_match "$what: the attack got an answer" '^result:' "$log"
    expect_no_match "$what: /proc/self/exe is not an installed file" "exe $PRIVATE/" "$log"
    expect_eq "$what: the runtime's binaries are unchanged" "$GOOD" "$(binaries_hash "$PRIVATE")"
    expect_eq "$what: the plugins are unchanged" "$PLUGINS_GOOD" "$(cat "$PLUGIN_DIR"/*.so | sha256sum)"
    mr delete --force "$2" >/dev/null 2>&1
}

fresh; args /evil
mr run -d --bundle "$BUNDLE" x-run </dev/null >"$T/out" 2>&1 || fail "run -d: $(cat "$T/out")"
judge "run -d" x-run

# loaded_extent FILE: where the last byte the kernel or ld.so reads from an
# ELF file (64-bit, little-endian) ends: its program headers' offset +
# filesz (a PT_LOAD of .bss alone: its offset)
loaded_extent() {
    python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
phoff, = struct.unpack_from('<Q', b, 0x20)
phentsize, phnum = struct.unpack_from('<HH', b, 0x36)
end = phoff + phnum * phentsize
for i in range(phnum):
    ptype, = struct.unpack_from('<I', b, phoff + i * phentsize)
    off, _, _, filesz, memsz = struct.unpack_from('<QQQQQ', b, phoff + i * phentsize + 8)
    if filesz or (ptype == 1 and memsz):
        end = max(end, off + filesz)
print(end)
PY
}

# The created init, seen from the host: it executes and maps sealed copies
# only, not the installed binary or plugin files; the copies hold what is
# loaded (the ELF header, program headers and segments), not the section
# headers, symbols and debug information of an unstripped build.
fresh; args true
if mr create --bundle "$BUNDLE" x-maps </dev/null >"$T/out" 2>&1; then
    pid=$(state_field x-maps pid)
    expect_match "the init's exe is a sealed memfd" '^/memfd:' "$(readlink /proc/$pid/exe)"
    maps=$(awk '{print $6}' /proc/$pid/maps | sort -u)
    expect_no_match "the init maps no installed plugin file" "^$PLUGIN_DIR/" "$maps"
    expect_no_match "the init maps no installed runtime file" "^$T/bin/" "$maps"
    expect_match "the init maps the plugins' sealed copies" '^/memfd:modrun-plugin' "$maps"
    rt=$PRIVATE/runtime/modrun
    [ -f "$rt" ] || rt=$PRIVATE/modrun
    ext=$(loaded_extent "$rt")
    expect_eq "the runtime's copy ends with its last segment" "$ext" "$(stat -L -c %s /proc/$pid/exe)"
    cmp -s -i 64 -n $((ext - 64)) /proc/$pid/exe "$rt" ||
        fail "the runtime's copy differs from its file after the ELF header"
    expect_match "the runtime's copy has no section headers" 'Number of section headers: *0$' \
        "$(readelf -h /proc/$pid/exe 2>&1)"
    want=$(for f in "$PLUGIN_DIR"/*.so; do loaded_extent "$f"; done | sort -u)
    copies=0
    for f in /proc/$pid/map_files/*; do
        [ "$(readlink "$f")" = "/memfd:modrun-plugin (deleted)" ] || continue
        expect_match "a plugin's copy ends with a plugin's last segment" "^$(stat -L -c %s "$f")\$" "$want"
        copies=$((copies + 1))
    done
    [ "$copies" -gt 0 ] || fail "no plugin copy found in /proc/$pid/map_files"
    mr delete --force x-maps
else
    fail "create x-maps: $(cat "$T/out")"
fi

fresh; args /evil
mr create --bundle "$BUNDLE" x-cs </dev/null >"$T/out" 2>&1 || fail "create: $(cat "$T/out")"
mr start x-cs || fail "start x-cs"
judge "create+start" x-cs

fresh; args /evil
config 'c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "pid"]'
mr create --bundle "$BUNDLE" x-hostpid </dev/null >"$T/out" 2>&1 || fail "create (host pid ns): $(cat "$T/out")"
mr start x-hostpid || fail "start x-hostpid"
judge "create+start in the host's pid namespace" x-hostpid

fresh; args sleep 1000
mr run -d --bundle "$BUNDLE" x-exec </dev/null >"$T/out" 2>&1 || fail "run -d sleep: $(cat "$T/out")"
mr exec x-exec /evil </dev/null >"$T/out" 2>&1 || fail "exec /evil: $(cat "$T/out")"
judge "exec" x-exec

fresh; args sleep 1000
mr run -d --bundle "$BUNDLE" x-execd </dev/null >"$T/out" 2>&1 || fail "run -d sleep: $(cat "$T/out")"
mr exec -d x-execd /evil </dev/null >"$T/out" 2>&1 || fail "exec -d /evil: $(cat "$T/out")"
judge "exec -d" x-execd

# startContainer hooks run inside the container, from the init, with paths
# resolved there (createContainer hooks resolve theirs on the host, before
# the root switch, so the image's loader is not theirs).
fresh; args sleep 1000
config "c['hooks'] = {'startContainer': [{'path': '/evil', 'timeout': 30}]}"
mr run -d --bundle "$BUNDLE" x-hook </dev/null >"$T/out" 2>&1 || fail "run -d with a startContainer hook: $(cat "$T/out")"
judge "startContainer hook" x-hook

# A user namespace: the container's root is not host root, but the copy is
# world-writable, so only the seal stops it.
if [ -f "$PLUGIN_DIR/namespace-idmap.so" ]; then
    fresh; args /evil
    chown -R 100000:100000 "$R"
    config "c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 100000, 'size': 65536}]"
    mr --plugin namespace=idmap run -d --bundle "$BUNDLE" x-userns </dev/null >"$T/out" 2>&1 ||
        fail "run -d in a user namespace: $(cat "$T/out")"
    judge "user namespace" x-userns
    chown -R 0:0 "$R"
fi
assert_clean

# Rootless: the user owns its copy of modrun, and the container's root is
# that user, so only the seal stops the write. A throw-away user.
if command -v useradd >/dev/null && command -v setpriv >/dev/null; then
    RLUSER=mrexe$$
    rl_cleanup() {
        local rc=$? id
        for id in $(ls "$T/rl/state" 2>/dev/null); do rl delete --force "$id" >/dev/null 2>&1; done
        (exit "$rc")
        it_cleanup
    }
    trap 'rl_cleanup' EXIT
    tmp_user "$RLUSER"
    RU=$(id -u "$RLUSER") RG=$(id -g "$RLUSER")
    rl() { setpriv --reuid="$RU" --regid="$RG" --clear-groups env XDG_RUNTIME_DIR="$T/rl/xdg" \
               timeout -k 5 60 "$T/rl/modrun" --root "$T/rl/state" --plugin-dir "$PLUGIN_DIR" "$@"; }
    mkdir -m 0700 -p "$T/rl/xdg" "$T/rl/state"
    copy_modrun "$T/rl" || die "copy modrun (rootless)"
    bash "$SOURCE_ROOT/scripts/make-bundle.sh" "$T/rl/bundle" "$T/rl/modrun" >/dev/null || die "make-bundle (rootless)"
    rm -f "$T/rl/bundle/config.json"
    (cd "$T/rl/bundle" && "$T/rl/modrun" spec --rootless) || die "spec --rootless"
    CONFIG_FILE=$T/rl/bundle/config.json config "c['process']['terminal'] = False; c['root']['readonly'] = False
c['process']['args'] = ['/evil']
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': $RU, 'size': 1}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': $RG, 'size': 1}]"
    mkdir -p "$T/rl/bundle/rootfs/lib64"
    cp "$T/attacker" "$T/rl/bundle/rootfs/lib64/ld-linux-x86-64.so.2"
    cp "$R/evil" "$T/rl/bundle/rootfs/evil"
    chown -R "$RU:$RG" "$T/rl"
    RL_GOOD=$(binaries_hash "$T/rl")
    if rl --plugin namespace=idmap run -d --bundle "$T/rl/bundle" x-rootless </dev/null >"$T/out" 2>&1; then
        R=$T/rl/bundle/rootfs PRIVATE=$T/rl GOOD=$RL_GOOD judge "rootless" x-rootless
        rl delete --force x-rootless >/dev/null 2>&1
    else
        fail "rootless run -d: $(cat "$T/out")"
    fi
fi
finish
