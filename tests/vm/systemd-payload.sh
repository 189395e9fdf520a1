#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# systemd-payload.sh BUILDDIR - runs INSIDE the systemd guest of systemd.sh
# (or on any host with systemd as PID 1 on pure cgroup v2): the build
# tree's modrun with --systemd-cgroup on busybox bundles. Prints
# "SDTEST name OK|FAIL detail"; exit code = number of failures.
B=${1:?usage: systemd-payload.sh BUILDDIR}
M="$B/core/modrun --root /run/modrun-sdtest --plugin-dir $B/plugins --systemd-cgroup"
W=/var/tmp/modrun-sdtest.$$
fails=0
res() { if [ "$2" = 0 ]; then echo "SDTEST $1 OK $3"; else echo "SDTEST $1 FAIL $3"; fails=$((fails + 1)); fi; }

bundle() { # dir cgroupsPath annotations-json
    mkdir -p "$1/rootfs/bin" "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/tmp"
    cp /bin/busybox "$1/rootfs/bin/busybox"
    ln -sf busybox "$1/rootfs/bin/sh"
    cat > "$1/config.json" <<EOF
{
  "ociVersion": "1.2.0",
  "annotations": $3,
  "process": { "terminal": false, "user": {"uid": 0, "gid": 0}, "cwd": "/", "env": ["PATH=/bin"],
    "args": ["/bin/busybox", "sh", "-c", "t() { busybox cat /proc/self/cgroup | busybox sed 's/^/cg: /'; (exec 3<>/dev/null) && echo null-ok; (exec 3<>/dev/nvidiactl) 2>&1 | busybox sed 's/^/allowed: /'; (exec 3<>/dev/nvdenied) 2>&1 | busybox sed 's/^/denied: /'; echo round-done; }; t; while [ ! -e /tmp/again ]; do busybox sleep 0.2; done; t; busybox sleep 1000"] },
  "root": { "path": "rootfs" },
  "hostname": "sdtest",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755", "size=1m"]}
  ],
  "linux": {
    "cgroupsPath": "$2",
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"}],
    "devices": [
      {"path": "/dev/nvidiactl", "type": "c", "major": 195, "minor": 255, "fileMode": 438, "uid": 0, "gid": 0},
      {"path": "/dev/nvdenied", "type": "c", "major": 195, "minor": 254, "fileMode": 438, "uid": 0, "gid": 0}
    ],
    "resources": {
      "memory": {"limit": 104857600},
      "pids": {"limit": 64},
      "devices": [ {"allow": false, "access": "rwm"},
                   {"allow": true, "type": "c", "major": 195, "minor": 255, "access": "rw"} ]
    }
  }
}
EOF
}

wait_for() { # file pattern count
    i=0
    while [ "$(grep -c "$2" "$1" 2>/dev/null)" -lt "$3" ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
}

pid_of() { $M state "$1" 2>/dev/null | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p'; }

echo "== pid1 $(cat /proc/1/comm), $(stat -fc %T /sys/fs/cgroup), systemd $(systemctl --version | head -1)"
mkdir -p "$W"

# 1. a container in its scope: properties, cgroup, devices, daemon-reload
bundle "$W/b1" "system.slice:sdtest:c1" '{"org.systemd.property.CollectMode": "'"'inactive-or-failed'"'"}'
$M --debug create --bundle "$W/b1" c1 > "$W/c1.out" 2> "$W/c1.err" < /dev/null
res create_c1 $? "$(tail -3 "$W/c1.err" | tr '\n' ' ')"
$M start c1; res start_c1 $?
wait_for "$W/c1.out" round-done 1
u=sdtest-c1.scope
show=$(systemctl show -p Delegate -p MemoryMax -p TasksMax -p DevicePolicy -p DeviceAllow -p CollectMode $u)
echo "$show" | sed 's/^/  /'
echo "$show" | grep -qx 'Delegate=yes'; res scope_delegate $?
echo "$show" | grep -qx 'MemoryMax=104857600'; res scope_memorymax $?
echo "$show" | grep -qx 'TasksMax=64'; res scope_tasksmax $?
echo "$show" | grep -qx 'DevicePolicy=strict'; res scope_devicepolicy $?
echo "$show" | grep -q '^DeviceAllow=.*/dev/char/195:255 rw'; res scope_deviceallow $?
echo "$show" | grep -qx 'CollectMode=inactive-or-failed'; res annotation_property $?
pid=$(pid_of c1)
grep -q "^0::/system.slice/$u\$" /proc/$pid/cgroup; res init_in_scope $? "pid $pid: $(cat /proc/$pid/cgroup)"
cat "$W/c1.out" | sed 's/^/  c1| /'
grep -q '^null-ok' "$W/c1.out"; res device_null_opens $?
grep -q '^allowed: .*No such device or address' "$W/c1.out"; res device_allowed_enxio $?
grep -q '^denied: .*Operation not permitted' "$W/c1.out"; res device_denied_eperm $?
systemctl daemon-reload; res daemon_reload $?
touch "$W/b1/rootfs/tmp/again"
wait_for "$W/c1.out" round-done 2
sed -n '/round-done/,$p' "$W/c1.out" | grep -q '^allowed: .*No such device or address'; res reload_allowed_enxio $?
sed -n '/round-done/,$p' "$W/c1.out" | grep -q '^denied: .*Operation not permitted'; res reload_denied_eperm $?
$M ps c1 > /dev/null; res ps_c1 $?
$M kill --all c1 KILL; res kill_all $?
$M delete --force c1; res delete_c1 $?
[ "$(systemctl show -P LoadState $u)" = not-found ]; res no_unit_after_delete $? "$(systemctl show -P LoadState -P ActiveState $u | tr '\n' ' ')"
[ ! -d /sys/fs/cgroup/system.slice/$u ]; res no_cgroup_after_delete $?

# 2. run.oci.systemd.subgroup=payload: the init in the sub-cgroup
bundle "$W/b2" "system.slice:sdtest:c2" '{"run.oci.systemd.subgroup": "payload"}'
$M create --bundle "$W/b2" c2 > "$W/c2.out" 2> "$W/c2.err" < /dev/null
res create_c2 $? "$(tail -3 "$W/c2.err" | tr '\n' ' ')"
$M start c2
wait_for "$W/c2.out" round-done 1
pid=$(pid_of c2)
grep -q "^0::/system.slice/sdtest-c2.scope/payload\$" /proc/$pid/cgroup; res subgroup_placement $? "$(cat /proc/$pid/cgroup)"
grep -q '^denied: .*Operation not permitted' "$W/c2.out"; res subgroup_denied_eperm $?
grep -q '^allowed: .*No such device or address' "$W/c2.out"; res subgroup_allowed_enxio $?
$M delete --force c2; res delete_c2 $?
[ "$(systemctl show -P LoadState sdtest-c2.scope)" = not-found ]; res no_unit_after_delete_c2 $?

# 3. a cgroupsPath not in "slice:prefix:name" form: a clear error, no unit
bundle "$W/b3" "/not/a/systemd/path" '{}'
$M create --bundle "$W/b3" c3 > /dev/null 2> "$W/c3.err" < /dev/null
rc=$?
cat "$W/c3.err" | sed 's/^/  c3| /'
[ $rc != 0 ] && grep -q 'slice:prefix:name' "$W/c3.err"; res bad_cgroups_path_error $?
$M delete --force c3 > /dev/null 2>&1

rm -rf "$W"
echo "SDTEST-SUMMARY fails=$fails"
exit $fails
