#!/bin/bash
# The cluster tests (label cluster): `checks.sh CASE` with the emulated
# cluster up (fixture cluster_up). Each case launches hybench across the
# emulated nodes and compares with what one node gives.
#
#   placement  2 nodes x 1 rank over ssh: two host names, one rank per host
#   results    π, pow and mc on 2 nodes equal the single-node results
#   dynamic    the dynamic schedule hands tasks to workers on both nodes
#   srun       placement, results and dynamic through srun on the local Slurm,
#              and srun --cpu-bind: the workers stay inside the step's CPUs
#   sbatch     `hybench matrix --emit-sbatch` submitted with sbatch writes a report
#   hang       the two-node π run at 2:2x1, 44 times: never hangs in MPI_Finalize
#              (tests/cluster/hang_lib.sh)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
case_name=${1:?usage: checks.sh CASE}
QUICK=(--repeat 1 --warmup 0)

# The kernels to compare and their options: small, but many tasks, so both
# nodes get some.
declare -A KOPTS=(
    [pi]="--streams 64 --samples 100000"
    [pow]="--elements 100000 --chunk 1000"
    [mc]="--beta 4,8 --m 1 --h 0.5,1 --slices 16 --iterations 5000 --out-dir mc"
)

# check_placement LAUNCHER: LAUNCHER is on_nodes or on_slurm.
check_placement() {
    local launch=$1
    "$launch" 2 1 out.txt run --kernel host --tasks 8 --nodes 2 --bind none "${QUICK[@]}" \
        --csv host.csv || fail "$launch host run: exit $? :: $(tail -n 5 out.txt)"
    # The placement table: one line per worker, "rank thread host ...".
    local table
    table=$(awk '/^ *rank +thread +host/ {on = 1; next} on && NF >= 3 && $1 ~ /^[0-9]+$/ {print $1, $3} on && !NF {on = 0}' out.txt)
    [ "$(echo "$table" | awk '{print $2}' | sort -u | tr '\n' ' ')" = "hbnode1 hbnode2 " ] ||
        fail "$launch: placement does not name hbnode1 and hbnode2 once each: $table"
    [ "$(echo "$table" | grep -c .)" -eq 2 ] || fail "$launch: want 2 workers, placement shows: $table"
    [ "$(echo "$table" | awk '{print $2}' | sort | uniq -d)" = "" ] ||
        fail "$launch: two ranks on one host: $table"
    # sort -u: a launch retried after a hang in MPI_Finalize has left a row already.
    [ "$(csv_col host.csv hosts | sort -u)" = "hbnode1;hbnode2" ] ||
        fail "$launch: CSV hosts column is '$(csv_col host.csv hosts)'"
    [ "$(csv_col host.csv nodes | sort -u)" = 2 ] ||
        fail "$launch: CSV nodes is '$(csv_col host.csv nodes)'"
}

# check_results LAUNCHER: every kernel's result column (and mc's files)
# on 2 nodes x 1 rank equals a single-node 1x1 run's.
check_results() {
    local launch=$1 k compared=0
    for k in pi pow mc; do
        # shellcheck disable=SC2206
        local opts=(${KOPTS[$k]})
        rm -rf mc "ref-$k.csv" "$k.csv" mc-ref
        local_run 1 "ref-$k.out" run --kernel "$k" "${opts[@]}" "${QUICK[@]}" --csv "ref-$k.csv" ||
            { fail "single-node $k: exit $? :: $(tail -n 3 "ref-$k.out")" && continue; }
        [ -d mc ] && mv mc mc-ref
        "$launch" 2 1 "$k.out" run --kernel "$k" "${opts[@]}" --nodes 2 "${QUICK[@]}" \
            --csv "$k.csv" || { fail "$launch $k: exit $? :: $(tail -n 3 "$k.out")" && continue; }
        local want got
        want=$(csv_col "ref-$k.csv" result | sort -u)
        got=$(csv_col "$k.csv" result | sort -u)
        [ -n "$want" ] && [ "$want" = "$got" ] ||
            fail "$launch $k: result '$got' on 2 nodes, '$want' on one"
        # The verdict too must not depend on the layout (mc's statistical check
        # may say "unverified" for short runs, on one node as on two).
        want=$(csv_col "ref-$k.csv" verified | sort -u)
        got=$(csv_col "$k.csv" verified | sort -u)
        [ "$want" = "$got" ] || fail "$launch $k: verdict '$got' on 2 nodes, '$want' on one"
        [ "$k" = mc ] || [ "$got" = yes ] || fail "$launch $k: not verified ('$got')"
        if [ "$k" = mc ]; then
            [ -n "$(ls mc-ref 2>/dev/null)" ] || fail "mc wrote no .dat files"
            diff -r mc-ref mc >/dev/null || fail "$launch mc: .dat files differ from single node"
        fi
        compared=$((compared + 1))
    done
    [ $compared -eq 3 ] || fail "compared $compared kernels, want 3"
}

