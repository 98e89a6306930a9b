#!/bin/bash
# Faults: a failing, a hanging, a crashing layout and one whose launch exits 0
# without its rows are recorded with their status while the other layouts
# complete; a launch that hangs after writing its rows keeps them and says
# so; an interrupted matrix leaves a loadable runs.csv and --resume reruns
# only what is missing; one matrix at a time owns a results directory, and
# a launch cannot outlive a matrix killed with SIGKILL (what it leaves
# behind is ended by the next --resume). Every wait is for a state (a file,
# a row, a process gone), never for a guessed time.
. "$(dirname "$0")/lib.sh"

fl="bash $HB_SOURCE_DIR/tests/matrix_fail_launcher.sh"
base=(matrix --kernel 'pi --streams 8 --samples 2000' --layouts 1x1,1x2,2x1
      --schedules static --repeat 2 --warmup 0 --rounds 1 --order fixed --out res --quiet)

# This test's hanging launches sleep for a time no other test uses.
export HB_TEST_SLEEP=$((100000 + $$))
nap=$HB_TEST_SLEEP orphan=$((HB_TEST_SLEEP + 1))
# wait_for CMD...: until CMD succeeds; the test's own timeout bounds it.
wait_for() { until "$@"; do sleep 0.05; done; }
gone() { ! pgrep -f "^sleep $1\$" >/dev/null; }

# Only a hanging launch needs the timeout; it is long enough that a launch
# that does not hang never meets it, even on a loaded machine.
for mode in fail hang crash noop; do
    want=failed timeout=600
    [ $mode = hang ] && want=timeout timeout=30
    [ $mode = crash ] && want=crashed
    expect_status 1 "$HYBENCH" "${base[@]}" --name $mode --timeout $timeout \
        --launcher "$fl $mode {layout} 2x1 $MPIEXEC -n {ranks} -bind-to none {program}"
    said=$want
    [ $mode = noop ] && said="exited 0 but wrote no rows"
    grep -q "pi 2x1 static round 1: $said" err.txt ||
        fail "$mode: stderr does not name the $want launch: $(cat err.txt)"
    f=res/$mode/efficiency.csv
    [ -s "$f" ] || { fail "$mode: no efficiency.csv"; continue; }
    awk -F, '$4 == "2x1"' "$f" | grep -q ",$want," || fail "$mode: 2x1 not recorded as $want"
    for lay in 1x1 1x2; do
        awk -F, -v l=$lay '$4 == l && $29 == "ok"' "$f" | grep -q . ||
            fail "$mode: $lay did not complete"
    done
done

# A launch that writes its rows and then hangs (the MPI_Finalize hang): the
# rows stay, with a timeout row beside them, and the report says so.
expect_status 1 "$HYBENCH" "${base[@]}" --name late --timeout 30 \
    --launcher "$fl hang-after {layout} 2x1 $MPIEXEC -n {ranks} -bind-to none {program}"
grep -q "2x1 static round 1: timeout after writing all its rows" err.txt ||
    fail "late: stderr does not say the launch timed out after its rows: $(cat err.txt)"
f=res/late/efficiency.csv
awk -F, '$4 == "2x1" && $14 == 2 && $15 == 1' "$f" | grep -q 'ok; launch timed out after its rows' ||
    fail "late: 2x1 not recorded as 2 ok repeats + a late timeout: $(grep 2x1 "$f")"
grep -q "note: pi 2x1 static: the launch ended 'timeout' after writing its rows" out.txt ||
    fail "late: no note under the table"
[ "$(grep -c ',timeout-after-rows,' res/late/runs.csv)" -eq 1 ] ||
    fail "late: want one timeout-after-rows row"

# Interrupt a matrix while a launch hangs (the launcher marks the moment it
# hangs; --order fixed makes 2x1 the last launch): completed rows stay, the
# hanging launch is stopped, exit non-zero.
HB_TEST_MARK=$PWD/int.hang "$HYBENCH" "${base[@]}" --name int --timeout 60 \
    --launcher "$fl hang {layout} 2x1 $MPIEXEC -n {ranks} -bind-to none {program}" \
    >int.out 2>int.err &
pid=$!
wait_for test -e int.hang
kill -INT $pid
wait $pid
st=$?
[ $st -ne 0 ] || fail "interrupted matrix exited 0"
"$HYBENCH" report res/int/runs.csv --out int-report >/dev/null 2>&1 ||
    fail "runs.csv of the interrupted matrix does not load"
