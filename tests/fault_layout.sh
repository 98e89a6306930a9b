# Injected fault: impossible layouts are refused with exit 2 before any work
# starts (no CSV, no output directory, no result line): more workers than
# cores without --oversubscribe, more ranks than cores, zero threads, and a
# node count the launch or the host list cannot meet.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
cores=$("$HYBENCH" topo 2>/dev/null | grep -oE '[0-9]+ cores' | head -1 | grep -oE '[0-9]+')
cores=${cores:-$(nproc)}
pi=(run --kernel pi --streams 4 --samples 1000 --csv runs.csv)
expect_bad_input "$HYBENCH" "${pi[@]}" --threads $((cores + 1))
expect_bad_input "$HYBENCH" "${pi[@]}" --threads 0
expect_bad_input "$HYBENCH" "${pi[@]}" --nodes 2
expect_bad_input "$MPIEXEC" -n 2 "$HYBENCH" "${pi[@]}" --threads "$cores"
expect_bad_input "$MPIEXEC" -n $((cores + 1)) "$HYBENCH" "${pi[@]}"
expect_bad_input "$MPIEXEC" -n 2 "$HYBENCH" "${pi[@]}" --nodes 3
expect_bad_input "$HYBENCH" run --kernel mc --beta 1 --m 1 --h 1 --threads $((cores + 1))
[ -e mc_data ] && fail "mc made its output directory before refusing the layout"
expect_bad_input "$HYBENCH" matrix --layouts 1x1,$((cores + 1))x1 --kernels pi --out res
expect_bad_input "$HYBENCH" matrix --layouts 2:1x1 --hosts localhost --kernels pi --out res
grep -q 'wall' out.txt && fail "a refused layout printed a result"
finish
