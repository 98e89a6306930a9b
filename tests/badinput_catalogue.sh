# The bad-input catalogue: every row of tests/badinput.tsv (arg 1) is one
# malformed invocation. Each must exit 2, print exactly one line on stderr
# that contains the row's WORD (the offending option, value or line), and
# leave its scratch directory empty: no file, not even an empty one.
# Set HB_BADINPUT_ONLY=ID to run one row.
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh"
table=${1:?usage: badinput_catalogue.sh TABLE}
[ -r "$table" ] || { echo "cannot read $table" >&2; exit 1; }

# Fixtures live outside the scratch directories, which must stay empty.
fix="$HB_TEST_TMP/fixtures"
mkdir -p "$fix/runsdir"
[ -p "$fix/fifo" ] || mkfifo "$fix/fifo" # a FIFO with no writer: opening it must not block
# a directory name that makes --out longer than PATH_MAX: @FIX@/LONG/... (made of
# nested names, each within NAME_MAX; only a symbolic prefix, nothing is created)
long=LONG; for _ in $(seq 20); do long="$long/$(printf 'd%.0s' $(seq 250))"; done
printf 'beta,m,h\n1,1,0.5\n' >"$fix/points_ok.csv"
printf 'beta,m,h\n1,1,0.5\n2,1,zero\n' >"$fix/points_bad_line.csv"
printf 'beta,m\n1,1\n' >"$fix/points_no_h.csv"
: >"$fix/points_empty.csv"
printf 'beta,m,h\n-1,1,0.5\n' >"$fix/points_neg.csv"
printf 'x,y\n1,2\n' >"$fix/points_xy.csv"
printf 'x,y\n1,2\n3\n' >"$fix/points_uneven.csv"
printf 'x,x\n1,2\n' >"$fix/points_dup_col.csv"
hdr='schema,timestamp,host,hosts,kernel,params,mode,nodes,ranks,threads,workers,bind,distribute,schedule,chunk,tasks,repeat,wall_s,busy_min_s,busy_mean_s,busy_max_s,imbalance,ideal_efficiency,idle_workers,result,verified,status,cpusets,worker_tasks,worker_busy_s'
row='hybench-runs-1,2025-01-01T00:00:00Z,n1,n1,pi,streams=8,serial,1,1,1,1,core,compact,static,1,8,1,0.5,,,,1.0,,,3.14,yes,ok,,,'
printf '%s\n%s\n' "$hdr" "$row" >"$fix/runs_ok.csv"
printf '%s\n%s\n' "$hdr" "${row/pi,/\"pi,}" >"$fix/runs_unclosed.csv"
printf '%s\n%s,extra\n' "$hdr" "$row" >"$fix/runs_wide.csv"
printf '%s\n%s\n' "${hdr/wall_s,/}" "${row/,0.5,/,}" >"$fix/runs_no_wall.csv"
printf '%s\n%s\n' "$hdr" "${row/,0.5,/,fast,}" >"$fix/runs_bad_wall.csv"
printf '%s\n%s\n%s\n' "$hdr" "${row%,,,}" "$row" >"$fix/runs_short.csv"
printf '%s\n%s\n' "$hdr" "${row/,0.5,/,-5,}" >"$fix/runs_neg_wall.csv"
printf '%s\n%s\n' "$hdr" "${row/,0.5,/,nan,}" >"$fix/runs_nan_wall.csv"
printf '%s\n%s\n' "$hdr" "${row/,0.5,,,,/,0.5,,inf,,}" >"$fix/runs_inf_busy.csv"
# Schema 2: round, launch, cpu_s, worker_cpu_s, load_before, load_after, steal_s, cpus_allowed, cpus_from
hdr2="$hdr,round,launch,cpu_s,worker_cpu_s,load_before,load_after,steal_s,cpus_allowed,cpus_from"
row2="${row/hybench-runs-1/hybench-runs-2}"
printf '%s\n%s\n' "$hdr2" "$row2,1,,-0.5,0.5,0.10,0.20,0.00,0-1,machine" >"$fix/runs_neg_cpu.csv"
printf '%s\n%s\n' "$hdr2" "$row2,1,,0.5,0.5,-1,0.20,0.00,0-1,machine" >"$fix/runs_neg_load.csv"
printf '%s\n%s\n' "$hdr2" "$row2,1,,0.5,0.5,0.10,0.20,-0.01,0-1,machine" >"$fix/runs_neg_steal.csv"
printf '%s\n%s\n' "$hdr2" "$row2,0,,0.5,0.5,0.10,0.20,0.00,0-1,machine" >"$fix/runs_round_zero.csv"
rm -f "$fix/runs.fifo" && mkfifo "$fix/runs.fifo"
# Task times (tasks.csv) and hand-out costs for `hybench predict`.
thdr='schema,kernel,params,mode,nodes,ranks,threads,bind,distribute,schedule,chunk,round,launch,task,worker,rank,thread,start_s,duration_s'
trow() { echo "hybench-tasks-1,pi,streams=2,serial,1,1,1,core,compact,serial,1,,,$1,0,0,0,0.0,$2"; }
printf '%s\n%s\n%s\n' "$thdr" "$(trow 0 0.5)" "$(trow 1 0.5)" >"$fix/tasks_ok.csv"
printf '%s\n%s\n%s\n' "$thdr" "$(trow 0 0.5)" "$(trow 2 0.5)" >"$fix/tasks_gap.csv"
printf '%s\n%s\n%s\n' "$thdr" "$(trow 0 0.5)" "$(trow 1 -1)" >"$fix/tasks_negative.csv"
printf '%s\n%s\n' "$thdr" "$(trow 0 0.5 | sed 's/hybench-tasks-1/hybench-tasks-9/')" >"$fix/tasks_schema.csv"
printf '%s\n' "$thdr" >"$fix/tasks_empty.csv"
printf '%s\n%s\n' "$thdr" "$(trow 0 0.5 | sed 's/,serial,/,parallel,/g')" >"$fix/tasks_parallel.csv"
printf 'level,latency_s,latency_same_s,service_s\nnode,fast,1e-6,1e-6\n' >"$fix/costs_bad.csv"
printf 'level,latency_s,latency_same_s,service_s\nswitch,1e-6,1e-6,1e-6\n' >"$fix/costs_level.csv"