grep -q ',interrupted,' res/int/runs.csv || fail "interrupted launch not recorded"
ok_before=$(grep -c ',ok,' res/int/runs.csv)
[ "$ok_before" -eq 6 ] || fail "want the 6 completed rows kept, got $ok_before"
gone $nap || fail "the hanging launch was left running"

# --resume reruns only the missing configuration (2x1), now with a working launcher.
expect_status 0 "$HYBENCH" "${base[@]}" --name int --resume
grep -q 'resume: 3 of 4 launches were already complete' out.txt ||
    fail "resume did not skip the completed launches: $(head -3 out.txt)"
awk -F, '$4 == "2x1" && $29 == "ok"' res/int/efficiency.csv | grep -q . ||
    fail "resume did not complete 2x1"
[ "$(grep -c ',ok,' res/int/runs.csv)" -eq $((ok_before + 2)) ] ||
    fail "resume did not add exactly the 2 missing repeats"

# A row torn by a crash mid-append (the file cut inside its last line): the
# next --resume sets the torn line aside in runs.csv.torn before appending,
# says so, and reruns exactly the repeat it held.
head -c -40 res/int/runs.csv >cut.csv && cat cut.csv >res/int/runs.csv
expect_status 0 "$HYBENCH" "${base[@]}" --name int --resume
grep -q 'line [0-9]* was torn (a write cut short); its .* bytes are kept in res/int/runs.csv.torn' out.txt ||
    fail "torn: not reported: $(head -3 out.txt)"
[ "$(wc -l <res/int/runs.csv.torn)" -eq 1 ] || fail "torn: runs.csv.torn does not hold the line"
[ "$(csv_rows res/int/runs.csv status=ok | wc -l)" -eq $((ok_before + 2)) ] ||
    fail "torn: want the torn repeat rerun, once"
"$HYBENCH" report res/int/runs.csv --out torn-report >/dev/null || fail "torn: runs.csv does not load"

# --precision adds rounds until every speedup is known within +-P, or up
# to --max-rounds: an impossible precision stops there, saying so.
expect_status 0 "$HYBENCH" matrix --kernel 'pi --streams 8 --samples 2000' --layouts 1x1 \
    --schedules static --repeat 2 --warmup 0 --rounds 1 --out res --quiet --name prec \
    --precision 1e-6 --max-rounds 3
grep -q 'precision: stopped at --max-rounds after 3 rounds' out.txt || fail "precision: $(grep precision out.txt)"
[ "$(csv_col res/prec/runs.csv round | sort -u | paste -sd, -)" = 1,2,3 ] ||
    fail "precision: rounds $(csv_col res/prec/runs.csv round | sort -u | paste -sd, -), want 1,2,3"

# A name that holds a matrix is not reused without --resume.
expect_status 2 "$HYBENCH" "${base[@]}" --name int
grep -q 'already holds a matrix; --resume completes it' err.txt || fail "reuse: $(cat err.txt)"

# One owner per results directory: a second matrix of the same name is
# refused while the first runs. SIGKILL of the first takes its launch with
# it (parent-death signal); what the launch left behind (a process that
# ignores SIGTERM) is ended by the next --resume before it runs anything.
HB_TEST_MARK=$PWD/own.hang "$HYBENCH" "${base[@]}" --name own --timeout 120 \
    --launcher "$fl orphan {layout} 2x1 $MPIEXEC -n {ranks} -bind-to none {program}" \
    >own.out 2>own.err &
pid=$!
wait_for test -e own.hang
expect_status 2 "$HYBENCH" "${base[@]}" --name own --resume
grep -q "is in use by another hybench matrix (pid $pid)" err.txt || fail "lock: $(cat err.txt)"
kill -KILL $pid
wait $pid 2>/dev/null
wait_for gone $nap
pgrep -f "^sleep $orphan\$" >/dev/null || fail "orphan: the test's left-behind process did not start"
expect_status 0 "$HYBENCH" "${base[@]}" --name own --resume
grep -q 'ended 1 process that an earlier matrix of res/own left running' out.txt ||
    fail "orphan not ended: $(head -3 out.txt)"
gone $orphan || fail "the left-behind process still runs"
[ "$(csv_rows res/own/runs.csv status=ok | wc -l)" -eq 8 ] || fail "own: want 4 x 2 ok rows"
finish
