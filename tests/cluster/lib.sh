# Helpers for the cluster tests: tests/lib.sh plus the emulated cluster's
# settings. A test sources it, then launches with on_nodes / on_slurm.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/common.sh"
. "$here/../lib.sh"
if [ ! -f "$HB_CLUSTER_DIR/cluster.env" ]; then
    echo "SKIP: no emulated cluster: $(cat "$HB_CLUSTER_DIR.skip" 2>/dev/null || echo "cluster_up did not run")"
    exit 77
fi
. "$HB_CLUSTER_DIR/cluster.env"
# UCX picks its TCP interface itself: UCX_NET_DEVICES=lo, which kept Debian's
# UCX 1.13 on loopback, makes the UCX 1.20 of MPICH 5.0 fail in MPI_Init
# ("Destination is unreachable") between the emulated nodes.
export SLURM_CONF=${SLURM_CONF:-}
# Every launch here takes a few seconds; longer is the MPI_Finalize hang.
HB_LAUNCH_TIMEOUT=${HB_LAUNCH_TIMEOUT:-20}

# hb_launch OUT CMD...: run CMD with a timeout, stdout+stderr to OUT. A launch
# killed by the timeout is tried once more (the MPI_Finalize hang of
# docs/cluster.md) and reported; its status is the second try's.
hb_launch() {
    local out=$1 rc try
    shift
    for try in 1 2; do
        timeout -k 5 "$HB_LAUNCH_TIMEOUT" "$@" >"$out" 2>&1
        rc=$?
        [ $rc -ne 124 ] && [ $rc -ne 137 ] && return $rc
        echo "NOTE: launch timed out (try $try): $*" >&2
    done
    return $rc
}

# on_nodes N PPN OUT ARGS...: `hybench ARGS` on the first N nodes, PPN ranks each, over ssh.
on_nodes() {
    local n=$1 ppn=$2 out=$3
    shift 3
    hb_launch "$out" "${nodes_launcher[@]}" $(nodes_args "$n" "$ppn") "$HYBENCH" "$@"
}

# nodes_launcher, nodes_args N PPN: this MPI's launcher and its words for N
# nodes x PPN ranks over the cluster's ssh. Open MPI: its rsh agent is the
# cluster's ssh wrapper, slots per host, its TCP transport for messages (its
# own choice too where there is no InfiniBand), and one-sided operations
# through UCX: its default osc/rdma cannot create the dynamic schedule's
# window across TCP-only nodes ("could not create the ... counter window");
# sm stays on the list for the windows a node shares (pow's map).
if [ "${HB_MPI_FLAVOUR:-mpich}" = openmpi ]; then
    nodes_launcher=("$MPIEXEC" --mca plm_rsh_agent "$HB_CLUSTER_SSH" --mca pml ob1
                    --mca btl tcp,self,vader --mca osc ucx,sm --bind-to none)
    nodes_args() {
        local hosts
        hosts=$(echo "$HB_CLUSTER_NODES" | cut -d, -f"1-$1" | sed "s/\(,\|\$\)/:$2\1/g")
        echo "-n $(($1 * $2)) --map-by ppr:$2:node --host $hosts"
    }
else
    nodes_launcher=("$MPIEXEC" -launcher ssh -launcher-exec "$HB_CLUSTER_SSH" -bind-to none)
    nodes_args() { echo "-hosts $(echo "$HB_CLUSTER_NODES" | cut -d, -f"1-$1") -ppn $2"; }
fi

# Under Slurm, MPICH 5.0 exchanges its UCX addresses through Slurm's pmi2
# plug-in in PMI-1 lines of up to 1024 characters of value, and Slurm 22.05
# reads a PMI-1 request with one read() of at most 1024 bytes: a full
# segment's line is cut, and MPI_Init fails in every rank (docs/cluster.md).
# With UCX's TCP and self transports only, the address fits one short line.
# slurm_env: the environment of every Slurm launch here (srun steps, and the
# batch jobs the sbatch case submits).
slurm_env=()
[ "${HB_MPI_FLAVOUR:-mpich}" = mpich ] && slurm_env=("UCX_TLS=${UCX_TLS:-tcp,self}")

# on_slurm N PPN OUT ARGS...: the same through srun on the local Slurm.
on_slurm() {
    local n=$1 ppn=$2 out=$3
    shift 3
    hb_launch "$out" env "${slurm_env[@]}" srun -N "$n" --ntasks-per-node "$ppn" --mpi=pmi2 "$HYBENCH" "$@"
}

# local_run PPN OUT ARGS...: `hybench ARGS` on this machine alone (the single-node reference).
local_run() {
    local ppn=$1 out=$2
    shift 2
    hb_launch "$out" "$MPIEXEC" -n "$ppn" -bind-to none "$HYBENCH" "$@"
}

