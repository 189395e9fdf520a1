#!/bin/bash
# cri.sh - Kubernetes' path to a runtime, without a kubelet: a private
# containerd 1.6 (Debian 12) with its CRI plugin enabled and two runtime
# handlers of type io.containerd.runc.v2, "runc" and "modrun" (BinaryName:
# a wrapper that runs the built modrun). tests/clients/cri/cri_checks.py
# speaks the CRI v1 gRPC API to it (cri.proto is our own subset, compiled
# here with grpc_tools) and runs the same checks with each handler.
# Offline: the pause and busybox images are OCI layouts made here from
# busybox-static; pod networking is a CNI bridge (containernetworking-plugins)
# on a bridge of this test, with IPAM state under the work dir.
. "$(dirname "$0")/lib.sh"

need_pkgs containerd runc containernetworking-plugins python3-grpcio python3-grpc-tools \
    python3-websocket busybox-static iproute2
PY=/usr/bin/python3     # Debian's python3, where python3-grpcio lives
make_rootfs

PAUSE_IMG=localhost/modrun-cri-pause:1
BB_IMG=localhost/modrun-cri-bb:1
make_image "$W/pause.tar" "$PAUSE_IMG" '["/bin/sleep","2147483647"]'
make_image "$W/bb.tar" "$BB_IMG" '["/bin/sh"]'

# ------------------------------------------------------------------ network
# A CNI bridge of our own: its name and subnet are unlikely to clash; IPAM
# leases live under $W. The bridge plugin creates the bridge; we delete it.
BR=mrcri$$
BR=${BR:0:15}
SUBNET_OCTET=$(( 200 + $$ % 50 ))
mkdir -p "$W/cni/net.d" "$W/cni/ipam"
cat > "$W/cni/net.d/10-modrun-cri.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "modrun-cri",
  "plugins": [
    { "type": "bridge", "bridge": "$BR", "isGateway": true, "ipMasq": false,
      "ipam": { "type": "host-local", "dataDir": "$W/cni/ipam",
                "ranges": [[{ "subnet": "10.$SUBNET_OCTET.0.0/24" }]] } }
  ]
}
EOF
at_exit "ip link del $BR"

# ------------------------------------------------------------------ daemon
RT_RUNC=$(make_wrapper runc 0)
RT_MODRUN=$(make_wrapper modrun 0)
NS=k8s.io
D=$W/ctd
mkdir -p "$D"
handler() { # handler NAME WRAPPER: a runtime handler of the CRI plugin
    cat <<EOF
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$1]
          runtime_type = "io.containerd.runc.v2"
          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$1.options]
            BinaryName = "$2"
            Root = "$W/rt-root-$1"
            SystemdCgroup = false
EOF
}
containerd_config "$D"
cat >> "$D/config.toml" <<EOF
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMG"
  disable_apparmor = true
  disable_hugetlb_controller = true
  tolerate_missing_hugetlb_controller = true
  netns_mounts_under_state_dir = true
  restrict_oom_score_adj = true   # no CAP_SYS_RESOURCE here: no score below our own
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$W/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes]
$(handler runc "$RT_RUNC")
$(handler modrun "$RT_MODRUN")
EOF
CTD_PID=""
stop_containerd() {
    [ -n "$CTD_PID" ] || return 0
    kill -TERM "$CTD_PID" 2>/dev/null
    wait_until 10 sh -c "! kill -0 $CTD_PID 2>/dev/null" || kill -KILL "$CTD_PID" 2>/dev/null
    wait "$CTD_PID" 2>/dev/null
    CTD_PID=""
}
at_exit stop_containerd
containerd_start "$D" || { echo "FAIL: containerd did not start"; exit 1; }
for img in pause bb; do
    timeout 60 ctr -a "$D/sock" -n "$NS" images import "$W/$img.tar" >/dev/null \
        || { echo "FAIL: ctr images import $img"; exit 1; }
done

# ------------------------------------------------------------------ checks
# The proto is compiled at test time: the generated code matches the
# installed grpc and protobuf, and nothing generated is kept in the tree.
mkdir -p "$W/py"
$PY -m grpc_tools.protoc -I "$SOURCE_ROOT/tests/clients/cri" --python_out="$W/py" \
    --grpc_python_out="$W/py" "$SOURCE_ROOT/tests/clients/cri/cri.proto" \
    || { echo "FAIL: protoc cri.proto"; exit 1; }
CGROUP_PARENT=/modrun-cri-$$
for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    at_exit "[ -d $h$CGROUP_PARENT ] && find $h$CGROUP_PARENT -depth -type d -exec rmdir {} +"
done
PYTHONPATH="$W/py" $PY "$SOURCE_ROOT/tests/clients/cri/cri_checks.py" \
    --socket "$D/sock" --containerd-log "$D/containerd.log" --work "$W" \
    --cgroup-parent "$CGROUP_PARENT" --subnet "10.$SUBNET_OCTET.0." \
    --pause-image "$PAUSE_IMG" --image "$BB_IMG" --handlers ${RUNTIMES}
