#!/bin/bash
# The Slurm half of up.sh (called by it once the nodes answer over ssh):
# munged with its own key and socket, slurmctld on the host, and one slurmd
# per node. In mode "ns" (default) each slurmd runs inside its node's UTS, IPC,
# PID and mount namespaces (entered with nsenter), so tasks srun starts there
# see the node's host name and share memory only with that node's tasks;
# mode "host" runs `slurmd -N hbnodeI` on the host instead (see
# docs/cluster.md for what that loses). Everything lives in
# $HB_CLUSTER_DIR/{munge,slurm}; down.sh stops it by pid.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
K=$1
S=$HB_CLUSTER_DIR
M=$S/munge
D=$S/slurm

fail() {
    echo "slurm_up.sh: $*" >&2
    exit 1
}

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
    ! command -v srun >/dev/null || ! command -v munged >/dev/null; then
    hb_log "installing Slurm and munge"
    export DEBIAN_FRONTEND=noninteractive
    pk="slurmctld slurmd slurm-client munge"
    # shellcheck disable=SC2086
    apt-get -y -q install $pk >/dev/null 2>&1 ||
        { apt-get -q update >/dev/null 2>&1 && apt-get -y -q install $pk >/dev/null 2>&1; } ||
        fail "cannot install $pk"
fi

# --- munge: own key, socket folder mode 711 (munged insists) --------------------
mkdir -p "$M/run" "$D" || fail "mkdir"
chmod 700 "$M" && chmod 711 "$M/run"
dd if=/dev/urandom of="$M/munge.key" bs=1024 count=1 status=none && chmod 600 "$M/munge.key"
munged --force --key-file="$M/munge.key" --socket="$M/run/munge.socket" \
    --pid-file="$M/munged.pid" --log-file="$M/munged.log" --seed-file="$M/munged.seed" ||
    fail "munged did not start: $(tail -n 2 "$M/munged.log" 2>/dev/null)"
# munged forks and writes its pid file; wait for the socket.
for _ in $(seq 50); do [ -S "$M/run/munge.socket" ] && break; sleep 0.1; done
[ -S "$M/run/munge.socket" ] || fail "munged socket did not appear"
chmod 755 "$M"

# --- slurm.conf: minimal, no accounting, state and logs here ---------------------
cpus=$(nproc)
ctl_port=$HB_CLUSTER_SLURM_PORT
mem=$(awk '/MemTotal/ {print int($2 / 1024 / 2)}' /proc/meminfo)
{
    cat <<EOF
# Written by tests/cluster/slurm_up.sh for the emulated cluster.
ClusterName=hybench
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$ctl_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$M/run/munge.socket
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool/%n
SlurmctldPidFile=$D/inner/slurmctld.pid
SlurmdPidFile=$D/inner/slurmd.%n.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmi2
SchedulerType=sched/backfill
ReturnToService=2
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=60
PlugStackConfig=$D/plugstack.conf
EOF
    for i in $(seq "$K"); do
        echo "NodeName=hbnode$i NodeAddr=$(hb_node_addr "$i") Port=$((ctl_port + i)) CPUs=$cpus RealMemory=$mem State=UNKNOWN"
    done
    echo "PartitionName=hb Nodes=hbnode[1-$K] Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO"
} >"$D/slurm.conf"
: >"$D/plugstack.conf"
# Slurm's own pid files hold pids of the node namespaces: kept apart from
# the host pids down.sh signals.
mkdir -p "$D/state" "$D/spool" "$D/inner"
export SLURM_CONF=$D/slurm.conf

slurmctld -D -i -f "$D/slurm.conf" </dev/null >>"$D/slurmctld.out" 2>&1 &
echo $! >"$D/slurmctld.pid"

# --- slurmd per node ---------------------------------------------------------------
# The node's namespace init is the child of the recorded unshare pid.
node_init() { ps -o pid= --ppid "$(cat "$S/node$1/node.pid")" | tr -d ' ' | head -n 1; }
mode=$HB_CLUSTER_SLURM
start_slurmd() { # I MODE
    local i=$1 n=hbnode$1
    mkdir -p "$D/spool/$n"
    if [ "$2" = ns ]; then
        local p
        p=$(node_init "$i")
        [ -n "$p" ] || return 1
        # With proctrack/linuxproc and task/affinity (sched_setaffinity, for
        # srun --cpu-bind) slurmd loads no cgroup plugin, so it needs no
        # cgroup mounts of its own in the node's mount namespace (a copy of
        # the host's).
        # nsenter forks (threads cannot be made in a PID namespace one has
        # only setns'd into: pthread_create fails with EINVAL), so record
        # slurmd's own pid, the child of nsenter, for down.sh.
        nsenter -t "$p" --uts --ipc --pid --mount \
            slurmd -D -N "$n" -f "$D/slurm.conf" </dev/null >>"$D/slurmd.$n.out" 2>&1 &
        local ns=$! c=
        for _ in $(seq 50); do
            c=$(ps -o pid= --ppid "$ns" | tr -d ' ' | head -n 1)
            [ -n "$c" ] && break
            sleep 0.05
        done
        echo "${c:-$ns}" >"$D/slurmd.$n.pid"
        return 0
    else
        slurmd -D -N "$n" -f "$D/slurm.conf" </dev/null >>"$D/slurmd.$n.out" 2>&1 &
    fi
    echo $! >"$D/slurmd.$n.pid"
}
nodes_idle() {
    local st
    st=$(sinfo -h -N -o '%N %t' 2>/dev/null) || return 1
    [ "$(echo "$st" | grep -c ' idle$')" -eq "$K" ]
}
ctl_ok=
for _ in $(seq 50); do scontrol ping 2>/dev/null | grep -q UP && ctl_ok=1 && break; sleep 0.1; done
[ -n "$ctl_ok" ] || fail "slurmctld does not answer: $(tail -n 3 "$D/slurmctld.log" 2>/dev/null)"

for try in $mode host; do
    for i in $(seq "$K"); do start_slurmd "$i" "$try" || break; done
    up=
    for _ in $(seq 100); do nodes_idle && up=1 && break; sleep 0.1; done
    [ -n "$up" ] && mode=$try && break
    hb_log "slurmd in mode '$try' did not come up: $(tail -n 2 "$D"/slurmd.hbnode1.log 2>/dev/null | tr '\n' ' ')"
    hb_kill_pidfile "$D"/slurmd.hbnode*.pid
    [ "$try" = host ] && fail "no slurmd came up"
    scontrol update nodename="hbnode[1-$K]" state=resume >/dev/null 2>&1
done
echo "$mode" >"$D/mode"
hb_log "Slurm up: $K slurmd ($mode), SLURM_CONF=$D/slurm.conf"
