#!/usr/bin/env bash
# How well `hybench predict` predicts what is measured here (a benchmark,
# not a test). Each workload runs serial and at 1x2 and 2x1 under static and
# dynamic with its task times recorded, ROUNDS times in a shuffled order (as
# a matrix's rounds would); predict then replays the task times at those
# layouts and each measured median is compared with its prediction:
#   error = (predicted - measured) / measured
#
#   pi       64 streams of 2e6 samples
#   lesson   the lesson's 324-point mc scan (10000 sweeps, 64 slices)
#   uneven   tests/data/mc_uneven.csv (four points 20 times the others)
#   pow      1e5 elements at 1, 16, 256 and 4096 elements per task
#
# Usage: bench/predict_validate.sh [HYBENCH]   (default build/hybench)
# HB_BENCH_CLUSTER=1 adds 2 emulated nodes x 1 rank (static and dynamic):
# run it as root under `flock /tmp/hb-cluster.lock` (it brings the cluster up
# unless one is up). OUT=DIR keeps the runs (default: a temporary directory).
# WORKLOADS="pi lesson" picks some; COSTS=FILE passes --costs FILE to predict
# (what bench/handout_bench.sh measured just before, say). Prints one table per workload (predict's
# own) and a summary of the errors.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
H=$(realpath "${1:-$src/build/hybench}")
[ -x "$H" ] || { echo "predict_validate: no hybench at $H (build first)" >&2 && exit 2; }
# shellcheck source=scripts/mpi.sh
. "$src/scripts/mpi.sh"
MPIEXEC=${MPIEXEC:-$(hb_mpi_launcher_of "$H")}
ROUNDS=${ROUNDS:-2}
REPEAT=${REPEAT:-5}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
cluster=${HB_BENCH_CLUSTER:-0}

declare -A WL=(
    [pi]="--kernel pi --streams 64 --samples 2000000"
    [lesson]="--kernel mc --beta 0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0 --m 0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0 --h 0.25,0.5,1.0,2.5 --iterations 10000 --slices 64"
    [uneven]="--kernel mc --points $src/tests/data/mc_uneven.csv"
    [pow]="--kernel pow --elements 100000 --chunk 1,16,256,4096"
)

if [ "$cluster" = 1 ]; then
    . "$src/tests/cluster/common.sh"
    hb_cluster_use || exit $?
fi

# launch WORKLOAD CONFIG: one launch; CONFIG is serial, RxT:SCHEDULE or nodes:SCHEDULE
launch() {
    local w=$1 conf=$2 dir=$OUT/$1 sched=${2#*:} lay=${2%%:*}
    # shellcheck disable=SC2206
    local opts=(${WL[$w]} --repeat "$REPEAT" --warmup 1 --quiet --csv "$dir/runs.csv"
        --task-times "$dir/tasks.csv" --out-dir "$dir/mc")
    [ "$w" = pi ] || [ "$w" = pow ] && opts=("${opts[@]:0:${#opts[@]}-2}")
    case $conf in
    serial) "$H" run "${opts[@]}" --serial ;;
    nodes:*) timeout -k 5 300 "$MPIEXEC" -launcher ssh -launcher-exec "$HB_CLUSTER_SSH" \
        -hosts hbnode1,hbnode2 -ppn 1 -bind-to none "$H" run "${opts[@]}" --nodes 2 --bind none \
        --schedule "$sched" ;;
    1x2:*) "$MPIEXEC" -n 1 "$H" run "${opts[@]}" --threads 2 --schedule "$sched" ;;
    2x1:*) "$MPIEXEC" -n 2 -bind-to none "$H" run "${opts[@]}" --schedule "$sched" ;;
    esac >/dev/null 2>>"$dir/err.txt" || echo "launch failed: $w $conf (see $dir/err.txt)" >&2
    : "$lay"
}

confs=(serial 1x2:static 1x2:dynamic 2x1:static 2x1:dynamic)
[ "$cluster" = 1 ] && confs+=(nodes:static nodes:dynamic)
WORKLOADS=${WORKLOADS:-pi lesson uneven pow}
for w in $WORKLOADS; do
    mkdir -p "$OUT/$w"
    for r in $(seq "$ROUNDS"); do
        for conf in $(printf '%s\n' "${confs[@]}" | shuf --random-source=<(yes "$r")); do
            launch "$w" "$conf"
        done
    done
done
[ "$cluster" = 1 ] && hb_cluster_release

summary=$OUT/errors.txt
: >"$summary"
for w in $WORKLOADS; do
    echo "== $w"
    costs=()
    [ -n "${COSTS:-}" ] && costs=(--costs "$COSTS")
    "$H" predict "$OUT/$w" --workers 1,2 --layouts 1x2 --schedules static,dynamic --chunk 1 "${costs[@]}" |
        sed -n '/measured (runs.csv) against predicted/,/outside the interval/p'
    awk -F, -v w="$w" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        $c["measured_s"] != "" { print w, $c["params"], $c["layout"], $c["schedule"], $c["error"],
            ($c["measured_s"] >= $c["predicted_s_lo"] && $c["measured_s"] <= $c["predicted_s_hi"]) ? "in" : "out" }' \
        "$OUT/$w/prediction.csv" >>"$summary"
done
echo "== summary: |error| of every prediction of a measured median"
awk '{ e = $(NF - 1); e = e < 0 ? -e : e; n++; s += e; if (e > m) m = e; if (e <= 0.10) k++; if ($NF == "in") i++ }
     END { if (n) printf "%d predictions: mean |error| %.1f%%, max %.1f%%, %d within 10%%, %d inside their intervals\n", n, 100 * s / n, 100 * m, k, i }' "$summary"
echo "(runs in $OUT)"
