# cmd faults: a failing point fails the run naming it while the other
# points' outputs stay, and --resume then reruns only it; a task that hangs
# is stopped by --task-timeout, its whole process group with it; a worker
# process that exits mid-run, or answers more than one line, fails its task
# clearly and is replaced for the next one; SIGTERM to hybench stops the
# running task's processes too.
. "$(dirname "$0")/lib.sh"

# A point command that fails at x=3 until fixed, and logs every run.
cat >point.sh <<'SH'
#!/bin/sh
echo "ran $1" >>runs.log
if [ "$1" = 3 ] && [ ! -e fixed ]; then echo "x=3 is broken" >&2; exit 3; fi
echo "value $1"
SH
chmod +x point.sh
# gone PID: wait (bounded) until PID has died: killed processes take a moment
# to go, and a dead child of init can linger as a zombie.
gone() {
    local i
    for i in $(seq 500); do
        [ -e "/proc/$1" ] || return 0
        [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
        sleep 0.02
    done
    kill "$1" 2>/dev/null
    return 1
}
run=(--kernel cmd --command './point.sh {x}' --param x=1:5:1 --stdout 'out/x{x}.txt'
     --repeat 1 --warmup 0 --threads 2 --quiet)
expect_status 1 "$HYBENCH" run "${run[@]}"
[ "$(wc -l <err.txt)" -eq 1 ] || fail "failure is not one line: $(cat err.txt)"
grep -q "task 2 (x=3): './point.sh 3' exited with status 3; standard error in out/x3.txt.err (last line: 'x=3 is broken')" err.txt ||
    fail "the failure does not name the task, point, status and message: $(cat err.txt)"
[ "$(ls out | tr '\n' ' ')" = "x1.txt x2.txt x3.txt.err x4.txt x5.txt " ] ||
    fail "after the failure out/ holds: $(ls out | tr '\n' ' ')"
[ "$(cat out/x5.txt)" = "value 5" ] || fail "x5.txt: $(cat out/x5.txt)"
[ "$(sort runs.log | tr '\n' ' ')" = "ran 1 ran 2 ran 3 ran 4 ran 5 " ] || fail "runs: $(cat runs.log)"
: >runs.log
touch fixed
expect_status 0 "$HYBENCH" run "${run[@]}" --resume
[ "$(cat runs.log)" = "ran 3" ] || fail "--resume ran '$(tr '\n' ' ' <runs.log)', want only x=3"
[ "$(ls out | tr '\n' ' ')" = "x1.txt x2.txt x3.txt x4.txt x5.txt " ] ||
    fail "after --resume out/ holds: $(ls out | tr '\n' ' ')"
grep -q '5 tasks (1 run, 4 skipped by --resume)' out.txt || fail "resume report: $(cat out.txt)"
# --resume takes outputs from their files in the first repetition only: the
# next one runs every task, and the first one's row says "resumed", not "ok".
: >runs.log
expect_status 0 "$HYBENCH" run --kernel cmd --command './point.sh {x}' --param x=1:5:1 \
    --stdout 'out/x{x}.txt' --repeat 2 --warmup 0 --threads 2 --quiet --resume --csv resumed.csv
[ "$(wc -l <runs.log)" -eq 5 ] || fail "the second repetition ran $(wc -l <runs.log) of 5 tasks"
[ "$(csv_col resumed.csv status | tr '\n' ' ')" = "resumed ok " ] ||
    fail "statuses: $(csv_col resumed.csv status | tr '\n' ' ')"

# A hanging task: stopped by --task-timeout with what it started, the rest done.
cat >hang.sh <<'SH'
#!/bin/sh
if [ "$1" = 2 ]; then sleep 987.654 & echo $! >straggler.pid; wait; fi
echo "done $1"
SH
chmod +x hang.sh
expect_status 1 "$HYBENCH" run --kernel cmd --command './hang.sh {x}' --param x=1:4:1 \
    --out-dir hang --task-timeout 1 --repeat 1 --warmup 0 --quiet
grep -q "task 1 (x=2): './hang.sh 2' ran past --task-timeout 1 s and was stopped" err.txt ||
    fail "timeout message: $(cat err.txt)"
[ -e hang/task-0.out ] && [ -e hang/task-3.out ] && [ ! -e hang/task-1.out ] || fail "hang/: $(ls hang)"
[ -s straggler.pid ] || fail "the hanging task did not start its sleep"
gone "$(cat straggler.pid)" || fail "the hanging task's sleep outlived it"
# A background process of a task that succeeded does not outlive it either.
expect_status 0 "$HYBENCH" run --kernel cmd --shell --command 'sleep 987.655 & echo $! >bg.pid' \
    --out-dir bg --repeat 1 --warmup 0 --quiet
gone "$(cat bg.pid)" || fail "a task's background process outlived it"

# A worker process that exits mid-run: its task fails, the others are done
# (the worker's later tasks by a new process), and --resume redoes the one.
cat >worker.sh <<'SH'
#!/bin/sh
echo "start $$" >>starts.log
while IFS= read -r line; do
    case $line in *"x=3"*) [ -e fixed ] || exit 5 ;; esac
    case $line in *"x=5"*) [ -e fixed ] || { printf 'one\ntwo\n'; continue; } ;; esac
    echo "answer to $line"
