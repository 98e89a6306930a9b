#!/bin/bash
# A runs.csv is data from anyone: `hybench report` must never execute it. Every
# text field of a hand-made runs.csv holds a payload that would run a command
# if a shell or gnuplot evaluated it (backquotes, $(...), system(), a macro,
# a line break followed by a command, a datablock terminator, quotes); the
# report must succeed, create none of the payloads' files, keep its table to
# one line per row, and still make every plot.
. "$(dirname "$0")/lib.sh"

pwn="$HB_TEST_TMP/pwned"
mkdir -p "$pwn"
# csvq TEXT: TEXT as one RFC 4180 field, always quoted.
csvq() { local s=${1//\"/\"\"}; printf '"%s"' "$s"; }

payloads=(
    "\`touch $pwn/backquote\`"
    "\$(touch $pwn/dollar)"
    "system(\"touch $pwn/system\")"
    "x' . system('touch $pwn/quote') . '"
    $'two\nlines `touch '"$pwn"'/newline` EOD'
    $'EOD\n!touch '"$pwn"'/eod\n$d << EOD'
    "@pwn \\\"\\ \` \$(touch $pwn/mixed)\` ; touch $pwn/semicolon"
)
np=${#payloads[@]}
p() { csvq "${payloads[$(($1 % np))]}"; }

header=schema,timestamp,host,hosts,kernel,params,mode,nodes,ranks,threads,workers,bind,distribute,schedule,chunk,tasks,repeat,wall_s,busy_min_s,busy_mean_s,busy_max_s,imbalance,ideal_efficiency,idle_workers,result,verified,status,cpusets,worker_tasks,worker_busy_s,round,launch,cpu_s,worker_cpu_s,load_before,load_after,steal_s,cpus_allowed,cpus_from
# row K MODE RANKS THREADS SCHED WALL REPEAT: one row of kernel configuration
# K (its kernel, params, bind and distribute are payloads, constant over the
# configuration), every other text field a payload that changes row by row.
row() {
    local k=$1 mode=$2 r=$3 t=$4 sched=$5 wall=$6 rep=$7 i=$((k * 3 + $7))
    local w=$((r * t))
    printf '%s,%s,%s,%s,%s,%s,%s,1,%s,%s,%s,%s,%s,%s,1,8,%s,%s,%s,%s,%s,1.0,1,0,%s,%s,ok,%s,%s,%s,1,%s,%s,%s,0.5,0.5,0.0,%s,%s\n' \
        "$(csvq "hybench-runs-2${payloads[$i % np]}")" "$(p $((i + 1)))" "$(p $((i + 2)))" \
        "$(p $((i + 3)))" "$(p "$k")" "$(p $((k + 1)))" "$mode" "$r" "$t" "$w" \
        "$(p $((k + 4)))" "$(p $((k + 5)))" "$sched" "$rep" "$wall" "$wall" "$wall" "$wall" \
        "$(p $((i + 6)))" "$(p $((i + 7)))" "$(p $((i + 8)))" "$(p $((i + 9)))" "$(p $((i + 10)))" \
        "$(p $((i + 11)))" "$(awk -v w="$wall" -v n="$w" 'BEGIN { print w * n }')" \
        "$(p $((i + 12)))" "$(p $((i + 13)))" "$(p $((i + 14)))"
}
{
    echo "$header"
    for k in 0 1 2; do
        for rep in 0 1 2; do
            row $k serial 1 1 serial "2.0$rep" $rep
            row $k parallel 2 1 "$(p $((k + 2)))" "1.0$rep" $rep
            row $k parallel 1 2 "$(p $((k + 3)))" "1.1$rep" $rep
        done
    done
} >runs.csv

mkdir out
(cd out && exec "$HYBENCH" report ../runs.csv --out .) >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 0 ] || fail "report exit $rc: $(head -c 600 err.txt)"
left=$(ls -A "$pwn")
[ -z "$left" ] || fail "a payload ran: $pwn holds $(echo $left)"
# Nothing in the working directories either (payloads with relative names).
for f in backquote dollar system quote newline eod mixed semicolon; do
    [ ! -e "$f" ] && [ ! -e "out/$f" ] || fail "a payload created $f"
done
# The table kept its texts on their lines: no table line starts with the
# text after a payload's line break.
grep -nE '^(lines|!touch|\$d << EOD)' out.txt && fail "a line break in a field broke the table"
grep -q 'two\\nlines' out.txt || fail "the escaped payload is not in the table"
[ "$(grep -c '^[* ] [0-9]x[0-9] ' out.txt)" -eq 6 ] ||
    fail "the table does not have its 6 parallel rows: $(cat out.txt)"
if command -v gnuplot >/dev/null; then
    for f in efficiency.svg efficiency.png layout_map.svg layout_map.png; do
        [ -s "out/$f" ] || fail "plot out/$f missing"
    done
    if command -v xmllint >/dev/null; then
        xmllint --noout out/efficiency.svg out/layout_map.svg || fail "an SVG is not well-formed"
    fi
    grep -q 'plots: ./efficiency.svg' out.txt || fail "the report does not name its plots"
else
    [ -s out/efficiency.gp ] || fail "no plot script"
fi
finish
