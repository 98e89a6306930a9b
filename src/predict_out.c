/* What `hybench predict` writes: prediction.csv, a table with the best
 * schedule and chunk at each scale and why, where the counters saturate,
 * the predictions of what runs.csv measured with their errors, and a
 * gnuplot script with the data inline (prediction.gp) rendered to
 * prediction.svg and .png. */
#define _DEFAULT_SOURCE /* open_memstream */
#include "hybench/csv.h"
#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/plot.h"
#include "hybench/stats.h"
#include "predict_internal.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREDICTION_SCHEMA "hybench-prediction-1"
#define SATURATED 0.9 /* a counter busy this much of the makespan is the bottleneck */

static double frac(double part, const pconf *c) {
    double all = (double)c->workers * c->point.makespan;
    return all > 0 ? part / all : 0;
}

/* ---- prediction.csv --------------------------------------------------------- */

static void put_csv(FILE *f, const predict *p) {
    fputs("schema,kernel,params,workers,layout,schedule,chunk,predicted_s,predicted_efficiency,"
          "ideal_efficiency,idle_workers,predicted_efficiency_lo,predicted_efficiency_hi,"
          "predicted_s_lo,predicted_s_hi,handout_fraction,tail_fraction,counter_busy,"
          "task_times,measured_s,error\n",
          f);
    for (size_t i = 0; i < p->nconfs; i++) {
        const pconf *c = &p->confs[i];
        const pwork *w = &p->works[c->work];
        char lay[64];
        fprintf(f, "%s,", PREDICTION_SCHEMA);
        hb_csv_put_field(f, w->kernel);
        fputc(',', f);
        hb_csv_put_field(f, w->params);
        fprintf(f, ",%ld,%s,%s,", c->workers, hb_predict_layout(c, lay, sizeof lay),
                hb_predict_sched_name(c->sched));
        if (c->chunk)
            fprintf(f, "%zu", c->chunk);
        fprintf(f, ",%.9g,%.6f,%.6f,%ld,%.6f,%.6f,%.9g,%.9g,%.6f,%.6f,%.6f,", c->s, c->eff,
                hb_ideal_efficiency(w->n, (size_t)c->workers), c->point.idle_workers, c->eff_lo,
                c->eff_hi, c->s_lo, c->s_hi, frac(c->point.handout, c), frac(c->point.tail, c),
                c->point.counter_busy);
        const pgroup *g = &w->groups[c->group];
        fprintf(f, "%s:%d", g->from, g->wpn);
        if (c->measured)
            fprintf(f, ",%.9g,%.6f\n", c->measured->wall_med,
                    (c->s - c->measured->wall_med) / c->measured->wall_med);
        else
            fputs(",,\n", f);
    }
}

/* ---- the table -------------------------------------------------------------- */

static bool same_point(const pconf *a, const pconf *b) {
    return a->work == b->work && a->workers == b->workers && a->ranks == b->ranks &&
           a->threads == b->threads && !a->measured && !b->measured;
}

/* The best chunk of schedule k at the point of c (highest efficiency), or NULL. */
static const pconf *best_of(const predict *p, const pconf *c, int k) {
    const pconf *best = NULL;
    for (size_t i = 0; i < p->nconfs; i++) {
        const pconf *d = &p->confs[i];
        if (same_point(d, c) && d->sched == k && (!best || d->eff > best->eff))
            best = d;
    }
    return best;
}

static void cell_chunk(char *buf, size_t len, const pconf *c) {
    if (c->chunk)
        snprintf(buf, len, "%zu", c->chunk);
    else
        snprintf(buf, len, "-");
}

static void print_row(FILE *out, const pconf *c, size_t n) {
    char lay[64], ch[32];
    hb_predict_layout(c, lay, sizeof lay);
    cell_chunk(ch, sizeof ch, c);
    fprintf(out, "  %8ld %-11s %-12s %6s %11.4g %6.3f [%5.3f, %5.3f] %6.3f %7ld %7.1f%% %6.1f%% ",
            c->workers, lay, hb_predict_sched_name(c->sched), ch, c->s, c->eff, c->eff_lo,
            c->eff_hi, hb_ideal_efficiency(n, (size_t)c->workers), c->point.idle_workers,
            100 * frac(c->point.handout, c), 100 * frac(c->point.tail, c));
    if (c->sched == P_DYNAMIC || c->sched == P_DYNAMIC_FLAT)
        fprintf(out, "%6.1f%%\n", 100 * c->point.counter_busy);
    else
        fputs("      -\n", out);
}

