#!/bin/bash
# A real matrix of 1x1, 1x2, 2x1 over every kernel at tiny sizes: every file
# written, every kernel at every layout in efficiency.csv, the SVG well-formed.
. "$(dirname "$0")/lib.sh"

kernels=$("$HYBENCH" --list | awk '$2 != "(not" {print $1}' | paste -sd, -)
# Tiny sizes per kernel; a kernel without an entry runs with its defaults.
specs=()
for k in ${kernels//,/ }; do
    case $k in
    pi) specs+=(--kernel "pi --streams 8 --samples 20000") ;;
    mc) specs+=(--kernel "mc --beta 0.5,1.0 --m 1.0 --iterations 2000 --out-dir mcdata") ;;
    pow) specs+=(--kernel "pow --elements 20000") ;;
    *) specs+=(--kernel "$k") ;;
    esac
done
expect_status 0 "$HYBENCH" matrix --layouts 1x1,1x2,2x1 "${specs[@]}" \
    --schedules static,dynamic --chunk 16 --repeat 2 --warmup 0 --out res --name m --quiet
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
# Every kernel at every layout and schedule, plus its serial baseline; the
# verdict is ok, or unverified where the kernel cannot check a tiny run.
for k in ${kernels//,/ }; do
    for lay in 1x1 1x2 2x1; do
        for s in static dynamic; do
            n=$(awk -F, -v k="$k" -v l="$lay" -v s="$s" \
                '$1 == k && $4 == l && $11 == s && ($29 == "ok" || $29 == "unverified")' "$d/efficiency.csv" | wc -l)
            [ "$n" -ge 1 ] || fail "efficiency.csv: no verified row for $k $lay $s"
        done
    done
    grep -q "^$k,.*,serial,serial," "$d/efficiency.csv" || fail "no serial baseline for $k"
done
grep -q '^\*' out.txt || fail "no best layout marked in the table"
# The report recomputes the same efficiency.csv from the saved runs.
expect_status 0 "$HYBENCH" report "$d/runs.csv" --out again
cmp -s "$d/efficiency.csv" again/efficiency.csv || fail "report differs from the matrix's"
finish
