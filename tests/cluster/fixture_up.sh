#!/bin/bash
# CTest fixture: bring the 2-node emulated cluster up for the cluster tests.
# When the machine cannot host it, record why (the tests print it when they
# skip) and skip.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
rm -f "$HB_CLUSTER_DIR.skip"
err=$(mktemp)
"$here/up.sh" 2 2>"$err"
rc=$?
cat "$err" >&2
if [ $rc -eq 77 ]; then
    grep "^SKIP" "$err" | head -n 1 >"$HB_CLUSTER_DIR.skip"
    rm -f "$err"
    exit 77
fi
rm -f "$err"
exit $rc
