#!/bin/bash
# The matrix's command line without running launches: per-configuration
# harness options, hosts and launchers, --emit-sbatch (dry runs: no cluster
# needed), layouts planned for other machines, and every bad input refused
# with one line and nothing written.
. "$(dirname "$0")/lib.sh"

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
expect_status 0 "$HYBENCH" matrix --layouts 1x1,2:1x1 --hosts h1,h2,h3 --launcher mpiexec "${k[@]}"
grep -q -- '^[^ ]*mpiexec[.a-z]* -n 2 -ppn 1 -hosts h1,h2 -bind-to none .* --nodes 2$' out.txt ||
    fail "2:1x1 on --hosts: $(cat out.txt)"
# With hosts every launch runs on them, the 1-node ones and the serial
# baseline on the first (the matrix may run on a login node).
grep -q -- '^[^ ]*mpiexec[.a-z]* -n 1 -ppn 1 -hosts h1 -bind-to none .* --threads 1 --schedule static --nodes 1$' out.txt ||
    fail "1x1 with --hosts: not on the first host: $(cat out.txt)"
grep -q -- '^[^ ]*mpiexec[.a-z]* -n 1 -ppn 1 -hosts h1 -bind-to none .* --serial --nodes 1$' out.txt ||
    fail "serial with --hosts: not on the first host: $(cat out.txt)"
# Open MPI's mpirun: ppr per node, slots per host, no binding, root allowed
# only as root.
expect_status 0 "$HYBENCH" matrix --layouts 1x1,2:1x1 --hosts h1,h2,h3 --launcher mpirun "${k[@]}"
root= mr=mpirun
[ "$(id -u)" -eq 0 ] && root='--allow-run-as-root '
[ "${HB_MPI_FLAVOUR:-}" = openmpi ] && mr=$MPIEXEC
grep -q -- "^$mr ${root}-n 2 --map-by ppr:1:node --host h1:1,h2:1 --bind-to none .* --nodes 2\$" out.txt ||
    fail "--launcher mpirun on --hosts: $(cat out.txt)"
grep -q -- "^$mr ${root}-n 1 --map-by ppr:1:node --host h1:1 --bind-to none .* --nodes 1\$" out.txt ||
    fail "--launcher mpirun, 1x1: $(cat out.txt)"
# The default is the launcher of the MPI hybench was built with, by its path.
expect_status 0 "$HYBENCH" matrix --layouts 1x1 "${k[@]}"
case ${HB_MPI_FLAVOUR:-} in
openmpi) want="^$MPIEXEC ${root}-n 1 --map-by ppr:1:node --bind-to none .* --nodes 1\$" ;;
*) want="^$MPIEXEC -n 1 -bind-to none .* --nodes 1\$" ;;
esac
grep -q -- "$want" out.txt || fail "default launcher, not $MPIEXEC's: $(cat out.txt)"
# Layouts beyond this machine's cores are planned when hosts or --dry-run
# say they run elsewhere (the README's across-nodes example on a login node).
expect_status 0 "$HYBENCH" matrix --layouts 1x4,2:4x1,2:2x2 --hosts node1:4,node2:4 "${k[@]}"
expect_status 0 "$HYBENCH" matrix --layouts 1x64 --kernel 'pi --streams 8' --out res --dry-run
printf '# two nodes\nn1:2\n\nn2:2\n' >hosts.txt
expect_status 0 "$HYBENCH" matrix --layouts 2:2x1 --hostfile hosts.txt --launcher mpiexec "${k[@]}"
grep -q -- '-ppn 2 -hosts n1,n2 ' out.txt || fail "--hostfile: $(cat out.txt)"
SLURM_JOB_NODELIST='sn[07-08]' SLURM_TASKS_PER_NODE='1(x2)' \
    expect_status 0 "$HYBENCH" matrix --layouts 2:1x1 --launcher srun "${k[@]}"
pmi=pmi2
[ "${HB_MPI_FLAVOUR:-}" = openmpi ] && pmi=pmix
grep -q -- "^srun -N 2 -n 2 --ntasks-per-node 1 --cpus-per-task 1 --mpi=$pmi .* --nodes 2\$" out.txt ||
    fail "--launcher srun in an allocation: $(cat out.txt)"
