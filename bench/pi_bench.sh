#!/usr/bin/env bash
# π streams benchmark: samples per second per core, and the parallel
# efficiency of 1x2 (threads) and 2x1 (ranks) against the serial baseline;
# then the rate beside its limit: the plain Random123 loop of the same run,
# the clock, instructions and cycles per sample (bench/probe.c).
#   bench/pi_bench.sh [HYBENCH] [STREAMS] [SAMPLES] [REPEAT]
# Prints medians over the repeats, with the range of the repeats for the
# ratios. A benchmark, not a test: compare figures from one run.
#
# The limit: a Philox4x32-10 call on 8 counters (16 samples) is 10 rounds of
# 6 vector instructions (2 vpmuludq, 2 vpsrlq, 2 vpternlogq: the two 32x32
# products, their high halves moved down, the xors with the key), and the
# hit test 10 more (4 squares, 2 adds, 2 compares, 2 masked counts): 70
# 512-bit operations per 16 samples on the 2 ports that execute them, 2.19
# cycles per sample.
set -euo pipefail
hybench=${1:-build/hybench}
# shellcheck source=scripts/mpi.sh
. "$(dirname "$0")/../scripts/mpi.sh"
MPIEXEC=${MPIEXEC:-$(hb_mpi_launcher_of "$hybench")}
streams=${2:-64}
samples=${3:-4000000}
repeat=${4:-7}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
common=(--kernel pi --streams "$streams" --samples "$samples" --repeat "$repeat" --warmup 1 --quiet)

"$hybench" run "${common[@]}" --serial --csv "$dir/serial.csv" >/dev/null
for sched in static dynamic; do
    "$hybench" run "${common[@]}" --threads 2 --schedule "$sched" --csv "$dir/1x2-$sched.csv" >/dev/null
    "$MPIEXEC" -n 2 -bind-to none "$hybench" run "${common[@]}" --schedule "$sched" \
        --csv "$dir/2x1-$sched.csv" >/dev/null
done

# median of the wall_s column of a runs.csv
median_wall() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") c = i; next }
             { print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
             print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# min and max of the wall_s column
range_wall() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "wall_s") c = i; next }
             { print $c }' "$1" | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo, hi }'
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

# Against the limit and the plain loop.
probe=${HB_PROBE:-$(dirname "$hybench")/bench/hb_probe}
if [ ! -x "$probe" ]; then
    echo "no $probe: build the hb_probe target for the limit, the reference and the counts"
    exit 0
fi
value() { awk -v k="$1" '$1 == k { print $2 }'; }
ghz=$("$probe" clock | value clock_ghz)
ref=$("$probe" pi-ref "$samples" "$repeat")
ik=$("$probe" icount pi | value instructions_per_sample)
ir=$("$probe" icount pi-ref | value instructions_per_sample)
read -r tmin tmax < <(range_wall "$dir/serial.csv")
# CPU time of the serial repeats (set-up is tiny for π): unlike the wall time
# it does not grow when other jobs share the core.
TIMEFORMAT=%U
cpu=$({ time "$hybench" run --kernel pi --streams "$streams" --samples "$samples" --repeat "$repeat" \
    --warmup 0 --quiet --serial >/dev/null; } 2>&1)
awk -v n="$total" -v t="$ts" -v tmin="$tmin" -v tmax="$tmax" -v g="$ghz" -v ik="$ik" -v ir="$ir" \
    -v cpu="$cpu" -v rep="$repeat" -v rc="$(echo "$ref" | value samples_per_cpu_s)" \
    -v r="$(echo "$ref" | value samples_per_s)" -v rmin="$(echo "$ref" | value samples_per_s_min)" \
    -v rmax="$(echo "$ref" | value samples_per_s_max)" 'BEGIN {
    rate = n / t; lim = g * 1e9 / 2.19; crate = n * rep / cpu
    printf "clock %.2f GHz (dependent rotates over thread CPU time)\n", g
    printf "kernel          %.3g samples/s wall, %.3g per CPU second: %.2f cycles/sample (CPU); %.2f instructions/sample\n", \
        rate, crate, g * 1e9 / crate, ik
    printf "plain Random123 %.3g samples/s wall, %.3g per CPU second: %.2f cycles/sample (CPU); %.2f instructions/sample\n", \
        r, rc, g * 1e9 / rc, ir
    printf "kernel / plain loop %.2f wall (repeats %.2f-%.2f), %.2f CPU\n", rate / r, n / tmax / rmax, \
        n / tmin / rmin, crate / rc
    printf "limit 2.19 cycles/sample = %.3g samples/s; the kernel at %.0f%% of it (wall; repeats %.0f-%.0f%%), %.0f%% (CPU)\n", \
        lim, 100 * rate / lim, 100 * n / tmax / lim, 100 * n / tmin / lim, 100 * crate / lim }'
