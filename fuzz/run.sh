#!/usr/bin/env bash
# Run every fuzz target for a bounded time and fail on any crash, leak,
# timeout or out-of-memory. New inputs go to a scratch corpus, not the repo.
#   fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]
# BUILD_DIR is a build configured with CC=clang -DHB_FUZZ=ON.
set -uo pipefail
build=${1:?usage: fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]}
secs=${2:-12}
src=$(cd "$(dirname "$0")" && pwd)
targets=$(cat "$build/fuzz/targets.txt") || { echo "fuzz: no targets in $build" >&2; exit 1; }
work="$build/fuzz/work"
status=0
for t in $targets; do
    mkdir -p "$work/$t" "$work/artifacts"
    # -timeout: a hang is anything slower. fuzz_list gets 60 s: a legal list
    # may expand to HB_LIST_MAX (1e7) values, and `1:2e7:2` alone took about
    # 12 s under ASan on the shared 2-core machine, too close to 20.
    # The fuzzers start no MPI: plain ASan options, fast unwinding.
    tmo=20
    [ "$t" = fuzz_list ] && tmo=60
    ASAN_OPTIONS=${HB_FUZZ_ASAN_OPTIONS:-} "$build/fuzz/$t" -max_total_time="$secs" -timeout="$tmo" -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/$t-" \
        "$work/$t" "$src/corpus/$t" >"$work/$t.log" 2>&1
    rc=$?
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/$t.log" | grep -oE '[0-9]+$')
    time=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$work/$t.log" | grep -oE '[0-9]+ second')
    if [ "$rc" -eq 0 ]; then
        echo "fuzz: $t: ${runs:-?} executions in ${time:-?}s, no finding"
    else
        status=1
        echo "fuzz: $t: FAILED (exit $rc) after ${runs:-?} executions; log $work/$t.log"
        grep -m1 -E 'ERROR:|FUZZ_CHECK|runtime error' "$work/$t.log"
        ls "$work/artifacts/$t-"* 2>/dev/null | sed 's/^/  reproducer: /'
    fi
done
exit $status