SLURM_JOB_NODELIST='sn[07-08]' expect_status 0 "$HYBENCH" matrix --layouts 2:1x1 --launcher mpiexec "${k[@]}"
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
# Each layout launched the way this MPI launches inside an allocation.
inalloc=srun
[ "${HB_MPI_FLAVOUR:-}" = openmpi ] && inalloc=mpirun
grep -q "matrix '--layouts' '1x1,2:1x2,1x4' '--kernel' 'pi --streams 8' '--repeat' '1' '--out' 'res3' --launcher '$inalloc'\$" job.sbatch ||
    fail "job.sbatch does not run the same matrix with $inalloc: $(tail -n 1 job.sbatch)"
bash -n job.sbatch || fail "job.sbatch is not valid bash"
rm -f job.sbatch
expect_status 0 "$HYBENCH" matrix --layouts 1x1 --kernel 'pi --streams 8' --timeout 60 \
    --emit-sbatch job.sbatch
# 3 launches (a serial baseline, 2 schedules) x 3 rounds x 60 s + 10 min
grep -qx '#SBATCH --time=0-00:19:00' job.sbatch || fail "estimated time: $(grep time job.sbatch)"
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
# Traps: an option given twice, a kernel's option given to the matrix, a
# misspelt one, a garbled kernel-spec message.
expect_bad_input "$HYBENCH" matrix --layouts 1x1 --layouts 2x1 --out res2
grep -q "given twice" err.txt || fail "repeated --layouts: $(cat err.txt)"
expect_bad_input "$HYBENCH" matrix --kernels mc --beta 0.5 --out res2
grep -q "it is a mc kernel option; give it with its kernel, --kernel 'mc --beta ...'" err.txt ||
    fail "kernel option to the matrix: $(cat err.txt)"
expect_bad_input "$HYBENCH" matrix --layout 1x1 --out res2
grep -q "did you mean --layouts?" err.txt || fail "misspelt option: $(cat err.txt)"
expect_bad_input "$HYBENCH" matrix --kernel 'pi --samples x' --out res2
grep -qx "hybench matrix: --kernel 'pi --samples x': --samples: 'x' is not an integer" err.txt ||
    fail "garbled kernel-spec message: $(cat err.txt)"
expect_bad_input "$HYBENCH" matrix --kernel 'pi --samples 1e12' --out res2
grep -q "size check; --force runs it" err.txt || fail "size check: $(cat err.txt)"
expect_bad_input "$HYBENCH" matrix --kernel 'pi --streams zero' --out res2
expect_bad_input "$HYBENCH" matrix --schedules guided --out res2
expect_bad_input "$HYBENCH" matrix --launcher 'mpiexec -n {rank} {program}' --out res2
expect_bad_input "$HYBENCH" matrix --resume --out res2
expect_bad_input "$HYBENCH" matrix --resume --out res2 --name never
grep -q -- "--resume: .*never does not exist" err.txt || fail "--resume of a name that never ran: $(cat err.txt)"
# A matrix stopped before its first row left a directory without runs.csv:
# --resume runs all of it.
mkdir -p res3/early
expect_status 0 "$HYBENCH" matrix --resume --out res3 --name early --kernel 'pi --streams 2 --samples 1000' \
    --layouts 1x1 --schedules static --repeat 1 --warmup 0 --rounds 1 --quiet
grep -q "holds no rows yet; running the whole matrix" out.txt || fail "early --resume: $(cat out.txt)"
[ "$(csv_col res3/early/runs.csv status | grep -c '^ok$')" -eq 2 ] ||
    fail "early --resume: want the serial and 1x1 rows: $(csv_col res3/early/runs.csv status | tr '\n' ' ')"
rm -rf res3
expect_bad_input "$HYBENCH" report nosuch.csv
printf 'a,b\n1,2,3\n' >bad.csv
expect_bad_input "$HYBENCH" report bad.csv
rm -f bad.csv
finish
