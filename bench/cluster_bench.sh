#!/bin/bash
# Across-node costs on the emulated cluster (a benchmark, not a test; run as
# root with the build's hybench):
#
#   1. hand-out cost of the dynamic schedule: pow with 1-element tasks (so a
#      task is almost nothing but its hand-out) on 2 ranks within one node
#      (shared-memory counter) and on 2 nodes x 1 rank (counter on rank 0,
#      MPI_Fetch_and_op over UCX TCP); cost per task = wall / tasks x workers;
#   2. π efficiency at 2:1x1 (two nodes) against 1:2x1 (one node), each
#      against the serial baseline.
#
# Usage: bench/cluster_bench.sh [HYBENCH]   (default build/hybench)
# Brings the cluster up (tests/cluster/up.sh 2) unless one is up, and takes
# down only one it started. Results: a table on stdout, runs in $OUT (default
# a temporary directory). Every launch has a timeout; a hang is reported.
# Caveat: the emulated nodes share this machine's cores, and hybench binds
# from the node-local rank, so --bind core would put both nodes' rank 0 on
# core 0: the runs here use --bind none.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
H=$(realpath "${1:-$src/build/hybench}")
# shellcheck source=scripts/mpi.sh
. "$src/scripts/mpi.sh"
MPIEXEC=${MPIEXEC:-$(hb_mpi_launcher_of "$H")}
[ -x "$H" ] || { echo "cluster_bench: no hybench at $H (build first)" >&2 && exit 2; }
. "$src/tests/cluster/common.sh"
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"
hb_cluster_use || exit $?
T=${HB_BENCH_TIMEOUT:-60}
REP=(--repeat "${HB_BENCH_REPEAT:-5}" --warmup 1 --quiet --bind none)

nodes() { # PPN CSV ARGS...
    local ppn=$1 csv=$2
    shift 2
    timeout -k 5 "$T" "$MPIEXEC" -launcher ssh -launcher-exec "$HB_CLUSTER_SSH" \
        -hosts hbnode1,hbnode2 -ppn "$ppn" -bind-to none "$H" run "$@" "${REP[@]}" \
        --csv "$OUT/$csv" >/dev/null 2>>"$OUT/err.txt" || echo "launch failed ($?): nodes $*" >&2
}
local1() { # NP CSV ARGS...
    local np=$1 csv=$2
    shift 2
    timeout -k 5 "$T" "$MPIEXEC" -n "$np" -bind-to none "$H" run "$@" "${REP[@]}" \
        --csv "$OUT/$csv" >/dev/null 2>>"$OUT/err.txt" || echo "launch failed ($?): local $*" >&2
}
# median of column COL over a CSV's rows
median() {
    csv_col "$1" "$2" | sort -g | awk '{v[NR] = $1} END {if (NR) print v[int((NR + 1) / 2)]}'
}

N=${HB_BENCH_TASKS:-20000}
echo "== dynamic hand-out cost: pow, $N tasks of 1 element, 2 workers"
local1 2 hand_local.csv --kernel pow --elements "$N" --chunk 1 --schedule dynamic
nodes 1 hand_nodes.csv --kernel pow --elements "$N" --chunk 1 --schedule dynamic
local1 2 hand_static.csv --kernel pow --elements "$N" --chunk 1 --schedule static
for f in hand_static hand_local hand_nodes; do
    [ -s "$OUT/$f.csv" ] || { echo "$f: no rows" && continue; }
    w=$(median "$OUT/$f.csv" wall_s)
    awk -v f="$f" -v w="$w" -v n="$N" \
        'BEGIN {printf "%-12s wall %.6f s  per task (x2 workers) %.2f us\n", f, w, w / n * 2 * 1e6}'
done

S=${HB_BENCH_STREAMS:-32} M=${HB_BENCH_SAMPLES:-2000000}
echo "== π efficiency: $S streams x $M samples"
local1 1 pi_serial.csv --kernel pi --streams "$S" --samples "$M" --serial
local1 2 pi_1n.csv --kernel pi --streams "$S" --samples "$M"
nodes 1 pi_2n.csv --kernel pi --streams "$S" --samples "$M"
ser=$(median "$OUT/pi_serial.csv" wall_s)
for f in pi_1n:1:2x1 pi_2n:2:1x1; do
    csv=${f%%:*} lay=${f#*:}
    [ -s "$OUT/$csv.csv" ] || { echo "$lay: no rows" && continue; }
    w=$(median "$OUT/$csv.csv" wall_s)
    awk -v l="$lay" -v w="$w" -v s="$ser" \
        'BEGIN {printf "%-6s wall %.4f s  serial %.4f s  speedup %.2f  efficiency %.1f%%\n", l, w, s, s / w, 100 * s / w / 2}'
done
echo "(runs in $OUT)"
hb_cluster_release
exit 0
