#!/usr/bin/env bash
# Can the report's verdicts be trusted on a shared machine? Runs the default pi
# matrix (`hybench matrix --kernels pi`: every layout that fits, static and
# dynamic) RUNS times and counts how often a configuration of this
# compute-bound kernel is called superlinear beyond noise (the target is
# never: on real cores pi cannot beat linear), how often a 1x1 is said to
# disagree with the serial loop, how wide the speedup intervals are, and
# which noise warnings each report gave.
#   bench/intervals.sh [HYBENCH] [RUNS] [-- extra matrix options, e.g. --rounds 3]
# A benchmark, not a test: its figures depend on the machine and its load.
set -euo pipefail
hybench=${1:-build/hybench}
runs=${2:-5}
shift $(($# < 2 ? $# : 2))
[ "${1:-}" = -- ] && shift
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/csv.sh
. "$here/../scripts/csv.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

groups=0 superlinear=0 near=0 disagree=0 noint=0 busy=0
: >"$dir/widths"
for r in $(seq 1 "$runs"); do
    t0=$(date +%s.%N)
    "$hybench" matrix --kernels pi --out "$dir" --name "run$r" --quiet "$@" >"$dir/run$r.txt" 2>&1 ||
        { echo "run $r: the matrix failed:"; tail -n 5 "$dir/run$r.txt"; exit 1; }
    t1=$(date +%s.%N)
    eff="$dir/run$r/efficiency.csv"
    # One line per parallel group: reading, speedup, lo, hi.
    paste -d'|' <(csv_col "$eff" mode) <(csv_col "$eff" reading) <(csv_col "$eff" speedup) \
        <(csv_col "$eff" speedup_ci_lo) <(csv_col "$eff" speedup_ci_hi) <(csv_col "$eff" layout) \
        <(csv_col "$eff" schedule) | awk -F'|' '$1 == "parallel"' >"$dir/groups$r"
    n=$(wc -l <"$dir/groups$r")
    s=$(awk -F'|' '$2 == "superlinear beyond noise"' "$dir/groups$r" | wc -l)
    w=$(awk -F'|' '$2 == "within noise of ideal"' "$dir/groups$r" | wc -l)
    d=$(awk -F'|' '$2 == "disagrees with serial"' "$dir/groups$r" | wc -l)
    ni=$(awk -F'|' '$2 == "no interval"' "$dir/groups$r" | wc -l)
    # Above ideal or disagreeing beyond the repeats' noise, not claimed
    # because the CPU readings showed other load.
    bz=$(awk -F'|' '$2 ~ /, machine busy$/' "$dir/groups$r" | wc -l)
    # Relative full width of each speedup interval, (hi - lo) / speedup.
    awk -F'|' '$4 != "" && $3 > 0 { print ($5 - $4) / $3 }' "$dir/groups$r" | tee -a "$dir/widths" |
        sort -g >"$dir/w$r"
    med=$(awk '{ v[NR] = $1 } END { if (!NR) print "-"; else printf "%.1f%%", 100 * ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }' "$dir/w$r")
    warn=$(grep -oE '^warning: (load average|the workers got [0-9]+%|the hypervisor stole [0-9.]+%|CPU frequency governor)' "$dir/run$r.txt" |
        sed -E 's/^warning: //; s/the workers got/cpu/; s/the hypervisor stole/steal/; s/load average/load/' |
        paste -sd, -)
    printf 'run %d: %d parallel groups in %.0f s; superlinear beyond noise %d, within noise of ideal %d, 1x1 disagrees %d, not judged (machine busy) %d, no interval %d; median interval width %s; warnings: %s\n' \
        "$r" "$n" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$s" "$w" "$d" "$bz" "$ni" "$med" "${warn:-none}"
    awk -F'|' '$2 == "superlinear beyond noise" || $2 ~ /machine busy$/ { printf "  %s: %s %s speedup %s [%s, %s]\n", $2, $6, $7, $3, $4, $5 }' "$dir/groups$r"
    groups=$((groups + n)) superlinear=$((superlinear + s)) near=$((near + w))
    disagree=$((disagree + d)) noint=$((noint + ni)) busy=$((busy + bz))
done
sort -g "$dir/widths" -o "$dir/widths"
echo "over $runs runs of the default pi matrix ($groups parallel groups):"
echo "  called superlinear beyond noise: $superlinear (target 0)"
echo "  above ideal or disagreeing, not judged because the machine was busy: $busy"
echo "  within noise of ideal: $near; 1x1 disagrees with serial: $disagree; without an interval: $noint"
awk '{ v[NR] = $1 } END { if (NR) printf "  speedup interval width, relative to the speedup: median %.1f%%, 90th percentile %.1f%%, widest %.1f%%\n", 100 * ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), 100 * v[int(0.9 * (NR - 1)) + 1], 100 * v[NR] }' "$dir/widths"
