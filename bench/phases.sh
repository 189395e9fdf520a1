#!/bin/bash
# bench/phases.sh: only the per-phase trace of `run /bin/true` (phases.py),
# with run.sh's build, bundle and host set-up; writes bench/results/phases.md.
#   BENCH_PHASES_N=20     iterations
exec env BENCH_ONLY=phases "$(dirname "$0")/run.sh" "$@"
