#!/usr/bin/env bash
# What recording task times costs (a benchmark, not a test): the timed
# repetitions of a launch with --task-times against the same launch
# without, alternated PAIRS times so drift on a shared machine falls on both,
# for the worst case, 1-element pow tasks (tens of ns each), serial, 1x2
# dynamic and 2x1 static. The timed repetitions run the same loop either way
# (the recording is one more, untimed repetition), so the ratio should be 1
# within the noise; the interval is the 2.5-97.5% range of the ratio of
# medians over resampled pairs.
# Also: what --task-times adds to a whole launch (the recording repetition
# and writing tasks.csv: elapsed time with against without), and how close
# the recorded task times add up to the serial timed median.
#
# Usage: bench/task_times_bench.sh [HYBENCH [ELEMENTS]]   (default build/hybench, 200000)
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
H=$(realpath "${1:-$src/build/hybench}")
N=${2:-200000}
PAIRS=${PAIRS:-9}
# shellcheck source=scripts/mpi.sh
. "$src/scripts/mpi.sh"
MPIEXEC=${MPIEXEC:-$(hb_mpi_launcher_of "$H")}
# shellcheck source=scripts/csv.sh
. "$src/scripts/csv.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pow=(--kernel pow --elements "$N" --chunk 1 --repeat 5 --warmup 1 --quiet)

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# one NAME WITH LAUNCH...: one launch, its timed medians appended to NAME.WITH
one() {
    local name=$1 with=$2 extra=()
    shift 2
    rm -f "$work/r.csv" "$work/t.csv"
    [ "$with" = yes ] && extra=(--task-times "$work/t.csv")
    /usr/bin/time -f %e -o "$work/time" "$@" "${pow[@]}" --csv "$work/r.csv" "${extra[@]}" >/dev/null 2>&1 ||
        { echo "task_times_bench: $name failed" >&2 && return; }
    csv_col "$work/r.csv" wall_s | median >>"$work/$name.$with"
    cat "$work/time" >>"$work/$name.$with.elapsed"
    if [ "$with" = yes ]; then
        csv_col "$work/t.csv" duration_s | awk '{s += $1} END {printf "%.9g\n", s}' >>"$work/$name.sum"
    fi
}

for p in $(seq "$PAIRS"); do
    for w in no yes; do
        one serial "$w" "$H" run --serial
        one t2 "$w" "$MPIEXEC" -n 1 "$H" run --threads 2 --schedule dynamic
        one r2 "$w" "$MPIEXEC" -n 2 -bind-to none "$H" run --schedule static
    done
done

echo "== the timed map with --task-times against without: $N 1-element pow tasks, $PAIRS pairs of launches"
printf "%-8s %12s %12s %8s %18s\n" launch without_s with_s ratio "interval (95%)"
for l in serial t2 r2; do
    paste "$work/$l.no" "$work/$l.yes" | awk -v l=$l -v seed=1 '
        { a[NR] = $1; b[NR] = $2 }
        function med(x, n,    i, j, t, c) { for (i = 1; i <= n; i++) c[i] = x[i]
            for (i = 2; i <= n; i++) { t = c[i]; for (j = i - 1; j >= 1 && c[j] > t; j--) c[j + 1] = c[j]; c[j + 1] = t }
            return (n % 2) ? c[(n + 1) / 2] : (c[n / 2] + c[n / 2 + 1]) / 2 }
        END { n = NR; srand(seed)
              for (k = 1; k <= 2000; k++) { for (i = 1; i <= n; i++) { j = 1 + int(rand() * n); x[i] = a[j]; y[i] = b[j] }
                  r[k] = med(y, n) / med(x, n) }
              m = med(r, 2000); lo = 0; hi = 0
              for (i = 2; i <= 2000; i++) { t = r[i]; for (j = i - 1; j >= 1 && r[j] > t; j--) r[j + 1] = r[j]; r[j + 1] = t }
              printf "%-8s %12.6f %12.6f %8.4f   [%.4f, %.4f]\n", l, med(a, n), med(b, n), med(b, n) / med(a, n), r[51], r[1950] }'
done
echo "== a whole launch (start-up, set-up, 1 + 5 repetitions, rows) with --task-times against without"
for l in serial t2 r2; do
    awk -v l=$l -v a="$(median <"$work/$l.no.elapsed")" -v b="$(median <"$work/$l.yes.elapsed")" \
        'BEGIN {printf "%-8s %8.2f s %8.2f s  +%.2f s\n", l, a, b, b - a}'
done
echo "== the recorded task times against the timed map (serial): sum of durations / timed median"
paste "$work/serial.yes" "$work/serial.sum" | awk '{r = $2 / $1; print r}' | median |
    awk '{printf "median over %d launches: %.3f\n", '"$PAIRS"', $1}'
