"""The CRI checks of tests/clients/cri.sh: the same assertions against each
runtime handler of one containerd, through the CRI v1 gRPC API, checking
what the kernel shows (cgroup files, /proc, mountinfo) as well as what
containerd answers. Prints a line per check, then a table "check | runc |
modrun"; exits 1 when a check passes with runc and not with modrun."""
import argparse
import concurrent.futures
import json
import os
import re
import time

import grpc
import websocket

import cri_pb2 as api
import cri_pb2_grpc as api_grpc

MiB = 1024 * 1024


class Skip(Exception):
    pass


def want(cond, what):
    if not cond:
        raise AssertionError(what)


def wait_for(pred, seconds, what):
    end = time.monotonic() + seconds
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


class Cri:
    def __init__(self, sock):
        ch = grpc.insecure_channel("unix://" + sock)
        self.rt = api_grpc.RuntimeServiceStub(ch)
        self.img = api_grpc.ImageServiceStub(ch)


class Handler:
    """One handler's run: its pods and containers, removed at the end."""

    def __init__(self, args, cri, name):
        self.a, self.cri, self.name = args, cri, name
        self.pods, self.ctrs, self.pids = [], [], set()

    # ---------------------------------------------------------------- pods
    def pod_config(self, pod, host_net=True):
        ns = api.NamespaceOption(network=api.NODE if host_net else api.POD, pid=api.POD, ipc=api.POD)
        return api.PodSandboxConfig(
            metadata=api.PodSandboxMetadata(name=pod, uid=f"{self.name}-{pod}-uid", namespace="modrun-cri"),
            hostname="" if host_net else pod,
            log_directory=os.path.join(self.a.work, "logs", self.name, pod),
            linux=api.LinuxPodSandboxConfig(
                cgroup_parent=f"{self.a.cgroup_parent}/{self.name}-{pod}",
                security_context=api.LinuxSandboxSecurityContext(namespace_options=ns)))

    def run_pod(self, pod, host_net=True):
        cfg = self.pod_config(pod, host_net)
        os.makedirs(cfg.log_directory, exist_ok=True)
        r = self.cri.rt.RunPodSandbox(api.RunPodSandboxRequest(config=cfg, runtime_handler=self.name), timeout=60)
        self.pods.append(r.pod_sandbox_id)
        st = self.cri.rt.PodSandboxStatus(api.PodSandboxStatusRequest(pod_sandbox_id=r.pod_sandbox_id, verbose=True))
        want(st.status.state == api.SANDBOX_READY, f"pod {pod} is not ready: {st.status}")
        want(st.status.runtime_handler == self.name, f"pod {pod} runs with handler {st.status.runtime_handler}")
        self.pids.add(json.loads(st.info["info"])["pid"])
        return r.pod_sandbox_id, cfg, st

    def run_ctr(self, pod_id, pod_cfg, name, command, resources=None, share_pid=True, tty=False):
        sc = api.LinuxContainerSecurityContext(
            namespace_options=api.NamespaceOption(network=pod_cfg.linux.security_context.namespace_options.network,
                                                  pid=api.POD if share_pid else api.CONTAINER, ipc=api.POD))
        cfg = api.ContainerConfig(
            metadata=api.ContainerMetadata(name=name), image=api.ImageSpec(image=self.a.image),
            command=command, log_path=name + ".log", tty=tty,
            linux=api.LinuxContainerConfig(resources=resources, security_context=sc))
        r = self.cri.rt.CreateContainer(api.CreateContainerRequest(pod_sandbox_id=pod_id, config=cfg,
                                                                   sandbox_config=pod_cfg), timeout=60)
        cid = r.container_id
        self.ctrs.append(cid)
        self.cri.rt.StartContainer(api.StartContainerRequest(container_id=cid), timeout=60)
        self.pids.add(self.ctr_pid(cid))
        return cid

    def ctr_status(self, cid):
        return self.cri.rt.ContainerStatus(api.ContainerStatusRequest(container_id=cid, verbose=True))

    def ctr_pid(self, cid):
        return json.loads(self.ctr_status(cid).info["info"])["pid"]

    def exec_sync(self, cid, cmd, timeout=0):
        return self.cri.rt.ExecSync(api.ExecSyncRequest(container_id=cid, cmd=cmd, timeout=timeout),
                                    timeout=(timeout or 30) + 30)

    def sh(self, cid, script):
        r = self.exec_sync(cid, ["sh", "-c", script])
        want(r.exit_code == 0, f"exec {script!r}: exit {r.exit_code}, stderr {r.stderr!r}")
        return r.stdout.decode()

    def remove_all(self):
        """Stop and remove every container and pod of this handler."""
        errors = []
        for cid in self.ctrs:
            for call in (lambda: self.cri.rt.StopContainer(api.StopContainerRequest(container_id=cid, timeout=2), timeout=60),
                         lambda: self.cri.rt.RemoveContainer(api.RemoveContainerRequest(container_id=cid), timeout=60)):
                try:
                    call()
                except grpc.RpcError as e:
                    errors.append(f"container {cid[:12]}: {e.details()}")
        for pid in self.pods:
            for call in (lambda: self.cri.rt.StopPodSandbox(api.StopPodSandboxRequest(pod_sandbox_id=pid), timeout=60),
                         lambda: self.cri.rt.RemovePodSandbox(api.RemovePodSandboxRequest(pod_sandbox_id=pid), timeout=60)):
                try:
                    call()
                except grpc.RpcError as e:
                    errors.append(f"pod {pid[:12]}: {e.details()}")
        return errors

    def leftovers(self, ids, pids):
        """What the kernel and the runtime still show of these ids/pids."""
        left = [f"process {p}" for p in pids if os.path.exists(f"/proc/{p}")]
        roots = ["/sys/fs/cgroup"] + [e.path for e in os.scandir("/sys/fs/cgroup") if e.is_dir()]
        for top in roots:
            for root, dirs, _ in os.walk(top + self.a.cgroup_parent):
                left += [f"cgroup {root}/{d}" for d in dirs if any(i in d for i in ids)]
        with open("/proc/self/mountinfo") as f:
            mi = f.read()
        left += [f"mount of {i[:12]}" for i in ids if i in mi]
        state = os.path.join(self.a.work, f"rt-root-{self.name}", "k8s.io")
        if os.path.isdir(state):
            left += [f"runtime state {e}" for e in os.listdir(state) if e in ids]
        return left


