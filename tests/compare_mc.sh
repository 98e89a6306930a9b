# The plain-Python mc (examples/mc.py, through ProcessPool, ParallelPool,
# ez_map and GNU parallel) gives the same file names as hybench, acceptance
# rates within 5 binomial sigma and <x^2> within 5 combined sigma on
# well-mixed points; the check can fail; hybench's worker processes running
# the same Python give ParallelPool's bytes.
source "$HB_SOURCE_DIR/tests/lib.sh"
source "$HB_SOURCE_DIR/tests/compare_lib.sh"

# Well mixed at 20000 sweeps: spacing beta/slices = 0.5, proposal half-width 1.5 (tau_int < 8 sweeps).
printf 'beta,m,h\n32.0,1.0,1.5\n32.0,0.5,1.5\n' >points.csv
expect_status 0 "$HYBENCH" run --kernel mc --beta 32.0 --m 1.0,0.5 --h 1.5 --iterations 20000 \
    --out-dir hb --repeat 1 --warmup 0 --quiet
grep -q 'mixing = well mixed' hb/b32.0_m1.0_h1.5.dat || fail "hybench calls the test point poorly mixed"
for tool in processpool parallelpool ezmap; do
    expect_status 0 "$PY" "$CMP/job.py" "$tool" mc --workers 2 --points points.csv \
        --sweeps 20000 --out "py_$tool"
    expect_status 0 "$PY" "$CMP/check.py" mc hb "py_$tool"
    grep -q 'acceptance within 5 binomial sigma on 2 of 2 points.*<x^2> within 5 combined sigma on 2 of 2 well-mixed' out.txt ||
        fail "$tool: $(cat out.txt)"
done
if command -v parallel >/dev/null 2>&1; then
    mkdir -p py_parallel
    expect_status 0 parallel -j 2 --colsep , "$PY" "$CMP/point.py" mc '{1}' '{2}' '{3}' 20000 \
        py_parallel '{#}' :::: <(tail -n +2 points.csv)
    expect_status 0 "$PY" "$CMP/check.py" mc hb py_parallel
else
    echo "note: GNU parallel not installed; its mc run is not checked"
fi

# The agreement check can fail: an acceptance rate moved by 2% of itself on
# one point (many binomial sigma at 20000 sweeps), or nothing to judge.
cp -r py_processpool tampered
f=tampered/b32.0_m1.0_h1.5.dat
acc=$(sed -n 's/^# acceptance = //p' "$f")
new=$("$PY" -c "print(repr($acc * 1.02))")
sed -i "s/^# acceptance = .*/# acceptance = $new/" "$f"
expect_status 1 "$PY" "$CMP/check.py" mc hb tampered
grep -q 'acceptance within 5 binomial sigma on 1 of 2 points' out.txt || fail "tampered: $(cat out.txt)"
mkdir -p none_a none_b
expect_status 1 "$PY" "$CMP/check.py" mc none_a none_b
grep -q 'NOTHING JUDGED' out.txt || fail "empty: $(cat out.txt)"

# The lesson's scan with the same Python run_mc on both sides: hybench's
# worker processes (examples/mc_worker.py) and ParallelPool write the same
# bytes (the same code and the same per-task seeds).
expect_status 0 "$HYBENCH" run --kernel cmd --worker "$PY $HB_SOURCE_DIR/examples/mc_worker.py hbw 300" \
    --param beta=0.5,1.0 --param m=0.5,1.0 --param h=0.5,1.0 --threads 2 --schedule dynamic \
    --repeat 1 --warmup 0 --quiet
printf 'beta,m,h\n' >p8.csv
for b in 0.5 1.0; do for m in 0.5 1.0; do for h in 0.5 1.0; do echo "$b,$m,$h"; done; done; done >>p8.csv
expect_status 0 "$PY" "$CMP/job.py" parallelpool mc --workers 2 --points p8.csv --sweeps 300 --out ppw
expect_status 0 "$PY" "$CMP/check.py" identical hbw ppw
grep -q '8 vs 8 files, 8 byte-identical' out.txt || fail "worker vs ParallelPool: $(cat out.txt)"

# The lesson's 7 zipped points: same 7 file names from both.
expect_status 0 "$HYBENCH" run --kernel mc --zip --beta 0.5,0.5,1.0,1.0,1.0,2.0,2.0 \
    --m 0.5,1.0,0.5,1.0,2.0,1.0,2.0 --h 1.0 --iterations 20 --out-dir hb7 --repeat 1 --warmup 0 --quiet
printf 'beta,m,h\n0.5,0.5,1.0\n0.5,1.0,1.0\n1.0,0.5,1.0\n1.0,1.0,1.0\n1.0,2.0,1.0\n2.0,1.0,1.0\n2.0,2.0,1.0\n' >p7.csv
expect_status 0 "$PY" "$CMP/job.py" processpool mc --workers 2 --points p7.csv --sweeps 20 --out py7
[ "$(ls hb7)" = "$(ls py7)" ] || fail "file names differ: $(ls hb7 | tr '\n' ' ') vs $(ls py7 | tr '\n' ' ')"
[ "$(ls py7 | wc -l)" -eq 7 ] || fail "want 7 files, got $(ls py7 | wc -l)"
finish