# check_dynamic LAUNCHER: per-worker task counts from a dynamic run.
check_dynamic() {
    local launch=$1
    rm -f dyn.csv
    # Tasks of a few ms: a remote worker's fetch over TCP is only served when
    # rank 0 enters MPI (no asynchronous progress), so with tiny tasks rank 0
    # can take them all before the other node's first request is answered.
    "$launch" 2 1 dyn.out run --kernel pi --streams 64 --samples 1000000 --schedule dynamic \
        --nodes 2 --bind none "${QUICK[@]}" --csv dyn.csv || fail "$launch dynamic: exit $? :: $(tail -n 3 dyn.out)"
    local wt
    wt=$(csv_col dyn.csv worker_tasks | head -n 1)
    echo "$launch dynamic worker_tasks: $wt"
    [ "$(echo "$wt" | tr ';' '\n' | grep -c .)" -eq 2 ] || fail "$launch: want 2 workers, got '$wt'"
    # Which worker gets how many is timing: a node that starts late can find
    # the work gone (seen under load); the sum is what the hand-out owes.
    echo "$wt" | tr ';' '\n' | grep -qxE '0|' && echo "NOTE: $launch: a worker got no task: '$wt'"
    [ "$(echo "$wt" | tr ';' '\n' | awk '{s += $1} END {print s}')" -eq 64 ] ||
        fail "$launch: tasks handed out do not add up to 64: '$wt'"
}

need_slurm() {
    if [ "${HB_CLUSTER_SLURM:-none}" = none ] || [ -z "$SLURM_CONF" ]; then
        echo "SKIP: the local Slurm did not come up (see $HB_CLUSTER_DIR/slurm/*.log)"
        exit 77
    fi
}

# check_cpu_bind: srun --cpu-bind=cores with one CPU per task; the step's
# mask, read by a shell Slurm started in its place, is where hybench's
# workers must land (runs.csv cpus_allowed/cpus_from, cpusets).
check_cpu_bind() {
    local step=(srun -N 1 --mpi=pmi2) got mask sets one=(-c 1 --cpu-bind=cores)
    rm -f bind1.csv bind2.csv mask.*
    # One task bound to CPU 1 of the two it holds, not the first one a plan
    # over the machine would take.
    [ "$(nproc)" -ge 2 ] && one=(-c 2 --cpu-bind=map_cpu:1)
    hb_launch bind1.out "${step[@]}" "${one[@]}" -n 1 bash -c \
        'taskset -cp $$ | sed "s/.*: //" >mask.$SLURM_PROCID && exec "$@"' _ \
        "$HYBENCH" run --kernel host --tasks 4 "${QUICK[@]}" --csv bind1.csv ||
        { fail "srun --cpu-bind, 1 task: exit $? :: $(tail -n 3 bind1.out)" && return; }
    mask=$(cat mask.0)
    got="$(csv_col bind1.csv cpus_allowed) $(csv_col bind1.csv cpus_from) $(csv_col bind1.csv cpusets)"
    echo "srun ${one[*]} -n 1: step mask $mask, hybench: $got"
    [ "$(nproc)" -lt 2 ] || [ "$got" = "$mask process $mask" ] ||
        fail "srun --cpu-bind, 1 task: step mask $mask, hybench placed '$got'"
    # Two tasks of one CPU each: each rank keeps its own.
    hb_launch bind2.out "${step[@]}" -c 1 --cpu-bind=cores -n 2 bash -c \
        'taskset -cp $$ | sed "s/.*: //" >mask.$SLURM_PROCID && exec "$@"' _ \
        "$HYBENCH" run --kernel host --tasks 4 "${QUICK[@]}" --csv bind2.csv ||
        { fail "srun --cpu-bind, 2 tasks: exit $? :: $(tail -n 3 bind2.out)" && return; }
    sets=$(csv_col bind2.csv cpusets)
    echo "srun -c 1 --cpu-bind=cores -n 2: step masks $(cat mask.0) $(cat mask.1), hybench: $sets"
    [ "$sets" = "$(cat mask.0);$(cat mask.1)" ] ||
        fail "srun --cpu-bind, 2 tasks: masks $(cat mask.0) $(cat mask.1), workers on '$sets'"
    [ "$(csv_col bind2.csv cpus_from)" = node ] || [ "$(cat mask.0)" = "$(cat mask.1)" ] ||
        fail "srun --cpu-bind, 2 tasks: cpus_from '$(csv_col bind2.csv cpus_from)', want node"
    # Two threads in a one-CPU step: refused, not placed on a CPU the step lacks.
    hb_launch bind3.out "${step[@]}" -c 1 --cpu-bind=cores -n 1 "$HYBENCH" run --kernel host \
        --threads 2 "${QUICK[@]}"
    local st=$?
    [ $st -eq 2 ] || fail "srun --cpu-bind -c 1, 2 threads: exit $st (want 2) :: $(tail -n 2 bind3.out)"
    grep -q 'given 1 core' bind3.out || fail "srun --cpu-bind -c 1, 2 threads: $(tail -n 2 bind3.out)"
}

