#!/bin/bash
# mc benchmark (not a test): ns per site update on one core, the lesson's
# 324-point scan on 2 workers against the ideal efficiency, and static vs
# dynamic on deliberately uneven points. Usage: bench/mc_bench.sh [HYBENCH]
# Quote medians; the machine may be shared.
set -eu
hybench=${1:-build/hybench}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

lesson=(--kernel mc --beta 0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0
        --m 0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0 --h 0.25,0.5,1.0,2.5
        --iterations 10000 --slices 64 --repeat 3 --warmup 1 --quiet)
updates=$((324 * 10000 * 64))
median_of() { grep -o 'wall median [0-9.e+-]*' "$1" | tail -1 | awk '{print $3}'; }

"$hybench" run "${lesson[@]}" --serial --out-dir "$work/serial" >"$work/serial.txt"
serial=$(median_of "$work/serial.txt")
# CPU time of one serial pass (set-up included): unlike the wall time it does
# not grow when other jobs share the cores.
TIMEFORMAT=%U
cpu=$({ time "$hybench" run "${lesson[@]}" --serial --repeat 1 --warmup 0 \
    --out-dir "$work/cpu" >/dev/null; } 2>&1)
"$hybench" run "${lesson[@]}" --threads 2 --schedule dynamic --out-dir "$work/par" \
    >"$work/par.txt"
par=$(median_of "$work/par.txt")
diff -r "$work/serial" "$work/par" >/dev/null || echo "WARNING: serial and 1x2 files differ"
${MPIEXEC:-mpiexec} -n 2 -bind-to none "$hybench" run "${lesson[@]}" --schedule dynamic \
    --out-dir "$work/ranks" >"$work/ranks.txt"
ranks=$(median_of "$work/ranks.txt")
diff -r "$work/serial" "$work/ranks" >/dev/null || echo "WARNING: serial and 2x1 files differ"
awk -v s="$serial" -v c="$cpu" -v p="$par" -v r="$ranks" -v u="$updates" 'BEGIN {
    printf "lesson scan, 324 points x 10000 sweeps x 64 slices = %d site updates\n", u
    printf "  serial: %.4f s median = %.2f ns per site update (one core, wall)\n", s, s / u * 1e9
    printf "  serial: %.2f s CPU time = %.2f ns per site update (one core, CPU)\n", c, c / u * 1e9
    printf "  1x2 dynamic: %.4f s median; efficiency %.1f%% (ideal 100%%: 324 tasks on 2 workers)\n", p, 100 * s / (2 * p)
    printf "  2x1 dynamic: %.4f s median; efficiency %.1f%%\n", r, 100 * s / (2 * r)
}'

# Uneven points: static blocks give one worker the four heavy points.
busy_ratio() { # CSV: busy_max / busy_mean of the last row
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
             { mx = $c["busy_max_s"]; mn = $c["busy_mean_s"] }
             END { printf "%.2f", mx / mn }' "$1"
}
for sched in static dynamic; do
    "$hybench" run --kernel mc --points "$src/tests/data/mc_uneven.csv" --threads 2 \
        --schedule "$sched" --repeat 3 --warmup 1 --quiet --out-dir "$work/u_$sched" \
        --csv "$work/u_$sched.csv" >"$work/u_$sched.txt"
    printf "uneven points, 1x2 %-7s: %.4f s median, busy max/mean %s\n" "$sched" \
        "$(median_of "$work/u_$sched.txt")" "$(busy_ratio "$work/u_$sched.csv")"
done
