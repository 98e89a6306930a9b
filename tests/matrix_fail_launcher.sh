#!/bin/bash
# A launcher for the tests: `matrix_fail_launcher.sh MODE LAYOUT BAD cmd...`
# runs cmd, except for layout BAD, which fails (MODE fail: exit 3), hangs
# (MODE hang: sleeps until killed), crashes (MODE crash: SIGSEGV), or runs
# cmd and then hangs (MODE hang-after: rows written, then stuck, like the
# MPI_Finalize hang of docs/cluster.md).
mode=$1 layout=$2 bad=$3
shift 3
if [ "$layout" = "$bad" ]; then
    case $mode in
    fail) exit 3 ;;
    hang) exec sleep 300 ;;
    crash) kill -SEGV $$ ;;
    hang-after) "$@" && exec sleep 300 ;;
    esac
fi
exec "$@"
