# `hybench predict` on a measured matrix-like directory: a small well-mixed
# mc scan (12 points of equal cost) is run serial, at 1x2 and at 2x1 with its
# task times recorded, twice, and predict, given the directory, must predict
# every measured configuration and the whole grid, with efficiencies in
# (0, 1], and put each measured median inside the interval of its
# prediction. The intervals carry the noise of this machine (one of the
# recordings, over the repeat-to-repeat ratios the runs showed), so a shared
# machine widens them rather than failing the test: 66 of 66 medians inside
# in 22 runs here with the machine loaded (a CI run beside it, or two CPU
# hogs); a wrong model (a schedule or a hand-out replayed wrong) moves the
# prediction out of them.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

mc=(--kernel mc --beta 8,10,12,16 --m 0.5,1,2 --h 1 --slices 32 --iterations 20000
    --repeat 5 --warmup 1 --quiet --csv m/runs.csv --task-times m/tasks.csv)
mkdir -p m
# Two launches of each, as a matrix's rounds would: the spread between
# launches is noise the intervals must know about.
for round in 1 2; do
    expect_status 0 "$HYBENCH" run "${mc[@]}" --serial --out-dir serial
    expect_status 0 "$MPIEXEC" -n 1 "$HYBENCH" run "${mc[@]}" --threads 2 --schedule dynamic --out-dir t
    expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run "${mc[@]}" --schedule dynamic --out-dir r
done
diff -r serial t >/dev/null && diff -r serial r >/dev/null || fail "mc files differ between layouts"
expect_status 0 "$HYBENCH" predict m --workers 1,2,4,1000 --layouts 1x2
cat out.txt
csv=m/prediction.csv
[ -s "$csv" ] || fail "no $csv"
rows=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["measured_s"] != "" {
        ok = $c["measured_s"] >= $c["predicted_s_lo"] && $c["measured_s"] <= $c["predicted_s_hi"]
        print $c["layout"], $c["schedule"], $c["measured_s"], $c["predicted_s_lo"], $c["predicted_s_hi"], ok ? "in" : "OUT"
    }' "$csv")
echo "$rows"
[ "$(echo "$rows" | grep -c .)" -eq 3 ] || fail "want 3 measured configurations, got: $rows"
echo "$rows" | grep -q OUT && fail "a measured median is outside its prediction's interval: $(echo "$rows" | grep OUT)"
for l in serial 1x2 2x1; do
    echo "$rows" | grep -q "^$l " || fail "no prediction of the measured $l: $rows"
done
# Each prediction lies inside its own interval, and the interval is ordered.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    !($c["predicted_s_lo"] <= $c["predicted_s"] && $c["predicted_s"] <= $c["predicted_s_hi"] && $c["predicted_s_lo"] > 0) {
        print "bad interval: " $0; bad = 1 }
    END { exit bad }' "$csv" || fail "a prediction outside its own interval"
# Every prediction of the grid is there, and efficiencies are ratios in (0, 1].
[ "$(awk -F, 'NR > 1 && $20 == ""' "$csv" | wc -l)" -eq $((4 * (1 + 4 + 4))) ] ||
    fail "$csv has $(awk -F, 'NR > 1 && $20 == ""' "$csv" | wc -l) grid rows, want 36"
awk -F, 'NR > 1 && !($9 > 0 && $9 <= 1.000001) {bad = 1} END {exit bad}' "$csv" || fail "an efficiency outside (0, 1]"
finish
