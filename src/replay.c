/* The replay of task times through the schedules (see replay.h): static and
 * cyclic in one pass over the workers, dynamic by discrete-event simulation
 * with the hand-out decisions of sched.c. */
#define _DEFAULT_SOURCE /* strdup */
#include "hybench/replay.h"

#include "hybench/csv.h"
#include "hybench/error.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {"thread", "rank", "node"};

const char *hb_level_name(hb_level l) {
    return l >= 0 && l < HB_NLEVELS ? level_names[l] : NULL;
}

/* Measured on the development machine (a 2-core KVM guest, MPICH 4.0.2
 * over UCX) with bench/handout_bench.sh: thread and rank the medians of
 * three runs (a contended grab moves a cache line between the two vCPUs:
 * 79-86 ns within a rank, 93-109 ns across ranks; alone, 7 ns), node across
 * two emulated nodes over TCP (5.65 us a grab; the service time is the
 * bound two requesters showed: 2.6 us a grab kept up with both).
 * docs/predict.md has the figures. */
void hb_costs_default(hb_costs *c) {
    memset(c, 0, sizeof *c);
    c->level[HB_LEVEL_THREAD] = (hb_counter_cost){84e-9, 7e-9, 84e-9};
    c->level[HB_LEVEL_RANK] = (hb_counter_cost){100e-9, 7e-9, 100e-9};
    c->level[HB_LEVEL_NODE] = (hb_counter_cost){5.65e-6, 5.65e-6, 2.6e-6};
    snprintf(c->source, sizeof c->source,
             "built-in (bench/handout_bench.sh on the development "
             "machine)");
}

int hb_costs_read(const char *path, hb_costs *c) {
    hb_csv_table t;
    int rc = hb_csv_read(path, &t);
    if (rc)
        return rc;
    static const char *const cols[] = {"level", "latency_s", "latency_same_s", "service_s"};
    int ci[4];
    for (int i = 0; i < 4; i++)
        if ((ci[i] = hb_csv_col(&t, cols[i])) < 0) {
            rc = hb_fail(HB_EUSAGE, "--costs: %s: no column '%s'", path, cols[i]);
            goto out;
        }
    for (size_t r = 0; r < t.nrows; r++) {
        int l = 0;
        while (l < HB_NLEVELS && strcmp(t.rows[r][ci[0]], level_names[l]) != 0)
            l++;
        if (l == HB_NLEVELS) {
            rc = hb_fail(HB_EUSAGE, "--costs: %s: line %zu: level '%s' is not thread, rank or node",
                         path, r + 2, t.rows[r][ci[0]]);
            goto out;
        }
        double v[3];
        for (int i = 0; i < 3; i++) {
            char *end;
            v[i] = strtod(t.rows[r][ci[i + 1]], &end);
            if (!t.rows[r][ci[i + 1]][0] || *end || !isfinite(v[i]) || v[i] < 0 || v[i] > 1) {
                rc = hb_fail(HB_EUSAGE, "--costs: %s: line %zu: %s '%s' is not a time in seconds",
                             path, r + 2, cols[i + 1], t.rows[r][ci[i + 1]]);
                goto out;
            }
        }
        c->level[l] = (hb_counter_cost){v[0], v[1], v[2]};
    }
    snprintf(c->source, sizeof c->source, "%s", path);
out:
    hb_csv_table_free(&t);
    return rc;
}

/* ---- the event queue --------------------------------------------------------- */

enum { EV_ASK, EV_READ, EV_ADD, EV_INSTALL };

/* 16 bytes, so the queue of 10^5 workers stays in cache as far as it can. */
typedef struct event {
    double t;
    uint32_t seq; /* ties go first come, first served (wraps: only order among ties) */
    uint32_t wt;  /* worker << 2 | type */
} event;

typedef struct heap {
    event *v;
    size_t n, cap;
    uint32_t seq;
} heap;

static int before(const event *a, const event *b) {
    return a->t < b->t || (a->t == b->t && (int32_t)(a->seq - b->seq) < 0);
}

static int push(heap *h, double t, long w, int type) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 1024;
        event *v = realloc(h->v, cap * sizeof *v);
        if (!v)
            return HB_ENOMEM;
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->n++;
    event e = {t, h->seq++, (uint32_t)w << 2 | (uint32_t)type};
    while (i > 0 && before(&e, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = e;
    return 0;
}

static event pop(heap *h) {
    event top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        const event *best = &last;
        if (l < h->n && before(&h->v[l], best))
            best = &h->v[m = l];
        if (l + 1 < h->n && before(&h->v[l + 1], best))
            best = &h->v[m = l + 1];
        if (m == i)
            break;
        h->v[i] = h->v[m];
        i = m;
    }
    if (h->n)
        h->v[i] = last;
    return top;
}

