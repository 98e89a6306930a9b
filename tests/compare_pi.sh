# π streams with numpy through each pool agree with hybench's estimate within
# 5 combined standard errors (different generators: statistical agreement).
source "$HB_SOURCE_DIR/tests/lib.sh"
source "$HB_SOURCE_DIR/tests/compare_lib.sh"

S=16 M=200000
expect_status 0 "$HYBENCH" run --kernel pi --streams $S --samples $M --repeat 1 --warmup 0 --quiet
hb_hits=$(sed -n 's/.* hits \([0-9][0-9]*\) of .*/\1/p' out.txt)
[ -n "$hb_hits" ] || fail "no hit count in hybench's output: $(cat out.txt)"
for tool in processpool parallelpool ezmap; do
    expect_status 0 "$PY" "$CMP/job.py" "$tool" pi --workers 2 --streams $S --samples $M
    hits=$("$PY" -c 'import json,sys; print(json.loads(sys.stdin.read().splitlines()[-1])["hits"])' <out.txt)
    expect_status 0 "$PY" "$CMP/check.py" pi "${hb_hits:-0}" $((S * M)) "$hits" $((S * M))
done
finish
