# runs.csv from `hybench run --csv`: the header once however many launches
# append (in turn, and two at once), one row per timed repeat, every row as
# wide as the header, and the layout columns (workers, tasks,
# ideal_efficiency, idle_workers) right for the layout.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"


pi=(--kernel pi --samples 1000 --warmup 1)

# check_rows FILE FIRST COUNT COLUMN=VALUE...: rows FIRST..FIRST+COUNT-1 (1-based,
# data rows) have these values, and their repeat column counts 0..COUNT-1.
check_rows() {
    local file=$1 first=$2 count=$3 kv col val got
    shift 3
    got=$(csv_col "$file" repeat | sed -n "${first},$((first + count - 1))p" | tr '\n' ' ')
    [ "$got" = "$(seq -s ' ' 0 $((count - 1))) " ] || fail "$file rows $first..: repeat column is '$got'"
    for kv in "$@"; do
        col=${kv%%=*} val=${kv#*=}
        got=$(csv_col "$file" "$col" | sed -n "${first},$((first + count - 1))p" | sort -u)
        [ "$got" = "$val" ] || fail "$file rows $first..$((first + count - 1)): $col is '$got', want '$val'"
    done
}

# Four launches append to one file in turn.
expect_status 0 "$HYBENCH" run "${pi[@]}" --streams 7 --threads 2 --repeat 3 --csv runs.csv
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${pi[@]}" --streams 7 --repeat 2 --csv runs.csv
expect_status 0 "$HYBENCH" run "${pi[@]}" --streams 7 --serial --repeat 1 --csv runs.csv
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${pi[@]}" --streams 10 --threads 2 --oversubscribe \
    --schedule cyclic --repeat 2 --csv runs.csv
expect_status 0 "$HYBENCH" run "${pi[@]}" --streams 64 --repeat 1 --chunk 1,5 --schedule dynamic \
    --csv runs.csv

[ "$(grep -c '^schema,' runs.csv)" -eq 1 ] || fail "runs.csv has $(grep -c '^schema,' runs.csv) header lines"
head -n 1 runs.csv | grep -q '^schema,' || fail "runs.csv does not start with its header"
[ "$(wc -l <runs.csv)" -eq $((1 + 3 + 2 + 1 + 2 + 2)) ] || fail "runs.csv has $(wc -l <runs.csv) lines, want 11"
[ "$(csv_widths runs.csv | wc -l)" -eq 1 ] || fail "rows of different widths: $(csv_widths runs.csv | tr '\n' ' ')"
for col in schema timestamp host kernel params nodes ranks threads workers bind distribute schedule \
    chunk tasks repeat wall_s busy_min_s busy_mean_s busy_max_s result verified; do
    csv_col runs.csv "$col" >/dev/null 2>&1 || fail "no column $col"
    [ -z "$(csv_col runs.csv "$col" | grep -x '')" ] || fail "column $col has empty fields"
done
[ "$(csv_col runs.csv kernel | sort -u)" = pi ] || fail "kernel column is not pi"
[ "$(csv_col runs.csv verified | sort -u)" = yes ] || fail "some rows did not verify"

# 7 streams on 1 rank x 2 threads: 2 workers, 4 rounds of 2, 1 idle, 7/8.
check_rows runs.csv 1 3 ranks=1 threads=2 workers=2 tasks=7 ideal_efficiency=0.875000 \
    idle_workers=1 schedule=static chunk=1 nodes=1
# 7 streams on 2 ranks x 1 thread: the same bound.
check_rows runs.csv 4 2 ranks=2 threads=1 workers=2 tasks=7 ideal_efficiency=0.875000 idle_workers=1
# The serial baseline: one worker, ideal.
check_rows runs.csv 6 1 ranks=1 threads=1 workers=1 tasks=7 ideal_efficiency=1.000000 \
    idle_workers=0 schedule=serial
# 10 streams on 2 x 2 = 4 workers: 3 rounds, 12 slots, 2 idle, 10/12.
check_rows runs.csv 7 2 ranks=2 threads=2 workers=4 tasks=10 ideal_efficiency=0.833333 \
    idle_workers=2 schedule=cyclic
# 64 streams on one worker, a row per chunk value and repeat.
check_rows runs.csv 9 1 workers=1 tasks=64 ideal_efficiency=1.000000 idle_workers=0 chunk=1 \
    schedule=dynamic
check_rows runs.csv 10 1 workers=1 tasks=64 chunk=5
# Same work, same result: the 7-stream rows agree on `result`.
[ "$(csv_col runs.csv result | sed -n 1,6p | sort -u | wc -l)" -eq 1 ] || fail "7-stream results differ"
[ -s runs.csv.meta ] || fail "no metadata sidecar runs.csv.meta"

# Two launches at once, appending to one new file.
"$HYBENCH" run "${pi[@]}" --streams 7 --repeat 4 --csv both.csv >a.txt 2>&1 &
pid=$!
expect_status 0 "$MPIEXEC" -n 1 "$HYBENCH" run "${pi[@]}" --streams 7 --repeat 4 --csv both.csv
wait "$pid" || fail "background launch failed: $(cat a.txt)"
[ "$(grep -c '^schema,' both.csv)" -eq 1 ] || fail "both.csv has $(grep -c '^schema,' both.csv) header lines"
[ "$(wc -l <both.csv)" -eq 9 ] || fail "both.csv has $(wc -l <both.csv) lines, want 9"
[ "$(csv_widths both.csv | wc -l)" -eq 1 ] || fail "both.csv rows of different widths"

# --csv - writes the header and rows to stdout and no file.
"$HYBENCH" run "${pi[@]}" --streams 7 --repeat 2 --quiet --csv - >stdout.txt 2>err.txt ||
    fail "--csv - failed: $(cat err.txt)"
schema=$(csv_col runs.csv schema | head -n 1)
grep -e '^schema,' -e "^$schema," stdout.txt >dash.csv
[ "$(grep -c '^schema,' dash.csv)" -eq 1 ] || fail "--csv -: no single header on stdout"
[ "$(wc -l <dash.csv)" -eq 3 ] || fail "--csv -: $(wc -l <dash.csv) CSV lines on stdout, want 3"
[ ! -e ./- ] && [ ! -e ./-.meta ] || fail "--csv - wrote a file named '-'"
# ... and nothing else: the text for people goes to stderr, so stdout is a
# CSV file as it is.
[ "$(wc -l <stdout.txt)" -eq 3 ] || fail "--csv -: stdout holds more than the CSV: $(cat stdout.txt)"
grep -q 'wall median' err.txt || fail "--csv -: the summary is not on stderr: $(cat err.txt)"
[ "$(csv_widths stdout.txt | wc -l)" -eq 1 ] || fail "--csv -: stdout is not one CSV table"

# A sidecar is written only beside a regular file: never /dev/null.meta.
expect_status 0 "$HYBENCH" run "${pi[@]}" --streams 7 --repeat 1 --quiet --csv /dev/null
[ ! -e /dev/null.meta ] || { rm -f /dev/null.meta; fail "--csv /dev/null wrote /dev/null.meta"; }

# Without --threads, OMP_NUM_THREADS gives the threads (as for any OpenMP
# program); a value that is not one count is refused, never ignored.
OMP_NUM_THREADS=2 expect_status 0 "$HYBENCH" run "${pi[@]}" --streams 7 --repeat 1 --csv omp.csv
check_rows omp.csv 1 1 threads=2 workers=2
OMP_NUM_THREADS=2 expect_status 0 "$HYBENCH" run "${pi[@]}" --streams 7 --repeat 1 --threads 1 \
    --csv omp1.csv
check_rows omp1.csv 1 1 threads=1
OMP_NUM_THREADS=2,1 expect_bad_input "$HYBENCH" run "${pi[@]}" --streams 7 --repeat 1
grep -q "OMP_NUM_THREADS: '2,1' is not one thread count" err.txt || fail "OMP_NUM_THREADS list: $(cat err.txt)"
OMP_NUM_THREADS=2 expect_bad_input "$HYBENCH" run "${pi[@]}" --streams 7 --serial
grep -q -- "--serial: runs one worker, but OMP_NUM_THREADS is 2" err.txt || fail "serial: $(cat err.txt)"

# --round, --launch-id and --first-repeat (what the matrix passes) land in the rows.
expect_status 0 "$HYBENCH" run "${pi[@]}" --streams 7 --repeat 3 --first-repeat 1 --round 2 \
    --launch-id L1 --csv ids.csv
[ "$(csv_col ids.csv repeat | tr '\n' ' ')" = "1 2 " ] || fail "--first-repeat: repeats $(csv_col ids.csv repeat)"
[ "$(csv_col ids.csv round | sort -u)" = 2 ] && [ "$(csv_col ids.csv launch | sort -u)" = L1 ] ||
    fail "round/launch columns: $(csv_col ids.csv round) $(csv_col ids.csv launch)"

finish
