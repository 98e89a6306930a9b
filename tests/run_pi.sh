# π hit counts are a pure function of (seed, streams, samples): the same for
# --serial, for mpiexec -n 1 and -n 2 with 1 and 2 threads, for every schedule
# and for chunks 1 and 5, both in the printed "hits N of M samples" and in the
# CSV `result` column; a different seed gives a different count.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"


work=(--kernel pi --streams 7 --samples 20001 --warmup 0)
common=("${work[@]}" --seed 5 --repeat 2)
samples_total=$((7 * 20001))

# hits_of OUT: the distinct "hits N of M samples" lines of a run's stdout.
hits_of() { grep -o "hits [0-9]* of [0-9]* samples" "$1" | sort -u; }

# The serial baseline fixes the expected count.
expect_status 0 "$HYBENCH" run "${common[@]}" --serial --csv serial.csv
want=$(hits_of out.txt)
[ "$(echo "$want" | wc -l)" -eq 1 ] && [ -n "$want" ] || fail "serial run printed no single hit count: $(cat out.txt)"
case "$want" in
"hits "*" of $samples_total samples") ;;
*) fail "serial run counted '$want', not out of $samples_total samples" ;;
esac
want_result=$(csv_col serial.csv result | sort -u)
[ "$(csv_col serial.csv result | wc -l)" -eq 2 ] || fail "serial: not 2 rows"
[ "$(echo "$want_result" | wc -l)" -eq 1 ] || fail "serial results differ between repeats: $want_result"
case "$want_result" in
3.1*) ;;
*) fail "serial result '$want_result' is not a π estimate" ;;
esac
[ "$(csv_col serial.csv verified | sort -u)" = yes ] || fail "serial run did not verify"

# check_run LABEL CHUNKS: the last run printed the serial count once per chunk value.
check_run() {
    local got n
    got=$(hits_of out.txt)
    n=$(grep -c "hits [0-9]* of" out.txt)
    [ "$got" = "$want" ] || fail "$1: '$got', serial '$want'"
    [ "$n" -eq "$2" ] || fail "$1: $n hit counts printed, want $2"
}

# The serial baseline under mpiexec -n 1 too.
expect_status 0 "$MPIEXEC" -n 1 "$HYBENCH" run "${common[@]}" --serial --csv runs.csv
check_run "mpiexec -n 1 --serial" 1

launches=1
for n in 1 2; do
    for t in 1 2; do
        over=()
        [ $((n * t)) -gt "$(nproc)" ] && over=(--oversubscribe)
        for s in static cyclic dynamic; do
            expect_status 0 "$MPIEXEC" -n "$n" "$HYBENCH" run "${common[@]}" --threads "$t" \
                --schedule "$s" --chunk 1,5 "${over[@]}" --csv runs.csv
            check_run "-n $n --threads $t --schedule $s" 2
            launches=$((launches + 1))
        done
    done
done

# Every launch wrote its rows, and every row has the serial result, verified.
rows=$(csv_col runs.csv result | wc -l)
[ "$rows" -eq $((2 + (launches - 1) * 4)) ] || fail "runs.csv has $rows rows"
bad=$(csv_col runs.csv result | grep -vxF "$want_result" | sort -u)
[ -z "$bad" ] || fail "results differ from the serial '$want_result': $bad"
[ "$(csv_col runs.csv verified | sort -u)" = yes ] || fail "some runs did not verify"
[ "$(csv_col runs.csv tasks | sort -u)" = 7 ] || fail "tasks column is not 7"
layouts=$(paste -d/ <(csv_col runs.csv ranks) <(csv_col runs.csv threads) \
    <(csv_col runs.csv schedule) <(csv_col runs.csv chunk) | sort -u | tr '\n' ' ')
for n in 1 2; do for t in 1 2; do for s in static cyclic dynamic; do for c in 1 5; do
    case " $layouts" in *" $n/$t/$s/$c "*) ;; *) fail "no row for $n ranks x $t threads $s chunk $c" ;; esac
done; done; done; done
case " $layouts" in *" 1/1/serial/1 "*) ;; *) fail "no row for the serial baseline" ;; esac

# The count depends on the seed: a different seed, a different count.
expect_status 0 "$HYBENCH" run "${work[@]}" --seed 6 --repeat 1
[ "$(hits_of out.txt)" != "$want" ] || fail "--seed 6 gives the same count as --seed 5"

finish
