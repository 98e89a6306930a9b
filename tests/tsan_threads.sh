# OpenMP races: the threaded runs under ThreadSanitizer, with clang and LLVM's
# OpenMP runtime (libomp), whose Archer tool (libarcher, loaded by libomp when
# TSan is present) tells TSan about OpenMP's barriers, tasks and locks. The
# program must be built with -DHB_SANITIZE=thread. A positive control first
# proves that this toolchain does report a planted race, so a silent TSan
# cannot pass the test. Arg: the C compiler.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
cc=${1:-clang}
# libomp itself is not instrumented: ignore its frames (Archer's advice).
export TSAN_OPTIONS="halt_on_error=0 exitcode=66 ignore_noninstrumented_modules=1 ${TSAN_OPTIONS:-}"

cat >control.c <<'C'
#include <stdio.h>
int main(void) {
    int x = 0, y = 0;
#pragma omp parallel num_threads(2)
    x++; /* the planted race */
#pragma omp parallel num_threads(2)
    {
#pragma omp atomic
        y++;
    }
    printf("%d %d\n", x, y);
    return 0;
}
C
if "$cc" -fsanitize=thread -fopenmp=libomp -g control.c -o control 2>cc.err; then
    ./control >control.out 2>control.err
    n=$(grep -c 'WARNING: ThreadSanitizer: data race' control.err)
    [ "$n" -ge 1 ] || fail "TSan+libomp did not report the planted race"
    grep -q 'control.c:5' control.err || fail "the planted race is not the one reported"
    grep -q 'control.c:8\|control.c:9' control.err && fail "TSan reported the atomic (Archer not active?)"
else
    echo "note: $cc cannot build the TSan control: $(head -1 cc.err)"
fi

tsan_run() {
    local name=$1; shift
    "$@" >"$name.out" 2>"$name.err"
    local rc=$?
    if grep -q 'WARNING: ThreadSanitizer' "$name.err"; then
        fail "$name: $(grep -m1 -A6 'WARNING: ThreadSanitizer' "$name.err" | tr '\n' ' ')"
    fi
    [ "$rc" -eq 0 ] || fail "$name: exit $rc: $(tail -2 "$name.err")"
}
common=(run --kernel pi --streams 24 --samples 20000 --repeat 2 --warmup 1 --oversubscribe --bind none)
for s in static cyclic dynamic; do
    tsan_run "pi_${s}_1x2" "$HYBENCH" "${common[@]}" --threads 2 --schedule "$s" --chunk 1,5
    tsan_run "pi_${s}_2x2" "$MPIEXEC" -n 2 "$HYBENCH" "${common[@]}" --threads 2 --schedule "$s"
done
tsan_run host_1x2 "$HYBENCH" run --kernel host --threads 2 --oversubscribe
for k in mc pow; do
    case $k in
    mc) kopts=(--beta 0.5,1 --m 1 --h 0.5 --iterations 200 --out-dir mc_out) ;;
    pow) kopts=() ;;
    esac
    tsan_run "${k}_dynamic_1x2" "$HYBENCH" run --kernel "$k" "${kopts[@]}" --threads 2 \
        --schedule dynamic --repeat 1 --warmup 0 --oversubscribe --bind none
done
finish
