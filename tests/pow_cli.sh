# The pow kernel from the command line: the lesson's call under 1x1, 2x1 and
# 1x2, bad input, and the generated map's checksum across layouts, schedules
# and chunk sizes (taken from the result column of the CSV).
. "$HB_SOURCE_DIR/tests/lib.sh"

lesson="--kernel pow --bases 1,2,3,4 --exponents 5,4,3,2"
for launch in "-n 1:1" "-n 2:1" "-n 1:2"; do
    n=${launch%%:*} t=${launch##*:}
    expect_status 0 $MPIEXEC $n "$HYBENCH" run $lesson --threads "$t" --repeat 1 --warmup 0
    grep -qF '[1, 16, 27, 16]' out.txt || fail "no [1, 16, 27, 16] under $n x $t: $(head -c 300 out.txt)"
done

expect_bad_input "$HYBENCH" run --kernel pow --bases 1,2,3 --exponents 5,4
grep -q '3 bases' err.txt && grep -q '2 exponents' err.txt || fail "unequal lists: $(cat err.txt)"
expect_bad_input "$HYBENCH" run --kernel pow --bases 1 --exponents 2 --elements 5
expect_bad_input "$HYBENCH" run --kernel pow --elements 1e12
grep -q -- '--elements' err.txt && grep -q 'bytes' err.txt || fail "huge map: $(cat err.txt)"

# Checksums: N = 10007 (prime) cut into 1, 7 and 1000 elements per task.
map="--kernel pow --elements 10007 --chunk 1,7,1000 --repeat 1 --warmup 0"
expect_status 0 "$HYBENCH" run $map --serial --csv runs.csv
for sched in static cyclic dynamic; do
    expect_status 0 $MPIEXEC -n 2 "$HYBENCH" run $map --schedule $sched --csv runs.csv
    expect_status 0 $MPIEXEC -n 1 "$HYBENCH" run $map --threads 2 --schedule $sched --csv runs.csv
done
col=$(head -1 runs.csv | tr ',' '\n' | grep -nx result | cut -d: -f1)
vcol=$(head -1 runs.csv | tr ',' '\n' | grep -nx verified | cut -d: -f1)
rows=$(tail -n +2 runs.csv | wc -l)
[ "$rows" -ge 21 ] || fail "expected 21 rows, got $rows"
sums=$(tail -n +2 runs.csv | cut -d, -f"$col" | sort -u)
[ "$(echo "$sums" | wc -l)" -eq 1 ] || fail "checksums differ: $sums"
tail -n +2 runs.csv | cut -d, -f"$vcol" | grep -qvx -e 1 -e true -e yes && fail "unverified rows"
finish
