#!/bin/bash
# CTest fixture: take the emulated cluster down and restore the machine.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
rm -f "$HB_CLUSTER_DIR.skip"
"$here/down.sh"