/* ---- one replay -------------------------------------------------------------- */

typedef struct counter {
    hb_counter_cost cost;
    double free, busy;
    long last; /* the worker of the last grab */
} counter;

/* Serve a grab that arrives at t; returns when its worker has the answer.
 * A grab from the worker that made the last one keeps the counter busy no
 * longer than it takes (an atomic on a cache line already in its core:
 * nanoseconds, not a line's move); any other waits for the counter and
 * keeps it busy a whole service time. */
static double serve(counter *c, double t, long w) {
    double s = t > c->free ? t : c->free;
    double busy = c->cost.service, lat = c->cost.latency;
    if (c->last == w) {
        busy = c->cost.latency_same < busy ? c->cost.latency_same : busy;
        lat = c->cost.latency_same;
    }
    if (lat < busy)
        lat = busy;
    c->free = s + busy;
    c->busy += busy;
    c->last = w;
    return s + lat;
}

typedef struct node {
    counter ctr;
    hb_block blk;
    uint64_t off;
    long waiters; /* first waiting worker, -1 for none; chained through next_waiter */
    int workers;
} node;

/* One worker in the replay. */
typedef struct wstate {
    double done;      /* when it returned (its last grab came back empty) */
    double last_end;  /* when its last task ended; 0 when it had none */
    double handout;   /* its time grabbing and waiting */
    double since;     /* a refiller or waiter: when it began */
    size_t rb, re;    /* a refiller's range, run once its block is in */
    uint64_t len;     /* a refiller's block length */
    hb_block pending; /* the block a refiller installs */
    long next_waiter;
} wstate;

struct hb_replay_ws {
    double *pre;
    size_t pre_cap;
    wstate *w;
    size_t w_cap;
    node *nodes;
    size_t nodes_cap;
    heap h;
};

typedef struct sim {
    const hb_replay_cfg *c;
    const double *pre; /* prefix sums of the durations */
    long W;
    wstate *w;
    node *nodes;
    long nnodes;
    counter global;
    uint64_t gcount;
    double last_start;
    size_t ran;
    heap *h;
} sim;

/* Worker w runs [b, e) from t and asks again when it is done. */
static int run_range(sim *s, long w, double t, size_t b, size_t e) {
    s->ran += e - b;
    double ls = t + s->pre[e - 1] - s->pre[b];
    if (ls > s->last_start)
        s->last_start = ls;
    s->w[w].last_end = t + s->pre[e] - s->pre[b];
    return push(s->h, s->w[w].last_end, w, EV_ASK);
}

static int ask_flat(sim *s, long w, double t) {
    double got = serve(&s->global, t, w);
    s->w[w].handout += got - t;
    size_t b, e;
    int any = hb_sched_chunk_range(s->c->n, s->c->chunk, s->gcount, &b, &e);
    s->gcount += s->c->chunk;
    if (!any) {
        s->w[w].done = got;
        return 0;
    }
    return run_range(s, w, got, b, e);
}

static int ask_node(sim *s, long w, double t) {
    const hb_replay_cfg *c = s->c;
    node *nd = &s->nodes[w / c->node_workers];
    double got = serve(&nd->ctr, t, w);
    s->w[w].handout += got - t;
    uint64_t off = nd->off;
    nd->off += c->chunk;
    size_t b = 0, e = 0;
    switch (hb_sched_block_take(nd->blk, c->n, off, c->chunk, &b, &e)) {
    case HB_TAKE_RANGE:
        return run_range(s, w, got, b, e);
    case HB_TAKE_RANGE_REFILL:
    case HB_TAKE_REFILL:
        s->w[w].rb = b;
        s->w[w].re = e;
        s->w[w].since = got;
        return push(s->h, got, w, EV_READ);
    case HB_TAKE_WAIT:
        s->w[w].since = got;
        s->w[w].next_waiter = nd->waiters;
        nd->waiters = w;
        return 0;
    case HB_TAKE_DONE:
        s->w[w].done = got;
        return 0;
    }
    return 0;
}

