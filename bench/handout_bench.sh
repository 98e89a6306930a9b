#!/usr/bin/env bash
# What a dynamic hand-out costs on this machine (a benchmark, not a test),
# and the costs file `hybench predict --costs` reads.
#
# Tasks are 1-element pow tasks (a few tens of ns), so a map is almost
# nothing but its hand-outs. Each dynamic launch is set against the static
# launch of the same layout (same tasks, same workers, no hand-out at all),
# run in the same conditions:
#   hand-out per task = (dynamic wall - static wall) x workers / tasks
# and the costs `hybench predict` uses follow from it:
#   latency_same   one worker alone (1x1 against serial): every grab finds
#                  the counter's cache line where its last grab left it
#   service        two workers on one counter (1x2 threads, 2x1 ranks): a
#                  shared-memory counter serves one grab per cache-line move,
#                  so a grab costs its worker about what it keeps the counter
#                  busy (latency = service); with tasks (the static wall x
#                  workers / tasks) shorter than a grab the two keep it busy
#                  all the time and wall = tasks x service, else
#                  wall = tasks x (service + task) / 2
#   node latency   2 emulated nodes x 1 rank with --handout flat: every grab
#                  is an MPI_Fetch_and_op on rank 0 (root, the emulated
#                  cluster up: tests/cluster/up.sh); per grab = per task here
# and, across nodes, the cost per task of the flat counter (before) and of
# the two-level hand-out (after). Each launch also records its task times
# (--task-times): their sum is shown beside the walls.
#
# Usage: bench/handout_bench.sh [HYBENCH [COSTS.csv]]
#   (default build/hybench; the costs go to COSTS.csv, default handout_costs.csv)
# HB_BENCH_CLUSTER=1 adds the emulated 2-node runs: run it as root under
#   flock /tmp/hb-cluster.lock bench/handout_bench.sh
# (it brings the cluster up unless one is up, and takes down only one it
# started). Figures are medians of REPEAT repeats; the machine may be shared.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
H=$(realpath "${1:-$src/build/hybench}")
COSTS=${2:-handout_costs.csv}
[ -x "$H" ] || { echo "handout_bench: no hybench at $H (build first)" >&2 && exit 2; }
# shellcheck source=scripts/csv.sh
. "$src/scripts/csv.sh"
# shellcheck source=scripts/mpi.sh
. "$src/scripts/mpi.sh"
MPIEXEC=${MPIEXEC:-$(hb_mpi_launcher_of "$H")}
N=${HB_BENCH_TASKS:-200000}
REPEAT=${REPEAT:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pow=(--kernel pow --elements "$N" --chunk 1 --repeat "$REPEAT" --warmup 1 --quiet)

median() { sort -g | awk '{v[NR] = $1} END {if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
wall() { csv_col "$work/$1.csv" wall_s | median; }
sum_tasks() { csv_col "$work/$1.tasks.csv" duration_s | awk '{s += $1} END {printf "%.9g", s}'; }

# run NAME LAUNCH...: one launch with its rows in NAME.csv and task times in NAME.tasks.csv
run() {
    local name=$1
    shift
    "$@" "${pow[@]}" --csv "$work/$name.csv" --task-times "$work/$name.tasks.csv" >/dev/null 2>"$work/$name.err" ||
        { echo "handout_bench: $name failed: $(tail -n 2 "$work/$name.err")" >&2 && return 1; }
}

# Each dynamic launch right after its static one, so drift on a shared
# machine falls on both alike.
run serial "$H" run --serial || exit 1
run t1 "$MPIEXEC" -n 1 "$H" run --schedule dynamic || exit 1
run t2s "$MPIEXEC" -n 1 "$H" run --schedule static --threads 2 || exit 1
run t2 "$MPIEXEC" -n 1 "$H" run --schedule dynamic --threads 2 || exit 1
run r2s "$MPIEXEC" -n 2 -bind-to none "$H" run --schedule static || exit 1
run r2 "$MPIEXEC" -n 2 -bind-to none "$H" run --schedule dynamic || exit 1

# table TASKS LAUNCH:BASELINE:WORKERS...: walls, recorded task sums and the
# hand-out per task against the baseline launch
table() {
    local n=$1 l b k
    shift
    printf "%-9s %12s %12s %14s %18s\n" launch wall_s baseline_s task_times_s handout_per_task_us
    for x in "$@"; do
        IFS=: read -r l b k <<<"$x"
        [ -s "$work/$l.csv" ] && [ -s "$work/$b.csv" ] || { echo "$l: no rows" && continue; }
        awk -v l=$l -v w="$(wall $l)" -v s="$(wall $b)" -v d="$(sum_tasks $l)" -v n="$n" -v k="$k" \
            'BEGIN {printf "%-9s %12.6f %12.6f %14.6f %18.4f\n", l, w, s, d, (w - s) * k / n * 1e6}'
    done
}
echo "== dynamic hand-out on one node: $N tasks of 1 pow element, median of $REPEAT"
table "$N" t1:serial:1 t2:t2s:2 r2:r2s:2

# The costs: a grab alone (1x1) and the service time of a shared counter (1x2, 2x1).
# Noise can make a difference of small times negative: a cost is at least 0.
same=$(awk -v w="$(wall t1)" -v s="$(wall serial)" -v n="$N" 'BEGIN {v = (w - s) / (n + 1); printf "%.3g", v > 0 ? v : 0}')
service() { # DYNAMIC STATIC: wall/N when the counter is the bottleneck (service >= task), else 2 wall/N - task
    awk -v w="$(wall "$1")" -v s="$(wall "$2")" -v n="$N" \
        'BEGIN {t = 2 * s / n; v = w / n; if (v < t) v = 2 * w / n - t; printf "%.3g", v > 0 ? v : 0}'
}
st=$(service t2 t2s) sr=$(service r2 r2s)
node_lat=5.65e-06 node_srv=2.6e-06 node_how="not measured here (the built-in figures)"

if [ "${HB_BENCH_CLUSTER:-0}" = 1 ]; then
    . "$src/tests/cluster/common.sh"
    hb_cluster_use || exit $?
    nodes() { timeout -k 5 "${HB_BENCH_TIMEOUT:-120}" "$MPIEXEC" -launcher ssh -launcher-exec "$HB_CLUSTER_SSH" \
        -hosts hbnode1,hbnode2 -ppn 1 -bind-to none "$H" run --nodes 2 --bind none "$@"; }
    # Fewer tasks across nodes: a flat grab there takes microseconds.
    N=${HB_BENCH_NODE_TASKS:-20000}
    pow=(--kernel pow --elements "$N" --chunk 1 --repeat "$REPEAT" --warmup 1 --quiet)
    run n_static nodes --schedule static
    run n_flat nodes --schedule dynamic --handout flat
    run n_two nodes --schedule dynamic --handout two-level
    echo "== across 2 emulated nodes x 1 rank: $N tasks, median of $REPEAT"
    table "$N" n_flat:n_static:2 n_two:n_static:2
    if [ -s "$work/n_flat.csv" ] && [ -s "$work/n_static.csv" ]; then
        node_lat=$(awk -v w="$(wall n_flat)" -v s="$(wall n_static)" -v n="$N" \
            'BEGIN {v = (w - s) * 2 / (n + 2); printf "%.3g", v > 0 ? v : 0}')
        node_how="2:1x1 --handout flat against static (latency); service as built in"
    fi
    hb_cluster_release
fi

{
    echo "level,latency_s,latency_same_s,service_s,how"
    echo "thread,$st,$same,$st,1x2 and 1x1 dynamic (bench/handout_bench.sh)"
    echo "rank,$sr,$same,$sr,2x1 and 1x1 dynamic (bench/handout_bench.sh)"
    echo "node,$node_lat,$node_lat,$node_srv,$node_how"
} >"$COSTS"
echo "== costs (s) written to $COSTS"
cat "$COSTS"
