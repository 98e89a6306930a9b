# The man page (docs/hybench.1) names every option that `hybench run --help`
# (with every kernel's) and `hybench matrix --help` print, and every kernel.
. "$(dirname "$0")/lib.sh"
page=$HB_SOURCE_DIR/docs/hybench.1
[ -r "$page" ] || { fail "no man page at $page"; finish; }
# roff: \- is a dash, \fB..\fR are fonts.
text=$(sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$page")
for sub in run matrix; do
    "$HYBENCH" "$sub" --help >"$sub.help" || fail "hybench $sub --help failed"
    opts=$(grep -oE '^  --[a-z][a-z0-9-]*' "$sub.help" | sort -u)
    [ -n "$opts" ] || fail "no options in hybench $sub --help"
    for o in $opts; do
        grep -qE -- "$o([^a-z0-9-]|\$)" <<<"$text" || fail "the man page lacks $sub's $o"
    done
done
for k in $("$HYBENCH" --list | awk '{print $1}'); do
    grep -qE "^\.B $k\$" "$page" || fail "the man page's KERNELS lacks $k"
done
finish
