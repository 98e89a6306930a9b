/* `hybench matrix --emit-sbatch FILE`: the matrix as one Slurm batch script
 * (sbatch.h writes it), sized for its largest layout (see matrix.h). */
#define _DEFAULT_SOURCE /* PATH_MAX (matrix.h) */
#include "matrix.h"

#include "hybench/error.h"
#include "hybench/launch.h"
#include "hybench/sbatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options that configure the batch script, not the matrix it runs. */
static bool sbatch_only(const char *name) {
    return !strcmp(name, "emit-sbatch") || !strcmp(name, "time") || !strcmp(name, "partition") ||
           !strcmp(name, "launcher");
}

/* The option word w names, if it is a matrix option. */
static const hb_option *matrix_option(const char *w) {
    if (strncmp(w, "--", 2) != 0)
        return NULL;
    size_t len = strcspn(w + 2, "=");
    for (const hb_option *p = hb_matrix_options; p->name; p++)
        if (strlen(p->name) == len && !strncmp(p->name, w + 2, len))
            return p;
    return NULL;
}

/* Write the batch script for this matrix: sized for its largest layout, the
 * time limit from --time or, without it, the most its launches can take
 * (every launch stopped at --timeout, every round) plus ten minutes. argv
 * are the matrix's own words, passed on without the script's options. */
int hb_matrix_emit_sbatch(const hb_mplan *p, const hb_args *a, int argc, char **argv) {
    const char *path = hb_args_get(a, "emit-sbatch"), *tv = hb_args_get(a, "time");
    int rc = 0;
    if (!*path)
        return hb_fail(HB_EUSAGE, "--emit-sbatch: empty file name");
    if (hb_args_has(a, "hosts") || hb_args_has(a, "hostfile") || hb_args_has(a, "dry-run"))
        return hb_fail(HB_EUSAGE, "--emit-sbatch: the batch job takes its hosts from its "
                                  "allocation; drop --hosts, --hostfile and --dry-run");
    hb_sbatch sp = {.job_name = "hybench",
                    .partition = hb_args_get(a, "partition"),
                    .self = p->self,
                    .launcher = p->launcher ? p->launcher : hb_launch_in_allocation()};
    hb_layout *ls = calloc(p->nlayouts + 1, sizeof *ls);
    char **pass = calloc((size_t)argc + 1, sizeof *pass);
    if (!ls || !pass) {
        rc = hb_fail(HB_ENOMEM, "out of memory");
        goto out;
    }
    memcpy(ls, p->layouts, p->nlayouts * sizeof *ls);
    ls[p->nlayouts] = (hb_layout){1, 1, 1}; /* the serial baselines */
    if ((rc = hb_sbatch_size(ls, p->nlayouts + 1, &sp)))
        goto out;
    size_t launches = hb_jobs_round(p, 1, NULL) * (size_t)p->max_rounds;
    if (tv) {
        if ((rc = hb_sbatch_parse_time("--time", tv, &sp.time_s)))
            goto out;
    } else {
        sp.time_s = (long)((double)launches * p->timeout) + 600;
        sp.time_s = (sp.time_s + 59) / 60 * 60;
    }
    for (int i = 0; i < argc; i++) {
        const hb_option *o = matrix_option(argv[i]);
        bool pair = o && o->arg && !strchr(argv[i], '=') && i + 1 < argc;
        if (o && sbatch_only(o->name)) {
            i += pair;
            continue;
        }
        pass[sp.argc++] = argv[i];
        if (pair)
            pass[sp.argc++] = argv[++i];
    }
    sp.argv = pass;
    if ((rc = hb_sbatch_write(path, &sp)))
        goto out;
    printf(
        "wrote %s: %d node%s x %d task%s per node x %d cpu%s per task, time limit %ld:%02ld:%02ld "
        "%s, %zu launches; submit it with `sbatch %s` from the directory that should get "
        "the results\n",
        path, sp.nodes, sp.nodes == 1 ? "" : "s", sp.ntasks_per_node,
        sp.ntasks_per_node == 1 ? "" : "s", sp.cpus_per_task, sp.cpus_per_task == 1 ? "" : "s",
        sp.time_s / 3600, sp.time_s / 60 % 60, sp.time_s % 60,
        tv ? "(--time)" : "(launches x --timeout + 10 min; --time sets a tighter one)", launches,
        path);
out:
    free(ls);
    free(pass);
    return rc;
}
