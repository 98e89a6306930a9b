#!/bin/bash
# A real matrix of 1x1, 1x2, 2x1 over every kernel at tiny sizes: every file
# written, every kernel at every layout in efficiency.csv, the SVG well-formed;
# pow sweeps grains of its own (--chunk in its --kernel) while the others take
# the matrix's two chunk values, and each kernel+params has one serial baseline.
. "$(dirname "$0")/lib.sh"

# The user's own kernels (cmd, plugin) need a command or a plug-in: tests/matrix_cmd.sh.
kernels=$("$HYBENCH" --list | awk '$2 != "(not" && $1 != "cmd" && $1 != "plugin" {print $1}' |
    paste -sd, -)
# Tiny sizes per kernel; a kernel without an entry runs with its defaults.
specs=()
for k in ${kernels//,/ }; do
    case $k in
    pi) specs+=(--kernel "pi --streams 8 --samples 20000") ;;
    # two points that mix well (docs/mc.md), so mc's verdict is a real check
    mc) specs+=(--kernel "mc --beta 8,16 --m 1.0 --h 1 --slices 32 --iterations 40000 --out-dir mcdata") ;;
    pow) specs+=(--kernel "pow --elements 20000 --chunk 500,2000") ;;
    *) specs+=(--kernel "$k") ;;
    esac
done
expect_status 0 "$HYBENCH" matrix --layouts 1x1,1x2,2x1 "${specs[@]}" \
    --schedules static,dynamic --chunk 4,16 --repeat 2 --warmup 0 --rounds 2 --out res --name m \
    --quiet
cat err.txt >&2
d=res/m
for f in runs.csv efficiency.csv meta efficiency.gp; do
    [ -s "$d/$f" ] || fail "$d/$f missing or empty"
done
if command -v gnuplot >/dev/null; then
    [ -s "$d/efficiency.svg" ] && [ -s "$d/efficiency.png" ] || fail "plots missing"
    if command -v xmllint >/dev/null; then
        xmllint --noout "$d/efficiency.svg" || fail "efficiency.svg is not well-formed XML"
    fi
fi
grep -q '^mpi_library: ' "$d/meta" || fail "meta has no mpi_library line"
# Every kernel at every layout and schedule, plus its serial baseline; every
# verdict is ok.
for k in ${kernels//,/ }; do
    for lay in 1x1 1x2 2x1; do
        for s in static dynamic; do
            n=$(awk -F, -v k="$k" -v l="$lay" -v s="$s" \
                '$1 == k && $4 == l && $11 == s && $29 == "ok"' "$d/efficiency.csv" | wc -l)
            [ "$n" -ge 1 ] || fail "efficiency.csv: no verified row for $k $lay $s"
        done
    done
    grep -q "^$k,.*,serial,serial," "$d/efficiency.csv" || fail "no serial baseline for $k"
done
grep -q '^\*' out.txt || fail "no best layout marked in the table"
# Serial baselines: 2 repeats in each of the 2 rounds, once per kernel+params,
# so once for the kernels whose params do not hold the chunk and once per
# grain for pow; every row carries its round and the id of its launch.
for k in ${kernels//,/ }; do
    want=4
    [ "$k" = pow ] && want=8
    n=$(awk -F, -v k="$k" '$5 == k && $7 == "serial"' "$d/runs.csv" | wc -l)
    [ "$n" -eq "$want" ] || fail "$k: $n serial rows, want $want"
    for r in 1 2; do
        n=$(csv_rows "$d/runs.csv" kernel="$k" mode=serial round=$r | wc -l)
        [ "$n" -eq $((want / 2)) ] || fail "$k: $n serial rows in round $r, want $((want / 2))"
    done
done
[ "$(csv_col "$d/runs.csv" launch | grep -c '^$')" -eq 0 ] || fail "rows without a launch id"
n=$(csv_col "$d/runs.csv" round | sort -u | paste -sd, -)
[ "$n" = 1,2 ] || fail "rounds in runs.csv: '$n', want 1,2"
if [[ ,$kernels, == *,pow,* ]]; then
    for c in 500 2000; do
        awk -F, -v c=$c '$1 == "pow" && $3 == "parallel" && $12 == c' "$d/efficiency.csv" | grep -q . ||
            fail "pow: no parallel group at its own grain $c"
    done
    awk -F, '$1 == "pow" && ($12 == 4 || $12 == 16)' "$d/efficiency.csv" | grep -q . &&
        fail "pow ran the matrix's chunks instead of its own"
fi
awk -F, '$1 == "pi" && $3 == "parallel" && $12 == 4' "$d/efficiency.csv" | grep -q . ||
    fail "pi: no group at the matrix's chunk 4"
# The report recomputes the same efficiency.csv from the saved runs.
expect_status 0 "$HYBENCH" report "$d/runs.csv" --out again
cmp -s "$d/efficiency.csv" again/efficiency.csv || fail "report differs from the matrix's"
finish
