# `hybench predict` on hand-made task times whose answers are known: 7 equal
# tasks on 10 workers are 0.70 efficient with 3 workers idle, 324 on 10 are
# 324/330; one recording and no runs give no interval; the output repeats
# byte for byte with the same seed; a params text that tries to run commands
# in gnuplot runs nothing.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

hdr='schema,kernel,params,mode,nodes,ranks,threads,bind,distribute,schedule,chunk,round,launch,task,worker,rank,thread,start_s,duration_s'
# tasks FILE PARAMS N DURATION [MODE SCHEDULE RANKS THREADS]: append one recording of N equal tasks
tasks() {
    local f=$1 params=$2 n=$3 d=$4 mode=${5:-serial} sched=${6:-serial} ranks=${7:-1} threads=${8:-1} i
    [ -s "$f" ] || echo "$hdr" >"$f"
    for ((i = 0; i < n; i++)); do
        echo "hybench-tasks-1,pi,$params,$mode,1,$ranks,$threads,core,compact,$sched,1,,,$i,0,0,0,0,$d"
    done >>"$f"
}
# field FILE SCHEDULE WORKERS COLUMN: the column of the grid row (no measured_s) of that schedule and W
field() {
    awk -F, -v s="$2" -v w="$3" -v want="$4" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["schedule"] == s && $c["workers"] == w && $c["measured_s"] == "" { print $c[want]; exit }' "$1"
}

tasks seven.csv streams=7 7 0.25
expect_status 0 "$HYBENCH" predict seven.csv --workers 1,10 --layouts 1x10 --chunk 1 --out p7
for s in static cyclic dynamic; do
    [ "$(field p7/prediction.csv $s 10 ideal_efficiency)" = 0.700000 ] || fail "$s: ideal is not 0.70"
done
for s in static cyclic; do
    [ "$(field p7/prediction.csv $s 10 predicted_efficiency)" = 0.700000 ] ||
        fail "$s: 7 tasks on 10 workers: efficiency $(field p7/prediction.csv $s 10 predicted_efficiency), want 0.700000"
    [ "$(field p7/prediction.csv $s 10 idle_workers)" = 3 ] || fail "$s: want 3 idle workers"
    [ "$(field p7/prediction.csv $s 10 predicted_s)" = 0.25 ] || fail "$s: makespan is not one task"
done
# Dynamic pays its hand-outs (tens of ns on 0.25 s tasks): just below 0.70.
awk -v e="$(field p7/prediction.csv dynamic 10 predicted_efficiency)" 'BEGIN {exit !(e > 0.6999 && e <= 0.7)}' ||
    fail "dynamic: efficiency $(field p7/prediction.csv dynamic 10 predicted_efficiency)"
[ "$(field p7/prediction.csv dynamic 10 idle_workers)" = 3 ] || fail "dynamic: want 3 idle workers"
# One recording, no runs: nothing to resample, the interval is the point.
[ "$(field p7/prediction.csv static 10 predicted_efficiency_lo)" = 0.700000 ] &&
    [ "$(field p7/prediction.csv static 10 predicted_efficiency_hi)" = 0.700000 ] || fail "an interval from one recording"
grep -q 'W=10 1x10: best' out.txt || fail "no best line: $(head -c 300 out.txt)"
grep -q '3 of 10 workers idle' out.txt || fail "the table does not say 3 of 10 are idle"
[ -s p7/prediction.gp ] || fail "no prediction.gp"

tasks lesson.csv points=324 324 0.5
expect_status 0 "$HYBENCH" predict lesson.csv --workers 10 --layouts 1x10 --schedules static,dynamic --out p324
[ "$(field p324/prediction.csv static 10 predicted_efficiency)" = 0.981818 ] ||
    fail "324 on 10: $(field p324/prediction.csv static 10 predicted_efficiency), want 324/330"
[ "$(field p324/prediction.csv static 10 idle_workers)" = 6 ] || fail "324 on 10: want 6 idle"

# Two recordings and runs: intervals, the same with the same seed.
tasks two.csv streams=64 64 0.010
tasks two.csv streams=64 64 0.012 parallel static 1 2
rhdr='schema,timestamp,host,hosts,kernel,params,mode,nodes,ranks,threads,workers,bind,distribute,schedule,chunk,tasks,repeat,wall_s,status,verified,result'
{
    echo "$rhdr"
    for w in 0.64 0.66 0.70; do echo "hybench-runs-2,t,h,h,pi,streams=64,serial,1,1,1,1,core,compact,serial,1,64,0,$w,ok,yes,3.1"; done
    for w in 0.37 0.38 0.41; do echo "hybench-runs-2,t,h,h,pi,streams=64,parallel,1,1,2,2,core,compact,static,1,64,0,$w,ok,yes,3.1"; done
} >runs.csv
expect_status 0 "$HYBENCH" predict two.csv --runs runs.csv --workers 2,64,1000 --layouts 1x2 --out a
expect_status 0 "$HYBENCH" predict two.csv --runs runs.csv --workers 2,64,1000 --layouts 1x2 --out b
cmp -s a/prediction.csv b/prediction.csv || fail "the same seed gave different predictions"
cmp -s a/prediction.gp b/prediction.gp || fail "the same seed gave different plots"
lo=$(field a/prediction.csv static 2 predicted_s_lo) hi=$(field a/prediction.csv static 2 predicted_s_hi)
awk -v l="$lo" -v h="$hi" 'BEGIN {exit !(l < h)}' || fail "no interval from two recordings and runs: [$lo, $hi]"
# The measured configurations are predicted beside their measurements.
[ "$(awk -F, 'NR > 1 && $20 != ""' a/prediction.csv | wc -l)" -eq 2 ] || fail "want 2 predictions of measured runs"
grep -q 'measured (runs.csv) against predicted' out.txt || fail "no validation table"

# Data never runs in gnuplot: a params text with quotes, backquotes and
# system() lands in the plot as text.
evil="x'y \`touch pwned1\` \$(touch pwned2) system('touch pwned3')"
{ echo "$hdr"; echo "hybench-tasks-1,pi,\"$evil\",serial,1,1,1,core,compact,serial,1,,,0,0,0,0,0,0.5"; } >evil.csv
expect_status 0 "$HYBENCH" predict evil.csv --workers 1,2 --layouts 1x2 --out e
if command -v gnuplot >/dev/null; then
    grep -q 'plots: e/prediction.svg' out.txt || fail "gnuplot did not render the evil plot: $(tail -n 2 out.txt)"
fi
for f in pwned1 pwned2 pwned3 e/pwned1 e/pwned2 e/pwned3; do [ -e "$f" ] && fail "the plot ran a command ($f)"; done
grep -q "x''y" e/prediction.gp || fail "the quote in params is not doubled in prediction.gp"
expect_status 0 "$HYBENCH" predict --help
grep -q -- '--workers' out.txt || fail "predict --help does not list --workers"
finish
