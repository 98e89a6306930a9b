# plugin: a shared object that does not load, lacks hybench_plugin_abi, was
# built for another ABI, or lacks the function is bad input (exit 2, one
# line naming it, nothing written); a task that fails fails the run naming
# its point; a function whose result changes between repetitions is
# unverified, never passed.
. "$(dirname "$0")/lib.sh"
dir=${1:?usage: plugin_cli.sh FIXTURE_DIR MC_PLUGIN.so}
mc=${2:?}
r=(--repeat 1 --warmup 1)

named() { grep -qF -- "$1" err.txt || fail "stderr does not say '$1': $(cat err.txt)"; }
echo "not a shared object" >text.so
expect_bad_input "$HYBENCH" run --kernel plugin --plugin text.so "${r[@]}"
named "--plugin: cannot load 'text.so'"
expect_bad_input "$HYBENCH" run --kernel plugin --plugin missing.so "${r[@]}"
named "--plugin: cannot load 'missing.so'"
expect_bad_input "$HYBENCH" run --kernel plugin --plugin "$dir/plugin_noabi.so" "${r[@]}"
named "has no symbol hybench_plugin_abi"
expect_bad_input "$HYBENCH" run --kernel plugin --plugin "$dir/plugin_abi99.so" "${r[@]}"
named "was built for plug-in ABI 99, this hybench has ABI 1"
expect_bad_input "$HYBENCH" run --kernel plugin --plugin "$mc" --function nope "${r[@]}"
named "--function: '$mc' has no function 'nope'"
expect_bad_input "$HYBENCH" run --kernel plugin "${r[@]}"
named "--plugin: missing"
expect_bad_input "$MPIEXEC" -n 2 "$HYBENCH" run --kernel plugin --plugin "$dir/plugin_abi99.so" "${r[@]}"
named "ABI 99"

expect_status 1 "$HYBENCH" run --kernel plugin --plugin "$dir/plugin_fails.so" --param x=1:4:1 "${r[@]}"
named "task 2 (x=3): hybench_task in $dir/plugin_fails.so returned 7"
[ "$(wc -l <err.txt)" -eq 1 ] || fail "a failed task is not one line: $(cat err.txt)"
expect_status 0 "$HYBENCH" run --kernel plugin --plugin "$dir/plugin_fails.so" --param x=1,2,4 \
    --repeat 2 --warmup 0
grep -q 'sums of the results \[21, 0, 0, 0\]' out.txt || fail "x^2 sums: $(cat out.txt)"
grep -q 'verified yes' out.txt || fail "deterministic plug-in not verified: $(tail -1 out.txt)"
expect_status 0 "$HYBENCH" run --kernel plugin --plugin "$dir/plugin_fails.so" --function hb_counter \
    --param x=1,2 --repeat 2 --warmup 0
grep -q 'verified unverified: not deterministic' out.txt || fail "a counter passed: $(tail -1 out.txt)"
grep -q 'verified yes' out.txt && fail "a counter printed 'verified yes'"
finish