/* The refiller's read of the global counter, then its grab of a block. */
static int global_read(sim *s, long w, double t) {
    const hb_replay_cfg *c = s->c;
    node *nd = &s->nodes[w / c->node_workers];
    double got = serve(&s->global, t, w);
    uint64_t seen = s->gcount;
    s->w[w].len = hb_sched_block_len(c->n, seen, (int)s->nnodes, c->chunk, nd->workers);
    if (seen >= c->n) {
        s->w[w].pending = hb_sched_block_make(c->n, seen, s->w[w].len);
        return push(s->h, got, w, EV_INSTALL);
    }
    return push(s->h, got, w, EV_ADD);
}

static int global_add(sim *s, long w, double t) {
    double got = serve(&s->global, t, w);
    s->w[w].pending = hb_sched_block_make(s->c->n, s->gcount, s->w[w].len);
    s->gcount += s->w[w].len;
    return push(s->h, got, w, EV_INSTALL);
}

static int install(sim *s, long w, double t) {
    node *nd = &s->nodes[w / s->c->node_workers];
    int rc = 0;
    nd->blk = s->w[w].pending;
    nd->off = 0;
    for (long v = nd->waiters; v >= 0 && !rc; v = s->w[v].next_waiter) {
        s->w[v].handout += t - s->w[v].since;
        rc = push(s->h, t, v, EV_ASK);
    }
    nd->waiters = -1;
    s->w[w].handout += t - s->w[w].since;
    if (rc)
        return rc;
    if (s->w[w].re > s->w[w].rb)
        return run_range(s, w, t, s->w[w].rb, s->w[w].re);
    return push(s->h, t, w, EV_ASK);
}

static int simulate(sim *s, int two_level) {
    int rc = 0;
    s->h->n = 0;
    for (long w = 0; w < s->W && !rc; w++)
        rc = push(s->h, 0, w, EV_ASK);
    while (!rc && s->h->n) {
        event ev = pop(s->h);
        long w = (long)(ev.wt >> 2);
        switch (ev.wt & 3) {
        case EV_ASK:
            rc = two_level ? ask_node(s, w, ev.t) : ask_flat(s, w, ev.t);
            break;
        case EV_READ:
            rc = global_read(s, w, ev.t);
            break;
        case EV_ADD:
            rc = global_add(s, w, ev.t);
            break;
        case EV_INSTALL:
            rc = install(s, w, ev.t);
            break;
        }
    }
    return rc;
}

/* Static and cyclic: every worker's ranges back to back from 0. */
static void iterate(sim *s) {
    const hb_replay_cfg *c = s->c;
    size_t n = c->n, W = (size_t)s->W;
    for (size_t w = 0; w < W; w++) {
        double t = 0;
        size_t b, e;
        for (size_t k = 0;; k++) {
            int any = c->kind == HB_SCHED_STATIC
                          ? k == 0 && hb_sched_static_range(n, W, w, &b, &e)
                          : hb_sched_cyclic_range(n, W, c->chunk, w, k, &b, &e);
            if (!any)
                break;
            double ls = t + s->pre[e - 1] - s->pre[b];
            if (ls > s->last_start)
                s->last_start = ls;
            t += s->pre[e] - s->pre[b];
            s->ran += e - b;
            s->w[w].last_end = t;
        }
        s->w[w].done = t;
    }
}

static hb_level counter_level(long nnodes, int node_ranks) {
    if (nnodes > 1)
        return HB_LEVEL_NODE;
    return node_ranks > 1 ? HB_LEVEL_RANK : HB_LEVEL_THREAD;
}

hb_replay_ws *hb_replay_ws_new(void) {
    return calloc(1, sizeof(hb_replay_ws));
}

void hb_replay_ws_free(hb_replay_ws *ws) {
    if (!ws)
        return;
    free(ws->pre);
    free(ws->w);
    free(ws->nodes);
    free(ws->h.v);
    free(ws);
}

/* Grow *p to hold n items of size sz (kept between replays). */
static int grow(void *p, size_t *cap, size_t n, size_t sz) {
    if (n <= *cap)
        return 0;
    void *q = realloc(*(void **)p, n * sz);
    if (!q)
        return HB_ENOMEM;
    *(void **)p = q;
    *cap = n;
    return 0;
}

void hb_replay_prefix(const double *dur, size_t n, double *pre) {
    pre[0] = 0;
    for (size_t i = 0; i < n; i++)
        pre[i + 1] = pre[i] + dur[i];
}

