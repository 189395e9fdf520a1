/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.netDevices (runtime-spec 1.3.0): move host interfaces into the
 * container's new network namespace, renamed when "name" says so, and back
 * under their own names on delete. One rtnetlink request does each move
 * and rename (RTM_NEWLINK with IFLA_NET_NS_FD and IFLA_IFNAME), so a name
 * clash fails before the device leaves.
 *
 * The container's network namespace is bind-mounted on <state>/netns while
 * devices are in it: when the init exits first, the namespace (and a
 * virtual device in it) would go with it, and delete could not move
 * anything back.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netdev.h"
#include "util/log.h"

#define NETNS_FILE "netns"

struct link_req {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
        char attrs[64];
};

static void add_attr(struct link_req *req, unsigned short type, const void *data, size_t len)
{
        struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));
        rta->rta_type = type;
        rta->rta_len = (unsigned short)RTA_LENGTH(len);
        memcpy(RTA_DATA(rta), data, len);
        req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* A netlink route socket in the calling thread's network namespace. */
static int rtnl_open(void)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        struct timeval tv = {.tv_sec = 5};
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        return fd;
}

/* Move interface index ifindex (in nl's namespace) to netns_fd as name;
 * 0 or the kernel's -errno. */
static int rtnl_move(int nl, int ifindex, int netns_fd, const char *name)
{
        struct link_req req = {
                .nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK,
                       .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK, .nlmsg_seq = 1},
                .ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex},
        };
        uint32_t fd = (uint32_t)netns_fd;
        add_attr(&req, IFLA_NET_NS_FD, &fd, sizeof(fd));
        add_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
        struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
        if (sendto(nl, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;
        char buf[1024];
        ssize_t n = recv(nl, buf, sizeof(buf), 0);
        if (n < 0)
                return -errno;
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_ERROR)
                return -EPROTO;
        return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
}

/* if_nametoindex() in nl's namespace is what we need; the caller's thread
 * is in that namespace whenever this runs. */
static int move_one(int nl, const char *from, int netns_fd, const char *to, const char *where,
                    struct modrun_error **reterr)
{
        unsigned idx = if_nametoindex(from);
        if (!idx)
                return error_new(reterr, errno == ENODEV ? ENODEV : errno,
                                 "create the interface first, or remove it from linux.netDevices",
                                 "linux.netDevices: no network interface %s %s", from, where);
        int r = rtnl_move(nl, (int)idx, netns_fd, to);
        if (r == -EEXIST)
                return error_new(reterr, EEXIST, "choose another \"name\" in linux.netDevices",
                                 "linux.netDevices: move %s %s as %s: an interface of that name is there already",
                                 from, where, to);
        if (r < 0)
                return error_new(reterr, -r, NULL, "linux.netDevices: move %s %s as %s (rtnetlink RTM_NEWLINK)",
                                 from, where, to);
        return 0;
}

int netdev_check(const struct oci_config *cfg, struct modrun_error **reterr)
{
        if (!cfg->linux_.n_net_devices)
                return 0;
        const struct oci_namespace *ns = config_namespace(cfg, OCI_NS_NETWORK);
        if (!ns || ns->path)
                return error_new(reterr, EINVAL, "add {\"type\": \"network\"} (without a path) to linux.namespaces",
                                 "linux.netDevices: the container needs a new network namespace of its own to move "
                                 "interfaces into (it %s)",
                                 ns ? "joins an existing one" : "has none");
        return 0;
}

/* Run fn(nl, ...) with a netlink socket in the namespace netns_fd (the
 * thread enters it and returns to ours, host_fd, after). */
