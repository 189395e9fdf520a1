/* SPDX-License-Identifier: Apache-2.0 */
/* The seals of an executable memfd copy, shared by the runtime
 * (sealed-copy.c) and the launcher (core/launcher/, no C library): the
 * includer brings F_SEAL_* (<fcntl.h> or <linux/fcntl.h>). */
#pragma once

/* MFD_EXEC and F_SEAL_EXEC: Linux 6.3 (vm.memfd_noexec); older kernels
 * refuse the flag and make memfds executable. */
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

/* The seals a copy carries: no write, no resize, no more seals. */
#define SEALED_COPY_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
