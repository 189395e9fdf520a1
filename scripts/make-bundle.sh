#!/bin/bash
# make-bundle.sh DIR MODRUN: a busybox bundle in DIR (rootfs from busybox-static,
# config.json from `modrun spec`, made non-interactive: terminal false).
set -euo pipefail
dir=$1 modrun=$2
mkdir -p "$dir/rootfs"/{bin,proc,sys,dev,tmp,etc}
cp /bin/busybox "$dir/rootfs/bin/busybox"
for applet in $("$dir/rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/rootfs/bin/$applet"
done
echo "root:x:0:0:root:/:/bin/sh" > "$dir/rootfs/etc/passwd"
echo "root:x:0:" > "$dir/rootfs/etc/group"
rm -f "$dir/config.json"
"$modrun" spec --bundle "$dir"
python3 - "$dir/config.json" <<'PY'
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c["process"]["terminal"] = False
c["root"]["readonly"] = False
json.dump(c, open(p, "w"), indent=2)
PY
