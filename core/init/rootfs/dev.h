/* SPDX-License-Identifier: Apache-2.0 */
/* /dev of the container: default devices, linux.devices (mknod, or a bind
 * of the host's node inside a user namespace), the /dev/fd links and
 * /dev/ptmx. /dev/pts and /dev/shm are config mounts. */
#pragma once

#include "mount-util.h"

int dev_setup(const struct mount_ctx *ctx, struct modrun_error **reterr);