/* What a configuration loses against the best one, in words. */
static void print_loss(FILE *out, const pconf *c, const pconf *best) {
    char ch[32];
    cell_chunk(ch, sizeof ch, c);
    double h = frac(c->point.handout, c), t = frac(c->point.tail, c);
    fprintf(out, "%s%s%s +%.0f%%: ", hb_predict_sched_name(c->sched), c->chunk ? " chunk " : "",
            c->chunk ? ch : "", 100 * (c->s / best->s - 1));
    if (t >= h)
        fprintf(out, "tail %.0f%% (%ld of %ld workers idle when the last task starts)", 100 * t,
                c->point.idle_workers, c->workers);
    else
        fprintf(out, "hand-out %.0f%% (counter busy %.0f%%%s)", 100 * h,
                100 * c->point.counter_busy,
                c->point.counter_busy >= SATURATED ? ", saturated" : "");
}

static void print_best(FILE *out, const predict *p, const pconf *c) {
    const pconf *best = NULL;
    for (size_t i = 0; i < p->nconfs; i++)
        if (same_point(&p->confs[i], c) && (!best || p->confs[i].s < best->s))
            best = &p->confs[i];
    char lay[64], ch[32];
    cell_chunk(ch, sizeof ch, best);
    fprintf(out, "  W=%ld %s: best %s%s%s (efficiency %.3f, ideal %.3f)", c->workers,
            hb_predict_layout(best, lay, sizeof lay), hb_predict_sched_name(best->sched),
            best->chunk ? " chunk " : "", best->chunk ? ch : "", best->eff,
            hb_ideal_efficiency(p->works[c->work].n, (size_t)c->workers));
    /* The other schedules at their best chunks, then the best schedule's
     * neighbouring chunks: why not them. */
    for (int k = 0; k < P_NSCHED; k++) {
        const pconf *o = best_of(p, c, k);
        if (!o || o->sched == best->sched || o->s <= best->s)
            continue;
        fputs("; ", out);
        print_loss(out, o, best);
    }
    const pconf *below = NULL, *above = NULL;
    for (size_t i = 0; i < p->nconfs; i++) {
        const pconf *d = &p->confs[i];
        if (!same_point(d, best) || d->sched != best->sched || d == best)
            continue;
        if (d->chunk < best->chunk && (!below || d->chunk > below->chunk))
            below = d;
        if (d->chunk > best->chunk && (!above || d->chunk < above->chunk))
            above = d;
    }
    for (int j = 0; j < 2; j++) {
        const pconf *o = j ? above : below;
        if (o && o->s > best->s) {
            fputs("; ", out);
            print_loss(out, o, best);
        }
    }
    fputc('\n', out);
}

/* For each dynamic schedule and chunk: the first worker count at which the
 * busiest counter is SATURATED busy. */
static void print_saturation(FILE *out, const predict *p, size_t w, size_t l) {
    for (int k = P_DYNAMIC; k <= P_DYNAMIC_FLAT; k++) {
        if (!p->sched_on[k])
            continue;
        fprintf(out, "  counter saturation (busy >= %.0f%%), %s%s:", 100 * SATURATED,
                hb_predict_sched_name(k), k == P_DYNAMIC ? " (two levels across nodes)" : "");
        for (size_t j = 0; j < p->nchunks; j++) {
            long first = -1, most = 0;
            for (size_t i = 0; i < p->nconfs; i++) {
                const pconf *c = &p->confs[i];
                if (c->work != w || c->measured || c->sched != k || c->chunk != p->chunks[j] ||
                    c->ranks != p->shapes[l].ranks || c->threads != p->shapes[l].threads)
                    continue;
                most = c->workers > most ? c->workers : most;
                if (c->point.counter_busy >= SATURATED && (first < 0 || c->workers < first))
                    first = c->workers;
            }
            if (first > 0)
                fprintf(out, " chunk %zu from W=%ld;", p->chunks[j], first);
            else
                fprintf(out, " chunk %zu not up to W=%ld;", p->chunks[j], most);
        }
        fputc('\n', out);
    }
}