static int in_netns(int netns_fd, int host_fd, const char *from, const char *to, struct modrun_error **reterr)
{
        if (setns(netns_fd, CLONE_NEWNET) < 0)
                return error_new(reterr, errno, NULL, "linux.netDevices: enter the container's network namespace");
        int nl = rtnl_open();
        int r = nl < 0 ? error_new(reterr, -nl, NULL, "linux.netDevices: netlink socket in the container")
                       : move_one(nl, from, host_fd, to, "in the container's network namespace", reterr);
        if (nl >= 0)
                (void)close(nl);
        if (setns(host_fd, CLONE_NEWNET) < 0) /* never expected: we came from it */
                return error_new(reterr, errno, NULL, "linux.netDevices: return to our network namespace");
        return r;
}

/* Is there an interface name in the namespace netns_fd? */
static bool name_in_netns(int netns_fd, int host_fd, const char *name)
{
        if (setns(netns_fd, CLONE_NEWNET) < 0)
                return false;
        bool there = if_nametoindex(name) != 0;
        (void)setns(host_fd, CLONE_NEWNET);
        return there;
}

/* Back from the container's namespace (netns_fd), the first n devices;
 * each failure is logged, the first is returned. */
static int move_out(const struct oci_config *cfg, size_t n, int netns_fd, struct modrun_error **reterr)
{
        _cleanup_close_ int host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (host_fd < 0)
                return error_new(reterr, errno, NULL, "linux.netDevices: open our network namespace");
        int r = 0;
        for (size_t i = 0; i < n; i++) {
                const struct oci_net_device *d = &cfg->linux_.net_devices[i];
                _cleanup_error_ struct modrun_error *err = NULL;
                int k = in_netns(netns_fd, host_fd, d->name, d->host_name, &err);
                if (k < 0) {
                        log_warning("%s, leaving it in the container's namespace", err->msg);
                        if (r >= 0)
                                r = error_new(reterr, -k, NULL, "%s", err->msg);
                }
        }
        return r;
}

/* The permanent addresses of an interface (config-linux.md: kept across
 * the move, which makes the kernel drop them). */
struct saved_addr {
        struct ifaddrmsg ifa;
        unsigned char local[16], address[16], bcast[4];
        unsigned short alen;
        bool has_local, has_address, has_bcast;
};

static int addrs_save(int nl, unsigned idx, struct saved_addr **ret, size_t *ret_n)
{
        struct {
                struct nlmsghdr nh;
                struct ifaddrmsg ifa;
        } req = {.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)), .nlmsg_type = RTM_GETADDR,
                        .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 2}};
        if (send(nl, &req, req.nh.nlmsg_len, 0) < 0)
                return -errno;
        _cleanup_free_ struct saved_addr *list = NULL;
        size_t n = 0;
        static char buf[32768];
        for (;;) {
                ssize_t len = recv(nl, buf, sizeof(buf), 0);
                if (len < 0)
                        return -errno;
                for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
                        if (h->nlmsg_type == NLMSG_DONE) {
                                *ret = TAKE_PTR(list);
                                *ret_n = n;
                                return 0;
                        }
                        if (h->nlmsg_type == NLMSG_ERROR)
                                return ((struct nlmsgerr *)NLMSG_DATA(h))->error ?: -EPROTO;
                        struct ifaddrmsg *ifa = NLMSG_DATA(h);
                        if (h->nlmsg_type != RTM_NEWADDR || ifa->ifa_index != idx)
                                continue;
                        struct saved_addr a = {.ifa = *ifa};
                        uint32_t flags = ifa->ifa_flags;
                        int alen = (int)IFA_PAYLOAD(h);
                        for (struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
                                size_t l = RTA_PAYLOAD(rta);
                                if (rta->rta_type == IFA_FLAGS && l == 4)
                                        memcpy(&flags, RTA_DATA(rta), 4);
                                else if (rta->rta_type == IFA_LOCAL && l <= 16)
                                        memcpy(a.local, RTA_DATA(rta), l), a.has_local = true, a.alen = (unsigned short)l;
                                else if (rta->rta_type == IFA_ADDRESS && l <= 16)
                                        memcpy(a.address, RTA_DATA(rta), l), a.has_address = true, a.alen = (unsigned short)l;
                                else if (rta->rta_type == IFA_BROADCAST && l == 4)
                                        memcpy(a.bcast, RTA_DATA(rta), 4), a.has_bcast = true;
                        }
                        if (!(flags & IFA_F_PERMANENT))
                                continue;
                        struct saved_addr *nl2 = realloc(list, (n + 1) * sizeof(*list));
                        if (!nl2)
                                return -ENOMEM;
                        list = nl2;
                        list[n++] = a;
                }
        }
}

