# cmd: the lesson's scans through a command per point. The 7-point zipped
# scan writes exactly the seven b{beta}_m{m}.dat files the lesson names,
# byte-identical and with one digest at --serial, 1x2, 2x1 and a dynamic
# schedule, verified (same output in both repetitions); the 324-point product
# gives the lesson's 324 names, those of the mc kernel; a nondeterministic
# command is unverified, never passed; the environment and pinning of a task.
. "$(dirname "$0")/lib.sh"

zip7=(--param beta=0.5,0.5,1.0,1.0,1.0,2.0,2.0 --param m=0.5,1.0,0.5,1.0,2.0,1.0,2.0 --zip)
# A deterministic command whose output depends on the point alone.
scan=(--kernel cmd --command 'printf "beta=%s m=%s task=%s seed=%s\n" {beta} {m} {task} {seed}'
      "${zip7[@]}" --repeat 1 --warmup 1)
want='b0.5_m0.5.dat b0.5_m1.0.dat b1.0_m0.5.dat b1.0_m1.0.dat b1.0_m2.0.dat b2.0_m1.0.dat b2.0_m2.0.dat'
result_of() { grep -o 'result tasks=[^;]*; verified [a-z]*' "$1" | sort -u; }

expect_status 0 "$HYBENCH" run "${scan[@]}" --serial --stdout 'ser/b{beta}_m{m}.dat'
ref=$(result_of out.txt)
[ "$ref" = "$(result_of out.txt | grep 'verified yes')" ] && [ -n "$ref" ] ||
    fail "serial: not one verified result: $(tail -2 out.txt)"
[ "$(ls -A ser | tr '\n' ' ')" = "$want " ] || fail "serial wrote '$(ls -A ser | tr '\n' ' ')', want '$want'"
[ "$(cat ser/b1.0_m2.0.dat)" = "beta=1.0 m=2.0 task=4 seed=1" ] || fail "b1.0_m2.0.dat: $(cat ser/b1.0_m2.0.dat)"
for layout in "1x2:-n 1 --threads 2" "2x1:-n 2" "dyn:-n 2 --schedule dynamic"; do
    name=${layout%%:*}
    read -r -a a <<<"${layout#*:}"
    expect_status 0 "$MPIEXEC" "${a[0]}" "${a[1]}" "$HYBENCH" run "${scan[@]}" "${a[@]:2}" \
        --stdout "$name/b{beta}_m{m}.dat"
    diff -r ser "$name" >/dev/null || fail "$name differs from serial: $(diff -rq ser "$name" | head -2)"
    [ "$(result_of out.txt)" = "$ref" ] || fail "$name: '$(result_of out.txt)', serial '$ref'"
done
# The digest can fail: another seed changes every file and the digest.
expect_status 0 "$HYBENCH" run "${scan[@]}" --serial --seed 2 --stdout 'seed2/b{beta}_m{m}.dat'
[ "$(result_of out.txt)" != "$ref" ] || fail "seed 2 gave the digest of seed 1"

# The lesson's 324-point product: the mc kernel's names, from the values as typed.
B=0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0 H=0.25,0.5,1.0,2.5
expect_status 0 "$HYBENCH" run --kernel cmd --command true --param beta=$B --param m=$B \
    --param h=$H --stdout 'p324/b{beta}_m{m}_h{h}.dat' --repeat 1 --warmup 0 --threads 2 --quiet
expect_status 0 "$HYBENCH" run --kernel mc --beta $B --m $B --h $H --iterations 10 \
    --out-dir mc324 --repeat 1 --warmup 0 --threads 2 --quiet
[ "$(ls p324 | wc -l)" -eq 324 ] || fail "324-point scan wrote $(ls p324 | wc -l) files"
[ "$(ls p324)" = "$(ls mc324)" ] || fail "324 names differ from mc's: $(diff <(ls p324) <(ls mc324) | head -3)"
[ -e p324/b10.0_m10.0_h2.5.dat ] && [ -e p324/b0.1_m0.1_h0.25.dat ] || fail "lesson names missing"

# A nondeterministic command is never a pass.
expect_status 0 "$HYBENCH" run --kernel cmd --command 'date +%s%N' --param x=1,2 \
    --out-dir nd --repeat 2 --warmup 0
grep -q 'verified unverified: not deterministic' out.txt || fail "date +%N passed: $(tail -1 out.txt)"
grep -q 'verified yes' out.txt && fail "a repeat of date +%N printed 'verified yes'"
expect_status 0 "$HYBENCH" run --kernel cmd --command 'printf %s {x}' --param x=1,2 \
    --out-dir once --repeat 1 --warmup 0
grep -q 'verified unverified: determinism not checked' out.txt ||
    fail "one repetition passed: $(tail -1 out.txt)"

# What a task sees: its environment, its binding, {worker}/{cpus} matching
# HB_WORKER/HB_CPUS, and standard input from /dev/null, not hybench's.
expect_status 0 "$MPIEXEC" -n 2 "$HYBENCH" run --kernel cmd --shell \
    --command 'echo "$HB_TASK $HB_WORKER $HB_CPUS $OMP_NUM_THREADS $HB_SEED {worker} {cpus}"; grep Cpus_allowed_list /proc/self/status' \
    --param x=1:4:1 --out-dir env --repeat 1 --warmup 0 --seed 7
for t in 0 1 2 3; do
    read -r task worker cpus omp seed w2 c2 <"env/task-$t.out"
    [ "$task" = "$t" ] && [ "$omp" = 1 ] && [ "$seed" = 7 ] || fail "task $t saw: $(head -1 "env/task-$t.out")"
    [ "$worker" = "$w2" ] && [ "$cpus" = "$c2" ] || fail "task $t: HB_ vs {} differ: $(head -1 "env/task-$t.out")"
    [ "$worker" = $((t / 2)) ] || fail "task $t ran on worker $worker (static: $((t / 2)))"
    allowed=$(awk '{print $2}' <(tail -1 "env/task-$t.out"))
    [ "$allowed" = "$cpus" ] || fail "task $t: bound to '$allowed', worker's cpuset '$cpus'"
done
echo "hybench's own input" >input.txt
expect_status 0 "$HYBENCH" run --kernel cmd --shell --command 'wc -c' --out-dir stdin \
    --repeat 1 --warmup 0 <input.txt
[ "$(cat stdin/task-0.out)" = 0 ] || fail "a task read hybench's standard input: $(cat stdin/task-0.out)"
finish
