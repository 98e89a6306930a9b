#!/bin/bash
# The report end to end on runs.csv files made by `hybench run` and then
# damaged by hand: the noise columns and metadata that run writes, intervals
# in the table and the same efficiency.csv from the same rows, a torn last
# line noted and then set aside by the next append, and copied rows counted
# once.
. "$(dirname "$0")/lib.sh"

pi=(--kernel pi --streams 8 --samples 20000 --warmup 0 --quiet)
expect_status 0 "$HYBENCH" run "${pi[@]}" --repeat 3 --serial --csv runs.csv
expect_status 0 "$HYBENCH" run "${pi[@]}" --repeat 3 --threads 2 --oversubscribe --csv runs.csv
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${pi[@]}" --repeat 3 --oversubscribe --csv runs.csv

# The noise columns: CPU time per worker, load before and after; steal where
# /proc/stat has the field (every kernel since 2.6.11).
[ "$(csv_col runs.csv cpu_s | grep -cE '^[0-9]+\.[0-9]{9}$')" -eq 9 ] ||
    fail "cpu_s is not filled on every row: $(csv_col runs.csv cpu_s | tr '\n' ' ')"
workers=$(csv_col runs.csv worker_cpu_s | awk -F';' '{ print NF }' | tr '\n' ' ')
[ "$workers" = "1 1 1 2 2 2 2 2 2 " ] || fail "worker_cpu_s has $workers entries, want 1 1 1 2 2 2 2 2 2"
for col in load_before load_after; do
    [ "$(csv_col runs.csv $col | grep -cE '^[0-9]+\.[0-9]{2}$')" -eq 9 ] ||
        fail "$col is not a load on every row: $(csv_col runs.csv $col | tr '\n' ' ')"
done
if awk '$1 == "cpu" && NF >= 9 { ok = 1 } END { exit !ok }' /proc/stat; then
    [ "$(csv_col runs.csv steal_s | grep -cE '^[0-9]+\.[0-9]{2}$')" -eq 9 ] ||
        fail "steal_s is not filled: $(csv_col runs.csv steal_s | tr '\n' ' ')"
fi
# A worker's CPU time cannot exceed its busy time by more than the clocks'
# granularity (both are read around the same span).
paste -d' ' <(csv_col runs.csv cpu_s) <(csv_col runs.csv busy_mean_s) <(csv_col runs.csv workers) |
    awk '$1 > $2 * $3 * 1.01 + 1e-3 { bad = 1; print "cpu " $1 " > busy " $2 " x " $3 } END { exit bad }' >&2 ||
    fail "cpu_s exceeds the workers' busy time"
grep -qE '^cpu_governor: .+' runs.csv.meta || fail "meta has no cpu_governor line"
grep -qE '^git_dirty: (yes|no|unknown)$' runs.csv.meta || fail "meta has no git_dirty line"
grep -qE '^command: .*hybench run --kernel pi --streams 8 .*--csv runs\.csv' runs.csv.meta ||
    fail "meta has not the command line: $(grep '^command' runs.csv.meta)"

# Intervals in the table, and the same numbers twice.
expect_status 0 "$HYBENCH" report runs.csv --out a
cp out.txt table.txt
grep -qE '^[* ] 2x1 +static .* [0-9.]+ \[[0-9.]+, [0-9.]+\]' table.txt ||
    fail "no interval in the table: $(cat table.txt)"
grep -q '^intervals: 95% bootstrap' table.txt || fail "no line on the intervals"
expect_status 0 "$HYBENCH" report runs.csv --out b
cmp -s a/efficiency.csv b/efficiency.csv || fail "two reports of the same rows differ"
[ "$(csv_col a/efficiency.csv schema | sort -u)" = hybench-efficiency-2 ] || fail "efficiency.csv schema"

# A torn last line (a crash mid-append): noted, left out.
cp runs.csv torn.csv
tail -n 1 runs.csv | head -c 60 >>torn.csv
expect_status 0 "$HYBENCH" report torn.csv --out t
grep -q '^note: torn.csv: line 11 is torn' out.txt || fail "no torn-line note: $(cat out.txt)"
cmp -s a/efficiency.csv t/efficiency.csv || fail "the torn line changed the report"
# The next append sets it aside first: the file reads again, the tail is kept.
expect_status 0 "$HYBENCH" run "${pi[@]}" --serial --repeat 1 --csv torn.csv
[ "$(cat torn.csv.torn)" = "$(tail -n 1 runs.csv | head -c 60)" ] ||
    fail "torn.csv.torn does not hold the torn tail: $(cat torn.csv.torn)"
expect_status 0 "$HYBENCH" report torn.csv --out t2
grep -q 'is torn' out.txt && fail "still torn after the append"
grep -q '^note: torn.csv.torn holds 61 bytes' out.txt || fail "no note on torn.csv.torn: $(cat out.txt)"
[ "$(csv_col torn.csv repeat | wc -l)" -eq 10 ] || fail "torn.csv has not its 10 rows"

# Copies of rows: counted once, with a note.
{ cat runs.csv; tail -n 3 runs.csv; } >copies.csv
expect_status 0 "$HYBENCH" report copies.csv --out c
grep -q '^note: copies.csv: 3 rows are identical in every field to an earlier row (the first: row 10) counted once' out.txt ||
    fail "no note on the copies: $(cat out.txt)"
cmp -s a/efficiency.csv c/efficiency.csv || fail "copied rows changed the report"

# A short row in the middle is refused by its line, nothing written.
{ head -n 3 runs.csv; sed -n 4p runs.csv | cut -d, -f1-20; tail -n +5 runs.csv; } >short.csv
expect_bad_input "$HYBENCH" report short.csv --out s
grep -q 'line 4: 20 fields but the header has 39' err.txt || fail "short row: $(cat err.txt)"
finish
