#!/usr/bin/env bash
# `hybench topo`: plans on synthetic topologies (so the expected cores hold on
# any machine), refusals with exit 2 and one line, and --help.
. "$(dirname "$0")/lib.sh"

SYN="pack:2 core:4 pu:2" # core c holds PUs 2c and 2c+1; package 0 has cores 0-3

# The worker lines (local_rank thread cpuset core) of a plan, one per line.
plan() { "$HYBENCH" topo --synthetic "$SYN" "$@" | awk 'p { print $1, $2, $3, $4 } /^local_rank/ { p = 1 }'; }

expect_status 0 "$HYBENCH" topo --synthetic "$SYN"
grep -qx 'topology: 2 packages, 8 cores, 16 PUs (synthetic)' out.txt || fail "topology line: $(cat out.txt)"
expect_status 0 "$HYBENCH" topo
grep -q '^topology: [0-9]* package' out.txt || fail "this machine's topology: $(cat out.txt)"

got=$(plan --layout 1x4)
want=$'0 0 0-1 0\n0 1 2-3 1\n0 2 4-5 2\n0 3 6-7 3'
[ "$got" = "$want" ] || fail "compact 1x4: $got"

# spread: one rank per package, each rank's threads inside its own package
got=$(plan --layout 2x2 --distribute spread)
want=$'0 0 0-1 0\n0 1 4-5 2\n1 0 8-9 4\n1 1 12-13 6'
[ "$got" = "$want" ] || fail "spread 2x2: $got"

# bind pu: first PUs of distinct cores; the node count is only echoed
got=$(plan --layout 3:1x3 --bind pu)
want=$'0 0 0 0\n0 1 2 1\n0 2 4 2'
[ "$got" = "$want" ] || fail "bind pu 3:1x3: $got"
"$HYBENCH" topo --synthetic "$SYN" --layout 3:1x3 | grep -q '^layout 3:1x3: 3 nodes x 1 rank x 3 threads' ||
    fail "layout echo"

got=$(plan --layout 1x2 --bind none)
[ "$got" = $'0 0 0-15 -1\n0 1 0-15 -1' ] || fail "bind none: $got"

# oversubscribed: allowed only when asked, and shared cores are marked
expect_bad_input "$HYBENCH" topo --synthetic "$SYN" --layout 3x3
grep -q "9 workers.*8 cores (16 PUs).*--oversubscribe" err.txt || fail "refusal text: $(cat err.txt)"
[ ! -s out.txt ] || fail "a refused layout printed: $(cat out.txt)"
expect_status 0 "$HYBENCH" topo --synthetic "$SYN" --layout 3x3 --oversubscribe
[ "$(grep -c 'shares its core' out.txt)" -eq 2 ] || fail "oversubscribed 3x3: $(cat out.txt)"

expect_bad_input "$HYBENCH" topo --synthetic "$SYN" --layout 2x0
grep -q "'2x0'" err.txt || fail "--layout 2x0 message: $(cat err.txt)"
expect_bad_input "$HYBENCH" topo --layout 4
expect_bad_input "$HYBENCH" topo --layout 2x2x2
expect_bad_input "$HYBENCH" topo --layout
expect_bad_input "$HYBENCH" topo --bind socket
expect_bad_input "$HYBENCH" topo --distribute scatter
expect_bad_input "$HYBENCH" topo --synthetic "pack:2 banana:4"
expect_bad_input "$HYBENCH" topo --frobnicate
expect_bad_input "$HYBENCH" topo stray

expect_status 0 "$HYBENCH" topo --help
grep -q -- '--distribute' out.txt || fail "--help lists no options"
[ ! -s err.txt ] || fail "--help wrote to stderr"

finish
