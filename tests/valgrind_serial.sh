# Serial-mode runs under valgrind memcheck: no invalid access, no use of
# uninitialised values, no definite leak (suppressions: library frames only,
# fuzz/valgrind.supp). Args: NATIVE (ON when built with -march=native).
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
if ! command -v valgrind >/dev/null; then echo "SKIP: valgrind not installed"; exit 77; fi
if [ "${1:-OFF}" = ON ]; then
    # valgrind 3.19 cannot decode AVX-512; scripts/test-hardening runs this in
    # a -DHB_NATIVE=OFF build.
    echo "SKIP: built with -march=native (HB_NATIVE=ON), which valgrind may not decode"; exit 77
fi
supp="$HB_SOURCE_DIR/fuzz/valgrind.supp"
vg() {
    local name=$1; shift
    valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite --track-origins=yes --suppressions="$supp" \
        --log-file="vg_$name.log" "$HYBENCH" "$@" >"vg_$name.out" 2>"vg_$name.err"
    local rc=$?
    [ "$rc" -ne 99 ] || fail "$name: memcheck errors: $(grep -m3 -E 'Invalid|uninitialised|definitely' "vg_$name.log")"
    echo "$rc"
}
rc=$(vg pi run --kernel pi --serial --streams 8 --samples 2000 --repeat 2 --warmup 1 --csv vg.csv)
[ "$rc" -eq 0 ] || fail "pi --serial exited $rc: $(tail -3 vg_pi.err)"
[ -s vg.csv ] || fail "pi --serial wrote no CSV"
rc=$(vg chunks run --kernel pi --serial --streams 8 --samples 1000 --repeat 1 --chunk 1,3 --schedule cyclic)
[ "$rc" -eq 0 ] || fail "pi --serial --chunk 1,3 exited $rc"
# A bad-input path frees what it parsed, too.
rc=$(vg bad run --kernel pi --serial --streams 0)
[ "$rc" -eq 2 ] || fail "bad --streams exited $rc (want 2)"
rc=$(vg mc run --kernel mc --serial --beta 1 --m 1 --h 0.5 --iterations 200 --out-dir mcdat)
[ "$rc" -eq 0 ] || fail "mc --serial exited $rc: $(tail -3 vg_mc.err)"
finish
