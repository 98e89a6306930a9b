# Injected fault: one rank SIGKILLed mid-run. A single launch fails (non-zero,
# no hang) with a message that says a process was killed; in a matrix the
# layout is recorded as failed, the other layouts complete and no completed
# row is lost.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"

# descendants PID: every process below PID.
descendants() {
    local c
    for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done
}
# kill_a_rank PID: once a hybench rank below PID has run for a while, SIGKILL it.
kill_a_rank() {
    local top=$1 p i
    for i in $(seq 300); do
        for p in $(descendants "$top"); do
            if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = hybench ]; then
                sleep 1
                kill -KILL "$p" && return 0
            fi
        done
        sleep 0.05
    done
    return 1
}

long=(run --kernel pi --streams 64 --samples 4000000 --repeat 50 --warmup 0 --bind none)
# timeout -v says when it had to stop the launch: Open MPI's mpirun itself
# exits 137 (128 + SIGKILL) when a rank was killed, like timeout's KILL.
# Open MPI's own report of the killed rank is wanted here.
env -u OMPI_MCA_orte_execute_quiet timeout -v -k 5 120 "$MPIEXEC" -n 2 "$HYBENCH" "${long[@]}" \
    --csv single.csv >single.out 2>single.err &
pid=$!
kill_a_rank $pid || fail "single: no rank to kill"
wait $pid
st=$?
[ "$st" -ne 0 ] || fail "single: exit 0 after a rank was killed"
grep -q '^timeout: sending signal' single.err && fail "single: the launch hung after a rank died"
# hydra prints its BAD TERMINATION banner on stdout.
cat single.out single.err | grep -qiE 'killed|signal 9' ||
    fail "single: no clear message: $(head -c 300 single.err)"
if [ -s single.csv ]; then
    "$HYBENCH" report single.csv --out single-report >/dev/null 2>&1 ||
        fail "single: runs CSV left by the killed launch does not load"
fi

# In a matrix: a launcher that kills one rank of the 2x1 layout, 1 s after
# the rank appears; its 3 repeats of 64 x 4e7 samples on 2 ranks take about
# 3 s here, under ASan several times that, so the rank is alive then.
cat >killer.sh <<'SH'
#!/bin/bash
layout=$1; shift
[ "$layout" = 2x1 ] || exec "$@"
"$@" & top=$!
SH
declare -f descendants kill_a_rank >>killer.sh
echo 'kill_a_rank $top; wait $top' >>killer.sh
"$HYBENCH" matrix --kernel 'pi --streams 64 --samples 40000000' --layouts 1x1,1x2,2x1 \
    --schedules static --repeat 3 --warmup 0 --rounds 1 --timeout 120 --out res --name kill --quiet \
    --launcher "bash $PWD/killer.sh {layout} $MPIEXEC -n {ranks} -bind-to none {program}" \
    >matrix.out 2>matrix.err
st=$?
[ "$st" -ne 0 ] || fail "matrix: exit 0 though a layout lost a rank"
grep -q '2x1' matrix.err || fail "matrix: stderr does not name the failed layout"
# runs.csv must record the failure itself (a row of 2 ranks whose status is
# not ok), not only stderr: the report and --resume read the CSV.
runs=res/kill/runs.csv
awk -F, 'NR > 1 && $9 == 2 && $27 != "ok"' "$runs" | grep -q . ||
    fail "matrix: runs.csv does not record the 2x1 launch as failed"
f=res/kill/efficiency.csv
if [ -s "$f" ]; then
    for lay in 1x1 1x2; do
        awk -F, -v l=$lay '$4 == l' "$f" | grep -q ',ok,' || fail "matrix: $lay did not complete"
    done
else
    fail "matrix: no efficiency.csv"
fi
ok=$(grep -c ',ok,' res/kill/runs.csv)
# serial baseline + 1x1 + 1x2, 3 repeats each
[ "$ok" -ge 9 ] || fail "matrix: only $ok completed rows kept (want >= 9)"
finish
