/* The command-line option parser shared by every subcommand and kernel.
 *
 * Options are described by tables of hb_option; hb_args_parse() checks argv
 * against the tables and keeps the (name, value) pairs in order, so an option
 * that may be repeated (`--beta 0.1 --beta 0.2`, like argparse's
 * action="append") keeps every occurrence. Values are kept as text; each
 * module converts and validates its own with parse.h. */
#ifndef HYBENCH_ARGS_H
#define HYBENCH_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct hb_option {
    const char *name; /* long name without dashes: "streams"; NULL ends a table */
    const char *arg;  /* metavar for the help text; NULL for a flag; ending in "..." when the
                         option may be given more than once */
    const char *help; /* one line */
} hb_option;

typedef struct hb_arg {
    const char *name;  /* points into the option table */
    const char *value; /* points into argv; NULL for a flag */
} hb_arg;

typedef struct hb_args {
    hb_arg *v;
    size_t n;
    const char *positional[4]; /* non-option words, e.g. a report's FILE */
    size_t npositional;
} hb_args;

/* Parse argv[0..argc) (the words after the subcommand) against the
 * NULL-terminated list of option tables. Accepts `--name value` and
 * `--name=value`. Unknown options (with the nearest known name as a "did
 * you mean"), missing values, values given to flags, a value option given
 * twice that is not repeatable, and too many positional words fail with
 * HB_EUSAGE and a message naming the word. On success *out owns an array;
 * free it with hb_args_free(). */
int hb_args_parse(int argc, char **argv, const hb_option *const *tables, hb_args *out);
void hb_args_free(hb_args *a);

/* Last value given for name, or NULL. For flags use hb_args_has(). */
const char *hb_args_get(const hb_args *a, const char *name);
/* Number of times name was given. */
size_t hb_args_count(const hb_args *a, const char *name);
/* The i-th value given for name (0-based), or NULL. */
const char *hb_args_nth(const hb_args *a, const char *name, size_t i);
bool hb_args_has(const hb_args *a, const char *name);

/* The known option nearest to `word` (a misspelling: at most 2 edits, or a
 * prefix of at least 3 letters), or NULL. */
const hb_option *hb_options_nearest(const hb_option *const *tables, const char *word);

/* Split text into words on blanks; single or double quotes group words (and
 * are removed), no other shell syntax. *words is a NULL-terminated malloc'd
 * array of malloc'd strings (free with hb_words_free). An unclosed quote is
 * HB_EUSAGE naming opt and the text. */
int hb_words_split(const char *opt, const char *text, char ***words, int *n);
void hb_words_free(char **words);

/* Print "  --name ARG   help" lines for a table. */
void hb_options_print(FILE *f, const hb_option *table);

#endif
