# Injected fault: SIGINT and SIGTERM during an mc scan. Completed .dat files
# stay intact (byte-identical to an uninterrupted run's), no temporary file is
# left, the CSV rows say "interrupted", the exit status is non-zero, and
# --resume completes the scan with files identical to the uninterrupted run.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
scan=(--kernel mc --beta 0.5:4:0.5 --m 1,2 --h 0.5,1 --iterations 200000 --repeat 1
      --warmup 0 --quiet)
expect_status 0 "$HYBENCH" run "${scan[@]}" --serial --out-dir ref
nref=$(ls ref | wc -l)
[ "$nref" -eq 32 ] || fail "reference scan wrote $nref files (want 32)"

# interrupt NAME SIG LAUNCH...: start the scan, signal it once 2 files exist.
interrupt() {
    local name=$1 sig=$2; shift 2
    "$@" "${scan[@]}" --out-dir "$name" --csv "$name.csv" >"$name.out" 2>"$name.err" &
    local pid=$! i
    for i in $(seq 600); do
        [ "$(ls "$name" 2>/dev/null | grep -c '\.dat$')" -ge 2 ] && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.05
    done
    # Open MPI's mpirun does not pass SIGINT or SIGTERM on to the ranks (it
    # ends the job its own way); there the ranks get the signal themselves,
    # as from a scheduler.
    local targets=$pid
    if [ "${HB_MPI_FLAVOUR:-}" = openmpi ] && [ "$1" = "$MPIEXEC" ]; then
        targets=$(pgrep -P $pid -x hybench | tr '\n' ' ')
    fi
    kill -"$sig" $targets
    wait $pid
}
check_partial() {
    local name=$1 f
    local n; n=$(ls "$name" | grep -c '\.dat$')
    [ "$n" -lt "$nref" ] || echo "note: $name: every point finished before the signal took effect"
    for f in "$name"/*; do
        case $f in *.dat) ;; *) fail "$name: stray file $f (temporary not cleaned up?)"; continue ;; esac
        cmp -s "$f" "ref/${f##*/}" || fail "$name: $f differs from the uninterrupted run's"
    done
    grep -q ',interrupted,' "$name.csv" || fail "$name: CSV rows not marked interrupted"
    grep -q 'interrupted by signal' "$name.err" || fail "$name: no message naming the signal"
}
resume() {
    local name=$1; shift
    "$@" "${scan[@]}" --out-dir "$name" --resume >"$name.resume.out" 2>"$name.resume.err" ||
        fail "$name: --resume exited $?: $(tail -1 "$name.resume.err")"
    diff -r ref "$name" >/dev/null || fail "$name: resumed files differ from the uninterrupted run"
}

for sig in INT TERM; do
    for mode in serial dynamic; do
        case $mode in
        serial) opts=(--serial) ;;
        dynamic) opts=(--threads 2 --schedule dynamic --oversubscribe --bind none) ;;
        esac
        name=${mode}_$sig
        interrupt "$name" "$sig" "$HYBENCH" run "${opts[@]}"
        st=$?
        [ "$st" -ne 0 ] || fail "$name: exit 0 after SIG$sig"
        check_partial "$name"
        resume "$name" "$HYBENCH" run "${opts[@]}"
    done
    # Under mpiexec: hydra forwards the signal to every rank. Its own exit
    # status after forwarding is not reliable (hydra 4.0.2 returns 0 though
    # every rank exits 1), so the rows and the message are what is checked.
    name=mpi_$sig
    interrupt "$name" "$sig" "$MPIEXEC" -n 2 "$HYBENCH" run --schedule dynamic --bind none
    check_partial "$name"
    resume "$name" "$MPIEXEC" -n 2 "$HYBENCH" run --schedule dynamic --bind none
done

# A second signal ends the run at once, even inside one long task (a single
# stream of 4*10^10 samples, about 30 s of CPU): the first only asks to stop
# at the next task, and the handler then gives the signal back its default
# action. Every wait is for a state: the task under way (the process has used
# 2 s of CPU, far more than its set-up; a signal before the task starts would
# stop the run before it), and the handler installed or gone (SigCgt in
# /proc/PID/status: the signals a handler catches; SIGINT is bit 1).
catches_int() { # PID: does PID catch SIGINT now?
    local mask
    mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 2
    [ -n "$mask" ] && (( (16#$mask >> 1) & 1 ))
}
cpu_at_least() { # PID SECONDS: has PID used that much CPU time?
    local t
    t=$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null) || return 2
    [ -n "$t" ] && [ "$t" -ge $(($2 * $(getconf CLK_TCK))) ]
}
"$HYBENCH" run --kernel pi --streams 1 --samples 4e10 --serial --repeat 1 --warmup 0 --quiet \
    --csv long.csv >long.out 2>long.err &
pid=$!
until catches_int $pid && cpu_at_least $pid 2; do kill -0 $pid 2>/dev/null || break; sleep 0.02; done
kill -INT $pid
until ! catches_int $pid; do kill -0 $pid 2>/dev/null || break; sleep 0.02; done
kill -0 $pid 2>/dev/null || fail "long: the first SIGINT ended the run (want: stop after the task)"
kill -INT $pid
wait $pid
st=$?
[ $st -eq 130 ] || fail "long: exit $st after the second SIGINT, want 130 (killed by SIGINT)"
[ ! -s long.csv ] || fail "long: a row for a repetition that never finished"
finish
