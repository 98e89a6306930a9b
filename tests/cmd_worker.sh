# cmd --worker: one long-lived process per worker, started once per run (not
# per repetition) on the worker's own thread, so pinned like it; the answers'
# digest is the same at --serial, 1x2, 2x1 and with a dynamic schedule.
. "$(dirname "$0")/lib.sh"

cat >worker.sh <<'SH'
#!/bin/sh
echo "$HB_WORKER $HB_CPUS $(awk '/Cpus_allowed_list/ {print $2}' /proc/$$/status)" >>"starts.$HB_WORKER"
while IFS= read -r line; do echo "seen $line seed $HB_SEED"; done
SH
chmod +x worker.sh
run=(--kernel cmd --worker ./worker.sh --param a=1:3:1 --param b=x,y --repeat 3 --warmup 1)
result_of() { grep -o 'result tasks=[^;]*; verified [a-z]*' "$1" | sort -u; }

expect_status 0 "$HYBENCH" run "${run[@]}" --serial
ref=$(result_of out.txt)
case $ref in *"tasks=6 digest="*"verified yes") ;; *) fail "serial: '$ref'" ;; esac
[ "$(cat starts.0 | wc -l)" -eq 1 ] || fail "serial: worker 0 started $(wc -l <starts.0) times in 4 repetitions"
rm -f starts.*
for layout in "1x2:-n 1 --threads 2" "2x1:-n 2" "dyn:-n 2 --schedule dynamic"; do
    name=${layout%%:*}
    read -r -a a <<<"${layout#*:}"
    expect_status 0 "$MPIEXEC" "${a[0]}" "${a[1]}" "$HYBENCH" run "${run[@]}" "${a[@]:2}"
    [ "$(result_of out.txt)" = "$ref" ] || fail "$name: '$(result_of out.txt)', serial '$ref'"
    for w in 0 1; do
        [ -e "starts.$w" ] || { fail "$name: no process for worker $w"; continue; }
        [ "$(wc -l <"starts.$w")" -eq 1 ] || fail "$name: worker $w started $(wc -l <"starts.$w") processes"
        read -r id cpus allowed <"starts.$w"
        [ "$id" = "$w" ] && [ -n "$cpus" ] && [ "$allowed" = "$cpus" ] ||
            fail "$name: worker $w's process: '$(cat "starts.$w")' (id, cpuset, bound to)"
    done
    [ "$(cat starts.0 | awk '{print $2}')" != "$(cat starts.1 | awk '{print $2}')" ] ||
        fail "$name: both worker processes on cpuset $(awk '{print $2}' starts.0)"
    rm -f starts.*
done
# The answers are the digest: another seed changes them.
expect_status 0 "$HYBENCH" run "${run[@]}" --serial --seed 3
[ "$(result_of out.txt)" != "$ref" ] || fail "seed 3 gave the digest of seed 1"
finish
