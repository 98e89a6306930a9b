# Bad input to `hybench run`: exit 2, exactly one line on stderr, no file
# written (every case asks for --csv, so a run that went ahead would leave
# bad.csv and its .meta). The same under mpiexec -n 2: still one line.
# --help goes to stdout with exit 0; --oversubscribe lets a layout with more
# workers than cores run.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

cores=$(nproc)
too_many=$((cores + 1))
pi=(--kernel pi --samples 1000 --repeat 1 --warmup 0)

# Each line is one case: the words after `hybench run` (before --csv bad.csv).
# A word '' is an empty argument.
cases=$(cat <<CASES
--kernel pi --nope
--kernel pi --nope=3
--kernel pi -t 2
--kernel pi --threads
--kernel pi --samples 10 --repeat
--kernel pi --threads 0
--kernel pi --threads -1
--kernel pi --threads abc
--kernel pi --threads 1.5
--kernel pi --threads ''
--kernel pi --threads= 
--kernel pi --threads 99999
--kernel pi --repeat 0
--kernel pi --repeat abc
--kernel pi --repeat 1e99
--kernel pi --warmup -1
--kernel pi --chunk 0
--kernel pi --chunk ,
--kernel pi --chunk nan
--kernel pi --chunk 1.5
--kernel pi --chunk 1,,2
--kernel pi --chunk 0:4:1
--kernel pi --chunk 1:5:0
--kernel pi --schedule foo
--kernel pi --schedule ''
--kernel pi --bind foo
--kernel pi --bind ''
--kernel pi --distribute foo
--kernel nope
--kernel ''
--threads 1
--kernel pi --samples 10 --repeat 1 --kernel nope
--kernel pi --streams 0
--kernel pi --streams 1e99
--kernel pi --streams abc
--kernel pi --streams -3
--kernel pi --samples 0
--kernel pi --samples 2.5
--kernel pi --samples inf
--kernel pi --seed -1
--kernel pi --seed abc
--kernel pi --seed 18446744073709551616
--kernel pi --seed 1.5
--kernel pi --serial --threads 2
--kernel pi --serial=yes
--kernel pi --oversubscribe=1
--kernel pi --threads $too_many
--kernel pi --nodes 2
--kernel pi --nodes 0
--kernel pi stray
CASES
)

ncases=0
while IFS= read -r line; do
    [ -n "$line" ] || continue
    eval "words=($line)"
    expect_bad_input "$HYBENCH" run "${words[@]}" --csv bad.csv
    grep -q "^hybench: " err.txt || fail "message does not start with 'hybench: ': $line :: $(cat err.txt)"
    ncases=$((ncases + 1))
    rm -f bad.csv bad.csv.meta
done <<<"$cases"
[ "$ncases" -ge 30 ] || fail "only $ncases bad-input cases ran"

# --csv '' is refused (as the last word: a later --csv would win).
expect_bad_input "$HYBENCH" run "${pi[@]}" --csv ''
expect_bad_input "$MPIEXEC" -n 2 "$HYBENCH" run "${pi[@]}" --csv ''
ncases=$((ncases + 1))
# The message names the option and the value.
"$HYBENCH" run --kernel pi --threads abc 2>err.txt >/dev/null
grep -q -- "--threads.*abc" err.txt || fail "message does not name --threads abc: $(cat err.txt)"
"$HYBENCH" run --kernel pi --schedule foo 2>err.txt >/dev/null
grep -q -- "--schedule.*foo" err.txt || fail "message does not name --schedule foo: $(cat err.txt)"
"$HYBENCH" run --kernel pi --streams 1e99 2>err.txt >/dev/null
grep -q -- "--streams.*1e99" err.txt || fail "message does not name --streams 1e99: $(cat err.txt)"

# Under mpiexec -n 2 every rank parses but one line is printed.
mpi_cases=$(cat <<CASES
--kernel pi --nope
--kernel pi --threads 0
--kernel pi --threads abc
--kernel pi --repeat 0
--kernel pi --chunk nan
--kernel pi --schedule foo
--kernel pi --bind foo
--kernel pi --distribute foo
--kernel nope
--threads 1
--kernel pi --streams 0
--kernel pi --seed -1
--kernel pi --serial
--kernel pi --threads $cores
--kernel pi --nodes 2
CASES
)
while IFS= read -r line; do
    [ -n "$line" ] || continue
    eval "words=($line)"
    expect_bad_input "$MPIEXEC" -n 2 "$HYBENCH" run "${words[@]}" --csv bad.csv
    rm -f bad.csv bad.csv.meta
done <<<"$mpi_cases"

# More workers than cores runs with --oversubscribe.
expect_status 0 "$HYBENCH" run "${pi[@]}" --threads "$too_many" --oversubscribe --csv over.csv
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${pi[@]}" --threads "$cores" --oversubscribe
[ -s over.csv ] || fail "the oversubscribed run wrote no CSV"
# And the largest layout that fits runs without it.
expect_status 0 "$HYBENCH" run "${pi[@]}" --threads "$cores"

# --help: stdout, exit 0, nothing on stderr, nothing written; also with a
# kernel, and even next to a bad value.
for words in "--help" "-h" "--kernel pi --help" "--help --threads abc --csv help.csv"; do
    # shellcheck disable=SC2086
    expect_status 0 "$HYBENCH" run $words
    [ -s out.txt ] || fail "run $words: no help on stdout"
    [ ! -s err.txt ] || fail "run $words: stderr: $(cat err.txt)"
    grep -q -- "--threads" out.txt || fail "run $words: help does not list --threads"
done
[ ! -e help.csv ] || fail "--help wrote a CSV"
expect_status 0 "$HYBENCH" run --kernel pi --help
grep -q -- "--streams" out.txt || fail "--kernel pi --help does not list --streams"
# Under mpiexec -n 2 rank 0 alone prints the help.
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run --help
[ "$(grep -c '^usage' out.txt)" -eq 1 ] || fail "mpiexec -n 2 run --help printed the usage $(grep -c '^usage' out.txt) times"

finish
