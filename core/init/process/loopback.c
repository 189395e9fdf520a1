/* SPDX-License-Identifier: Apache-2.0 */
/* A new network namespace starts with its loopback down: bring it up, as
 * runc (its "loopback" network) and crun do, so that 127.0.0.1 works. */
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "process.h"

int net_loopback_up(struct modrun_error **reterr)
{
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return error_new(reterr, errno, NULL, "bring up lo in the new network namespace: socket(AF_INET)");
        struct ifreq ifr = {0};
        strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return error_new(reterr, errno, NULL, "bring up lo in the new network namespace: SIOCGIFFLAGS");
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                return error_new(reterr, errno, "setting interface flags needs CAP_NET_ADMIN in the namespace",
                                 "bring up lo in the new network namespace: SIOCSIFFLAGS");
        return 0;
}
