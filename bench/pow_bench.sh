#!/usr/bin/env bash
# The cost of a task in the pow map, on this machine.
#
#  1. Compute rate: ns per element per core with large chunks on memory the
#     kernel touched at set-up:  rate = median(wall_s) * workers / elements.
#     Set-up (generating the inputs, first touch of the results) is timed by
#     the kernel apart from the map and printed from its report.
#  2. Grain sweep: the same map cut into --chunk C elements per task, for
#     static and dynamic within one rank (1x2) and across ranks (2x1). The
#     hand-out overhead per task is the worker time not explained by compute:
#         overhead(C) = (median wall(C) * W - N * rate) / tasks(C)
#     with rate the lowest per-element worker time among chunks >= 1024 of
#     the same layout and schedule (where hand-out costs are negligible).
#
#  3. Against the limit: the same run measures a copy loop with the map's
#     traffic (r[i] = x[i] + y[i]: 16 bytes read and 8 written per element,
#     bench/probe.c), numpy's np.power on the same number of elements (when
#     a python3 with numpy is found: HB_NUMPY_PYTHON, bench/compare's
#     .venv-compare, python3), the clock and the instructions per element.
#     The limit is the larger of the memory time (the copy loop's ns per
#     element) and the compute time: a block of 8 elements is 64 vector
#     operations of pow_elem (kernels/pow_math.c) on the 2 ports that
#     execute 512-bit operations, 4.0 cycles per element.
#
# Usage: bench/pow_bench.sh [HYBENCH] [ELEMENTS]   (default build/hybench, 400000)
# Figures are medians of --repeat runs; on a shared machine expect noise.
set -eu
HYBENCH=${1:-build/hybench}
N=${2:-400000}
# shellcheck source=scripts/mpi.sh
. "$(dirname "$0")/../scripts/mpi.sh"
MPIEXEC=${MPIEXEC:-$(hb_mpi_launcher_of "$HYBENCH")}
REPEAT=${REPEAT:-7}
CHUNKS=${CHUNKS:-1,4,16,64,256,4096,50000}
# shellcheck source=scripts/csv.sh
. "$(dirname "$0")/../scripts/csv.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# rows FILE: schedule layout chunk tasks workers wall_s, one line per CSV row
rows() {
    awk "$HB_CSV_AWK"'
        NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i; next }
        { split_csv($0, v)
          print v[col["schedule"]], v[col["ranks"]] "x" v[col["threads"]], v[col["chunk"]],
                v[col["tasks"]], v[col["workers"]], v[col["wall_s"]] }' "$1"
}

# medians: schedule layout chunk tasks workers median_wall
medians() {
    rows "$1" | sort -k1,1 -k2,2 -k3,3n -k6,6g | awk '
        { key = $1 " " $2 " " $3 " " $4 " " $5; w[key, ++n[key]] = $6; if (!(key in seen)) { seen[key] = 1; order[++k] = key } }
        END { for (i = 1; i <= k; i++) { key = order[i]; m = n[key]
              med = (m % 2) ? w[key, (m + 1) / 2] : (w[key, m / 2] + w[key, m / 2 + 1]) / 2
              print key, med } }'
}

echo "== compute rate: $N elements, one task per worker-sized chunk, touched memory"
run_opts="--kernel pow --elements $N --repeat $REPEAT --warmup 1"
"$HYBENCH" run $run_opts --chunk "$N" --serial --csv "$tmp/rate.csv" >"$tmp/serial.txt"
grep -E '^(memory|set-up)' "$tmp/serial.txt"
half=$(( (N + 1) / 2 ))
"$MPIEXEC" -n 1 "$HYBENCH" run $run_opts --chunk "$half" --threads 2 --csv "$tmp/rate.csv" >/dev/null
"$MPIEXEC" -n 2 "$HYBENCH" run $run_opts --chunk "$half" --csv "$tmp/rate.csv" >"$tmp/2x1.txt"
# 2x1: both ranks map the node's one shared copy of inputs and results.
grep -E '^memory' "$tmp/2x1.txt" | sed 's/^/2x1 /'
medians "$tmp/rate.csv" | awk -v n="$N" '{ printf "  %-7s %s  wall %.6f s  %.3f ns per element per core\n", $1, $2, $6, $6 * $5 / n * 1e9 }'

