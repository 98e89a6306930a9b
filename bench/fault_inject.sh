#!/bin/bash
# Fault injection (a benchmark-style script, not a test: its faults land at
# random moments on purpose). Runs a small matrix to the end once as the
# reference, then N times: starts the same matrix, injects one fault at a
# random moment (SIGINT or SIGTERM to the matrix, SIGKILL of the matrix, of
# its whole process group, or of one rank of a launch), and resumes it with
# --resume until it completes. Each resumed matrix must end with exactly its
# repeats — every configuration, round and chunk value with repeats
# 0..R-1 once each, no duplicates — every result equal to the reference's,
# and mc's files byte-identical to the reference's.
# Usage: bench/fault_inject.sh [HYBENCH [N]]   (default build/hybench, 50)
set -u
hybench=$(realpath "${1:-build/hybench}")
n=${2:-50}
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/scripts/csv.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

repeat=2 rounds=2
matrix=(matrix --layouts 1x1,1x2,2x1 --schedules static,dynamic --repeat $repeat --warmup 0
        --rounds $rounds --timeout 60 --quiet --out res
        --kernel 'pi --streams 16 --samples 2000000'
        --kernel 'mc --beta 8,16 --m 1 --h 1 --slices 32 --iterations 20000'
        --kernel 'pow --elements 400000 --chunk 100,1000 --schedules dynamic')

# Every configuration's rows: identity, round, chunk value, repeat, result,
# one line each, sorted; the check compares this list with the reference's.
ledger() {
    csv_rows "$1" status=ok |
        awk "$HB_CSV_AWK"'{ split_csv($0, f); print f[5] "|" f[6] "|" f[7] "|" f[8] "|" f[9] "|" \
            f[10] "|" f[12] "|" f[13] "|" f[14] "|" f[15] "|" f[31] "|" f[17] "|" f[25] }' | sort
}

start=$(date +%s.%N)
"$hybench" "${matrix[@]}" --name ref >ref.out 2>ref.err || { cat ref.err; exit 1; }
ref_s=$(echo "$(date +%s.%N) - $start" | bc)
ledger res/ref/runs.csv >ref.ledger
want_rows=$(wc -l <ref.ledger)
dups=$(cut -d'|' -f1-12 ref.ledger | uniq -d | wc -l)
echo "reference: $want_rows ok rows in ${ref_s%.*} s ($dups duplicated)"

faults=(int term kill-matrix kill-group kill-rank)
declare -A count ok
good=0 bad=0 resumes=0
for i in $(seq "$n"); do
    f=${faults[$((RANDOM % ${#faults[@]}))]}
    name=f$i
    # A random moment within the reference run's length.
    delay=$(awk -v s="$ref_s" -v r=$RANDOM 'BEGIN { printf "%.2f", s * r / 32768 }')
    setsid "$hybench" "${matrix[@]}" --name $name >$name.out 2>$name.err &
    pid=$!
    sleep "$delay"
    case $f in
    int) kill -INT $pid 2>/dev/null ;;
    term) kill -TERM $pid 2>/dev/null ;;
    kill-matrix) kill -KILL $pid 2>/dev/null ;;
    kill-group) kill -KILL -- -$pid 2>/dev/null ;; # the matrix's own group (setsid)
    kill-rank) r=$(pgrep -f "hybench run .*res/$name/runs.csv" | head -n 1)
        [ -n "$r" ] && kill -KILL "$r" ;;
    esac
    wait $pid 2>/dev/null
    # Resume until complete (a resume right after SIGKILL may first end the
    # launch the dead matrix left behind).
    tries=0
    until "$hybench" "${matrix[@]}" --name $name --resume >$name.res.out 2>$name.res.err; do
        tries=$((tries + 1)) resumes=$((resumes + 1))
        if [ $tries -ge 5 ]; then
            echo "fault $i ($f): --resume did not complete: $(tail -n 2 $name.res.err)"
            break
        fi
    done
    resumes=$((resumes + 1))
    count[$f]=$((${count[$f]:-0} + 1))
    ledger res/$name/runs.csv >$name.ledger
    problem=""
    cmp -s ref.ledger $name.ledger || problem="rows differ from the reference ($(wc -l <$name.ledger) ok rows, want $want_rows; $(diff ref.ledger $name.ledger | grep -c '^[<>]') lines differ)"
    d=$(cut -d'|' -f1-12 $name.ledger | uniq -d | wc -l)
    [ "$d" -eq 0 ] || problem="$problem; $d duplicated repeats"
    diff -r res/ref/mc_data res/$name/mc_data >/dev/null 2>&1 || problem="$problem; mc files differ"
    if [ -z "$problem" ]; then
        good=$((good + 1)) ok[$f]=$((${ok[$f]:-0} + 1))
    else
        bad=$((bad + 1))
        echo "fault $i ($f at ${delay} s): $problem"
    fi
    rm -rf res/$name
done
echo
printf "%-12s %6s %6s\n" fault injected exact
for f in "${faults[@]}"; do printf "%-12s %6d %6d\n" "$f" "${count[$f]:-0}" "${ok[$f]:-0}"; done
echo "$n faults, $good resumed to exactly the reference's rows and files, $bad not; $resumes resume runs"
[ "$bad" -eq 0 ]