tab=$'\t'
n=0
while IFS="$tab" read -r id launch word args; do
    case $id in '' | '#'*) continue ;; esac
    [ -n "${HB_BADINPUT_ONLY:-}" ] && [ "$id" != "$HB_BADINPUT_ONLY" ] && continue
    n=$((n + 1))
    args=${args//@FIX@\/LONG/$fix/$long}
    args=${args//@FIX@/$fix}
    eval "argv=(${args//@PLUGINS@/${HB_TEST_PLUGINS:-@PLUGINS@}})"
    dir="$HB_TEST_TMP/case/$id"
    mkdir -p "$dir"
    case $launch in
    -) cmd=("$HYBENCH" "${argv[@]}") ;;
    mpi2) cmd=("$MPIEXEC" -n 2 "$HYBENCH" "${argv[@]}") ;;
    cpu0) cmd=(taskset -c 0 "$HYBENCH" "${argv[@]}") ;; # a process given one CPU
    *) fail "$id: unknown launch '$launch'"; continue ;;
    esac
    (cd "$dir" && exec timeout -k 5 60 "${cmd[@]}" </dev/null >"../$id.out" 2>"../$id.err")
    rc=$?
    err="$HB_TEST_TMP/case/$id.err"
    lines=$(wc -l <"$err")
    what="$id: hybench ${argv[*]}${launch/-/}"
    if [ "$rc" -ne 2 ]; then
        fail "$what: exit $rc (want 2): $(head -c 300 "$err")"
    elif [ "$lines" -ne 1 ]; then
        fail "$what: $lines lines on stderr (want 1): $(head -c 300 "$err" | tr '\n' '|')"
    elif ! grep -qF -- "$word" "$err"; then
        fail "$what: stderr does not name '$word': $(cat "$err")"
    fi
    left=$(cd "$dir" && ls -A)
    [ -z "$left" ] && rmdir "$dir" || fail "$what: left files behind: $(echo $left)"
done <"$table"
[ "$n" -ge 1 ] || fail "no case ran"
echo "$n cases"
finish
