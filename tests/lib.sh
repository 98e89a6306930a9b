# Helpers for the shell tests: source it, then call the functions.
# Environment from CTest: HYBENCH (the program), MPIEXEC, HB_TEST_TMP (scratch dir).
set -u
# shellcheck source=scripts/csv.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/csv.sh"
: "${HYBENCH:?HYBENCH not set}" "${MPIEXEC:=mpiexec}" "${HB_TEST_TMP:=$(mktemp -d)}"
rm -rf "$HB_TEST_TMP" && mkdir -p "$HB_TEST_TMP"
cd "$HB_TEST_TMP" || exit 1
hb_failures=0

fail() { echo "FAIL: $*" >&2; hb_failures=$((hb_failures + 1)); }

# expect_status WANT CMD...: run CMD, check its exit status.
expect_status() {
    local want=$1; shift
    "$@" >out.txt 2>err.txt; local got=$?
    [ "$got" -eq "$want" ] || fail "exit $got (want $want): $* :: $(head -c 400 err.txt)"
}

# expect_bad_input CMD...: exit 2, exactly one line on stderr, no new file in the cwd.
expect_bad_input() {
    local before after
    before=$(ls -A | grep -vE '^(out|err)\.txt$' | sort)
    "$@" >out.txt 2>err.txt; local got=$?
    after=$(ls -A | grep -vE '^(out|err)\.txt$' | sort)
    [ "$got" -eq 2 ] || fail "exit $got (want 2): $*"
    [ "$(wc -l <err.txt)" -eq 1 ] || fail "stderr is not one line: $* :: $(cat err.txt)"
    [ "$before" = "$after" ] || fail "files were written: $*"
}

finish() {
    if [ "$hb_failures" -ne 0 ]; then echo "$hb_failures failure(s)" >&2; exit 1; fi
    echo "ok"; exit 0
}