/* In the namespace the caller is in: put the addresses on name. */
static int addrs_restore(const char *name, const struct saved_addr *list, size_t n, struct modrun_error **reterr)
{
        unsigned idx = if_nametoindex(name);
        _cleanup_close_ int nl = rtnl_open();
        if (!idx || nl < 0)
                return error_new(reterr, idx ? -nl : errno, NULL, "linux.netDevices: find %s in the container", name);
        for (size_t i = 0; i < n; i++) {
                struct link_req req = {
                        .nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)), .nlmsg_type = RTM_NEWADDR,
                               .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, .nlmsg_seq = 3},
                };
                struct ifaddrmsg *ifa = (struct ifaddrmsg *)&req.ifi;
                *ifa = list[i].ifa;
                ifa->ifa_index = idx;
                if (list[i].has_local)
                        add_attr(&req, IFA_LOCAL, list[i].local, list[i].alen);
                if (list[i].has_address)
                        add_attr(&req, IFA_ADDRESS, list[i].address, list[i].alen);
                if (list[i].has_bcast)
                        add_attr(&req, IFA_BROADCAST, list[i].bcast, 4);
                char buf[1024];
                ssize_t len;
                if (send(nl, &req, req.nh.nlmsg_len, 0) < 0 || (len = recv(nl, buf, sizeof(buf), 0)) < 0)
                        return error_new(reterr, errno, NULL, "linux.netDevices: address of %s (rtnetlink)", name);
                struct nlmsghdr *h = (struct nlmsghdr *)buf;
                int e = NLMSG_OK(h, (size_t)len) && h->nlmsg_type == NLMSG_ERROR
                                ? ((struct nlmsgerr *)NLMSG_DATA(h))->error : -EPROTO;
                if (e < 0 && e != -EEXIST)
                        return error_new(reterr, -e, NULL,
                                         "linux.netDevices: put address %zu of %s back on it in the container", i, name);
        }
        return 0;
}

/* Into netns_fd: refuse a name the container has already (the kernel
 * would move the device, then fail to rename it); a device the kernel
 * moved anyway is moved back. */
static int move_in_one(int nl, const struct oci_net_device *d, int netns_fd, bool *ret_moved,
                       struct modrun_error **reterr)
{
        _cleanup_close_ int host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (host_fd < 0)
                return error_new(reterr, errno, NULL, "linux.netDevices: open our network namespace");
        if (if_nametoindex(d->host_name) && name_in_netns(netns_fd, host_fd, d->name))
                return error_new(reterr, EEXIST, "choose another \"name\" in linux.netDevices",
                                 "linux.netDevices: move %s on the host as %s: an interface of that name is in the "
                                 "container already",
                                 d->host_name, d->name);
        _cleanup_free_ struct saved_addr *addrs = NULL;
        size_t n_addrs = 0;
        unsigned idx = if_nametoindex(d->host_name);
        int r = idx ? addrs_save(nl, idx, &addrs, &n_addrs) : 0;
        if (r < 0)
                return error_new(reterr, -r, NULL, "linux.netDevices: read the addresses of %s", d->host_name);
        r = move_one(nl, d->host_name, netns_fd, d->name, "on the host", reterr);
        if (r >= 0 && n_addrs) {
                *ret_moved = true;
                if (setns(netns_fd, CLONE_NEWNET) < 0)
                        return error_new(reterr, errno, NULL, "linux.netDevices: enter the container's network namespace");
                r = addrs_restore(d->name, addrs, n_addrs, reterr);
                if (setns(host_fd, CLONE_NEWNET) < 0 && r >= 0)
                        r = error_new(reterr, errno, NULL, "linux.netDevices: return to our network namespace");
                return r;
        }
        if (r < 0 && !if_nametoindex(d->host_name) && name_in_netns(netns_fd, host_fd, d->host_name)) {
                _cleanup_error_ struct modrun_error *err = NULL;
                if (in_netns(netns_fd, host_fd, d->host_name, d->host_name, &err) < 0)
                        log_warning("%s", err->msg);
        }
        return r;
}

