/* SPDX-License-Identifier: Apache-2.0 */
/* Sealed, executable memfd copies of files: what the runtime executes and
 * maps instead of its on-disk binary and plugins (CVE-2019-5736). */
#pragma once

#include <fcntl.h>

#include "error.h"
#include "seals.h"

/* A memfd named NAME holding the readable file SRC (of an ELF file, only
 * what is loaded: elf-extent.h), sealed with
 * SEALED_COPY_SEALS (and F_SEAL_EXEC where the kernel has it), O_CLOEXEC.
 * Returns the fd, or -errno with *reterr naming WHAT. */
int sealed_copy(int src, const char *name, const char *what, struct modrun_error **reterr);
