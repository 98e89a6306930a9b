# mc: bad lists and points files exit 2 with one line on stderr naming the
# option (or the file and line) and write nothing, not even the output directory.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

mc() { expect_bad_input "$HYBENCH" run --kernel mc --repeat 1 --warmup 0 "$@"; }
says() { grep -q -- "$1" err.txt || fail "stderr lacks '$1': $(cat err.txt)"; }
mc --beta ''; says --beta
mc --beta 1,,2; says --beta
mc --m nan; says --m
mc --m 0; says 'not > 0'
mc --beta -1; says --beta
mc --h 0; says --h
mc --h 0:1:0; says 'step 0'
mc --beta 1:2:-0.5; says --beta
mc --zip --beta 1,2 --m 1,2,3; says --zip
mc --beta 1,1; says twice
mc --iterations 10 --thermalize 10; says thermalize
mc --slices 1; says --slices
printf 'beta,h\n1,1\n' >nom.csv
mc --points nom.csv; says "no column 'm'"
printf 'beta,m,h\n1,1,1\n# note\n2,1,zz\n' >badnum.csv
mc --points badnum.csv; says 'badnum.csv line 4'
mc --points missing.csv; says missing.csv
printf 'beta,m,h\n1,1,1\n' >ok.csv
mc --points ok.csv --m 2; says --points
[ ! -e mc_data ] || fail "a refused run created mc_data"
# The uneven points file of the tests parses and runs (and only writes its files).
expect_status 0 "$HYBENCH" run --kernel mc --serial --repeat 1 --warmup 0 \
    --points "$HB_SOURCE_DIR/tests/data/mc_uneven.csv" --slices 8 --out-dir uneven
[ "$(ls uneven | wc -l)" -eq "$(grep -c '^[0-9]' "$HB_SOURCE_DIR/tests/data/mc_uneven.csv")" ] ||
    fail "uneven scan wrote $(ls uneven | wc -l) files"
finish