done
SH
chmod +x worker.sh
rm -f fixed
wrun=(--kernel cmd --worker ./worker.sh --param x=1:6:1 --stdout 'wout/{x}.txt' --repeat 1
      --warmup 0 --quiet)
expect_status 1 "$HYBENCH" run "${wrun[@]}"
grep -q "task 2 (x=3): the worker process './worker.sh' (worker 0) exited with status 5 before answering" err.txt ||
    fail "worker death: $(cat err.txt)"
[ "$(ls wout | tr '\n' ' ')" = "1.txt 2.txt 4.txt 6.txt " ] || fail "wout/: $(ls wout | tr '\n' ' ')"
[ "$(cat wout/4.txt)" = "answer to task=3	x=4" ] || fail "wout/4.txt: $(cat wout/4.txt)"
# Three processes: the first, one after the death, one after the bad answer.
[ "$(wc -l <starts.log)" -eq 3 ] || fail "worker processes started: $(wc -l <starts.log), want 3"
# The second failure (the run names the first): x=5 alone.
expect_status 1 "$HYBENCH" run --kernel cmd --worker ./worker.sh --param x=5 --repeat 1 --warmup 0
grep -q "task 0 (x=5): the worker process './worker.sh' (worker 0) answered more than one line (answer 'one'); it was stopped" err.txt ||
    fail "two lines: $(cat err.txt)"
touch fixed
expect_status 0 "$HYBENCH" run "${wrun[@]}" --resume
[ "$(ls wout | tr '\n' ' ')" = "1.txt 2.txt 3.txt 4.txt 5.txt 6.txt " ] || fail "wout/ after --resume: $(ls wout)"
grep -q '6 tasks (2 run, 4 skipped by --resume)' out.txt || fail "worker resume report: $(cat out.txt)"
# A worker that never answers is stopped by --task-timeout.
expect_status 1 "$HYBENCH" run --kernel cmd --worker 'sleep 987.656' --param x=1 --task-timeout 0.5 \
    --repeat 1 --warmup 0
grep -q "task 0 (x=1): the worker process 'sleep 987.656' (worker 0) gave no answer within --task-timeout 0.5 s" err.txt ||
    fail "worker timeout: $(cat err.txt)"

# SIGTERM while a task runs: hybench stops and so does the task's process.
cat >slow.sh <<'SH'
#!/bin/sh
echo $$ >slow.pid
exec sleep 987.657
SH
chmod +x slow.sh
"$HYBENCH" run --kernel cmd --command ./slow.sh --out-dir slow --repeat 1 --warmup 0 \
    >slow.out 2>slow.err &
pid=$!
for _ in $(seq 600); do [ -s slow.pid ] && break; sleep 0.02; done
[ -s slow.pid ] || fail "the slow task never started"
kill -TERM $pid
wait $pid
status=$?
[ "$status" -ne 0 ] || fail "interrupted run exited 0"
grep -q "interrupted by signal 15" slow.err && [ "$(wc -l <slow.err)" -eq 1 ] ||
    fail "the interrupt is not one line naming the signal: $(cat slow.err)"
gone "$(cat slow.pid)" || fail "the task's process outlived the interrupted run"
[ -z "$(ls -A slow | grep -v '\.err$')" ] || fail "an interrupted task left output: $(ls -A slow)"
finish
