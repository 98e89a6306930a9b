# mc: points of very different cost under static and dynamic schedules, on
# 1x2 and 2x1. Static blocks give both workers 8 of the 16 points, so the one
# holding the heavy point (task 0) carries nearly all the work; dynamic hands
# points out as workers free up, so the other worker runs the 15 light ones
# while the heavy one is computed. The check reads the CSV's worker_tasks and
# worker_busy_s columns and asserts on task counts, never on times: busy time
# only says which worker held the heavy point. Dynamic is timing-driven by
# nature; this can only fail if the light worker were starved for the whole
# heavy point (about 200 times the light points' total work).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

printf 'beta,m,h,iterations\n8.0,1.0,1.0,200000\n' >uneven.csv
for b in $(seq 9 23); do echo "$b.0,1.0,1.0,20" >>uneven.csv; done

# column NAME FILE: the value of column NAME in the last row (no quoted commas here)
column() {
    awk -F, -v n="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next }
                       { v = $c } END { print v }' "$2"
}
run_sched() { # RANKS THREADS SCHED: run, leave its row in SCHED.csv
    rm -f "$3.csv"
    expect_status 0 "$MPIEXEC" -n "$1" "$HYBENCH" run --kernel mc --points uneven.csv \
        --slices 16 --threads "$2" --schedule "$3" --repeat 1 --warmup 0 --quiet \
        --out-dir "d_$3" --csv "$3.csv"
}
for layout in 1x2 2x1; do
    ranks=${layout%x*} threads=${layout#*x}
    run_sched "$ranks" "$threads" static
    got=$(column worker_tasks static.csv)
    [ "$got" = "8;8" ] || fail "$layout static: worker_tasks '$got', want 8;8"
    run_sched "$ranks" "$threads" dynamic
    tasks=$(column worker_tasks dynamic.csv) busy=$(column worker_busy_s dynamic.csv)
    # The busier worker held the heavy point: it must have run fewer points.
    verdict=$(awk -v t="$tasks" -v b="$busy" 'BEGIN {
        split(t, n, ";"); split(b, s, ";")
        if (n[1] + n[2] != 16) { print "counts do not add up to 16"; exit }
        h = s[1] > s[2] ? 1 : 2; o = 3 - h
        if (!(n[h] < n[o])) print "the worker with the heavy point ran " n[h] ", the other " n[o]
    }')
    [ -z "$verdict" ] || fail "$layout dynamic: worker_tasks '$tasks', busy '$busy': $verdict"
    diff -r d_static d_dynamic >/dev/null || fail "$layout: static and dynamic files differ"
    rm -rf d_static d_dynamic
done
finish
