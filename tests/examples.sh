# The examples (examples/): the lesson's Monte Carlo point as a command
# (mc.py, one Python per task) and as a worker (mc_worker.py, one Python per
# worker) write the same files for the lesson's 7 zipped points, at every
# layout, and the C plug-in (mc_plugin.so, arg 1) gives one result at every
# layout. Needs python3 (scripts/setup installs it); skips (77) without.
. "$(dirname "$0")/lib.sh"
plugin=${1:?usage: examples.sh MC_PLUGIN.so}
ex=$HB_SOURCE_DIR/examples
zip7=(--param beta=0.5,0.5,1.0,1.0,1.0,2.0,2.0 --param m=0.5,1.0,0.5,1.0,2.0,1.0,2.0)
want='b0.5_m0.5_h1.0.dat b0.5_m1.0_h1.0.dat b1.0_m0.5_h1.0.dat b1.0_m1.0_h1.0.dat b1.0_m2.0_h1.0.dat b2.0_m1.0_h1.0.dat b2.0_m2.0_h1.0.dat'
result_of() { grep -o 'result tasks=[^;]*; verified [a-z]*' "$1" | sort -u; }

# The plug-in first: it needs no Python.
prun=(--kernel plugin --plugin "$plugin" "${zip7[@]}" --param h=1.0 --param sweeps=3000 --zip
      --repeat 2)
expect_status 0 "$HYBENCH" run "${prun[@]}" --serial
pref=$(result_of out.txt)
psums=$(grep -o 'sums of the results .*' out.txt)
case $pref in *"tasks=7 digest="*"verified yes") ;; *) fail "plug-in serial: '$pref'" ;; esac
for a in "-n 1 --threads 2" "-n 2" "-n 2 --schedule dynamic"; do
    read -r -a args <<<"$a"
    expect_status 0 "$MPIEXEC" "${args[0]}" "${args[1]}" "$HYBENCH" run "${prun[@]}" "${args[@]:2}"
    [ "$(result_of out.txt)" = "$pref" ] || fail "plug-in $a: '$(result_of out.txt)', serial '$pref'"
    [ "$(grep -o 'sums of the results .*' out.txt)" = "$psums" ] || fail "plug-in $a: sums differ"
done
# The acceptance of the harmonic chain at these points lies in (0, 1) and
# <x^2> is positive: the plug-in computed something.
awk -v s="$psums" 'BEGIN { split(s, f, /[][, ]+/); exit !(f[5] > 0 && f[5] < 7 && f[6] > 0) }' ||
    fail "plug-in sums look wrong: $psums"

if ! command -v python3 >/dev/null; then
    [ "$hb_failures" -eq 0 ] || finish
    echo "SKIP: the plug-in passed, but there is no python3 for the Python examples (scripts/setup installs it)"
    exit 77
fi
run=(--kernel cmd --command "python3 $ex/mc.py {beta} {m} 1.0 300 {seed} {task}" "${zip7[@]}" --zip
     --repeat 1 --warmup 0 --quiet)
expect_status 0 "$HYBENCH" run "${run[@]}" --serial --stdout 'cmd/b{beta}_m{m}_h1.0.dat'
[ "$(ls -A cmd | tr '\n' ' ')" = "$want " ] || fail "command form wrote: $(ls -A cmd | tr '\n' ' ')"
grep -q '^# x2 = ' cmd/b1.0_m2.0_h1.0.dat || fail "not an mc file: $(head -3 cmd/b1.0_m2.0_h1.0.dat)"
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${run[@]}" --stdout 'cmd21/b{beta}_m{m}_h1.0.dat'
diff -r cmd cmd21 >/dev/null || fail "command form: 2x1 differs from serial"
wrun=(--kernel cmd --worker "python3 $ex/mc_worker.py wrk 300" "${zip7[@]}" --param h=1.0 --zip
      --repeat 2)
expect_status 0 "$MPIEXEC" -n 1 "$HYBENCH" run "${wrun[@]}" --threads 2
wref=$(result_of out.txt)
case $wref in *"verified yes") ;; *) fail "worker form: '$wref'" ;; esac
diff -r cmd wrk >/dev/null || fail "the worker form's files differ from the command form's: $(diff -rq cmd wrk | head -2)"
rm -rf wrk
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${wrun[@]}"
[ "$(result_of out.txt)" = "$wref" ] || fail "worker form 2x1: '$(result_of out.txt)', 1x2 '$wref'"
diff -r cmd wrk >/dev/null || fail "worker form 2x1: files differ"
finish
