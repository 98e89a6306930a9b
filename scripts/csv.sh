# CSV helpers for the shell scripts and tests: source this file.
# hybench's rows hold no embedded line breaks, so one line is one record.

# HB_CSV_AWK: an awk function split_csv(line, out) that splits one RFC 4180
# record into out[1..n] (quotes removed, "" unescaped, CR dropped) and returns n.
# shellcheck disable=SC2016
HB_CSV_AWK='
function split_csv(line, out,    n, i, c, f, q) {
    n = 0; f = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) {
            if (c == "\"" && substr(line, i + 1, 1) == "\"") { f = f c; i++ }
            else if (c == "\"") q = 0
            else f = f c
        } else if (c == "\"") q = 1
        else if (c == ",") { out[++n] = f; f = "" }
        else if (c != "\r") f = f c
    }
    out[++n] = f
    return n
}'

# csv_col FILE NAME: the values of column NAME, one per data row; fails when
# the file has no such column.
csv_col() {
    awk -v want="$2" "$HB_CSV_AWK"'
    NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) if (h[i] == want) col = i; next }
    col { split_csv($0, r); print r[col] }
    END { if (!col) { print "csv_col: no column " want > "/dev/stderr"; exit 1 } }' "$1"
}

# csv_widths FILE: the distinct field counts of all lines.
csv_widths() { awk "$HB_CSV_AWK"'{ print split_csv($0, f) }' "$1" | sort -u; }

# csv_rows FILE NAME=VALUE...: the data rows (as they are in the file) whose
# columns have all the given values; fails when a column is missing.
csv_rows() {
    local file=$1; shift
    awk -v conds="$*" "$HB_CSV_AWK"'
    NR == 1 {
        n = split_csv($0, h); for (i = 1; i <= n; i++) col[h[i]] = i
        nc = split(conds, c, " ")
        for (k = 1; k <= nc; k++) {
            eq = index(c[k], "="); name[k] = substr(c[k], 1, eq - 1); want[k] = substr(c[k], eq + 1)
            if (!(name[k] in col)) { print "csv_rows: no column " name[k] > "/dev/stderr"; bad = 1; exit 1 }
        }
        next
    }
    { split_csv($0, r); for (k = 1; k <= nc; k++) if (r[col[name[k]]] != want[k]) next; print }
    END { if (bad) exit 1 }' "$file"
}
