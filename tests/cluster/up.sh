#!/bin/bash
# Bring up an emulated cluster of K nodes on this machine (root only):
#
#   node I = hostname hbnodeI at loopback alias 127.0.0.(I+1), listed in
#            /etc/hosts (backed up, restored by down.sh), running its own
#            sshd inside new UTS, IPC and PID namespaces, so MPI ranks on
#            different nodes see different host names and cannot share memory
#            (UCX then talks TCP between nodes, shared memory within one);
#   ssh    = a generated key and a wrapper with its own ssh_config, for
#            `mpiexec -launcher ssh -launcher-exec $HB_CLUSTER_SSH`;
#   Slurm  = munged, slurmctld and one slurmd per node (inside the node's
#            namespaces; see HB_CLUSTER_SLURM in common.sh).
#
# Usage: up.sh [K]   (default 2). Writes $HB_CLUSTER_DIR/cluster.env for the
# tests to source. Running it again first takes the old cluster down.
# Exit 77 (skip) with a reason when the machine cannot host the cluster.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"

K=${1:-2}
case $K in
'' | *[!0-9]*) echo "up.sh: K must be a node count, got '$K'" >&2 && exit 2 ;;
esac
[ "$K" -ge 1 ] && [ "$K" -le 200 ] || { echo "up.sh: K must be 1..200, got $K" >&2 && exit 2; }

t0=$(date +%s.%N)
if ! why=$(hb_need_root_ns); then
    echo "SKIP: $why" >&2
    exit 77
fi

# Install what is missing, quietly; a machine without the packages and
# without a package manager cannot host the cluster.
hb_install() {
    local missing=() p
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || return 1
    hb_log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -y -q install "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get -q update >/dev/null 2>&1 && apt-get -y -q install "${missing[@]}" >/dev/null 2>&1; }
}
if ! hb_install openssh-server openssh-client iproute2 util-linux; then
    echo "SKIP: cannot install openssh-server/openssh-client" >&2
    exit 77
fi

S=$HB_CLUSTER_DIR
if [ -d "$S" ] && [ ! -f "$S/.hybench-cluster" ] && [ -n "$(ls -A "$S")" ]; then
    echo "up.sh: HB_CLUSTER_DIR=$S exists and is not a cluster state directory" >&2
    exit 2
fi
"$here/down.sh" >/dev/null 2>&1
mkdir -p "$S" && chmod 755 "$S" && touch "$S/.hybench-cluster" || exit 1
# From here on, a failure takes everything started so far down again.
fail() {
    echo "up.sh: $*" >&2
    "$here/down.sh" >&2
    exit 1
}

# --- /etc/hosts: back up once, append the nodes between markers ----------------
cp -p /etc/hosts "$S/hosts.orig" || fail "cannot back up /etc/hosts"
{
    echo "$hb_marker_begin"
    for i in $(seq "$K"); do echo "$(hb_node_addr "$i") hbnode$i"; done
    echo "$hb_marker_end"
} >>/etc/hosts || fail "cannot write /etc/hosts"
nodes=$(seq -f "hbnode%g" -s, "$K")

# --- ssh: a client key, a config and a wrapper for hydra --------------------------
mkdir -p "$S/ssh" && chmod 700 "$S/ssh"
ssh-keygen -q -t ed25519 -N '' -C hybench-cluster -f "$S/ssh/id_ed25519" || fail "ssh-keygen"
cp "$S/ssh/id_ed25519.pub" "$S/ssh/authorized_keys"
cat >"$S/ssh/ssh_config" <<EOF
Host hbnode*
    Port $HB_CLUSTER_SSH_PORT
    User root
    IdentityFile $S/ssh/id_ed25519
    IdentitiesOnly yes
    StrictHostKeyChecking no
    UserKnownHostsFile /dev/null
    GlobalKnownHostsFile /dev/null
    LogLevel ERROR
    BatchMode yes
    ConnectTimeout 5
EOF
printf '#!/bin/sh\nexec ssh -F %s "$@"\n' "$S/ssh/ssh_config" >"$S/ssh/ssh"
chmod 755 "$S/ssh/ssh"

# sshd refuses to start without its privilege separation directory.
if [ ! -d /run/sshd ]; then
    mkdir -m 755 /run/sshd && touch "$S/created-run-sshd"
fi

# --- one sshd per node, each in its own UTS+IPC+PID namespaces -------------------
# The namespace's init is a shell that names the node and waits on sshd;
# --kill-child kills it when unshare is stopped, and with it (PID namespace)
# every process the node runs: proxies, ranks, slurmd.
for i in $(seq "$K"); do
    d=$S/node$i
    mkdir -p "$d"
    ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" || fail "ssh-keygen (host key $i)"
    cat >"$d/sshd_config" <<EOF
ListenAddress $(hb_node_addr "$i")
Port $HB_CLUSTER_SSH_PORT
HostKey $d/host_key
PidFile none
AuthorizedKeysFile $S/ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
MaxStartups 100:30:200
MaxSessions 100
EOF
    setsid unshare --uts --ipc --pid --fork --mount-proc --kill-child \
        sh -c "hostname hbnode$i && /usr/sbin/sshd -D -e -f '$d/sshd_config' & wait" \
        </dev/null >"$d/sshd.log" 2>&1 &
    echo $! >"$d/node.pid"
done

# Wait until every node answers over ssh with its own hostname.
for i in $(seq "$K"); do
    ok=
    for _ in $(seq 100); do
        if [ "$("$S/ssh/ssh" "hbnode$i" hostname 2>/dev/null)" = "hbnode$i" ]; then
            ok=1 && break
        fi
        sleep 0.1
    done
    [ -n "$ok" ] || fail "node hbnode$i does not answer over ssh (log: $(tail -n 3 "$S/node$i/sshd.log"))"
done
t_ssh=$(date +%s.%N)

cat >"$S/cluster.env" <<EOF
# Sourced by the cluster tests; written by up.sh.
HB_CLUSTER_DIR=$S
HB_CLUSTER_K=$K
HB_CLUSTER_NODES=$nodes
HB_CLUSTER_SSH=$S/ssh/ssh
HB_CLUSTER_SLURM=none
EOF

# --- Slurm -------------------------------------------------------------------------
if [ "$HB_CLUSTER_SLURM" != none ]; then
    if "$here/slurm_up.sh" "$K"; then
        sed -i "s/^HB_CLUSTER_SLURM=none/HB_CLUSTER_SLURM=$(cat "$S/slurm/mode")/" "$S/cluster.env"
        echo "SLURM_CONF=$S/slurm/slurm.conf" >>"$S/cluster.env"
    else
        hb_log "Slurm did not come up (see $S/slurm/*.log); ssh launches still work"
    fi
fi
t1=$(date +%s.%N)
hb_log "$K nodes up ($nodes): ssh in $(awk "BEGIN{printf \"%.1f\", $t_ssh - $t0}") s, all in $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s; env in $S/cluster.env"
