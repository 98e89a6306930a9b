#!/bin/bash
# A launcher for the tests: `matrix_fail_launcher.sh MODE LAYOUT BAD cmd...`
# runs cmd, except for layout BAD, which
#   fail        exits 3;
#   hang        sleeps until killed;
#   crash       dies of SIGSEGV;
#   hang-after  runs cmd, then hangs (rows written, then stuck, like the
#               MPI_Finalize hang of docs/cluster.md);
#   noop        exits 0 without running anything (a wrapper or srun step that
#               never starts the program);
#   orphan      leaves a process behind that ignores SIGTERM and outlives the
#               launcher (sleep 301), then hangs.
# With HB_TEST_MARK set, a hanging launch first creates that file, so a test
# can wait for the hang itself instead of guessing how long it takes. The
# hang is `sleep $HB_TEST_SLEEP` (default 300; the orphan sleeps one second
# more), so a test can tell its own sleeping processes from other tests'.
mode=$1 layout=$2 bad=$3 nap=${HB_TEST_SLEEP:-300}
shift 3
mark() { if [ -n "${HB_TEST_MARK:-}" ]; then : >"$HB_TEST_MARK"; fi; }
if [ "$layout" = "$bad" ]; then
    case $mode in
    fail) exit 3 ;;
    hang) mark; exec sleep "$nap" ;;
    crash) kill -SEGV $$ ;;
    hang-after) "$@" && mark && exec sleep "$nap" ;;
    noop) exit 0 ;;
    orphan)
        (trap '' TERM; exec sleep $((nap + 1))) &
        mark
        exec sleep "$nap"
        ;;
    esac
fi
exec "$@"
