# mc: every point's .dat file is bit-identical for 1x1, 2x1, 1x2, a dynamic
# schedule and --serial (the stream is keyed by seed and point, never by the
# worker), the printed verdict is the same, and a scan stopped by SIGTERM
# and rerun with --resume ends with exactly the files of an uninterrupted one.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

points=(--kernel mc --beta 4,8 --m 0.5,1 --h 1,2 --slices 8 --iterations 3000 --repeat 1
        --warmup 0)
scan=("${points[@]}" --seed 9)
verdict_of() { grep -o 'result points=[^;]*' "$1" | sort -u; }

expect_status 0 "$MPIEXEC" -n 1 "$HYBENCH" run "${scan[@]}" --out-dir d11
want=$(verdict_of out.txt)
[ -n "$want" ] || fail "1x1 printed no verdict: $(cat out.txt)"
[ "$(ls d11/*.dat 2>/dev/null | wc -l)" -eq 8 ] || fail "1x1 wrote $(ls d11 | wc -l) files, want 8"
check_same() { # DIR: same files, same bytes, same verdict as 1x1
    diff -r d11 "$1" >/dev/null || fail "$1 differs from 1x1: $(diff -rq d11 "$1" | head -3)"
    [ "$(verdict_of out.txt)" = "$want" ] || fail "$1 verdict '$(verdict_of out.txt)' != '$want'"
}
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${scan[@]}" --out-dir d21
check_same d21
expect_status 0 "$MPIEXEC" -n 1 "$HYBENCH" run "${scan[@]}" --threads 2 --out-dir d12
check_same d12
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${scan[@]}" --schedule dynamic --out-dir ddyn
check_same ddyn
expect_status 0 "$HYBENCH" run "${scan[@]}" --serial --out-dir dser
check_same dser
# A different seed gives different files (the comparison can fail).
expect_status 0 "$HYBENCH" run "${points[@]}" --serial --seed 10 --out-dir dseed
diff -rq d11 dseed >/dev/null && fail "seed 10 wrote the same files as seed 9"

# Interrupt a longer scan once a few points are done, then resume it.
long=(--kernel mc --beta 8:19:1 --m 1 --h 1,2 --slices 8 --iterations 400000 --repeat 1
      --warmup 0 --quiet)
expect_status 0 "$HYBENCH" run "${long[@]}" --threads 2 --out-dir full
# --serial checks for the signal between points, so the scan stops part-way.
"$HYBENCH" run "${long[@]}" --serial --out-dir cut >cut.out 2>cut.err &
pid=$!
# wait for the state: three points written (the test's timeout bounds it)
until [ "$(ls cut/*.dat 2>/dev/null | wc -l)" -ge 3 ]; do sleep 0.02; done
kill -TERM "$pid"
wait "$pid"
status=$?
done_files=$(ls cut/*.dat 2>/dev/null | wc -l)
if [ "$done_files" -lt 24 ]; then
    [ "$status" -ne 0 ] || fail "interrupted scan exited 0"
else
    echo "note: the scan finished before the signal; resume is checked on complete files" >&2
fi
[ -z "$(ls -A cut | grep -v '\.dat$')" ] || fail "interrupted scan left other files: $(ls -A cut)"
for f in cut/*.dat; do cmp -s "$f" "full/${f#cut/}" || fail "interrupted scan left a bad $f"; done
expect_status 0 "$HYBENCH" run "${long[@]}" --threads 2 --resume --out-dir cut
diff -r full cut >/dev/null || fail "resumed scan differs: $(diff -rq full cut | head -3)"
# Temporaries left by a killed writer: a run removes this host's whose PID is
# gone (4194305 is above Linux's largest pid_max), keeps a live writer's
# (this shell's) and another host's.
host=$(hostname | cut -d. -f1 | cut -c1-63 | tr -c 'A-Za-z0-9_\n-' _)
cp -r full stale
dead=4194305
for t in ".b8.0_m1.0_h1.0.dat.tmp$dead.$host" ".b9.0_m1.0_h1.0.dat.tmp$dead" \
         ".b10.0_m1.0_h1.0.dat.tmp$$.$host" ".b11.0_m1.0_h1.0.dat.tmp$dead.other-host" \
         ".notes.tmp$dead"; do
    echo partial >"stale/$t"
done
expect_status 0 "$HYBENCH" run "${long[@]}" --serial --resume --out-dir stale
left=$(cd stale && ls -A | grep -v '\.dat$' | sort | tr '\n' ' ')
want_left=".b10.0_m1.0_h1.0.dat.tmp$$.$host .b11.0_m1.0_h1.0.dat.tmp$dead.other-host .notes.tmp$dead "
[ "$left" = "$want_left" ] || fail "after --resume the temporaries are '$left', want '$want_left'"
grep -q 'removed 2 stale temporary files' out.txt || fail "no report of the removal: $(cat out.txt)"
# A run without --resume removes them too (a matrix's launches do not pass
# --resume, and must not leave a killed launch's temporaries behind), and
# keeps the others.
echo partial >"stale/.b8.0_m1.0_h1.0.dat.tmp$dead.$host"
expect_status 0 "$HYBENCH" run --kernel mc --beta 8 --m 1 --h 1 --slices 8 --iterations 1000 \
    --repeat 1 --warmup 0 --quiet --serial --out-dir stale
[ -e "stale/.b8.0_m1.0_h1.0.dat.tmp$dead.$host" ] && fail "a run left a dead writer's temporary"
[ -e "stale/.b10.0_m1.0_h1.0.dat.tmp$$.$host" ] || fail "a run removed a live writer's temporary"
# --resume with a warm-up: the warm-up completes the scan, the timed repeat
# computes the whole map (its row is ok, and as long as an uninterrupted one);
# without a warm-up the first timed repeat is the one that resumes, and its
# row says so.
rm -f cut/b8.0_m1.0_h1.0.dat
expect_status 0 "$HYBENCH" run "${long[@]}" --serial --resume --out-dir cut \
    --csv resumed.csv
[ "$(csv_col resumed.csv status | sort -u)" = resumed ] || fail "warmup 0: want a resumed row: $(csv_col resumed.csv status)"
rm -f cut/b8.0_m1.0_h1.0.dat
expect_status 0 "$HYBENCH" run "${long[@]/#0/1}" --serial --resume --out-dir cut --csv warm.csv
[ "$(csv_col warm.csv status | sort -u)" = ok ] || fail "warmup 1: want an ok row: $(csv_col warm.csv status)"
diff -r full cut >/dev/null || fail "resumed scans differ: $(diff -rq full cut | head -3)"

# A stale file (other seed) is recomputed, not trusted by its name.
cp dseed/b4.0_m0.5_h1.0.dat dser/b4.0_m0.5_h1.0.dat
expect_status 0 "$HYBENCH" run "${scan[@]}" --serial --resume --out-dir dser
check_same dser
finish