serial_ns=$(medians "$tmp/rate.csv" | awk -v n="$N" '$1 == "serial" { printf "%.4f", $6 * $5 / n * 1e9 }')
echo "== against the limit: $N elements, warm memory, one core"
probe=${HB_PROBE:-$(dirname "$HYBENCH")/bench/hb_probe}
root=$(cd "$(dirname "$0")/.." && pwd)
numpy_ns= numpy_cpu=
for py in ${HB_NUMPY_PYTHON:-} "$root/.venv-compare/bin/python" python3; do
    [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 && "$py" -c 'import numpy' 2>/dev/null || continue
    read -r numpy_ns numpy_cpu < <("$py" - "$N" "$REPEAT" <<'PY'
import sys, time
import numpy as np
n, rep = int(sys.argv[1]), int(sys.argv[2])
g = np.random.default_rng(1)
x, y, r = g.uniform(0.5, 100, n), g.uniform(-100, 100, n), np.empty(n)
np.power(x, y, out=r)
t, c = [], []
for _ in range(rep):
    t0, c0 = time.perf_counter(), time.thread_time()
    np.power(x, y, out=r)
    t.append(time.perf_counter() - t0)
    c.append(time.thread_time() - c0)
t.sort()
c.sort()
print("%.4f %.4f" % (t[len(t) // 2] / n * 1e9, c[len(c) // 2] / n * 1e9))
PY
)
    break
done
if [ -x "$probe" ]; then
    val() { awk -v k="$1" '$1 == k { print $2 }'; }
    ghz=$("$probe" clock | val clock_ghz)
    instr=$("$probe" icount pow | val instructions_per_element)
    copy=$("$probe" copy "$N" "$REPEAT")
    kern=$("$probe" pow "$N" "$REPEAT")
    awk -v k="$serial_ns" -v g="$ghz" -v ni="$instr" -v np="${numpy_ns:-0}" -v npc="${numpy_cpu:-0}" \
        -v kw="$(echo "$kern" | val ns_per_element)" -v kc="$(echo "$kern" | val cpu_ns_per_element)" \
        -v c="$(echo "$copy" | val ns_per_element)" -v cc="$(echo "$copy" | val cpu_ns_per_element)" \
        -v gb="$(echo "$copy" | val gb_per_s)" 'BEGIN {
        comp = 4.0 / g; lim = c > comp ? c : comp; limc = cc > comp ? cc : comp
        printf "  through hybench (serial, above): %.3f ns per element\n", k
        printf "  hb_pow_block %.3f ns per element wall, %.3f CPU: %.2f cycles (CPU), %.2f instructions per element\n", \
            kw, kc, kc * g, ni
        printf "  copy loop    %.3f ns per element wall, %.3f CPU: 24 bytes per element at %.1f GB/s\n", c, cc, gb
        if (np > 0) printf "  np.power     %.3f ns per element wall, %.3f CPU; kernel / numpy %.2f wall, %.2f CPU\n", \
            np, npc, np / kw, npc / kc
        else printf "  np.power     not measured: no python3 with numpy (bench/compare/setup installs one)\n"
        printf "  limit: the larger of memory (the copy loop) and compute (4.0 cycles = %.3f ns at %.2f GHz)\n", comp, g
        printf "  limit %.3f ns per element wall, the kernel at %.0f%% of it; %.3f CPU, at %.0f%%\n", \
            lim, 100 * lim / kw, limc, 100 * limc / kc }'
fi

echo "== grain sweep: $N elements, --chunk $CHUNKS"
for sched in static dynamic; do
    "$MPIEXEC" -n 1 "$HYBENCH" run --kernel pow --elements "$N" --chunk "$CHUNKS" --threads 2 \
        --schedule $sched --repeat "$REPEAT" --warmup 1 --csv "$tmp/sweep.csv" >/dev/null
    "$MPIEXEC" -n 2 "$HYBENCH" run --kernel pow --elements "$N" --chunk "$CHUNKS" \
        --schedule $sched --repeat "$REPEAT" --warmup 1 --csv "$tmp/sweep.csv" >/dev/null
done
medians "$tmp/sweep.csv" | sort -k1,1 -k2,2 -k3,3n | awk -v n="$N" '
    { s[NR] = $1; l[NR] = $2; c[NR] = $3; t[NR] = $4; w[NR] = $5; m[NR] = $6
      key = $1 " " $2; pe = $6 * $5 / n
      if ($3 >= 1024 && (!(key in big) || pe < big[key])) big[key] = pe }
    END { printf "  %-8s %-5s %8s %8s %12s %12s %14s\n", "schedule", "RxT", "chunk", "tasks", "wall_s", "ns/element", "overhead/task"
          for (i = 1; i <= NR; i++) { key = s[i] " " l[i]
              ov = (m[i] * w[i] - n * big[key]) / t[i]
              printf "  %-8s %-5s %8d %8d %12.6f %12.3f %11.3f us\n", s[i], l[i], c[i], t[i], m[i], m[i] * w[i] / n * 1e9, ov * 1e6 } }'