# -------------------------------------------------------------------- checks
def check_version(h, s):
    v = h.cri.rt.Version(api.VersionRequest(version="v1"))
    want(v.runtime_api_version == "v1", f"runtime API {v.runtime_api_version}")
    img = h.cri.img.ImageStatus(api.ImageStatusRequest(image=api.ImageSpec(image=h.a.image)))
    want(img.image.id, f"image {h.a.image} not known to the CRI plugin")


def check_pod_host_network(h, s):
    s["pod"] = pod_id, cfg, st = h.run_pod("hostpod", host_net=True)
    res = api.LinuxContainerResources(memory_limit_in_bytes=128 * MiB, cpu_period=100000, cpu_quota=50000,
                                      cpu_shares=512)
    s["c1"] = h.run_ctr(pod_id, cfg, "c1", ["sh", "-c", "echo out-line; echo err-line >&2; exec sleep 1000"],
                        resources=res)
    out = h.sh(s["c1"], "readlink /proc/self/ns/net")
    want(out.strip() == os.readlink("/proc/self/ns/net"), f"container netns {out.strip()}, host's expected")


def check_shared_pid_ns(h, s):
    pod_id, cfg, _ = s["pod"]
    s["c2"] = h.run_ctr(pod_id, cfg, "c2", ["sleep", "1001"])
    out = h.sh(s["c2"], "ps -o args")
    want("sleep 1000" in out and "sleep 2147483647" in out, f"c2 does not see c1 and the pause process: {out}")
    # a container whose init leaves a child behind: the shim kills what is
    # left in its cgroup (runtime `kill --all`) once the init exits
    c3 = h.run_ctr(pod_id, cfg, "c3", ["sh", "-c", "sleep 1002 & exit 0"])
    wait_for(lambda: h.ctr_status(c3).status.state == api.CONTAINER_EXITED, 20, "c3 to exit")
    wait_for(lambda: "sleep 1002" not in h.sh(s["c2"], "ps -o args"), 10, "c3's orphan to be killed")


