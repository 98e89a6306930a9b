/* The verdicts on a report's numbers (see efficiency.h): each parallel
 * group against its serial baseline (speedup, efficiency and their
 * bootstrap intervals, the reading: within noise of ideal, beyond it, a 1x1
 * that disagrees with serial, a busy machine), and which layouts cannot be
 * told from the fastest. */
#include "hybench/efficiency.h"
#include "efficiency_internal.h"

#include "hybench/error.h"
#include "hybench/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bootstrap's seed for a comparison of groups a and b: a hash of their
 * identities, so the same rows always give the same interval. */
static uint64_t pair_seed(const hb_eff *a, const hb_eff *b) {
    uint64_t h = HB_HASH_INIT;
    const hb_eff *g[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        char lay[64];
        const char *text[] = {
            g[i]->kernel, g[i]->params,     g[i]->mode,     hb_eff_layout(g[i], lay, sizeof lay),
            g[i]->bind,   g[i]->distribute, g[i]->schedule, g[i]->chunk};
        for (size_t j = 0; j < sizeof text / sizeof text[0]; j++)
            h = hb_hash_text(h, text[j]);
    }
    return h;
}

static hb_boot_side walls_of(const hb_eff *e) {
    return (hb_boot_side){e->wall_v, e->round_v, e->repeats};
}

/* The interval of median(num) / median(den), seeded by the pair. */
static int ratio_interval(const hb_eff *num, const hb_eff *den, double *lo, double *hi) {
    return hb_boot_ratio(walls_of(num), walls_of(den), pair_seed(num, den), HB_EFF_REPLICATES,
                         HB_EFF_LEVEL, lo, hi);
}

/* The words of a group's reading (e->reading set), with the likely causes
 * of a superlinear result that the serial baseline's readings point at. */
static void reading_words(hb_eff *e, const hb_eff *base) {
    size_t n = sizeof e->reading_text;
    switch (e->reading) {
    case HB_EFF_PLAIN:
        e->reading_text[0] = '\0';
        break;
    case HB_EFF_NO_INTERVAL:
        snprintf(e->reading_text, n,
                 "no interval: %zu serial and %zu parallel repeats (an interval needs 2 a side)",
                 base->repeats, e->repeats);
        break;
    case HB_EFF_NEAR_IDEAL:
        snprintf(e->reading_text, n, "within noise of ideal");
        break;
    case HB_EFF_DISAGREE:
        snprintf(e->reading_text, n,
                 "1 worker %s than the serial baseline beyond noise: the harness and the "
                 "baseline disagree",
                 e->speedup > 1 ? "faster" : "slower");
        break;
    case HB_EFF_ABOVE_IDEAL:
        snprintf(e->reading_text, n,
                 "%s beyond noise: likely cache or memory effects (each worker's share of the "
                 "data fits a cache the serial run's did not)%s",
                 e->efficiency > 1 ? "superlinear" : "above the ideal bound",
                 isnan(e->cpu_share) || isnan(base->cpu_share)
                     ? ", or a serial baseline slowed by other load (these rows carry no CPU "
                       "readings to tell)"
                     : "; the CPU readings show no other load");
        break;
    case HB_EFF_BUSY:
        snprintf(e->reading_text, n,
                 "%s beyond the repeats' noise, but the machine was busy: the workers got "
                 "%.0f%% and the serial baseline %.0f%% of their busy time as CPU, so other "
                 "load decides this ratio; measure on a quieter machine",
                 e->workers == 1 ? (e->speedup > 1 ? "faster than serial" : "slower than serial")
                 : e->efficiency > 1 ? "superlinear"
                                     : "above the ideal bound",
                 100 * e->cpu_share, 100 * base->cpu_share);
        break;
    }
}

/* Speedup, its interval, the reading and Karp-Flatt of parallel group e
 * against its serial baseline. */
static int judge(hb_eff *e, const hb_eff *base) {
    size_t w = e->workers > 0 ? (size_t)e->workers : 1;
    double lo = NAN, hi = NAN;
    int rc = 0;
    e->speedup_lo = e->speedup_hi = e->eff_lo = e->eff_hi = e->eoi_lo = e->eoi_hi = NAN;
    e->karp_flatt = e->kf_lo = e->kf_hi = NAN;
    e->reading = HB_EFF_PLAIN;
    if (!base || base == e || hb_eff_is_serial(e) || !e->repeats || isnan(e->speedup))
        goto words;
    if ((rc = ratio_interval(base, e, &lo, &hi)))
        return rc;
    e->speedup_lo = lo;
    e->speedup_hi = hi;
    e->eff_lo = lo / (double)w;
    e->eff_hi = hi / (double)w;
    e->eoi_lo = e->ideal > 0 ? e->eff_lo / e->ideal : NAN;
    e->eoi_hi = e->ideal > 0 ? e->eff_hi / e->ideal : NAN;
    bool have = !isnan(lo);
    if (!have)
        e->reading = HB_EFF_NO_INTERVAL;
    else if (w == 1)
        e->reading = lo > 1 || hi < 1 ? HB_EFF_DISAGREE : HB_EFF_PLAIN;
    else if (e->eoi_lo > 1)
        e->reading = HB_EFF_ABOVE_IDEAL;
    else if (e->eff_of_ideal > 1 && e->eoi_lo <= 1)
        e->reading = HB_EFF_NEAR_IDEAL;
    /* "Beyond noise" means beyond the noise the repeats sampled. When the
     * CPU readings show the workers or the baseline short of CPU, other load
     * moved the times by more than that, and the claim is not made. */
    if ((e->reading == HB_EFF_ABOVE_IDEAL || e->reading == HB_EFF_DISAGREE) &&
        (e->cpu_share < HB_EFF_BUSY_CPU || base->cpu_share < HB_EFF_BUSY_CPU))
        e->reading = HB_EFF_BUSY;
    /* Karp-Flatt (1/s - 1/W) / (1 - 1/W) means a serial fraction only when
     * the speedup is below linear beyond noise and not below 1: otherwise it
     * is noise around 0, or a number outside [0, 1] that no serial fraction
     * can be (negative above linear, above 1 when slower than serial). */
    if (w > 1 &&
        (have ? e->eff_hi < 1 && e->speedup_lo >= 1 : e->efficiency < 1 && e->speedup >= 1)) {
        e->karp_flatt = hb_karp_flatt(e->speedup, (double)w);
        e->kf_lo = hb_karp_flatt(hi, (double)w);
        e->kf_hi = hb_karp_flatt(lo, (double)w);
    }
words:
    reading_words(e, base);
    return 0;
}