case $case_name in
placement) check_placement on_nodes ;;
results) check_results on_nodes ;;
dynamic) check_dynamic on_nodes ;;
srun)
    need_slurm
    if [ "${HB_MPI_FLAVOUR:-mpich}" = openmpi ]; then
        # Open MPI's srun path is --mpi=pmix; here Slurm's pmix plugin fails
        # to start a step across the two emulated nodes (both slurmd share
        # one host's /tmp). Open MPI runs in an allocation through mpirun,
        # which the sbatch case checks.
        echo "SKIP: srun --mpi=pmix does not start multi-node steps on the emulated cluster"
        exit 77
    fi
    check_placement on_slurm
    check_results on_slurm
    check_dynamic on_slurm
    check_cpu_bind
    ;;
hang)
    . "$here/hang_lib.sh"
    row_written() { [ "$(wc -l <launch.csv 2>/dev/null || echo 0)" -ge 2 ]; }
    hang_loop "2:2x1 pi" row_written "${nodes_launcher[@]}" $(nodes_args 2 2) "$HYBENCH" run \
        --kernel pi --streams 16 --samples 10000 --bind none --nodes 2 "${QUICK[@]}" --csv launch.csv
    ;;
sbatch)
    need_slurm
    if ! "$HYBENCH" matrix --help 2>&1 | grep -q -- --emit-sbatch; then
        echo "SKIP: hybench matrix has no --emit-sbatch yet"
        exit 77
    fi
    mkdir -p submit && cd submit || exit 1
    # A short --timeout: a launch that hangs in MPI_Finalize after its rows
    # is stopped and recorded, and the job goes on.
    expect_status 0 "$HYBENCH" matrix --layouts 1x1,2:1x1 \
        --kernel 'pi --streams 16 --samples 20000' --schedules static --repeat 1 --warmup 0 --rounds 1 \
        --timeout 20 --out res --name sb --time 5 --emit-sbatch job.sbatch
    [ -x job.sbatch ] || fail "no executable job.sbatch"
    grep -qx '#SBATCH --nodes=2' job.sbatch || fail "job.sbatch does not ask for 2 nodes"
    grep -qx '#SBATCH --ntasks-per-node=1' job.sbatch || fail "job.sbatch: want 1 task per node"
    [ -e res ] && fail "--emit-sbatch ran the matrix instead of writing the script"
    # submit FILE: sbatch it and wait for the job to leave the queue (no
    # accounting: squeue forgets it); sets job. Bounded: 3 launches of at
    # most 20 s each, plus Slurm's own start-up.
    submit() {
        job=$(env "${slurm_env[@]}" sbatch --parsable "$1" 2>err.txt) || { fail "sbatch refused: $(cat err.txt)" && return 1; }
        for _ in $(seq 150); do
            [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && return 0
            sleep 1
        done
        scancel "$job"
        fail "job $job still queued or running after 150 s"
    }
    submit job.sbatch
    out=$(cat "hybench-$job.out" 2>/dev/null)
    csv=res/sb/runs.csv eff=res/sb/efficiency.csv
    [ -s "$csv" ] || fail "the job wrote no $csv: $(echo "$out" | tail -n 5)"
    [ -s "$eff" ] && [ -s res/sb/meta ] || fail "no efficiency.csv or meta next to $csv"
    echo "$out" | grep -q "^results: res/sb" || fail "the job did not finish its report: $(echo "$out" | tail -n 5)"
    # Complete: the serial baseline, 1x1 and 2:1x1, each with its timings
    # (kept, with a note, if the launch hung in MPI_Finalize after them).
    for lay in serial 1x1 2:1x1; do
        row=$(awk -F, -v l="$lay" '$4 == l' "$eff")
        [ -n "$row" ] || { fail "$eff has no $lay row" && continue; }
        echo "$row" | awk -F, '$14 >= 1 && $29 ~ /^ok/' | grep -q . ||
            fail "$lay: no verified repeat: $row"
    done
    [ "$(awk -F, '$8 == 2' "$csv" | wc -l)" -ge 1 ] || fail "no 2-node rows in $csv"
    [ "$(csv_col "$csv" hosts | grep -c '^hbnode1;hbnode2$')" -ge 1 ] ||
        fail "the 2-node rows do not name both nodes: $(csv_col "$csv" hosts | sort -u)"
    grep -q 'timeout-after-rows' "$csv" && echo "NOTE: a launch hung after its rows (recorded)"
    ;;
*) echo "checks.sh: unknown case '$case_name'" >&2 && exit 2 ;;
esac
finish
