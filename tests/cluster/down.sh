#!/bin/bash
# Take the emulated cluster down and leave the machine as up.sh found it:
# Slurm daemons, munged and every node (its namespace's init, and with it all
# it ran) stopped by the pids recorded in $HB_CLUSTER_DIR, /etc/hosts restored
# from the backup byte for byte, /run/sshd removed if up.sh made it. Safe to
# run any number of times, and on a half-started cluster.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
S=$HB_CLUSTER_DIR
[ -d "$S" ] || exit 0
# Only a directory up.sh made is ever emptied.
if [ ! -f "$S/.hybench-cluster" ]; then
    echo "down.sh: $S is not a cluster state directory; leaving it alone" >&2
    exit 1
fi

# Slurm first, so slurmctld does not see its nodes die under running jobs.
if [ -d "$S/slurm" ]; then
    hb_kill_pidfile "$S"/slurm/slurmd.hbnode*.pid
    hb_kill_pidfile "$S/slurm/slurmctld.pid" "$S/munge/munged.pid"
fi
# unshare does not pass TERM on; KILL it, and --kill-child (a parent-death
# signal) takes the node's init, and so every process of the node, with it.
hb_kill_pidfile -KILL "$S"/node*/node.pid

if [ -f "$S/hosts.orig" ]; then
    # Write in place rather than rename: /etc/hosts is often a bind mount.
    cat "$S/hosts.orig" >/etc/hosts && rm -f "$S/hosts.orig"
elif grep -q "^$hb_marker_begin" /etc/hosts 2>/dev/null; then
    # No backup (killed between steps): drop our block only.
    kept=$(sed "/^$hb_marker_begin\$/,/^$hb_marker_end\$/d" /etc/hosts) &&
        printf '%s\n' "$kept" >/etc/hosts
fi
if [ -f "$S/created-run-sshd" ]; then
    rmdir /run/sshd 2>/dev/null
    rm -f "$S/created-run-sshd"
fi
rm -rf "$S"
hb_log "down"
