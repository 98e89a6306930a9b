#!/bin/bash
# A launcher for the tests: `matrix_fail_launcher.sh MODE LAYOUT BAD cmd...`
# runs cmd, except for layout BAD, which fails (MODE fail: exit 3), hangs
# (MODE hang: sleeps until killed) or crashes (MODE crash: SIGSEGV).
mode=$1 layout=$2 bad=$3
shift 3
if [ "$layout" = "$bad" ]; then
    case $mode in
    fail) exit 3 ;;
    hang) exec sleep 300 ;;
    crash) kill -SEGV $$ ;;
    esac
fi
exec "$@"
