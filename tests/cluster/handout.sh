#!/bin/bash
# The two-level dynamic hand-out across the emulated nodes (label cluster,
# fixture cluster_up): the schedule's own test across 2 nodes (every task
# exactly once for awkward task counts and chunks, and across resets with
# one node slower), then hybench runs whose task times show every task run
# exactly once by workers of both nodes, with the results of one node, under
# the two-level and the flat counter, with 1 and with 2 ranks on each node
# (then a node's counter is shared by two processes, and rank 0's node
# partner reaches the global counter through shared memory, which MPICH
# completes only when rank 0 makes progress).
#   handout.sh TEST_SCHED   (the test_sched binary)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
test_sched=${1:?usage: handout.sh TEST_SCHED}
QUICK=(--repeat 1 --warmup 0 --quiet --bind none)

# test_sched across 2 nodes x 1 rank x 2 threads: the counter is remote, so
# the automatic hand-out takes two levels (--expect-rma checks it is remote).
# shellcheck disable=SC2046
hb_launch sched.out "${nodes_launcher[@]}" $(nodes_args 2 1) "$test_sched" --mpi --expect-rma ||
    fail "test_sched --mpi across nodes: $(tail -n 5 sched.out)"
# shellcheck disable=SC2046
hb_launch reset.out "${nodes_launcher[@]}" $(nodes_args 2 1) "$test_sched" --mpi-reset auto ||
    fail "test_sched --mpi-reset across nodes: $(tail -n 5 reset.out)"

# check_tasks FILE N RANKS: the last recording holds N tasks, each once, by
# ranks of the launch (a launch retried after the MPI_Finalize hang has
# appended one recording before). Which ranks got tasks is timing, so it is
# only shown.
check_tasks() {
    local f=$1 n=$2 ranks=$3 got
    [ $(($(wc -l <"$f") - 1)) -ge "$n" ] && [ $((($(wc -l <"$f") - 1) % n)) -eq 0 ] ||
        fail "$f: $(($(wc -l <"$f") - 1)) rows, not whole recordings of $n"
    got=$({ head -n 1 "$f"; tail -n "$n" "$f"; } | awk -F, -v R="$ranks" '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { if ($c["task"] != NR - 2 || $c["rank"] < 0 || $c["rank"] >= R) bad = 1; r[$c["rank"]]++ }
        END { printf "%d %d", NR - 1, bad; for (k in r) printf " rank%s:%d", k, r[k] > "/dev/stderr" }')
    [ "$got" = "$n 0" ] || fail "$f: rows and out-of-order = '$got', want '$n 0'"
}

for k in pi pow mc pi2; do
    case $k in
    pi) opts=(--kernel pi --streams 64 --samples 200000) n=64 ;;
    pow) opts=(--kernel pow --elements 200000 --chunk 100) n=2000 ;;
    mc) opts=(--kernel mc --beta 4,8,12 --m 1,2 --h 0.5,1 --slices 16 --iterations 4000) n=12 ;;
    pi2) opts=(--kernel pi --streams 200 --samples 20000 --oversubscribe) n=200 ;;
    esac
    ppn=1
    [ $k = pi2 ] && ppn=2
    out() { [ $k = mc ] && echo "--out-dir $1"; }
    rm -rf ref two flat
    # shellcheck disable=SC2046
    local_run 1 "ref-$k.out" run "${opts[@]}" "${QUICK[@]}" $(out ref) --csv "ref-$k.csv" ||
        { fail "single-node $k: $(tail -n 3 "ref-$k.out")" && continue; }
    for h in two-level flat; do
        dir=${h%-level}
        rm -f "$k-$h.tasks.csv"
        # shellcheck disable=SC2046
        on_nodes 2 $ppn "$k-$h.out" run "${opts[@]}" "${QUICK[@]}" --nodes 2 --schedule dynamic --handout "$h" \
            $(out "$dir") --csv "$k-$h.csv" --task-times "$k-$h.tasks.csv"
        rc=$?
        # With 4 ranks talking TCP, MPICH 4.0.2 hangs in MPI_Finalize most of
        # the time (docs/cluster.md); a launch that wrote its row and its task
        # times first has done what is checked here.
        if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
            [ -s "$k-$h.csv" ] && [ -s "$k-$h.tasks.csv" ] && echo "NOTE: $k --handout $h hung after its rows" ||
                { fail "$k --handout $h on 2 nodes timed out: $(tail -n 3 "$k-$h.out")" && continue; }
        elif [ $rc -ne 0 ]; then
            fail "$k --handout $h on 2 nodes: exit $rc: $(tail -n 3 "$k-$h.out")" && continue
        fi
        [ "$(csv_col "$k-$h.csv" result | sort -u)" = "$(csv_col "ref-$k.csv" result | sort -u)" ] ||
            fail "$k --handout $h: result '$(csv_col "$k-$h.csv" result | sort -u)' on 2 nodes, '$(csv_col "ref-$k.csv" result)' on one"
        [ "$(csv_col "$k-$h.tasks.csv" nodes | sort -u)" = 2 ] || fail "$k --handout $h: the recording is not of 2 nodes"
        check_tasks "$k-$h.tasks.csv" "$n" $((2 * ppn))
        [ "$k" = mc ] && { diff -r ref "$dir" >/dev/null || fail "mc --handout $h: files differ from one node"; }
    done
done
finish
