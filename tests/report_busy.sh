#!/bin/bash
# A small matrix while CPU hogs occupy the cores it runs on: the report must
# warn that the machine was busy, and its CPU figures must show the share
# the workers lost. The hogs are pinned to the matrix's own CPUs (taskset),
# started before it and stopped by this script on every exit; the test waits
# for each hog to have run, not for a guessed time. With one hog per CPU at
# the same priority, each worker gets about half of its CPU, far below the
# report's 90% threshold. Two rounds, so the rows carry rounds as a matrix's do.
. "$(dirname "$0")/lib.sh"
command -v taskset >/dev/null || { echo "skip: taskset (util-linux) is not installed"; exit 77; }

# The first two CPUs this process may run on ("0-3,8" -> 0 1).
mapfile -t cpus < <(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' |
    awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }' | head -n 2)
[ "${#cpus[@]}" -ge 1 ] || fail "no CPU found in $(taskset -pc $$)"
layouts=1x1
[ "${#cpus[@]}" -ge 2 ] && layouts=1x1,1x2,2x1
set_cpus=$(IFS=,; echo "${cpus[*]}")

hogs=()
stop_hogs() {
    local p
    for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${hogs[@]}"; do wait "$p" 2>/dev/null; done
    hogs=()
}
trap stop_hogs EXIT
trap 'stop_hogs; exit 1' INT TERM
for c in "${cpus[@]}"; do
    taskset -c "$c" bash -c 'while :; do :; done' &
    hogs+=($!)
done
# Wait until every hog has been given CPU time (utime, field 14 of stat).
for p in "${hogs[@]}"; do
    until [ "$(awk '{ print $14 }' "/proc/$p/stat" 2>/dev/null || echo gone)" != 0 ]; do
        sleep 0.05
    done
    [ -d "/proc/$p" ] || fail "hog $p did not start"
done

expect_status 0 taskset -c "$set_cpus" "$HYBENCH" matrix \
    --kernel 'pi --streams 8 --samples 4000000' --layouts "$layouts" --schedules static \
    --repeat 3 --warmup 1 --rounds 2 --out res --name busy --quiet
stop_hogs
cat out.txt >&2
grep -qE '^warning: the workers got [0-9]+% of their busy time as CPU' out.txt ||
    fail "the report did not warn that the workers were short of CPU"
# The groups' CPU shares show it. Not every one need: how the scheduler
# splits a CPU between a hog and a worker is its own affair, and beside more
# load (scripts/test-loaded) one group of four got 92% once. The median
# group is well below 90%.
shares=$(csv_col res/busy/efficiency.csv cpu_share)
[ -n "$shares" ] || fail "efficiency.csv has no cpu_share"
echo "cpu_share of each group: $(echo $shares)"
echo "$shares" | sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; exit !(NR > 0 && m < 0.9) }' ||
    fail "the median group got 90% or more of its busy time as CPU beside the hogs: $(echo $shares)"
# And so do the rows: CPU time against the workers' busy time.
paste -d' ' <(csv_col res/busy/runs.csv cpu_s) <(csv_col res/busy/runs.csv busy_mean_s) \
    <(csv_col res/busy/runs.csv workers) |
    awk '{ c += $1; b += $2 * $3 } END { exit !(b > 0 && c / b < 0.9) }' ||
    fail "runs.csv: the workers' CPU time is not below 90% of their busy time"
finish
