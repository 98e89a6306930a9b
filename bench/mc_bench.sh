#!/bin/bash
# mc benchmark (not a test): ns per site update on one core beside its
# limit (clock, cycles and instructions per update from bench/probe.c), the
# lesson's 324-point scan on 2 workers against the ideal efficiency, static
# vs dynamic on deliberately uneven points, and the lesson's scan in a
# configuration where most points mix (VERIFIED_SCAN=0 skips it: ~30 s).
# Usage: bench/mc_bench.sh [HYBENCH]. Quote medians; the machine may be shared.
#
# The limit: 8 blocks of two sites each take one Philox4x32-10 call on 8
# lanes (60 vector instructions, see bench/pi_bench.sh) and two 8-lane
# updates of 38 operations each (the proposal and the accept draw from the
# words, dS, exp(-dS) with its 10 fused multiply-adds, the test, the blend,
# the count), plus the sweep's sum of x^2: about 143 512-bit operations per
# 16 updates on the 2 ports that execute them, 4.5 cycles per update.
set -eu
hybench=${1:-build/hybench}
# shellcheck source=scripts/mpi.sh
. "$src/scripts/mpi.sh"
MPIEXEC=${MPIEXEC:-$(hb_mpi_launcher_of "$hybench")}
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

lesson=(--kernel mc --beta 0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0
        --m 0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0 --h 0.25,0.5,1.0,2.5
        --iterations 10000 --slices 64 --quiet)
timed=(--repeat 3 --warmup 1)
updates=$((324 * 10000 * 64))
median_of() { grep -o 'wall median [0-9.e+-]*' "$1" | tail -1 | awk '{print $3}'; }

"$hybench" run "${lesson[@]}" "${timed[@]}" --serial --out-dir "$work/serial" >"$work/serial.txt"
serial=$(median_of "$work/serial.txt")
# CPU time of one serial pass (set-up included): unlike the wall time it does
# not grow when other jobs share the cores.
TIMEFORMAT=%U
cpu=$({ time "$hybench" run "${lesson[@]}" --serial --repeat 1 --warmup 0 \
    --out-dir "$work/cpu" >/dev/null; } 2>&1)
"$hybench" run "${lesson[@]}" "${timed[@]}" --threads 2 --schedule dynamic --out-dir "$work/par" \
    >"$work/par.txt"
par=$(median_of "$work/par.txt")
diff -r "$work/serial" "$work/par" >/dev/null || echo "WARNING: serial and 1x2 files differ"
"$MPIEXEC" -n 2 -bind-to none "$hybench" run "${lesson[@]}" "${timed[@]}" --schedule dynamic \
    --out-dir "$work/ranks" >"$work/ranks.txt"
ranks=$(median_of "$work/ranks.txt")
diff -r "$work/serial" "$work/ranks" >/dev/null || echo "WARNING: serial and 2x1 files differ"
probe=${HB_PROBE:-$(dirname "$hybench")/bench/hb_probe}
ghz=0 instr=0
if [ -x "$probe" ]; then
    ghz=$("$probe" clock | awk '$1 == "clock_ghz" { print $2 }')
    instr=$("$probe" icount mc | awk '$1 == "instructions_per_update" { print $2 }')
fi
awk -v s="$serial" -v c="$cpu" -v p="$par" -v r="$ranks" -v u="$updates" -v g="$ghz" -v ni="$instr" 'BEGIN {
    printf "lesson scan, 324 points x 10000 sweeps x 64 slices = %d site updates\n", u
    printf "  serial: %.4f s median = %.2f ns per site update (one core, wall)\n", s, s / u * 1e9
    printf "  serial: %.2f s CPU time = %.2f ns per site update (one core, CPU)\n", c, c / u * 1e9
    if (g > 0) {
        cyc = c / u * g * 1e9
        printf "  clock %.2f GHz: %.2f cycles (CPU time) and %.2f instructions per site update\n", g, cyc, ni
        printf "  limit 4.5 cycles per update = %.2f ns; the kernel at %.0f%% of it (CPU time; wall: %.0f%%)\n", \
            4.5 / g, 100 * 4.5 / cyc, 100 * 4.5 / (s / u * g * 1e9)
    }
    printf "  1x2 dynamic: %.4f s median; efficiency %.1f%% (ideal 100%%: 324 tasks on 2 workers)\n", p, 100 * s / (2 * p)
    printf "  2x1 dynamic: %.4f s median; efficiency %.1f%%\n", r, 100 * s / (2 * r)
}'

# The cost per update by lattice size (one well-mixed point, 4e7 updates, 5
# repeats; CPU time of the whole run, set-up included).
printf "  ns per site update (CPU) by slices:"
for sl in 8 16 32 64 128 1024; do
    it=$((40000000 / sl))
    c=$({ time "$hybench" run --kernel mc --beta 10 --m 1 --h 1 --slices "$sl" --iterations "$it" \
        --serial --repeat 5 --warmup 0 --quiet --out-dir "$work/s$sl" >/dev/null; } 2>&1)
    awk -v c="$c" -v s="$sl" 'BEGIN { printf "  %d: %.2f", s, c / (5 * 4e7) * 1e9 }'
done
echo

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

# The lesson's scan where most points mix: 4 slices instead of 64 (a = beta/4,
# so the centroid moves ~16x faster per sweep) and 10^6 sweeps, 10^5 of them
# thermalisation (the default tenth); docs/mc.md has the table.
if [ "${VERIFIED_SCAN:-1}" != 0 ]; then
    "$hybench" run "${lesson[@]:0:8}" --slices 4 --iterations 1000000 --threads 2 \
        --schedule dynamic --repeat 1 --warmup 0 --out-dir "$work/verified" >"$work/verified.txt" || true
    printf "lesson scan, --slices 4 --iterations 1000000, 1x2 dynamic: %.1f s wall; %s of 324 points well mixed; %s\n" \
        "$(median_of "$work/verified.txt")" "$(grep -l 'mixing = well mixed' "$work"/verified/*.dat | wc -l)" \
        "$(grep -o 'result points=[^;,]*[^;]*' "$work/verified.txt" | head -1)"
fi