def check_logs(h, s):
    _, cfg, _ = s["pod"]
    path = os.path.join(cfg.log_directory, "c1.log")

    def lines():
        try:
            return open(path).read()
        except FileNotFoundError:
            return ""
    text = wait_for(lambda: (t := lines()) and "out-line" in t and "err-line" in t and t, 10, f"both lines in {path}")
    want(re.search(r"^\S+ stdout F out-line$", text, re.M), f"stdout line in CRI format: {text!r}")
    want(re.search(r"^\S+ stderr F err-line$", text, re.M), f"stderr line in CRI format: {text!r}")


def check_exec_sync(h, s):
    r = h.exec_sync(s["c1"], ["echo", "hi"])
    want(r.exit_code == 0 and r.stdout == b"hi\n", f"echo hi: exit {r.exit_code}, stdout {r.stdout!r}")
    r = h.exec_sync(s["c1"], ["sh", "-c", "echo e >&2; exit 3"])
    want(r.exit_code == 3 and r.stderr == b"e\n", f"exit 3: got {r.exit_code}, stderr {r.stderr!r}")


def check_exec_sync_timeout(h, s):
    for i in range(5):
        try:
            r = h.exec_sync(s["c1"], ["sleep", "30"], timeout=1)
            raise AssertionError(f"round {i}: a 30 s exec with a 1 s timeout returned exit {r.exit_code}")
        except grpc.RpcError as e:
            want("timeout" in (e.details() or "") or e.code() == grpc.StatusCode.DEADLINE_EXCEEDED,
                 f"round {i}: timed-out exec: {e.code()} {e.details()}")
        r = h.exec_sync(s["c1"], ["echo", f"after-{i}"])
        want(r.exit_code == 0 and r.stdout == f"after-{i}\n".encode(),
             f"round {i}: exec right after a timed-out one: exit {r.exit_code}, {r.stdout!r} {r.stderr!r}")
    wait_for(lambda: "sleep 30" not in h.sh(s["c1"], "ps -o args"), 10, "the timed-out execs to be killed")


def check_exec_tty(h, s):
    r = h.cri.rt.Exec(api.ExecRequest(container_id=s["c1"], cmd=["sh", "-c", "tty; sleep 1"], tty=True, stdin=True,
                                      stdout=True))
    url = r.url.replace("http://", "ws://")
    ws = websocket.create_connection(url, subprotocols=["v4.channel.k8s.io"], timeout=20)
    out, status, frames = b"", b"", []
    try:
        while True:
            try:
                msg = ws.recv()
            except websocket.WebSocketConnectionClosedException:
                break
            if not msg:
                break
            if isinstance(msg, str):
                msg = msg.encode()
            frames.append(msg[:40])
            if msg[0] == 1:
                out += msg[1:]
            elif msg[0] == 3:
                status += msg[1:]
    finally:
        ws.close()
    text = out.decode(errors="replace")
    want("/dev/pts/" in text, f"tty output: {text!r} status {status!r}, frames {frames}")
    if status:
        want(json.loads(status).get("status") == "Success", f"exec status {status!r}")


def check_stats(h, s):
    st = h.cri.rt.ContainerStats(api.ContainerStatsRequest(container_id=s["c1"])).stats
    want(st.attributes.id == s["c1"], f"stats of {st.attributes.id}")
    want(st.cpu.usage_core_nano_seconds.value > 0, f"cpu usage {st.cpu}")
    want(st.memory.working_set_bytes.value > 0 or st.memory.usage_bytes.value > 0, f"memory {st.memory}")


def cg_read(pid, ctrl, v1file, v2file):
    with open(f"/proc/{pid}/cgroup") as f:
        lines = [l.rstrip("\n").split(":", 2) for l in f]
    if os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        path = next(p for n, c, p in lines if n == "0")
        return open(f"/sys/fs/cgroup{path}/{v2file}").read().strip()
    path = next(p for n, c, p in lines if ctrl in c.split(","))
    return open(f"/sys/fs/cgroup/{ctrl}{path}/{v1file}").read().strip()