/* Mark the fastest parallel group of each kernel+params and every group
 * indistinguishable from it: the bootstrap interval of the ratio of median
 * walls (group / fastest, rounds kept together) includes 1. */
static int mark_best(hb_eff_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        hb_eff *e = &s->v[i];
        e->vs_fastest_lo = e->vs_fastest_hi = NAN;
        if (hb_eff_is_serial(e) || !e->repeats)
            continue;
        const hb_eff *f = NULL;
        for (size_t j = 0; j < s->n; j++) {
            const hb_eff *o = &s->v[j];
            if (o->repeats && !hb_eff_is_serial(o) && strcmp(o->kernel, e->kernel) == 0 &&
                strcmp(o->params, e->params) == 0 && (!f || o->wall_med < f->wall_med))
                f = o;
        }
        if (f == e) {
            e->best = true;
            continue;
        }
        int rc = ratio_interval(e, f, &e->vs_fastest_lo, &e->vs_fastest_hi);
        if (rc)
            return rc;
        e->best = e->vs_fastest_lo <= 1;
    }
    return 0;
}

/* Speedup and the rest against the serial group of the same kernel+params. */
int hb_eff_judge(hb_eff_set *s) {
    int rc;
    for (size_t i = 0; i < s->n; i++) {
        hb_eff *e = &s->v[i];
        const hb_eff *base = NULL;
        for (size_t j = 0; j < s->n && !base; j++)
            if (hb_eff_is_serial(&s->v[j]) && s->v[j].repeats > 0 &&
                strcmp(s->v[j].kernel, e->kernel) == 0 && strcmp(s->v[j].params, e->params) == 0)
                base = &s->v[j];
        size_t w = e->workers > 0 ? (size_t)e->workers : 1;
        e->ideal = hb_ideal_efficiency((size_t)e->tasks, w);
        e->idle = hb_idle_workers((size_t)e->tasks, w);
        e->serial_s = base ? base->wall_med : NAN;
        e->speedup = e->repeats && base && e->wall_med > 0 ? e->serial_s / e->wall_med : NAN;
        e->efficiency = e->speedup / (double)w;
        e->eff_of_ideal = e->ideal > 0 ? e->efficiency / e->ideal : NAN;
        if (e->tasks == 0) {
            e->ideal = NAN;
            e->idle = 0;
        }
        if ((rc = judge(e, base)))
            return rc;
        /* The same work must give the same headline result in every layout. */
        if (base && base != e && e->repeats && strcmp(e->verdict, "ok") == 0 &&
            strcmp(base->result, e->result) != 0)
            snprintf(e->verdict, sizeof e->verdict, "not verified (differs from serial)");
    }
    if ((rc = mark_best(s)))
        return rc;
    /* Last, so the comparisons above see the plain verdict. */
    for (size_t i = 0; i < s->n; i++) {
        hb_eff *e = &s->v[i];
        if (!e->late)
            continue;
        /* "timeout-after-rows" -> "; launch timed out after its rows" */
        int n = (int)(strlen(e->late) - strlen(HB_EFF_AFTER_ROWS));
        const char *how = n == 7 && !strncmp(e->late, "timeout", 7)         ? "timed out"
                          : n == 11 && !strncmp(e->late, "interrupted", 11) ? "was interrupted"
                                                                            : NULL;
        size_t used = strlen(e->verdict);
        snprintf(e->verdict + used, sizeof e->verdict - used, "; launch %s%.*s after its rows",
                 how ? how : "", how ? 0 : n, e->late);
    }
    return 0;
}

const char *hb_eff_reading_name(const hb_eff *e) {
    switch (e->reading) {
    case HB_EFF_NO_INTERVAL:
        return "no interval";
    case HB_EFF_NEAR_IDEAL:
        return "within noise of ideal";
    case HB_EFF_ABOVE_IDEAL:
        return e->efficiency > 1 ? "superlinear beyond noise" : "above ideal beyond noise";
    case HB_EFF_DISAGREE:
        return "disagrees with serial";
    case HB_EFF_BUSY:
        return e->workers == 1 ? "disagrees, machine busy" : "above ideal, machine busy";
    case HB_EFF_PLAIN:
        break;
    }
    return "";
}
