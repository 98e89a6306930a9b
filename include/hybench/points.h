/* Parameter points: the NAME=VALUE sets a point-based kernel maps over, one
 * task per point, from the options every such kernel shares:
 *   --param NAME=LIST  (repeatable) the values of one parameter in the list
 *                      syntax of parse.h; the lists combine as a cartesian
 *                      product in the order given, the first outermost, like
 *                      itertools.product(*lists)
 *   --zip              element by element instead, like zip(*lists), except
 *                      that a list of one value repeats and any other
 *                      difference in length is refused
 *   --points FILE      one point per row of a CSV file whose header names the
 *                      parameters
 *
 * Values are text. A plain item keeps the text the user gave ("0.50" stays
 * "0.50", "resnet" is a value too); the values of a range start:stop:step are
 * printed as Python prints the same arithmetic: integers when start and step
 * are written as integers (1:4:1 gives 1 2 3 4), else Python's repr of the
 * float (0.1:0.3:0.1 gives 0.1 0.2 0.3). A kernel that needs numbers
 * converts the text itself (the mc kernel does, and keeps its --beta --m --h
 * as shorthands for --param).
 *
 * Every failure is HB_EUSAGE (HB_ENOMEM for memory) with one line naming the
 * option, or the file and line, and the offending value. Nothing here
 * prints; not thread-safe while being built, read-only afterwards. */
#ifndef HYBENCH_POINTS_H
#define HYBENCH_POINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hybench/args.h"

#define HB_POINTS_MAX ((size_t)10000000) /* points of one scan */
#define HB_PARAMS_MAX 64                 /* parameters of one point */
#define HB_PARAM_NAME_MAX 64             /* longest parameter name, terminator included */

/* The options of a point-based kernel, for its hb_option table. */
#define HB_POINTS_OPTION_PARAM                                                                     \
    { "param", "NAME=LIST...", "a parameter and its values (list syntax); repeatable: product" }
#define HB_POINTS_OPTION_ZIP                                                                       \
    { "zip", NULL, "pair the --param lists element by element (one value repeats)" }
#define HB_POINTS_OPTION_FILE                                                                      \
    { "points", "FILE", "CSV of points, header = parameter names; not with --param" }

typedef enum hb_points_form {
    HB_POINTS_PRODUCT, /* every combination, first parameter outermost */
    HB_POINTS_ZIP,     /* point i takes value i of every list (a one-value list repeats) */
    HB_POINTS_TABLE,   /* point i is row i of a file */
} hb_points_form;

typedef struct hb_param {
    char *name;
    char *opt;   /* the option that gave it, for messages: "--param beta", "--beta" */
    size_t n;    /* values */
    char **text; /* the values as text */
} hb_param;

/* Zero-initialise; fill with hb_points_add (then hb_points_combine) or
 * hb_points_parse, or all at once with hb_points_from_args; free with
 * hb_points_free. */
typedef struct hb_points {
    hb_points_form form;
    size_t nparams;
    hb_param *param;
    size_t n;           /* points, once combined or parsed */
    size_t *stride;     /* PRODUCT: point i takes value (i / stride[j]) % n of param j */
    size_t *line;       /* TABLE: the file line of each point */
    char *file;         /* TABLE: the file, for messages */
    size_t header_line; /* TABLE: the line of the header */
} hb_points;

/* Is name a parameter name: [A-Za-z_][A-Za-z0-9_]*, shorter than
 * HB_PARAM_NAME_MAX? */
bool hb_param_name_ok(const char *name);

/* Add the values of one list argument to the parameter name (created on its
 * first use; later calls append, like a repeated --beta). opt names the
 * option in messages ("--beta"). Items are separated by commas and trimmed
 * of blanks; an item with two colons is a range (parse.h), anything else a
 * value as written. Empty lists and items, control characters and more than
 * HB_POINTS_MAX values are refused. */
int hb_points_add(hb_points *p, const char *opt, const char *name, const char *list);

/* Add the parameter of one --param value "NAME=LIST"; a name already given
 * is refused (one --param per name). */
int hb_points_add_param(hb_points *p, const char *arg);

/* Combine the lists added so far: the product, or element by element with
 * zip. No parameter at all gives one point with no values (as
 * itertools.product() yields one empty tuple). */
int hb_points_combine(hb_points *p, bool zip);

/* Points from CSV text of len bytes (file names it in messages): a header
 * line of distinct parameter names, then one point per line with as many
 * fields. Fields are trimmed of blanks; a field in double quotes may hold
 * commas ("" is a quote). Blank lines and lines starting with '#' are
 * skipped. NUL bytes and control characters are refused. */
int hb_points_parse(hb_points *p, const char *file, const char *text, size_t len);

/* As hb_points_parse, reading the file with files.h's bounds. */
int hb_points_read(hb_points *p, const char *path);

/* --param, --zip and --points from a kernel's options into an empty p. */
int hb_points_from_args(const hb_args *a, hb_points *p);

/* Index into param j's values of point i (i < n, j < nparams). */
size_t hb_points_index(const hb_points *p, size_t i, size_t j);

/* Text of param j at point i. */
const char *hb_points_text(const hb_points *p, size_t i, size_t j);

/* Index of the parameter called name, or -1. */
int hb_points_find(const hb_points *p, const char *name);

/* "beta=0.5 m=1.0" (or "no parameters") into buf, cut with "..." when longer
 * than len - 1: for naming a point in a message. Returns buf. */
const char *hb_points_describe(const hb_points *p, size_t i, char *buf, size_t len);

/* A 64-bit digest of the whole point list (names, form, every point's
 * values, in order), for a kernel's params text: two scans with the same
 * digest are the same scan. */
uint64_t hb_points_hash(const hb_points *p);

void hb_points_free(hb_points *p);

#endif
