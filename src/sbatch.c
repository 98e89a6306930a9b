/* The batch script of a matrix (see sbatch.h). */
#define _DEFAULT_SOURCE /* realpath, fchmod */
#include "hybench/sbatch.h"

#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/hosts.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hb_sbatch_size(const hb_layout *l, size_t n, hb_sbatch *out) {
    int nodes = 0, tpn = 0, cpt = 1;
    if (n == 0)
        return hb_fail(HB_EUSAGE, "--emit-sbatch: no layouts to size the allocation for");
    for (size_t i = 0; i < n; i++) {
        if (l[i].nodes < 1 || l[i].ranks_per_node < 1 || l[i].threads < 1)
            return hb_fail(HB_EUSAGE, "--emit-sbatch: layout %d:%dx%d has a count < 1", l[i].nodes,
                           l[i].ranks_per_node, l[i].threads);
        nodes = l[i].nodes > nodes ? l[i].nodes : nodes;
        tpn = l[i].ranks_per_node > tpn ? l[i].ranks_per_node : tpn;
    }
    for (size_t i = 0; i < n; i++) {
        long need = ((long)l[i].ranks_per_node * l[i].threads + tpn - 1) / tpn;
        if (need > INT_MAX)
            return hb_fail(HB_EUSAGE, "--emit-sbatch: layout %d:%dx%d is too large", l[i].nodes,
                           l[i].ranks_per_node, l[i].threads);
        cpt = need > cpt ? (int)need : cpt;
    }
    out->nodes = nodes;
    out->ntasks_per_node = tpn;
    out->cpus_per_task = cpt;
    return 0;
}

static int time_field(const char *s, size_t len, long max, long *out) {
    if (len == 0 || len > 9 || strspn(s, "0123456789") < len)
        return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++)
        v = v * 10 + (s[i] - '0');
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

int hb_sbatch_parse_time(const char *opt, const char *s, long *seconds) {
    long d = 0, f[3] = {0, 0, 0};
    size_t nf = 0;
    const char *p = s, *dash = s ? strchr(s, '-') : NULL;

    if (!s || !*s)
        goto bad;
    if (dash) {
        if (time_field(s, (size_t)(dash - s), 365, &d) < 0)
            goto bad;
        p = dash + 1;
    }
    for (;;) {
        size_t len = strcspn(p, ":");
        if (nf == 3 || time_field(p, len, 1000000, &f[nf++]) < 0)
            goto bad;
        if (!p[len])
            break;
        p += len + 1;
    }
    long h = 0, m = 0, sec = 0;
    if (dash) { /* D-H, D-H:M, D-H:M:S */
        h = f[0], m = nf > 1 ? f[1] : 0, sec = nf > 2 ? f[2] : 0;
    } else if (nf == 1) { /* M */
        m = f[0];
    } else if (nf == 2) { /* M:S */
        m = f[0], sec = f[1];
    } else { /* H:M:S */
        h = f[0], m = f[1], sec = f[2];
    }
    if ((dash && (h > 23 || (nf > 1 && m > 59))) || (nf > 1 && sec > 59) || (nf == 3 && m > 59))
        goto bad;
    *seconds = ((d * 24 + h) * 60 + m) * 60 + sec;
    if (*seconds <= 0)
        goto bad;
    return 0;
bad:
    return hb_fail(HB_EUSAGE,
                   "%s: '%s' is not a time limit (MM, MM:SS, HH:MM:SS or D-HH:MM:SS, > 0)", opt,
                   s ? s : "");
}

/* Single-quote s for the shell. */
static void put_quoted(hb_str *b, const char *s) {
    hb_str_add(b, "'", 1);
    for (; *s; s++) {
        if (*s == '\'')
            hb_str_add(b, "'\\''", 4);
        else
            hb_str_add(b, s, 1);
    }
    hb_str_add(b, "'", 1);
}

int hb_sbatch_write(const char *path, const hb_sbatch *sp) {
    char self[PATH_MAX];
    const char *name = sp->job_name ? sp->job_name : "hybench";

    if (sp->nodes < 1 || sp->ntasks_per_node < 1 || sp->cpus_per_task < 1 || sp->time_s <= 0 ||
        !sp->self)
        return hb_fail(HB_EUSAGE,
                       "--emit-sbatch: incomplete allocation (nodes %d, tasks %d, "
                       "cpus %d, time %lds)",
                       sp->nodes, sp->ntasks_per_node, sp->cpus_per_task, sp->time_s);
    if (!hb_host_name_ok(name, strlen(name)))
        return hb_fail(HB_EUSAGE, "--emit-sbatch: job name '%s' is not a plain word", name);
    if (sp->partition && !hb_host_name_ok(sp->partition, strlen(sp->partition)))
        return hb_fail(HB_EUSAGE, "--partition: '%s' is not a partition name", sp->partition);
    /* The script runs in the submit directory, maybe on another node: name the
     * binary by its absolute path (argv[0] may be relative or a bare name). */
    int rc;
    if (strchr(sp->self, '/')) {
        if (!realpath(sp->self, self))
            return hb_fail(HB_EIO, "--emit-sbatch: cannot resolve '%s': %s", sp->self,
                           strerror(errno));
    } else if ((rc = hb_path(self, sizeof self, "--emit-sbatch", "%s", sp->self))) {
        return rc;
    }
    long t = sp->time_s;
    hb_str b = {0};
    hb_str_addf(&b,
                "#!/bin/bash\n"
                "#SBATCH --job-name=%s\n"
                "#SBATCH --nodes=%d\n"
                "#SBATCH --ntasks-per-node=%d\n"
                "#SBATCH --cpus-per-task=%d\n"
                "#SBATCH --time=%ld-%02ld:%02ld:%02ld\n"
                "#SBATCH --output=%s-%%j.out\n",
                name, sp->nodes, sp->ntasks_per_node, sp->cpus_per_task, t / 86400, t / 3600 % 24,
                t / 60 % 60, t % 60, name);
    if (sp->partition)
        hb_str_addf(&b, "#SBATCH --partition=%s\n", sp->partition);
    hb_str_addf(&b, "%s",
                "# Written by `hybench matrix --emit-sbatch`. Submit with `sbatch FILE` from the\n"
                "# directory that should receive results/; every layout is one launch (the\n"
                "# matrix's --launcher) inside this allocation (sized for the largest layout).\n"
                "set -eu\n"
                "cd \"${SLURM_SUBMIT_DIR:-.}\"\n"
                "exec ");
    put_quoted(&b, self);
    hb_str_addf(&b, " matrix");
    for (int i = 0; i < sp->argc; i++) {
        hb_str_add(&b, " ", 1);
        put_quoted(&b, sp->argv[i]);
    }
    hb_str_addf(&b, " --launcher ");
    put_quoted(&b, sp->launcher ? sp->launcher : "srun");
    hb_str_add(&b, "\n", 1);
    rc = b.failed ? hb_fail(HB_ENOMEM, "--emit-sbatch: out of memory")
                  : hb_write_atomic("--emit-sbatch", path, b.p, b.len, 0755, true);
    hb_str_free(&b);
    return rc;
}
