# `hybench run --task-times`: one recording per launch and chunk value, every
# task exactly once with a worker of the launch, its rank and thread, and a
# start and a duration; the same results whichever hand-out ran the tasks:
# the flat counter, two levels with both ranks on one node counter, and two
# levels with each rank its own node (MPICH's MPIR_CVAR_NOLOCAL=1).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

pi=(--kernel pi --streams 37 --samples 2000 --repeat 2 --warmup 0 --quiet)

# check_recording FILE FIRST N WORKERS THREADS SCHEDULE: the N rows from data row FIRST
# are tasks 0..N-1, each once, by workers 0..WORKERS-1, rank/thread matching.
check_recording() {
    local file=$1 first=$2 n=$3 workers=$4 threads=$5 sched=$6 got
    got=$(awk -F, -v f="$first" -v n="$n" -v w="$workers" -v t="$threads" -v s="$sched" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        NR - 1 >= f && NR - 1 < f + n {
            k = NR - 1 - f
            if ($c["task"] != k) bad = bad " task " $c["task"] " at " k
            if ($c["worker"] < 0 || $c["worker"] >= w) bad = bad " worker " $c["worker"]
            if ($c["rank"] != int($c["worker"] / t) || $c["thread"] != $c["worker"] % t) bad = bad " rank/thread of " k
            if ($c["schedule"] != s) bad = bad " schedule " $c["schedule"]
            if (!($c["duration_s"] >= 0) || !($c["start_s"] >= 0)) bad = bad " times of " k
            seen[$c["worker"]]++
        }
        END { print bad ? bad : "ok" }' "$file")
    [ "$got" = ok ] || fail "$file rows $first..$((first + n - 1)):$got"
}

expect_status 0 "$HYBENCH" run "${pi[@]}" --serial --csv r.csv --task-times t.csv
# Without --quiet the run says where the task times went.
expect_status 0 "$HYBENCH" run "${pi[@]:0:10}" --threads 2 --schedule dynamic --csv r.csv --task-times t.csv
grep -q 'task times of 37 tasks appended to t.csv' out.txt || fail "no line about the task times: $(cat out.txt)"
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${pi[@]}" --schedule static --csv r.csv --task-times t.csv
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${pi[@]}" --threads 2 --oversubscribe --schedule dynamic \
    --handout two-level --csv r.csv --task-times t.csv
MPIR_CVAR_NOLOCAL=1 expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${pi[@]}" --schedule dynamic \
    --csv r.csv --task-times t.csv
MPIR_CVAR_NOLOCAL=1 expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${pi[@]}" --schedule dynamic \
    --handout flat --chunk 1,4 --csv r.csv --task-times t.csv

[ "$(grep -c '^schema,' t.csv)" -eq 1 ] || fail "t.csv has $(grep -c '^schema,' t.csv) headers"
[ "$(wc -l <t.csv)" -eq $((1 + 7 * 37)) ] || fail "t.csv has $(wc -l <t.csv) lines, want $((1 + 7 * 37))"
[ "$(csv_col t.csv schema | sort -u)" = hybench-tasks-1 ] || fail "schema column: $(csv_col t.csv schema | sort -u)"
check_recording t.csv 1 37 1 1 serial
check_recording t.csv 38 37 2 2 dynamic
check_recording t.csv 75 37 2 1 static
check_recording t.csv 112 37 4 2 dynamic
check_recording t.csv 149 37 2 1 dynamic
check_recording t.csv 186 37 2 1 dynamic
check_recording t.csv 223 37 2 1 dynamic
[ "$(csv_col t.csv mode | sed -n '1p;38p' | tr '\n' ' ')" = "serial parallel " ] || fail "mode column"
# MPIR_CVAR_NOLOCAL=1 makes each rank its own node under MPICH; other MPIs ignore it.
nodes_want="1 2 "
[ "${HB_MPI_FLAVOUR:-mpich}" = mpich ] || nodes_want="1 1 "
[ "$(csv_col t.csv nodes | sed -n '112p;149p' | tr '\n' ' ')" = "$nodes_want" ] ||
    fail "nodes column: $(csv_col t.csv nodes | sed -n '112p;149p' | tr '\n' ' '), want $nodes_want(NOLOCAL)"
[ "$(csv_col t.csv chunk | sed -n '186p;223p' | tr '\n' ' ')" = "1 4 " ] || fail "chunk column of a --chunk list"
# Static on 2 ranks: tasks 0-17 by worker 0, 18-36 by worker 1.
[ "$(csv_col t.csv worker | sed -n '75,112p' | uniq -c | awk '{print $1 "x" $2}' | head -2 | tr '\n' ' ')" = "18x0 19x1 " ] ||
    fail "static blocks: $(csv_col t.csv worker | sed -n '75,111p' | uniq -c | tr '\n' ' ')"
# One result for every hand-out; no repeat went missing.
[ "$(csv_col r.csv result | sort -u | wc -l)" -eq 1 ] || fail "results differ: $(csv_col r.csv result | sort -u | tr '\n' ' ')"
[ "$(csv_col r.csv verified | sort -u)" = yes ] || fail "a run did not verify"
[ "$(wc -l <r.csv)" -eq $((1 + 7 * 2)) ] || fail "r.csv has $(wc -l <r.csv) lines"

# mc's files are byte-identical under the flat counter and under two levels.
mc=(--kernel mc --beta 4,8 --m 1 --h 0.5,1 --slices 16 --iterations 3000 --repeat 1 --warmup 0 --quiet)
MPIR_CVAR_NOLOCAL=1 expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${mc[@]}" --schedule dynamic \
    --handout flat --out-dir flat --task-times mc.csv
MPIR_CVAR_NOLOCAL=1 expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${mc[@]}" --schedule dynamic \
    --out-dir two --task-times mc.csv
[ -n "$(ls flat)" ] && diff -r flat two >/dev/null || fail "mc files differ between the flat counter and two levels"
check_recording mc.csv 1 4 2 1 dynamic
check_recording mc.csv 5 4 2 1 dynamic

# An unwritable --task-times is found before any work: nothing is written.
expect_status 1 "$HYBENCH" run "${pi[@]}" --csv late.csv --task-times no/such/dir/t.csv
grep -q -- '--task-times' err.txt || fail "the message does not name --task-times: $(cat err.txt)"
[ -e late.csv ] && fail "runs were written before --task-times was refused"
finish
