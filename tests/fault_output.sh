# Injected fault: output that cannot be written. A read-only directory (a
# read-only tmpfs, since root may write anywhere else), a full file system (a
# tiny tmpfs filled up) and /dev/full as the CSV: one clear error naming the
# path, a non-zero exit, and no partial or empty file left behind.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
pi=(run --kernel pi --serial --streams 4 --samples 1000 --repeat 1 --warmup 0 --quiet)

# /dev/full: every write fails with ENOSPC.
"$HYBENCH" "${pi[@]}" --csv /dev/full >out.txt 2>err.txt
st=$?
[ "$st" -ne 0 ] || fail "/dev/full: exit 0"
[ "$(wc -l <err.txt)" -eq 1 ] || fail "/dev/full: not one line: $(cat err.txt)"
grep -q '/dev/full' err.txt || fail "/dev/full: message does not name the path: $(cat err.txt)"

mounted=()
cleanup() { local m; for m in "${mounted[@]}"; do umount "$m" 2>/dev/null; done; }
trap cleanup EXIT
mkdir -p ro full
if mount -t tmpfs -o ro,size=64k tmpfs ro 2>/dev/null; then
    mounted+=("$PWD/ro")
else
    echo "SKIP: cannot mount a read-only tmpfs (needs root and mount rights)"; exit 77
fi
if mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
    mounted+=("$PWD/full")
    # Leave a few hundred bytes: the header fits, the rows do not.
    head -c $((64 * 1024 - 300)) /dev/zero >full/filler 2>/dev/null
fi

# check NAME PATH CMD...: non-zero, one line naming PATH, and no file left.
check() {
    local name=$1 path=$2; shift 2
    local before; before=$(ls -A "$(dirname "$path")" 2>/dev/null)
    "$@" >"$name.out" 2>"$name.err"
    local st=$?
    [ "$st" -ne 0 ] || fail "$name: exit 0"
    [ "$(wc -l <"$name.err")" -eq 1 ] || fail "$name: not one line: $(head -c 300 "$name.err")"
    grep -qF "${path%/*}" "$name.err" || fail "$name: message does not name $path: $(cat "$name.err")"
    local after; after=$(ls -A "$(dirname "$path")" 2>/dev/null)
    [ "$before" = "$after" ] || fail "$name: left files behind: $after"
}
check ro_csv ro/runs.csv "$HYBENCH" "${pi[@]}" --csv ro/runs.csv
check ro_mc ro/dat/x "$HYBENCH" run --kernel mc --serial --beta 1 --m 1 --h 0.5 \
    --iterations 100 --repeat 1 --warmup 0 --quiet --out-dir ro/dat
check ro_matrix ro/res/x "$HYBENCH" matrix --kernel 'pi --streams 2 --samples 100' \
    --layouts 1x1 --repeat 1 --warmup 0 --out ro/res --quiet
if [ ${#mounted[@]} -eq 2 ]; then
    check full_csv full/runs.csv "$HYBENCH" "${pi[@]}" --csv full/runs.csv
    [ -e full/runs.csv ] && fail "full_csv: a partial full/runs.csv was left"
fi
finish