static void print_validation(FILE *out, const predict *p, size_t w) {
    bool any = false, outside = false;
    for (size_t i = 0; i < p->nconfs; i++) {
        const pconf *c = &p->confs[i];
        if (c->work != w || !c->measured)
            continue;
        if (!any)
            fprintf(out,
                    "  measured (runs.csv) against predicted:\n"
                    "  %-11s %-12s %6s %11s %11s [%9s, %9s] %8s  %s\n",
                    "layout", "schedule", "chunk", "measured_s", "predicted_s", "lo", "hi", "error",
                    "task times");
        any = true;
        char lay[64], ch[32];
        cell_chunk(ch, sizeof ch, c);
        const pgroup *g = &p->works[w].groups[c->group];
        double m = c->measured->wall_med;
        outside |= m < c->s_lo || m > c->s_hi;
        fprintf(out, "  %-11s %-12s %6s %11.4g %11.4g [%9.4g, %9.4g] %+7.1f%%%s %s, %d per node\n",
                hb_predict_layout(c, lay, sizeof lay), hb_predict_sched_name(c->sched), ch, m, c->s,
                c->s_lo, c->s_hi, 100 * (c->s - m) / m, m >= c->s_lo && m <= c->s_hi ? " " : "*",
                g->from, g->wpn);
    }
    if (outside)
        fputs("  (* measured median outside the interval)\n", out);
}

/* A task far longer than the tasks around it in every recording of a group
 * is most likely one the machine stopped (another job took the core): say
 * so, since it is replayed as measured, and with many workers one such task
 * sets the makespan. STOPPED times the median of the NEAR tasks on either
 * side: more than the 20x of mc_uneven.csv's heavy points over light ones. */
#define STOPPED 100.0
#define NEAR 8
static void print_stopped(FILE *out, const pwork *wk, const pgroup *gr) {
    size_t worst = 0;
    double ratio = 0;
    for (size_t t = 0; t < wk->n; t++) {
        double v[2 * NEAR];
        size_t m = 0;
        for (size_t j = t > NEAR ? t - NEAR : 0; j < wk->n && j <= t + NEAR; j++)
            if (j != t)
                v[m++] = gr->median[j];
        double med = m ? hb_median(v, m) : 0;
        if (med > 0 && gr->median[t] / med > ratio) {
            ratio = gr->median[t] / med;
            worst = t;
        }
    }
    if (ratio > STOPPED)
        fprintf(out,
                "  note: task %zu took %.3g s in the %d-per-node task times, %.0f times the "
                "tasks around it: the machine may have stopped it (replayed as measured; "
                "more recordings, e.g. a matrix's rounds, outvote it)\n",
                worst, gr->median[worst], gr->wpn, ratio);
}

