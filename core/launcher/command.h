/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdbool.h>

/* Does the command start a process in a container: create, run, exec?
 * The runtime runs these only from a sealed copy of itself
 * (core/util/self-exe.c); the one list, for the runtime and the launcher. */
bool command_starts_container_process(const char *command);

/* Does this command line start a process in a container? Its command is
 * the first argument that is neither an option nor the value of a global
 * option that takes one. No C library (the launcher has none); a wrong
 * answer costs time, never protection: the runtime checks the seals of its
 * own image and copies itself when they are missing. */
bool launcher_seals(int argc, char *const *argv);
