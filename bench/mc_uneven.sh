#!/bin/bash
# mc benchmark (not a test): points of uneven cost under static and dynamic
# schedules at 1x2 and 2x1. tests/data/mc_uneven.csv has four points of
# 200000 sweeps first and twelve of 10000: static blocks hand worker 0 tasks
# 0-7 (all four heavy points, 840000 sweeps) and worker 1 tasks 8-15 (80000),
# so one worker is busy ~1.8x the mean (imbalance column) and the wall time is
# its time; dynamic hands points out as workers free up (two heavy each, then
# the light ones), imbalance ~1, wall ~ half the serial time.
# Usage: bench/mc_uneven.sh [HYBENCH [POINTS.csv]]. Quote medians; the machine
# may be shared.
set -eu
hybench=${1:-build/hybench}
# shellcheck source=scripts/mpi.sh
. "$src/scripts/mpi.sh"
MPIEXEC=${MPIEXEC:-$(hb_mpi_launcher_of "$hybench")}
src=$(cd "$(dirname "$0")/.." && pwd)
points=${2:-$src/tests/data/mc_uneven.csv}
mpiexec=$MPIEXEC
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { # NAME CSV: every row's value of column NAME (no quoted commas in these rows)
    awk -F, -v n="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next } { print $c }' "$2"
}
"$hybench" run --kernel mc --points "$points" --serial --repeat 3 --warmup 1 --quiet \
    --out-dir "$work/serial" --csv "$work/serial.csv" >/dev/null || true
printf "%-6s %-8s %10s %10s %10s  %s\n" layout schedule wall_s imbalance speedup worker_tasks
serial=$(column wall_s "$work/serial.csv" | median)
printf "%-6s %-8s %10.4f %10s %10s\n" 1x1 serial "$serial" 1.00 1.00
for layout in 1x2 2x1; do
    ranks=${layout%x*} threads=${layout#*x}
    for sched in static dynamic; do
        csv="$work/$layout-$sched.csv"
        # A failed verdict is reported by the tests; here only the timings count.
        "$mpiexec" -n "$ranks" "$hybench" run --kernel mc --points "$points" --threads "$threads" \
            --schedule "$sched" --repeat 3 --warmup 1 --quiet --out-dir "$work/$layout-$sched" \
            --csv "$csv" >/dev/null || true
        wall=$(column wall_s "$csv" | median)
        printf "%-6s %-8s %10.4f %10.3f %10.2f  %s\n" "$layout" "$sched" "$wall" \
            "$(column imbalance "$csv" | median)" "$(awk -v s="$serial" -v w="$wall" 'BEGIN { print s / w }')" \
            "$(column worker_tasks "$csv" | tail -1)"
        diff -r "$work/serial" "$work/$layout-$sched" >/dev/null ||
            echo "WARNING: $layout $sched files differ from the serial ones"
    done
done
