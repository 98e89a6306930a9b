# Shared settings of the emulated cluster scripts (sourced by up.sh, down.sh
# and the cluster tests). Everything the cluster creates lives in one state
# directory, so down.sh can undo it from that directory alone.
#
#   HB_CLUSTER_DIR        state directory (default ${TMPDIR:-/tmp}/hybench-cluster)
#   HB_CLUSTER_SSH_PORT   port of every node's sshd (default 2222)
#   HB_CLUSTER_SLURM_PORT first Slurm port: slurmctld, then one slurmd per node (default 16817)
#   HB_CLUSTER_SLURM      "ns" (slurmd inside each node's namespaces, default),
#                         "host" (slurmd -N nodeI on the host) or "none"

HB_CLUSTER_DIR=${HB_CLUSTER_DIR:-${TMPDIR:-/tmp}/hybench-cluster}
HB_CLUSTER_SSH_PORT=${HB_CLUSTER_SSH_PORT:-2222}
HB_CLUSTER_SLURM_PORT=${HB_CLUSTER_SLURM_PORT:-16817}
HB_CLUSTER_SLURM=${HB_CLUSTER_SLURM:-ns}
hb_marker_begin="# hybench-cluster begin"
hb_marker_end="# hybench-cluster end"

hb_log() { echo "cluster: $*" >&2; }

# hb_node_addr I: the loopback alias of node I (1-based): 127.0.0.(I+1).
hb_node_addr() { echo "127.0.0.$(($1 + 1))"; }

# hb_kill_pidfile [-KILL] FILE...: stop the processes whose pids the FILEs
# hold (TERM to all, or KILL with -KILL, then KILL to those alive after 3 s),
# then remove the FILEs. Only those pids are signalled.
hb_kill_pidfile() {
    local f pid pids=() i alive sig=TERM
    [ "${1:-}" = -KILL ] && sig=KILL && shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill -"$sig" "$pid" 2>/dev/null && pids+=("$pid")
        fi
    done
    for i in $(seq 30); do
        alive=
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ -z "$alive" ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
    rm -f "$@"
}

# hb_need_root_ns: succeed when this machine lets us create the namespaces the
# nodes need; otherwise print why on stdout and fail.
hb_need_root_ns() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "the emulated cluster needs root (it edits /etc/hosts and starts sshd)"
        return 1
    fi
    if ! unshare --uts --ipc --pid --fork --mount-proc true 2>/dev/null; then
        echo "this machine does not allow UTS/IPC/PID namespaces (unshare failed)"
        return 1
    fi
}

# csv_col FILE NAME (shared with the tests and benchmarks)
# shellcheck source=scripts/csv.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/csv.sh"

# hb_cluster_use: for a benchmark script: bring the cluster up unless one is
# up (then hb_cluster_started=1, and hb_cluster_release takes it down
# again) and load its settings. UCX picks its interface itself, as in the
# tests (tests/cluster/lib.sh: UCX_NET_DEVICES=lo fails MPICH 5.0's UCX).
hb_cluster_use() {
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    hb_cluster_started=
    if [ ! -f "$HB_CLUSTER_DIR/cluster.env" ]; then
        "$here/up.sh" 2 || return
        hb_cluster_started=1
    fi
    set -a
    . "$HB_CLUSTER_DIR/cluster.env"
    set +a
}
hb_cluster_release() {
    [ -z "${hb_cluster_started:-}" ] || "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/down.sh"
}
