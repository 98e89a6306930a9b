#!/bin/bash
# Faults: a failing, a hanging and a crashing layout are recorded with their
# status while the other layouts complete; an interrupted matrix leaves a
# loadable runs.csv and --resume reruns only what is missing; bad input is
# refused with one line and nothing written.
. "$(dirname "$0")/lib.sh"

fl="bash $HB_SOURCE_DIR/tests/matrix_fail_launcher.sh"
base=(matrix --kernel 'pi --streams 8 --samples 2000' --layouts 1x1,1x2,2x1
      --schedules static --repeat 2 --warmup 0 --out res --quiet)

for mode in fail hang crash; do
    want=failed
    [ $mode = hang ] && want=timeout
    [ $mode = crash ] && want=crashed
    expect_status 1 "$HYBENCH" "${base[@]}" --name $mode --timeout 5 \
        --launcher "$fl $mode {layout} 2x1 mpiexec -n {ranks} -bind-to none {program}"
    grep -q "2x1 static: $want" err.txt || fail "$mode: stderr does not name the $want launch"
    f=res/$mode/efficiency.csv
    [ -s "$f" ] || { fail "$mode: no efficiency.csv"; continue; }
    awk -F, '$4 == "2x1"' "$f" | grep -q ",$want," || fail "$mode: 2x1 not recorded as $want"
    for lay in 1x1 1x2; do
        awk -F, -v l=$lay '$4 == l && $29 == "ok"' "$f" | grep -q . ||
            fail "$mode: $lay did not complete"
    done
done

# Interrupt a matrix while a launch hangs: completed rows stay, exit non-zero.
"$HYBENCH" "${base[@]}" --name int --timeout 60 \
    --launcher "$fl hang {layout} 2x1 mpiexec -n {ranks} -bind-to none {program}" \
    >int.out 2>int.err &
pid=$!
for _ in $(seq 100); do
    grep -q 'sleep 300\|2x1' res/int/launch.log 2>/dev/null && break
    sleep 0.2
done
sleep 0.5
kill -INT $pid
wait $pid
st=$?
[ $st -ne 0 ] || fail "interrupted matrix exited 0"
"$HYBENCH" report res/int/runs.csv --out int-report >/dev/null 2>&1 ||
    fail "runs.csv of the interrupted matrix does not load"
grep -q ',interrupted,' res/int/runs.csv || fail "interrupted launch not recorded"
ok_before=$(grep -c ',ok,' res/int/runs.csv)
[ "$ok_before" -ge 1 ] || fail "no completed rows kept"
pgrep -f 'sleep 300' -P $$ >/dev/null && fail "the hanging launch was left running"

# --resume reruns only the missing configuration (2x1), now with a working launcher.
expect_status 0 "$HYBENCH" "${base[@]}" --name int --resume
grep -q 'resume: 3 of 4 launches were already complete' out.txt ||
    fail "resume did not skip the completed launches: $(head -3 out.txt)"
awk -F, '$4 == "2x1" && $29 == "ok"' res/int/efficiency.csv | grep -q . ||
    fail "resume did not complete 2x1"
[ "$(grep -c ',ok,' res/int/runs.csv)" -eq $((ok_before + 2)) ] ||
    fail "resume did not add exactly the 2 missing repeats"

# Bad input: one line, exit 2, nothing written.
expect_bad_input "$HYBENCH" matrix --layouts 1x0 --out res2
expect_bad_input "$HYBENCH" matrix --kernels nosuch --out res2
expect_bad_input "$HYBENCH" matrix --kernel 'pi --streams zero' --out res2
expect_bad_input "$HYBENCH" matrix --schedules guided --out res2
expect_bad_input "$HYBENCH" matrix --launcher 'mpiexec -n {rank} {program}' --out res2
expect_bad_input "$HYBENCH" matrix --resume --out res2
expect_bad_input "$HYBENCH" report nosuch.csv
printf 'a,b\n1,2,3\n' >bad.csv
expect_bad_input "$HYBENCH" report bad.csv
rm -f bad.csv
finish
