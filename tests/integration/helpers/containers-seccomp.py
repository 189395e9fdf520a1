#!/usr/bin/env python3
# containers-seccomp.py PROFILE CONFIG: put the seccomp profile of
# containers-common (/usr/share/containers/seccomp.json, podman's default,
# in the Docker/containers format) into CONFIG's linux.seccomp as podman
# does (containers/common pkg/seccomp): entries kept when their "includes"
# (caps, arches, minKernel) hold and their "excludes" do not, for amd64,
# with the capabilities of CONFIG's process.capabilities.bounding.
import json, os, sys

profile, config = sys.argv[1], sys.argv[2]
p = json.load(open(profile))
c = json.load(open(config))
caps = set(c["process"].get("capabilities", {}).get("bounding", []))
kernel = tuple(int(x) for x in os.uname().release.split("-")[0].split(".")[:2])


def holds(cond):
    if cond.get("arches") and "amd64" not in cond["arches"]:
        return False
    if cond.get("caps") and not set(cond["caps"]) <= caps:
        return False
    mk = cond.get("minKernel")
    if mk and kernel < tuple(int(x) for x in mk.split(".")[:2]):
        return False
    return True


def excluded(cond):
    if cond.get("arches") and "amd64" in cond["arches"]:
        return True
    return bool(cond.get("caps")) and bool(set(cond["caps"]) & caps)


arches = []
for m in p.get("archMap", []):
    if m["architecture"] == "SCMP_ARCH_X86_64":
        arches = [m["architecture"]] + m.get("subArchitectures", [])
syscalls = []
for s in p["syscalls"]:
    if not holds(s.get("includes") or {}) or excluded(s.get("excludes") or {}):
        continue
    e = {"names": s["names"], "action": s["action"]}
    if s.get("args"):
        e["args"] = s["args"]
    if s.get("errnoRet") is not None:
        e["errnoRet"] = s["errnoRet"]
    syscalls.append(e)
sc = {"defaultAction": p["defaultAction"], "architectures": arches, "syscalls": syscalls}
if p.get("defaultErrnoRet") is not None:
    sc["defaultErrnoRet"] = p["defaultErrnoRet"]
c["linux"]["seccomp"] = sc
json.dump(c, open(config, "w"), indent=2)