static void print_table(FILE *out, const predict *p) {
    fprintf(out, "predict: %s: %zu recording%s of %zu workload%s; hand-out costs: %s\n", p->source,
            p->tasks.n, p->tasks.n == 1 ? "" : "s", p->nworks, p->nworks == 1 ? "" : "s",
            p->costs.source);
    if (p->nfactors)
        fprintf(out,
                "intervals: 95%%, %zu resamples: one of the recordings over one of %zu "
                "repeat-to-repeat ratios of the runs (what the median of a launch would be)\n",
                p->resamples, p->nfactors);
    else
        fprintf(out,
                "intervals: 95%%, %zu resamples of each task's time from its recordings "
                "(no runs.csv: no repeat-to-repeat noise)\n",
                p->resamples);
    for (size_t w = 0; w < p->nworks; w++) {
        const pwork *wk = &p->works[w];
        fprintf(out, "\n%s  %s: %zu tasks; task times:", wk->kernel, wk->params, wk->n);
        for (size_t g = 0; g < wk->ngroups; g++) {
            const pgroup *gr = &wk->groups[g];
            double sum = 0, mx = 0;
            for (size_t t = 0; t < wk->n; t++) {
                sum += gr->median[t];
                mx = gr->median[t] > mx ? gr->median[t] : mx;
            }
            fprintf(out, "%s %d per node: %zu %s recording%s, sum %.4g s, max/mean %.2f",
                    g ? ";" : "", gr->wpn, gr->nrecs, gr->from, gr->nrecs == 1 ? "" : "s", sum,
                    sum > 0 ? mx * (double)wk->n / sum : 1);
        }
        fputc('\n', out);
        for (size_t g = 0; g < wk->ngroups; g++)
            print_stopped(out, wk, &wk->groups[g]);
        for (size_t l = 0; l < p->nshapes; l++) {
            fprintf(out, "  %8s %-11s %-12s %6s %11s %6s %-14s %6s %7s %8s %7s %7s\n", "workers",
                    "layout", "schedule", "chunk", "predicted_s", "eff", "[lo, hi]", "ideal",
                    "idle", "hand-out", "tail", "counter");
            for (size_t i = 0; i < p->nconfs; i++) {
                const pconf *c = &p->confs[i];
                if (c->work != w || c->measured || c->ranks != p->shapes[l].ranks ||
                    c->threads != p->shapes[l].threads)
                    continue;
                if (best_of(p, c, c->sched) == c)
                    print_row(out, c, wk->n);
            }
            for (size_t i = 0; i < p->nconfs; i++) {
                const pconf *c = &p->confs[i];
                bool first = c->work == w && !c->measured && c->ranks == p->shapes[l].ranks &&
                             c->threads == p->shapes[l].threads;
                for (size_t j = 0; first && j < i; j++)
                    first = !same_point(&p->confs[j], c);
                if (first)
                    print_best(out, p, c);
            }
            print_saturation(out, p, w, l);
        }
        print_validation(out, p, w);
    }
    fputs("\nW = workers; layout N:RxT = N nodes of R ranks x T threads (the last node may be "
          "partly filled); chunk = tasks per hand-out; eff = work / (W x predicted_s); hand-out "
          "and tail: shares of W x predicted_s spent grabbing and idle after a worker's last task; "
          "counter: the busiest counter's busy share. Rows: each schedule's best chunk; every "
          "chunk is in prediction.csv.\n",
          out);
}

/* ---- the plot ------------------------------------------------------------------ */

/* A gnuplot string: single quotes, a quote doubled, line ends as spaces; no
 * escape or substitution happens inside single quotes, so data cannot run. */
static void put_gp(FILE *f, const char *s) {
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    }
    fputc('\'', f);
}

