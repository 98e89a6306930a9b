#!/bin/bash
# Faults: a failing, a hanging and a crashing layout are recorded with their
# status while the other layouts complete; a launch that hangs after writing
# its rows keeps them and says so; an interrupted matrix leaves a loadable
# runs.csv and --resume reruns only what is missing; hosts, launchers and
# --emit-sbatch (dry runs: no cluster needed); bad input is refused with one
# line and nothing written.
. "$(dirname "$0")/lib.sh"

fl="bash $HB_SOURCE_DIR/tests/matrix_fail_launcher.sh"
base=(matrix --kernel 'pi --streams 8 --samples 2000' --layouts 1x1,1x2,2x1
      --schedules static --repeat 2 --warmup 0 --out res --quiet)

for mode in fail hang crash; do
    want=failed
    [ $mode = hang ] && want=timeout
    [ $mode = crash ] && want=crashed
    expect_status 1 "$HYBENCH" "${base[@]}" --name $mode --timeout 5 \
        --launcher "$fl $mode {layout} 2x1 mpiexec -n {ranks} -bind-to none {program}"
    grep -q "2x1 static: $want" err.txt || fail "$mode: stderr does not name the $want launch"
    f=res/$mode/efficiency.csv
    [ -s "$f" ] || { fail "$mode: no efficiency.csv"; continue; }
    awk -F, '$4 == "2x1"' "$f" | grep -q ",$want," || fail "$mode: 2x1 not recorded as $want"
    for lay in 1x1 1x2; do
        awk -F, -v l=$lay '$4 == l && $29 == "ok"' "$f" | grep -q . ||
            fail "$mode: $lay did not complete"
    done
done

# A launch that writes its rows and then hangs (the MPI_Finalize hang): the
# rows stay, with a timeout row beside them, and the report says so.
expect_status 1 "$HYBENCH" "${base[@]}" --name late --timeout 5 \
    --launcher "$fl hang-after {layout} 2x1 mpiexec -n {ranks} -bind-to none {program}"
grep -q "2x1 static: timeout after writing all its rows" err.txt ||
    fail "late: stderr does not say the launch timed out after its rows: $(cat err.txt)"
f=res/late/efficiency.csv
awk -F, '$4 == "2x1" && $14 == 2 && $15 == 1' "$f" | grep -q 'ok; launch timed out after its rows' ||
    fail "late: 2x1 not recorded as 2 ok repeats + a late timeout: $(grep 2x1 "$f")"
grep -q "note: pi 2x1 static: the launch ended 'timeout' after writing its rows" out.txt ||
    fail "late: no note under the table"
[ "$(grep -c ',timeout-after-rows,' res/late/runs.csv)" -eq 1 ] ||
    fail "late: want one timeout-after-rows row"

# Interrupt a matrix while a launch hangs: completed rows stay, exit non-zero.
"$HYBENCH" "${base[@]}" --name int --timeout 60 \
    --launcher "$fl hang {layout} 2x1 mpiexec -n {ranks} -bind-to none {program}" \
    >int.out 2>int.err &
pid=$!
for _ in $(seq 100); do
    grep -q 'sleep 300\|2x1' res/int/launch.log 2>/dev/null && break
    sleep 0.2
done
sleep 0.5
kill -INT $pid
wait $pid
st=$?
[ $st -ne 0 ] || fail "interrupted matrix exited 0"
"$HYBENCH" report res/int/runs.csv --out int-report >/dev/null 2>&1 ||
    fail "runs.csv of the interrupted matrix does not load"
grep -q ',interrupted,' res/int/runs.csv || fail "interrupted launch not recorded"
ok_before=$(grep -c ',ok,' res/int/runs.csv)
[ "$ok_before" -ge 1 ] || fail "no completed rows kept"
pgrep -f 'sleep 300' -P $$ >/dev/null && fail "the hanging launch was left running"

