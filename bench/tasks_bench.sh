#!/usr/bin/env bash
# The cost of one of your own tasks, with empty work, on this machine: what
# hybench adds per task in each form, at 1 worker (1x1) and 2 workers (1x2:
# threads of one rank; 2x1: two ranks), static and dynamic schedules.
#
#   cmd          --command /bin/true: a process per task (start, wait, the
#                stdout file written through a temporary and renamed, its
#                digest); target <= 1 ms per task (GNU parallel documents
#                3-10 ms per job)
#   worker-cat   --worker cat: one line to a long-lived process and one line
#                back per task; target <= 20 us per task
#   worker-py    the same with a Python process that answers at once (its
#                write and flush, not print(end=''), which writes an empty
#                buffer after the answer and gets EPIPE when hybench has
#                already closed its end at the run's end)
#   plugin       --plugin empty.so: a C function that returns at once;
#                target within 2x of a built-in kernel's hand-out cost,
#   pow          --kernel pow --chunk 1, one element per task: the built-in
#                hand-out cost it is compared with
#
# Cost per task = median(wall_s) * workers / tasks: the worker time a task
# takes, hand-out included. For cmd the floor is the operating system's cost
# of starting a process: a bare posix_spawn + waitpid of /bin/true is
# measured first, in turns with cmd on the same core, and the ratio given
# with its interval. The plug-in's ratio to pow is given with a 95%
# interval from a seeded bootstrap over the repeats of both.
#
# Usage: bench/tasks_bench.sh [HYBENCH] [EMPTY_PLUGIN.so]
#        (default build/hybench, build/examples/empty.so)
# Environment: REPEAT (default 7), MPIEXEC. On a shared machine expect noise;
# the figures are medians and the ratio is taken within one run.
set -eu
HYBENCH=${1:-build/hybench}
PLUGIN=${2:-$(dirname "$HYBENCH")/examples/empty.so}
# shellcheck source=scripts/mpi.sh
. "$(dirname "$0")/../scripts/mpi.sh"
MPIEXEC=${MPIEXEC:-$(hb_mpi_launcher_of "$HYBENCH")}
REPEAT=${REPEAT:-7}
[ -x "$HYBENCH" ] || { echo "tasks_bench: no hybench at $HYBENCH" >&2; exit 2; }
[ -r "$PLUGIN" ] || { echo "tasks_bench: no empty plug-in at $PLUGIN (cmake --build)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "tasks_bench: python3 missing" >&2; exit 2; }
command -v cc >/dev/null || { echo "tasks_bench: cc missing (the bare-spawn floor is a C loop)" >&2; exit 2; }
# shellcheck source=scripts/csv.sh
. "$(dirname "$0")/../scripts/csv.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
HYBENCH=$(cd "$(dirname "$HYBENCH")" && pwd)/$(basename "$HYBENCH")
PLUGIN=$(cd "$(dirname "$PLUGIN")" && pwd)/$(basename "$PLUGIN")
cd "$tmp"

# form args...: one hybench run per layout and schedule, rows to FORM.csv.
bench() {
    local form=$1
    shift
    for sched in static dynamic; do
        local common=("$@" --schedule "$sched" --repeat "$REPEAT" --warmup 1 --quiet --csv "$form.csv")
        "$HYBENCH" run "${common[@]}" >/dev/null
        "$MPIEXEC" -n 1 "$HYBENCH" run "${common[@]}" --threads 2 >/dev/null
        "$MPIEXEC" -n 2 "$HYBENCH" run "${common[@]}" >/dev/null
    done
}

echo "== $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), repeats $REPEAT"
# The floor under cmd, in turns with cmd itself on the same core: 400 bare
# posix_spawn + waitpid of /bin/true from C, then 400 tasks of --command
# /bin/true (1x1, bound to core 0).
cat >spawn.c <<'C'
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
int main(void) {
    char *argv[] = {"/bin/true", NULL};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < 400; i++) {
        pid_t p;
        int st;
        if (posix_spawn(&p, argv[0], NULL, NULL, argv, environ) || waitpid(p, &st, 0) != p)
            return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("bare %.3f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 400 / 1e3);
    return 0;
}
C
cc -O2 spawn.c -o spawn
for _ in $(seq "$REPEAT"); do
    taskset -c 0 ./spawn
    "$HYBENCH" run --kernel cmd --command /bin/true --param i=1:400:1 --out-dir "$tmp/floor" \
        --repeat 1 --warmup 0 --quiet --csv floor.csv >/dev/null
done >bare.txt
csv_col floor.csv wall_s | awk '{ print "cmd", $1 / 400 * 1e6 }' >>bare.txt
awk 'BEGIN { srand(2) }
    function median(a, n,    i, j, t, b) {
        for (i = 1; i <= n; i++) b[i] = a[i]
        for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
        return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
    }
    { v[$1, ++n[$1]] = $2 }
    END {
        for (i = 1; i <= n["bare"]; i++) x[i] = v["bare", i]
        for (i = 1; i <= n["cmd"]; i++) y[i] = v["cmd", i]
        mb = median(x, n["bare"]); mc = median(y, n["cmd"])
        for (b = 1; b <= 2000; b++) {
            for (i = 1; i <= n["bare"]; i++) rx[i] = x[1 + int(rand() * n["bare"])]
            for (i = 1; i <= n["cmd"]; i++) ry[i] = y[1 + int(rand() * n["cmd"])]
            r[b] = median(ry, n["cmd"]) / median(rx, n["bare"])
        }
        for (s = 2; s <= 2000; s++) { t = r[s]; for (q = s - 1; q >= 1 && r[q] > t; q--) r[q + 1] = r[q]; r[q + 1] = t }
        printf "floor: bare posix_spawn + waitpid of /bin/true %.1f us; cmd 1x1 %.1f us per task;\n", mb, mc
        printf "       cmd / bare spawn %.2fx [%.2f, %.2f] (95%% bootstrap interval), in turns on core 0\n", mc / mb, r[50], r[1950]
    }' bare.txt
bench cmd --kernel cmd --command /bin/true --param i=1:400:1 --out-dir "$tmp/cmd_out"
bench worker-cat --kernel cmd --worker cat --param i=1:20000:1
bench worker-py --kernel cmd \
    --worker "python3 -c \"import sys; w, f = sys.stdout.write, sys.stdout.flush; [(w(l), f()) for l in sys.stdin]\"" \
    --param i=1:20000:1
bench plugin --kernel plugin --plugin "$PLUGIN" --param i=1:1000000:1
bench pow --kernel pow --elements 1000000 --chunk 1

# rows: form layout schedule tasks workers wall
for f in cmd worker-cat worker-py plugin pow; do
    awk -v form="$f" "$HB_CSV_AWK"'
        NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i; next }
        { split_csv($0, v)
          print form, v[col["ranks"]] "x" v[col["threads"]], v[col["schedule"]], v[col["tasks"]],
                v[col["workers"]], v[col["wall_s"]] }' "$f.csv"
done >rows.txt

awk 'BEGIN { srand(1) }
    function median(a, n,    i, j, t, b) {
        for (i = 1; i <= n; i++) b[i] = a[i]
        for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
        return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
    }
    function resample(a, n, out,    i) { for (i = 1; i <= n; i++) out[i] = a[1 + int(rand() * n)] }
    { key = $1 " " $2 " " $3; if (!(key in n)) order[++k] = key
      w[key, ++n[key]] = $6 * $5 / $4 * 1e6; tasks[key] = $4 }
    END {
        printf "%-11s %-5s %-8s %8s %12s  %s\n", "form", "RxT", "schedule", "tasks", "us/task", "median (min..max) of the repeats"
        for (i = 1; i <= k; i++) {
            key = order[i]; m = n[key]; lo = hi = w[key, 1]
            for (j = 1; j <= m; j++) { a[j] = w[key, j]; lo = a[j] < lo ? a[j] : lo; hi = a[j] > hi ? a[j] : hi }
            med[key] = median(a, m)
            split(key, p, " ")
            printf "%-11s %-5s %-8s %8d %12.3f  (%.3f..%.3f)\n", p[1], p[2], p[3], tasks[key], med[key], lo, hi
        }
        print ""
        print "plug-in / built-in hand-out (pow --chunk 1) per task, 95% bootstrap interval:"
        for (i = 1; i <= k; i++) {
            split(order[i], p, " ")
            if (p[1] != "plugin") continue
            kp = order[i]; kb = "pow " p[2] " " p[3]
            if (!(kb in n)) continue
            for (j = 1; j <= n[kp]; j++) x[j] = w[kp, j]
            for (j = 1; j <= n[kb]; j++) y[j] = w[kb, j]
            for (b = 1; b <= 2000; b++) {
                resample(x, n[kp], rx); resample(y, n[kb], ry)
                r[b] = median(rx, n[kp]) / median(ry, n[kb])
            }
            # sort r
            for (s = 2; s <= 2000; s++) { t = r[s]; for (q = s - 1; q >= 1 && r[q] > t; q--) r[q + 1] = r[q]; r[q + 1] = t }
            printf "  %-5s %-8s %.2fx  [%.2f, %.2f]  (target <= 2x)\n", p[2], p[3], med[kp] / med[kb], r[50], r[1950]
        }
    }' rows.txt
