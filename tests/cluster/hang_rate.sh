#!/bin/bash
# Measure how often a launch across the emulated nodes hangs (MPICH 4.0.2 +
# UCX: ranks stuck in MPI_Finalize, see docs/cluster.md). Not a test: prints
# one line per configuration, "layout config launches hangs failures".
#
# Usage: hang_rate.sh N PROGRAM [ARGS...]  with the cluster up (up.sh); each
# launch is cut off after HB_HANG_TIMEOUT seconds (default 20) and counted as
# a hang when it had to be killed. Configurations: HB_HANG_CONFIGS, a space
# list of name=ENV[,ENV] items; HB_HANG_LAYOUTS, a space list of ppn values.
# MPIEXEC: a hydra mpiexec (the build's; .venv-mpi/bin/mpiexec by default).
# UCX picks its interface (UCX_NET_DEVICES=lo breaks MPICH 5.0's UCX 1.20
# between the emulated nodes; set it in the environment for Debian's).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
. "$HB_CLUSTER_DIR/cluster.env" || exit 1
n=${1:?usage: hang_rate.sh N PROGRAM [ARGS...]}
shift
tmo=${HB_HANG_TIMEOUT:-20}
MPIEXEC=${MPIEXEC:-$here/../../.venv-mpi/bin/mpiexec}
configs=${HB_HANG_CONFIGS:-"default= tcp_self=UCX_TLS=tcp,self sm_self_tcp=UCX_TLS=sm,self,tcp"}
layouts=${HB_HANG_LAYOUTS:-"1 2"}
for ppn in $layouts; do
    for c in $configs; do
        name=${c%%=*} envs=${c#*=}
        hangs=0 fails=0 t0=$(date +%s.%N)
        for _ in $(seq "$n"); do
            # shellcheck disable=SC2086
            env ${envs//,UCX/ UCX} timeout -k 3 "$tmo" "$MPIEXEC" -launcher ssh \
                -launcher-exec "$HB_CLUSTER_SSH" -hosts hbnode1,hbnode2 -ppn "$ppn" -bind-to none \
                "$@" >/dev/null 2>&1
            rc=$?
            case $rc in
            0) ;;
            124 | 137) hangs=$((hangs + 1)) ;;
            *) fails=$((fails + 1)) ;;
            esac
        done
        t1=$(date +%s.%N)
        echo "2:${ppn}x1 $name launches=$n hangs=$hangs failures=$fails mean_s=$(awk "BEGIN{printf \"%.2f\", ($t1 - $t0) / $n}")"
    done
done