# --resume reruns only the missing configuration (2x1), now with a working launcher.
expect_status 0 "$HYBENCH" "${base[@]}" --name int --resume
grep -q 'resume: 3 of 4 launches were already complete' out.txt ||
    fail "resume did not skip the completed launches: $(head -3 out.txt)"
awk -F, '$4 == "2x1" && $29 == "ok"' res/int/efficiency.csv | grep -q . ||
    fail "resume did not complete 2x1"
[ "$(grep -c ',ok,' res/int/runs.csv)" -eq $((ok_before + 2)) ] ||
    fail "resume did not add exactly the 2 missing repeats"

# Per-configuration harness options: pow sweeps its own grains, pi keeps the
# matrix's chunks and takes its own schedules; one serial baseline per
# kernel+params (pi: one for both chunks; pow: one per grain).
mk=(matrix --layouts 1x1 --chunk 4,16 --out res --dry-run)
expect_status 0 "$HYBENCH" "${mk[@]}" --kernel 'pi --streams 8 --schedules cyclic' \
    --kernel 'pow --elements 2000 --chunk=10,100'
[ "$(grep -c -- '--serial' out.txt)" -eq 3 ] || fail "want 3 serial launches: $(cat out.txt)"
grep -q -- '--kernel pi --streams 8 --chunk 4 .*--serial' out.txt || fail "pi serial: $(cat out.txt)"
grep -q -- '--kernel pow --elements 2000 --chunk 100 .*--serial' out.txt || fail "pow serial 100"
[ "$(grep -c -- '--kernel pi .*--chunk 4,16 .*--schedule cyclic' out.txt)" -eq 1 ] ||
    fail "pi: want one cyclic launch over chunks 4,16: $(cat out.txt)"
grep -- '--kernel pi' out.txt | grep -q -- '--schedule static' && fail "pi ran a schedule it did not ask for"
[ "$(grep -c -- '--kernel pow .*--chunk 10,100 .*--schedule' out.txt)" -eq 2 ] ||
    fail "pow: want static and dynamic over its own grains: $(cat out.txt)"

# Hosts: an N-node layout (N > 1) runs on the first N hosts; every launch
# gets --nodes N.
k=(--kernel 'pi --streams 8' --schedules static --out res --dry-run)
expect_status 0 "$HYBENCH" matrix --layouts 1x1,2:1x1 --hosts h1,h2,h3 "${k[@]}"
grep -q -- '^mpiexec -n 2 -ppn 1 -hosts h1,h2 -bind-to none .* --nodes 2$' out.txt ||
    fail "2:1x1 on --hosts: $(cat out.txt)"
grep -q -- '^mpiexec -n 1 -bind-to none .* --nodes 1$' out.txt ||
    fail "1x1 with --hosts: not on this machine: $(cat out.txt)"
printf '# two nodes\nn1:2\n\nn2:2\n' >hosts.txt
expect_status 0 "$HYBENCH" matrix --layouts 2:2x1 --hostfile hosts.txt "${k[@]}"
grep -q -- '-ppn 2 -hosts n1,n2 ' out.txt || fail "--hostfile: $(cat out.txt)"
SLURM_JOB_NODELIST='sn[07-08]' SLURM_TASKS_PER_NODE='1(x2)' \
    expect_status 0 "$HYBENCH" matrix --layouts 2:1x1 --launcher srun "${k[@]}"
grep -q -- '^srun -N 2 -n 2 --ntasks-per-node 1 --cpus-per-task 1 --mpi=pmi2 .* --nodes 2$' out.txt ||
    fail "--launcher srun in an allocation: $(cat out.txt)"