def check_cgroup_limits(h, s):
    pid = h.ctr_pid(s["c1"])
    mem = cg_read(pid, "memory", "memory.limit_in_bytes", "memory.max")
    quota = cg_read(pid, "cpu", "cpu.cfs_quota_us", "cpu.max")
    want(mem == str(128 * MiB), f"host memory limit {mem}")
    want(quota.split()[0] == "50000", f"host cpu quota {quota}")
    inside = h.sh(s["c1"], "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null"
                           " || cat /sys/fs/cgroup/memory.max").strip()
    want(inside == str(128 * MiB), f"the container reads its memory limit as {inside!r}")


def check_update_resources(h, s):
    res = api.LinuxContainerResources(memory_limit_in_bytes=64 * MiB, cpu_period=100000, cpu_quota=20000)
    h.cri.rt.UpdateContainerResources(api.UpdateContainerResourcesRequest(container_id=s["c1"], linux=res))
    pid = h.ctr_pid(s["c1"])
    mem = cg_read(pid, "memory", "memory.limit_in_bytes", "memory.max")
    quota = cg_read(pid, "cpu", "cpu.cfs_quota_us", "cpu.max")
    want(mem == str(64 * MiB) and quota.split()[0] == "20000", f"after update: memory {mem}, quota {quota}")
    st = h.ctr_status(s["c1"]).status
    want(st.resources.linux.memory_limit_in_bytes == 64 * MiB, f"status resources {st.resources}")


def check_cni_pod(h, s):
    pod_id, cfg, st = h.run_pod("cnipod", host_net=False)
    ip = st.status.network.ip
    want(ip.startswith(h.a.subnet), f"pod ip {ip!r}, want one in {h.a.subnet}0/24")
    cid = h.run_ctr(pod_id, cfg, "net", ["sleep", "1000"])
    out = h.sh(cid, "ip -o -4 addr show eth0; readlink /proc/self/ns/net")
    want(ip in out, f"eth0 of the container: {out}")
    want(os.readlink("/proc/self/ns/net") not in out, "the container is in the host's network namespace")
    h.sh(cid, f"ping -c 1 -W 5 {h.a.subnet}1 >/dev/null")


def check_stop_remove(h, s):
    ids = list(h.ctrs) + list(h.pods)
    pids = set(h.pids)
    errors = h.remove_all()
    want(not errors, "; ".join(errors))
    left = wait_for_gone(h, ids, pids)
    want(not left, "left behind: " + ", ".join(left))
    h.ctrs, h.pods, h.pids = [], [], set()


def wait_for_gone(h, ids, pids):
    end = time.monotonic() + 10
    while True:
        left = h.leftovers(ids, pids)
        if not left or time.monotonic() > end:
            return left
        time.sleep(0.2)