static int netns_pin(pid_t pid, int state_dir_fd, struct modrun_error **reterr)
{
        _cleanup_close_ int fd = openat(state_dir_fd, NETNS_FILE, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_new(reterr, errno, NULL, "linux.netDevices: create %s in the state directory", NETNS_FILE);
        char src[64], dst[64];
        (void)snprintf(src, sizeof(src), "/proc/%d/ns/net", (int)pid);
        (void)snprintf(dst, sizeof(dst), "/proc/self/fd/%d", fd);
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
                int e = errno;
                (void)unlinkat(state_dir_fd, NETNS_FILE, 0);
                return error_new(reterr, e, NULL, "linux.netDevices: bind-mount %s on the state directory's %s", src,
                                 NETNS_FILE);
        }
        return 0;
}

static void netns_unpin(int state_dir_fd)
{
        _cleanup_close_ int fd = openat(state_dir_fd, NETNS_FILE, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return;
        char path[64];
        (void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
                log_warning("linux.netDevices: unmount the pinned network namespace: %m, ignoring");
        (void)unlinkat(state_dir_fd, NETNS_FILE, 0);
}

int netdev_move_in(const struct oci_config *cfg, pid_t pid, int state_dir_fd, struct modrun_error **reterr)
{
        size_t n = cfg->linux_.n_net_devices;
        if (!n)
                return 0;
        int r = netdev_check(cfg, reterr);
        if (r < 0)
                return r;
        char path[64];
        (void)snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
        _cleanup_close_ int netns_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (netns_fd < 0)
                return error_new(reterr, errno, NULL, "linux.netDevices: open %s", path);
        if ((r = netns_pin(pid, state_dir_fd, reterr)) < 0)
                return r;
        _cleanup_close_ int nl = rtnl_open();
        if (nl < 0) {
                netns_unpin(state_dir_fd);
                return error_new(reterr, -nl, NULL, "linux.netDevices: open a netlink route socket");
        }
        size_t moved = 0;
        bool last_moved = false; /* moved, then its addresses failed */
        for (; moved < n && r >= 0; moved++) {
                const struct oci_net_device *d = &cfg->linux_.net_devices[moved];
                last_moved = false;
                r = move_in_one(nl, d, netns_fd, &last_moved, reterr);
                if (r >= 0)
                        log_debug("linux.netDevices: moved %s into the container as %s", d->host_name, d->name);
        }
        if (r < 0) { /* put back what moved: nothing is left behind */
                _cleanup_error_ struct modrun_error *err = NULL;
                size_t back = moved - 1 + (last_moved ? 1 : 0);
                if (back > 0 && move_out(cfg, back, netns_fd, &err) < 0)
                        log_warning("%s", err->msg);
                netns_unpin(state_dir_fd);
        }
        return r;
}

int netdev_move_out(const struct oci_config *cfg, int state_dir_fd, struct modrun_error **reterr)
{
        if (!cfg || !cfg->linux_.n_net_devices)
                return 0;
        _cleanup_close_ int netns_fd = openat(state_dir_fd, NETNS_FILE, O_RDONLY | O_CLOEXEC);
        if (netns_fd < 0)
                return errno == ENOENT ? 0 : error_new(reterr, errno, NULL, "linux.netDevices: open the pinned %s",
                                                       NETNS_FILE);
        int r = move_out(cfg, cfg->linux_.n_net_devices, netns_fd, reterr);
        netns_unpin(state_dir_fd);
        return r;
}