SLURM_JOB_NODELIST='sn[07-08]' expect_status 0 "$HYBENCH" matrix --layouts 2:1x1 "${k[@]}"
grep -q -- '-hosts sn07,sn08 ' out.txt || fail "Slurm hosts for hydra: $(cat out.txt)"
rm -f hosts.txt
# Layouts the hosts cannot hold are refused before anything runs.
expect_bad_input "$HYBENCH" matrix --layouts 1x1,2:1x1 --kernel 'pi --streams 8' --out res2
grep -q '2:1x1 needs 2 nodes' err.txt || fail "no hosts: $(cat err.txt)"
expect_bad_input "$HYBENCH" matrix --layouts 3:1x1 --hosts h1,h2 --out res2
expect_bad_input "$HYBENCH" matrix --layouts 2x1 --hosts h1:1 --out res2
SLURM_JOB_NODELIST='sn1' SLURM_TASKS_PER_NODE=1 \
    expect_bad_input "$HYBENCH" matrix --layouts 2x1 --kernel 'pi --streams 8' --out res2
expect_bad_input "$HYBENCH" matrix --hosts h1 --hostfile nosuch --out res2
expect_bad_input "$HYBENCH" matrix --hosts 'h1,,h2' --out res2
expect_bad_input "$HYBENCH" matrix --hostfile nosuch.txt --out res2

# --emit-sbatch writes the script and runs nothing.
expect_status 0 "$HYBENCH" matrix --layouts 1x1,2:1x2,1x4 --kernel 'pi --streams 8' --repeat 1 \
    --time 1:30:00 --emit-sbatch job.sbatch --out res3
[ -x job.sbatch ] || fail "no executable job.sbatch"
[ -e res3 ] && fail "--emit-sbatch ran the matrix"
for want in '#SBATCH --nodes=2' '#SBATCH --ntasks-per-node=1' '#SBATCH --cpus-per-task=4' \
    '#SBATCH --time=0-01:30:00'; do
    grep -qx -- "$want" job.sbatch || fail "job.sbatch lacks '$want': $(cat job.sbatch)"
done
grep -q "matrix '--layouts' '1x1,2:1x2,1x4' '--kernel' 'pi --streams 8' '--repeat' '1' '--out' 'res3' --launcher srun\$" job.sbatch ||
    fail "job.sbatch does not run the same matrix with srun: $(tail -n 1 job.sbatch)"
bash -n job.sbatch || fail "job.sbatch is not valid bash"
rm -f job.sbatch
expect_status 0 "$HYBENCH" matrix --layouts 1x1 --kernel 'pi --streams 8' --timeout 60 \
    --emit-sbatch job.sbatch
# 3 launches (a serial baseline, 2 schedules) x 60 s + 10 min
grep -qx '#SBATCH --time=0-00:13:00' job.sbatch || fail "estimated time: $(grep time job.sbatch)"
rm -f job.sbatch
expect_bad_input "$HYBENCH" matrix --kernel 'pi --streams 8' --time 10 --out res2
expect_bad_input "$HYBENCH" matrix --emit-sbatch job.sbatch --time 0 --out res2
expect_bad_input "$HYBENCH" matrix --emit-sbatch job.sbatch --hosts h1 --out res2
expect_bad_input "$HYBENCH" matrix --emit-sbatch job.sbatch --layouts 1x0 --out res2

# Bad input: one line, exit 2, nothing written.
expect_bad_input "$HYBENCH" matrix --kernel 'pow --chunk 0' --out res2
expect_bad_input "$HYBENCH" matrix --kernel 'pi --schedules guided' --out res2
expect_bad_input "$HYBENCH" matrix --kernel 'pi --chunk' --out res2
expect_bad_input "$HYBENCH" matrix --layouts 1x0 --out res2
expect_bad_input "$HYBENCH" matrix --kernels nosuch --out res2
expect_bad_input "$HYBENCH" matrix --kernel 'pi --streams zero' --out res2
expect_bad_input "$HYBENCH" matrix --schedules guided --out res2
expect_bad_input "$HYBENCH" matrix --launcher 'mpiexec -n {rank} {program}' --out res2
expect_bad_input "$HYBENCH" matrix --resume --out res2
expect_bad_input "$HYBENCH" report nosuch.csv
printf 'a,b\n1,2,3\n' >bad.csv
expect_bad_input "$HYBENCH" report bad.csv
rm -f bad.csv
finish