static void put_plot(FILE *f, const predict *p) {
    long xmax = 100000;
    for (size_t i = 0; i < p->nworkers; i++)
        xmax = (long)p->workers[i] > xmax ? (long)p->workers[i] : xmax;
    fputs("# Predicted efficiency against workers, per workload and node shape: each\n"
          "# schedule at its best chunk with its 95% interval, the ideal bound of the task\n"
          "# count, and the efficiencies runs.csv measured. Written by `hybench predict`;\n"
          "# re-render with `gnuplot prediction.gp` here (prediction.svg, prediction.png).\n",
          f);
    size_t panel = 0;
    for (size_t w = 0; w < p->nworks; w++)
        for (size_t l = 0; l < p->nshapes; l++, panel++) {
            for (int k = 0; k < P_NSCHED; k++) {
                fprintf(f, "$s%zu_%d << EOD\n", panel, k);
                for (size_t i = 0; i < p->nconfs; i++) {
                    const pconf *c = &p->confs[i];
                    if (c->work == w && !c->measured && c->sched == k &&
                        c->ranks == p->shapes[l].ranks && c->threads == p->shapes[l].threads &&
                        best_of(p, c, k) == c)
                        fprintf(f, "%ld %.6g %.6g %.6g\n", c->workers, c->eff, c->eff_lo,
                                c->eff_hi);
                }
                fputs("EOD\n", f);
            }
            fprintf(f, "$i%zu << EOD\n", panel);
            for (size_t i = 0; i < p->nworkers; i++)
                fprintf(f, "%zu %.6g\n", p->workers[i],
                        hb_ideal_efficiency(p->works[w].n, p->workers[i]));
            fputs("EOD\n", f);
            fprintf(f, "$m%zu << EOD\n", panel);
            for (size_t e = 0; p->have_runs && e < p->eff.n; e++) {
                const hb_eff *m = &p->eff.v[e];
                if (strcmp(m->kernel, p->works[w].kernel) ||
                    strcmp(m->params, p->works[w].params) || !strcmp(m->mode, "serial") ||
                    isnan(m->efficiency))
                    continue;
                int k = 0;
                while (k < P_NSCHED && strcmp(hb_predict_sched_name(k), m->schedule))
                    k++;
                fprintf(f, "%ld %.6g %d\n", m->workers, m->efficiency, k);
            }
            fputs("EOD\n", f);
        }
    fprintf(f, "npanels = %zu\n", panel);
    fputs("do for [fmt in 'svg png'] {\n"
          "  if (fmt eq 'svg') {\n"
          "    set terminal svg size 900,360*npanels dynamic background rgb 'white'\n"
          "  } else {\n"
          "    if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
          "      set terminal pngcairo size 900,360*npanels\n"
          "    } else {\n"
          "      set terminal png size 900,360*npanels\n"
          "    }\n"
          "  }\n"
          "  set output 'prediction.'.fmt\n"
          "  set multiplot layout npanels,1\n"
          "  set logscale x\n"
          "  set xlabel 'workers'\n"
          "  set ylabel 'efficiency'\n"
          "  set grid\n"
          "  set key bottom left\n"
          "  set yrange [0:1.05]\n",
          f);
    fprintf(f, "  set xrange [1:%ld]\n", xmax);
    panel = 0;
    for (size_t w = 0; w < p->nworks; w++)
        for (size_t l = 0; l < p->nshapes; l++, panel++) {
            char title[512];
            snprintf(title, sizeof title, "%s %.60s%s, nodes of %dx%d", p->works[w].kernel,
                     p->works[w].params, strlen(p->works[w].params) > 60 ? "..." : "",
                     p->shapes[l].ranks, p->shapes[l].threads);
            fputs("  set title ", f);
            put_gp(f, title);
            fprintf(f,
                    " noenhanced\n  plot $i%zu using 1:2 with lines dt 2 lc rgb 'black' "
                    "title 'ideal bound'",
                    panel);
            for (int k = 0; k < P_NSCHED; k++)
                if (p->sched_on[k])
                    fprintf(f,
                            ", \\\n       $s%zu_%d using 1:2:3:4 with yerrorlines lc %d pt %d "
                            "title '%s'",
                            panel, k, k + 1, 4 + 2 * k, hb_predict_sched_name(k));
            fprintf(f,
                    ", \\\n       $m%zu using 1:2 with points pt 7 ps 1.4 lc rgb 'red' "
                    "title 'measured'\n",
                    panel);
        }
    fputs("  unset multiplot\n  unset output\n}\n", f);
}

/* ---- all of it --------------------------------------------------------------- */

static int write_text(const char *dir, const char *name, void (*put)(FILE *, const predict *),
                      const predict *p) {
    char path[PATH_MAX], *text = NULL;
    size_t len = 0;
    int rc = hb_path(path, sizeof path, "--out", "%s/%s", dir, name);
    if (rc)
        return rc;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return hb_fail(HB_ENOMEM, "out of memory");
    put(f, p);
    if (fclose(f) != 0) {
        free(text);
        return hb_fail(HB_ENOMEM, "out of memory");
    }
    rc = hb_write_atomic("predict", path, text, len, 0644, false);
    free(text);
    return rc;
}

int hb_predict_write(const predict *p, FILE *out) {
    int rc = write_text(p->dir, "prediction.csv", put_csv, p);
    if (!rc)
        rc = write_text(p->dir, "prediction.gp", put_plot, p);
    if (rc)
        return rc;
    print_table(out, p);
    fprintf(out, "prediction: %s/prediction.csv\n", p->dir);
    int prc = hb_plot_run_gnuplot(p->dir, "prediction.gp");
    if (prc == 1)
        fprintf(out,
                "plots: gnuplot is not installed; install it (e.g. apt-get install gnuplot-nox) "
                "and run `gnuplot prediction.gp` in %s\n",
                p->dir);
    else if (prc == 0)
        fprintf(out, "plots: %s/prediction.svg %s/prediction.png\n", p->dir, p->dir);
    else
        fprintf(out, "plots: %s\n", hb_errmsg(prc));
    fflush(out);
    return 0;
}
