# pool.map(pow, bases, exponents) as the lesson calls it, at chunksize 1 and the
# default, prints the same list as hybench: the lesson's call and explicit lists.
source "$HB_SOURCE_DIR/tests/lib.sh"
source "$HB_SOURCE_DIR/tests/compare_lib.sh"

check_pow() {
    local bases=$1 exps=$2 want=${3:-} hb
    expect_status 0 "$HYBENCH" run --kernel pow --bases "$bases" --exponents="$exps" \
        --repeat 1 --warmup 0 --quiet
    hb=$(grep '^\[' out.txt | head -1)
    [ -z "$want" ] || [ "$hb" = "$want" ] || fail "hybench printed $hb, want $want"
    for args in "processpool --chunksize 1" "processpool" "parallelpool" "ezmap"; do
        # shellcheck disable=SC2086
        expect_status 0 "$PY" "$CMP/job.py" $args pow --workers 2 --bases "$bases" \
            --exponents="$exps"
        py=$("$PY" -c 'import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])["list"])' <out.txt)
        expect_status 0 "$PY" "$CMP/check.py" pow "$hb" "$py"
    done
}
check_pow 1,2,3,4 5,4,3,2 '[1, 16, 27, 16]'
check_pow 2,0.5,3,10,1.5 -1,2,0.5,3,2.5
check_pow 7,1.25,0.1 0,3,2
finish
