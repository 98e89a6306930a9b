#!/usr/bin/env bash
# The host kernel through `hybench run`: under 1 and 2 ranks with 1 and 2
# threads every one of the tasks is listed once, by a worker of the layout,
# and the headline result is the same for every layout.
. "$(dirname "$0")/lib.sh"

# check_map NAME RANKS THREADS: out.txt holds a run of 10 tasks.
check_map() {
    local name=$1 ranks=$2 threads=$3
    grep -q 'result tasks=10; verified yes' out.txt || fail "$name: not verified: $(tail -n 2 out.txt)"
    # one line per task 0..9, each by a rank < RANKS and a thread < THREADS
    awk -v r="$ranks" -v t="$threads" '
        /^task [0-9]+: rank / { n++; id = $2 + 0; seen[id]++
            if ($4 < 0 || $4 >= r || $6 < 0 || $6 >= t) bad = bad " " $0 }
        END { for (i = 0; i < 10; i++) if (seen[i] != 1) bad = bad " task " i " x" seen[i] + 0
              if (n != 10 || bad != "") { print n " lines;" bad; exit 1 } }' out.txt >bad.txt ||
        fail "$name: $(cat bad.txt)"
    # the harness's placement table: one row per worker
    local rows
    rows=$(awk '/^ *rank +thread/ { p = 1; next } p && /^ +[0-9]/ { n++; next } { p = 0 } END { print n + 0 }' out.txt)
    [ "$rows" -eq $((ranks * threads)) ] || fail "$name: $rows placement rows"
}

run=(run --kernel host --tasks 10 --repeat 1 --warmup 0)
expect_status 0 "$HYBENCH" "${run[@]}"
check_map serial-1x1 1 1
expect_status 0 "$HYBENCH" "${run[@]}" --threads 2 --schedule dynamic
check_map 1x2 1 2
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" "${run[@]}" --schedule cyclic --distribute spread
check_map 2x1 2 1
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" "${run[@]}" --threads 2 --bind none --oversubscribe
check_map 2x2 2 2
rm -f bad.txt

expect_bad_input "$HYBENCH" run --kernel host --tasks 0
expect_bad_input "$HYBENCH" run --kernel host --tasks 1.5

finish
