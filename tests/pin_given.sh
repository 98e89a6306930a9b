# The CPUs a launcher or scheduler gives are respected (pin.h): under
# taskset a run lands inside the mask and a layout that does not fit is
# refused unless --oversubscribe; ranks bound to one core each by the
# launcher keep their cores; the launcher hybench uses itself does not bind
# (Open MPI's mpirun would bind each of two ranks to one core and collapse a
# rank's threads); runs.csv says which set the workers were placed in.
. "$HB_SOURCE_DIR/tests/lib.sh"
[ "$(nproc)" -ge 2 ] || { echo "SKIP: needs 2 CPUs, this machine gives $(nproc)"; exit 77; }
host=(run --kernel host --tasks 8 --repeat 1 --warmup 0)

# cpus CSV: "allowed from cpusets" of its last row.
cpus() {
    echo "$(csv_col "$1" cpus_allowed | tail -n 1) $(csv_col "$1" cpus_from | tail -n 1)" \
        "$(csv_col "$1" cpusets | tail -n 1)"
}

expect_status 0 "$HYBENCH" "${host[@]}" --csv free.csv
[ "$(csv_col free.csv cpus_from)" = machine ] || fail "no mask: cpus_from $(cpus free.csv)"
expect_status 0 taskset -c 1 "$HYBENCH" "${host[@]}" --csv one.csv
[ "$(cpus one.csv)" = "1 process 1" ] || fail "taskset -c 1: want CPU 1 from the process: $(cpus one.csv)"
grep -q 'inside CPUs 1 .*(process' out.txt || fail "placement table does not name the mask: $(head -n 3 out.txt)"
expect_bad_input taskset -c 1 "$HYBENCH" "${host[@]}" --threads 2 --csv no.csv
grep -q 'given 1 core (CPUs 1' err.txt || fail "taskset -c 1, 1x2: $(cat err.txt)"
expect_status 0 taskset -c 1 "$HYBENCH" "${host[@]}" --threads 2 --oversubscribe --csv over.csv
[ "$(cpus over.csv)" = "1 process 1;1" ] || fail "1x2 --oversubscribe under taskset -c 1: $(cpus over.csv)"
expect_status 0 taskset -c 1 "$HYBENCH" "${host[@]}" --serial --csv serial.csv
[ "$(cpus serial.csv)" = "1 process 1" ] || fail "--serial under taskset -c 1: $(cpus serial.csv)"

# The launcher binds each rank to a core: each keeps its own (the node's masks).
# Without the tests' no-binding default for Open MPI, so its own options count.
unbound=(env -u OMPI_MCA_hwloc_base_binding_policy)
expect_status 0 "${unbound[@]}" "$MPIEXEC" -n 2 -bind-to core "$HYBENCH" "${host[@]}" --csv bound.csv
set -- $(cpus bound.csv)
[ "$2" = node ] || fail "2 ranks bound to a core each: cpus_from $(cpus bound.csv)"
[ "$(echo "$3" | tr ';' '\n' | sort -u | wc -l)" -eq 2 ] || fail "2 bound ranks share a core: $3"
# ... and one rank's two threads do not fit its one core: refused, not collapsed.
expect_bad_input "${unbound[@]}" "$MPIEXEC" -n 1 -bind-to core "$HYBENCH" "${host[@]}" --threads 2 \
    --csv no.csv
grep -q 'given 1 core' err.txt || fail "1x2 on a rank bound to one core: $(cat err.txt)"

# The matrix's own launcher (the default for this MPI) leaves every worker its
# own core at 2x1 and at 1x2.
expect_status 0 "${unbound[@]}" "$HYBENCH" matrix --kernels host --layouts 2x1,1x2 \
    --schedules static --repeat 1 --warmup 0 --out res --name m --quiet
for lay in "2 1" "1 2"; do
    set -- $lay
    sets=$(awk -F, -v r="$1" -v t="$2" 'NR > 1 && $8 == 1 && $9 == r && $10 == t {print $28}' \
        res/m/runs.csv | tail -n 1)
    [ -n "$sets" ] || { fail "matrix: no ${1}x${2} row" && continue; }
    [ "$(echo "$sets" | tr ';' '\n' | sort -u | wc -l)" -eq 2 ] ||
        fail "matrix ${1}x${2}: workers share a core: $sets"
done
finish