static int replay(const hb_replay_cfg *c, hb_replay_ws *ws, hb_replay_out *out) {
    sim s = {.c = c, .W = c->workers, .h = &ws->h};
    size_t W = (size_t)c->workers;
    s.nnodes = (c->workers + c->node_workers - 1) / c->node_workers;
    if (grow(&ws->w, &ws->w_cap, W, sizeof *ws->w) ||
        grow(&ws->nodes, &ws->nodes_cap, (size_t)s.nnodes, sizeof *ws->nodes) ||
        (!c->prefix && grow(&ws->pre, &ws->pre_cap, c->n + 1, sizeof *ws->pre)))
        return HB_ENOMEM;
    if (!c->prefix)
        hb_replay_prefix(c->dur, c->n, ws->pre);
    s.pre = c->prefix ? c->prefix : ws->pre;
    s.w = ws->w;
    s.nodes = ws->nodes;
    memset(s.w, 0, W * sizeof *s.w);
    /* The ranks of a node: a full node's, or as many as the last node's workers fill. */
    int threads = c->node_workers / c->ranks_per_node > 0 ? c->node_workers / c->ranks_per_node : 1;
    long first_workers = c->workers < c->node_workers ? c->workers : c->node_workers;
    int node_ranks = (int)((first_workers + threads - 1) / threads);
    out->nodes = s.nnodes;
    out->two_level =
        c->kind == HB_SCHED_DYNAMIC &&
        (c->handout == HB_HANDOUT_TWO_LEVEL || (c->handout == HB_HANDOUT_AUTO && s.nnodes > 1));
    int rc = 0;
    if (c->kind != HB_SCHED_DYNAMIC) {
        iterate(&s);
    } else {
        s.global = (counter){c->costs->level[counter_level(s.nnodes, node_ranks)], 0, 0, -1};
        for (long k = 0; k < s.nnodes; k++) {
            long lo = k * c->node_workers;
            long hi = lo + c->node_workers < c->workers ? lo + c->node_workers : c->workers;
            int ranks = (int)((hi - lo + threads - 1) / threads);
            s.nodes[k] = (node){
                .ctr = {c->costs->level[ranks > 1 ? HB_LEVEL_RANK : HB_LEVEL_THREAD], 0, 0, -1},
                .blk = {0, 0},
                .waiters = -1,
                .workers = (int)(hi - lo)};
        }
        rc = simulate(&s, out->two_level);
    }
    if (rc)
        return rc;
    double makespan = 0, busy = s.global.busy;
    for (size_t w = 0; w < W; w++)
        makespan = s.w[w].done > makespan ? s.w[w].done : makespan;
    /* The node counters are set up (and busy) under dynamic only. */
    for (long k = 0; c->kind == HB_SCHED_DYNAMIC && k < s.nnodes; k++)
        busy = s.nodes[k].ctr.busy > busy ? s.nodes[k].ctr.busy : busy;
    out->makespan = makespan;
    out->work = s.pre[c->n];
    out->tasks_run = s.ran;
    out->counter_busy = makespan > 0 ? busy / makespan : 0;
    /* A worker is idle at the last task's start when its own last task ended
     * by then (or it had none); the slack absorbs rounding in the sums. */
    double slack = 1e-12 * (makespan > 0 ? makespan : 1);
    for (size_t w = 0; w < W; w++) {
        out->handout += s.w[w].handout;
        out->tail += makespan - s.w[w].done;
        out->idle_workers += s.w[w].last_end <= s.last_start + slack;
    }
    return 0;
}

int hb_replay(const hb_replay_cfg *c, hb_replay_ws *ws, hb_replay_out *out) {
    memset(out, 0, sizeof *out);
    if (c->workers < 1 || c->chunk < 1 || c->node_workers < 1 || c->ranks_per_node < 1)
        return hb_fail(HB_EUSAGE, "predict: a replay needs workers, chunk and node size >= 1");
    if (c->workers > (1L << 29))
        return hb_fail(HB_EUSAGE, "predict: %ld workers is more than a replay can hold",
                       c->workers);
    hb_replay_ws *own = ws ? NULL : hb_replay_ws_new();
    int rc = ws || own ? replay(c, ws ? ws : own, out) : HB_ENOMEM;
    hb_replay_ws_free(own);
    if (rc == HB_ENOMEM)
        return hb_fail(HB_ENOMEM, "predict: out of memory replaying %ld workers", c->workers);
    return rc;
}
