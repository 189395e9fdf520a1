#!/bin/bash
# The launcher (core/launcher/) is a static PIE without a C library: no
# code of its own applies relocations, so it must have none (a table of
# pointers would need them and crash it at start-up).
launcher=${1:?the launcher binary}
readelf -h "$launcher" | grep -qE 'Type:[[:space:]]+(DYN|EXEC)' || { echo "$launcher: not an executable"; exit 1; }
readelf -l "$launcher" | grep -q INTERP && { echo "$launcher has a program interpreter: not static"; exit 1; }
relocs=$(readelf -r "$launcher")
if ! grep -q 'There are no relocations in this file' <<<"$relocs"; then
    echo "$launcher has relocations (a pointer in initialised data?):"
    echo "$relocs"
    exit 1
fi
echo "$launcher: static, no relocations"
