# The pow kernel from the command line: the lesson's call under 1x1, 2x1 and
# 1x2, bad input, and the generated map's checksum across layouts, schedules
# and chunk sizes (taken from the result column of the CSV).
#
# Node layouts: 2x1 here is two ranks on one node sharing one window (no
# gather). MPIR_CVAR_NOLOCAL=1 makes MPICH treat every rank as its own node,
# MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) included, so "-n 2" under it runs
# the gather across nodes on this machine; the memory line of the report says
# which layout the kernel saw, and the test insists on it. Other MPIs have
# no such switch: there the cluster tests run the gather across nodes.
. "$HB_SOURCE_DIR/tests/lib.sh"
nolocal=
[ "${HB_MPI_FLAVOUR:-mpich}" = mpich ] && nolocal=1
launches=("-n 1:1" "-n 2:1" "-n 1:2")
[ -n "$nolocal" ] && launches+=("-n 2:nolocal")

lesson="--kernel pow --bases 1,2,3,4 --exponents 5,4,3,2"
for launch in "${launches[@]}"; do
    n=${launch%%:*} t=${launch##*:} env=
    [ "$t" = nolocal ] && t=1 env=MPIR_CVAR_NOLOCAL=1
    expect_status 0 env $env $MPIEXEC $n "$HYBENCH" run $lesson --threads "$t" --repeat 1 --warmup 0
    grep -qF '[1, 16, 27, 16]' out.txt || fail "no [1, 16, 27, 16] under $env $n x $t: $(head -c 300 out.txt)"
done

expect_bad_input "$HYBENCH" run --kernel pow --bases 1,2,3 --exponents 5,4
grep -q '3 bases' err.txt && grep -q '2 exponents' err.txt || fail "unequal lists: $(cat err.txt)"
expect_bad_input "$HYBENCH" run --kernel pow --bases 1 --exponents 2 --elements 5
expect_bad_input "$HYBENCH" run --kernel pow --elements 1e12
grep -q -- '--elements' err.txt && grep -q 'bytes' err.txt || fail "huge map: $(cat err.txt)"


# expect_layout RANKS NODES WHAT: the last run's memory line names that layout.
expect_layout() {
    grep -q "shared by up to $1 ranks\? on each of $2 nodes\?)" out.txt ||
        fail "$3: not $1 rank(s) on each of $2 node(s): $(grep '^memory' out.txt)"
}

# Checksums: N = 10007 (prime) cut into 1, 7 and 1000 elements per task;
# a warm-up first, so the timed repeat reuses a window an earlier one wrote.
map="--kernel pow --elements 10007 --chunk 1,7,1000 --repeat 1 --warmup 1"
expect_status 0 "$HYBENCH" run $map --serial --csv runs.csv
for sched in static cyclic dynamic; do
    expect_status 0 $MPIEXEC -n 2 "$HYBENCH" run $map --schedule $sched --csv runs.csv
    expect_layout 2 1 "2x1 $sched (one node, shared window)"
    if [ -n "$nolocal" ]; then
        expect_status 0 env MPIR_CVAR_NOLOCAL=1 $MPIEXEC -n 2 "$HYBENCH" run $map --schedule $sched \
            --csv runs.csv
        expect_layout 1 2 "MPIR_CVAR_NOLOCAL=1 2x1 $sched (gather across nodes)"
    fi
    expect_status 0 $MPIEXEC -n 1 "$HYBENCH" run $map --threads 2 --schedule $sched --csv runs.csv
done
rows=$(csv_col runs.csv result | wc -l)
want=21
[ -n "$nolocal" ] && want=30
[ "$rows" -eq $want ] || fail "expected $want rows, got $rows"
sums=$(csv_col runs.csv result | sort -u)
[ "$(echo "$sums" | wc -l)" -eq 1 ] || fail "checksums differ: $sums"
[ "$(csv_col runs.csv verified | sort -u)" = yes ] || fail "unverified rows"
finish