def check_many_pods(h, s):
    n = 20

    def one(i):
        pod_id, cfg, _ = h.run_pod(f"many{i}")
        cid = h.run_ctr(pod_id, cfg, "m", ["sleep", "1000"])
        r = h.exec_sync(cid, ["echo", f"pod{i}"])
        want(r.stdout == f"pod{i}\n".encode(), f"pod {i}: exec said {r.stdout!r} {r.stderr!r}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as ex:
        errors = [str(f.exception()) for f in [ex.submit(one, i) for i in range(n)] if f.exception()]
    want(not errors, f"{len(errors)} of {n} pods failed: {errors[:3]}")
    check_stop_remove(h, s)


CHECKS = [
    ("version and image", check_version),
    ("pod with host network", check_pod_host_network),
    ("two containers share pid ns", check_shared_pid_ns),
    ("container logs", check_logs),
    ("exec sync", check_exec_sync),
    ("exec after a timed-out exec", check_exec_sync_timeout),
    ("exec with a tty", check_exec_tty),
    ("container stats", check_stats),
    ("cpu and memory limits", check_cgroup_limits),
    ("update container resources", check_update_resources),
    ("pod on a cni bridge", check_cni_pod),
    ("stop and remove, nothing left", check_stop_remove),
    ("20 pods at once", check_many_pods),
]

LOG_NOISE = re.compile(r'\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)?|time="[^"]*"|\b[0-9a-f]{12,64}\b|/tmp/modrun-clients\.\w+|\b\d+\b')
# containerd 1.6's shim, in the `delete` it runs for containerd after a shim
# disconnects, reaps its children in a SIGCHLD loop (wait4(-1)) while
# go-runc's default monitor waits for the runtime with cmd.Wait(): when the
# loop reaps first, go-runc says "exit status 255" with no output although
# the runtime exited 0 (/bin/true too). It comes with runc and with modrun,
# in some runs of a handler and not in others: that nested line is taken out.
SHIM_REAP_RACE = re.compile(r'time=\\"[^"\\]*\\" level=warning msg=\\"failed to remove runc container\\" '
                            r'error=\\"[^"\\]* did not terminate successfully: exit status 255: \\" [^\\]*\\n')


def log_problems(path, start, end, handler):
    """containerd's warning and error lines between two offsets, with ids,
    times, numbers and our paths taken out, so two handlers compare."""
    with open(path, "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode(errors="replace")
    out = set()
    for line in text.splitlines():
        if "level=error" in line or "level=warning" in line:
            m = re.search(r'msg="((?:[^"\\]|\\.)*)"', line)
            text = LOG_NOISE.sub("_", SHIM_REAP_RACE.sub("", m.group(1) if m else line))
            # the handler's own names (wrapper path, state root, pod uids),
            # not the word "runc" in containerd's and the shim's messages
            for own in (f"/rt/{handler}/{handler}", f"rt-root-{handler}", f"{handler}-"):
                text = text.replace(own, "HANDLER")
            out.add(text)
    return out


def main():
    p = argparse.ArgumentParser()
    for a in ("socket", "containerd-log", "work", "cgroup-parent", "subnet", "pause-image", "image"):
        p.add_argument("--" + a, required=True)
    p.add_argument("--handlers", nargs="+", required=True)
    a = p.parse_args()
    cri = Cri(a.socket)
    res, detail, logs = {}, {}, {}
    for name in a.handlers:
        h, state = Handler(a, cri, name), {}
        start = os.path.getsize(a.containerd_log)
        for check, fn in CHECKS:
            t0 = time.monotonic()
            try:
                fn(h, state)
                r = "pass"
            except Skip as e:
                r, detail[name, check] = "skip", str(e)
            except (AssertionError, grpc.RpcError, KeyError, OSError, websocket.WebSocketException) as e:
                msg = e.details() if isinstance(e, grpc.RpcError) else str(e)
                r, detail[name, check] = "FAIL", f"{type(e).__name__}: {msg}"
            res[name, check] = r
            print(f"  {r:4} {name:7} {check:34} {int((time.monotonic() - t0) * 1000):6} ms", flush=True)
        h.remove_all()
        time.sleep(1)
        logs[name] = log_problems(a.containerd_log, start, os.path.getsize(a.containerd_log), name)
    if "runc" in logs and "modrun" in logs:
        extra = sorted(logs["modrun"] - logs["runc"])
        check = "containerd logs nothing new"
        res["runc", check] = "pass"
        res["modrun", check] = "FAIL" if extra else "pass"
        if extra:
            detail["modrun", check] = "only with modrun: " + " | ".join(extra)[:1500]
    checks = [c for c, _ in CHECKS] + (["containerd logs nothing new"] if len(logs) > 1 else [])
    print(f"\n{'check':34} | {'runc':6} | {'modrun':6}")
    bad = 0
    for c in checks:
        print(f"{c:34} | {res.get(('runc', c), '-'):6} | {res.get(('modrun', c), '-'):6}")
    print()
    for c in checks:
        for name in a.handlers:
            if (name, c) in detail:
                print(f"# {name} / {c}: {detail[name, c]}")
        if res.get(("runc", c)) == "pass" and res.get(("modrun", c), "pass") != "pass":
            bad += 1
            print(f"# REGRESSION: '{c}' passes with runc, not with modrun")
        if res.get(("runc", c)) == "FAIL":
            print(f"# note: '{c}' fails with runc on this host (not counted)")
    if bad:
        print(f"FAIL: {bad} check(s) pass with runc and not with modrun")
        return 1
    print("ok: every check that passes with runc passes with modrun")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
