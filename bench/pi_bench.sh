#!/usr/bin/env bash
# π streams benchmark: samples per second per core, and the parallel
# efficiency of 1x2 (threads) and 2x1 (ranks) against the serial baseline.
#   bench/pi_bench.sh [HYBENCH] [STREAMS] [SAMPLES] [REPEAT]
# Prints medians over the repeats. A benchmark, not a test: run it on a quiet
# machine and compare figures from one run.
set -euo pipefail
hybench=${1:-build/hybench}
streams=${2:-64}
samples=${3:-4000000}
repeat=${4:-7}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
common=(--kernel pi --streams "$streams" --samples "$samples" --repeat "$repeat" --warmup 1 --quiet)

"$hybench" run "${common[@]}" --serial --csv "$dir/serial.csv" >/dev/null
for sched in static dynamic; do
    "$hybench" run "${common[@]}" --threads 2 --schedule "$sched" --csv "$dir/1x2-$sched.csv" >/dev/null
    mpiexec -n 2 -bind-to none "$hybench" run "${common[@]}" --schedule "$sched" \
        --csv "$dir/2x1-$sched.csv" >/dev/null
done

# median of the wall_s column of a runs.csv
median_wall() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") c = i; next }
             { print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
             print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ideal() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ideal_efficiency") c = i; next }
                   { print $c; exit }' "$1"; }

total=$(awk -v s="$streams" -v m="$samples" 'BEGIN { printf "%.0f", s * m }')
ts=$(median_wall "$dir/serial.csv")
printf 'pi: %s streams x %s samples = %s samples, %s repeats (medians)\n' \
    "$streams" "$samples" "$total" "$repeat"
awk -v n="$total" -v t="$ts" 'BEGIN { printf "serial      %9.4f s  %.3g samples/s per core\n", t, n / t }'
for layout in 1x2 2x1; do
    for sched in static dynamic; do
        f="$dir/$layout-$sched.csv"
        t=$(median_wall "$f")
        id=$(ideal "$f")
        awk -v n="$total" -v t="$t" -v ts="$ts" -v id="$id" -v l="$layout" -v s="$sched" 'BEGIN {
            e = ts / (2 * t)
            printf "%s %-7s %9.4f s  %.3g samples/s per core  efficiency %.3f  ideal %.3f  " \
                   "of ideal %.3f\n", l, s, t, n / t / 2, e, id, e / id }'
    done
done
