#!/usr/bin/env bash
# Where the flat and the two-level dynamic hand-out saturate as workers grow
# (a benchmark, not a test): three serial recordings of many short tasks (pi,
# STREAMS streams of SAMPLES samples: a few microseconds each), replayed by
# `hybench predict` from 1 to 10^5 workers on nodes of 1x64, under dynamic
# (two levels across nodes) and dynamic-flat (one global counter), at
# several chunks, with the hand-out costs of COSTS (default: built in).
#
# Three, so that a task the machine stopped in one recording (it happens on a
# shared machine: one such task can set the makespan of 10^4 workers) is not
# the median prediction.
# Usage: bench/predict_scale.sh [HYBENCH [COSTS.csv]]
# Prints predict's table: each schedule's best chunk per worker count, the
# best per scale and why, and the first worker count at which a counter is
# 90% busy, per schedule and chunk.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
H=$(realpath "${1:-$src/build/hybench}")
costs=()
[ -n "${2:-}" ] && costs=(--costs "$(realpath "$2")")
STREAMS=${STREAMS:-100000}
SAMPLES=${SAMPLES:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for _ in 1 2 3; do
    "$H" run --kernel pi --streams "$STREAMS" --samples "$SAMPLES" --serial --repeat 3 --warmup 1 \
        --quiet --csv "$work/runs.csv" --task-times "$work/tasks.csv" >/dev/null || exit 1
done
"$H" predict "$work/tasks.csv" --runs "$work/runs.csv" --workers 1,8,64,512,4096,32768,100000 \
    --layouts 1x64 --schedules static,dynamic,dynamic-flat --chunk 1,4,16,64 --resamples 50 \
    "${costs[@]}" --out "$work"
