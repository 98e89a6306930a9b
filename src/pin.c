/* Pinning with hwloc: the topology of a node, the plan that gives every node
 * worker its cpuset, binding a thread to it and observing where it ran.
 *
 * The plan works on "core units": the cores that hold a CPU of the given set
 * (the process's mask, or its node's ranks' masks together; see
 * hb_topo_restrict) in logical order, or the PUs themselves on a topology
 * without Core objects. Cpusets and the PU numbers in them are hwloc OS
 * indices, as the kernel shows them; core numbers are hwloc logical indices. */
#define _POSIX_C_SOURCE 200809L /* gethostname */
#include "hybench/pin.h"
#include "hybench/args.h"
#include "hybench/error.h"

#include <errno.h>
#include <hwloc.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More node workers than this is certainly a typo, and the plan arrays stay small. */
#define HB_PIN_MAX_WORKERS (1 << 20)

struct hb_topo {
    hwloc_topology_t h;
    bool synthetic;
    hwloc_cpuset_t allowed; /* the given set: workers are placed inside it (owned) */
    hwloc_cpuset_t process; /* this process's mask when the topology was loaded (owned) */
    hb_cpus_from from;      /* where `allowed` came from */
    int nranks;             /* > 0: the node's ranks' masks differ, one set each (owned) */
    hwloc_cpuset_t *rank_sets;
    int nunits;         /* core units */
    hwloc_obj_t *units; /* Core objects (or PUs when there are none), logical order */
    int npus;
    hwloc_obj_t *puorder; /* first PU of every core, then every second PU, ... */
    char host[64];
};

/* One node worker's place in a plan. */
typedef struct slot {
    int unit;       /* index into t->units */
    hwloc_obj_t pu; /* bind pu: the PU; NULL otherwise */
} slot;

static int count_inside(const hb_topo *t, hwloc_obj_type_t type) {
    int n = hwloc_get_nbobjs_inside_cpuset_by_type(t->h, t->allowed, type);
    return n < 0 ? 0 : n; /* -1: the type spans several depths; not for cores/PUs */
}

/* Objects of a type that hold at least one CPU of the given set, in logical
 * order, into out (NULL: count only). A core only partly given (srun
 * --cpu-bind=threads on an SMT machine) still counts: its given PUs are used. */
static int count_touching(const hb_topo *t, hwloc_obj_type_t type, hwloc_obj_t *out) {
    int n = 0;
    for (hwloc_obj_t o = hwloc_get_next_obj_by_type(t->h, type, NULL); o;
         o = hwloc_get_next_obj_by_type(t->h, type, o))
        if (o->cpuset && hwloc_bitmap_intersects(o->cpuset, t->allowed)) {
            if (out)
                out[n] = o;
            n++;
        }
    return n;
}

/* Core units and the bind-pu order: built at load (and again when the given
 * set changes) so planning is cheap. */
static int index_units(hb_topo *t) {
    hwloc_obj_type_t unit_type =
        count_touching(t, HWLOC_OBJ_CORE, NULL) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    free(t->units);
    free(t->puorder);
    t->units = NULL;
    t->puorder = NULL;
    t->nunits = count_touching(t, unit_type, NULL);
    t->npus = count_inside(t, HWLOC_OBJ_PU);
    if (t->nunits <= 0 || t->npus <= 0)
        return hb_fail(HB_EHWLOC, "hwloc found no usable PU in the allowed cpuset");
    t->units = calloc((size_t)t->nunits, sizeof *t->units);
    t->puorder = calloc((size_t)t->npus, sizeof *t->puorder);
    if (!t->units || !t->puorder)
        return hb_fail(HB_ENOMEM, "out of memory indexing the topology");
    count_touching(t, unit_type, t->units);

    hwloc_bitmap_t in_unit = hwloc_bitmap_alloc();
    if (!in_unit)
        return hb_fail(HB_ENOMEM, "out of memory indexing the topology");
    int n = 0;
    for (unsigned sibling = 0; n < t->npus; sibling++) {
        int before = n;
        for (int i = 0; i < t->nunits; i++) {
            hwloc_bitmap_and(in_unit, t->units[i]->cpuset, t->allowed);
            hwloc_obj_t pu =
                hwloc_get_obj_inside_cpuset_by_type(t->h, in_unit, HWLOC_OBJ_PU, sibling);
            if (pu && n < t->npus)
                t->puorder[n++] = pu;
        }
        if (n == before)
            break; /* defensive: a PU outside every core unit */
    }
    hwloc_bitmap_free(in_unit);
    if (n != t->npus)
        return hb_fail(HB_EHWLOC, "hwloc topology has PUs outside its cores");
    return 0;
}

/* PUs a synthetic description would have: the product of its level counts
 * ("pack:2 core:4 pu:2" -> 16; a level is TYPE:N or N, attributes in
 * parentheses). Saturates at max + 1. */
static long synthetic_pus(const char *spec, long max) {
    long pus = 1;
    for (const char *p = spec; *p;) {
        while (*p == ' ')
            p++;
        const char *end = p + strcspn(p, " "), *colon = memchr(p, ':', (size_t)(end - p));
        const char *num = colon ? colon + 1 : p;
        if (num < end && *num >= '0' && *num <= '9') {
            long n = strtol(num, NULL, 10);
            pus = n > 0 && pus <= max / n ? pus * n : max + 1;
        }
        p = end;
    }
    return pus;
}

int hb_topo_load(hb_topo **out, const char *synthetic) {
    /* Loading a synthetic topology builds every object: 10^6 PUs took
     * longer than 20 s. Far more than any node has. */
    const long max_pus = 1L << 16;
    if (synthetic && synthetic_pus(synthetic, max_pus) > max_pus)
        return hb_fail(HB_EUSAGE, "--synthetic: '%s' has more than %ld PUs", synthetic, max_pus);
    int rc;
    hb_topo *t = calloc(1, sizeof *t);
    if (!t)
        return hb_fail(HB_ENOMEM, "out of memory loading the topology");
    if (hwloc_topology_init(&t->h) != 0) {
        free(t);
        return hb_fail(HB_EHWLOC, "hwloc_topology_init failed: %s", strerror(errno));
    }
    if (synthetic) {
        t->synthetic = true;
        if (hwloc_topology_set_synthetic(t->h, synthetic) != 0) {
            rc = hb_fail(HB_EUSAGE,
                         "--synthetic: '%s' is not an hwloc synthetic topology (try \"pack:2 "
                         "core:4 pu:2\")",
                         synthetic);
            goto out_topology;
        }
        snprintf(t->host, sizeof t->host, "synthetic");
    } else if (gethostname(t->host, sizeof t->host) != 0) {
        snprintf(t->host, sizeof t->host, "unknown");
    }
    t->host[sizeof t->host - 1] = '\0';
    if (hwloc_topology_load(t->h) != 0) {
        rc = hb_fail(HB_EHWLOC, "hwloc could not load the topology: %s", strerror(errno));
        goto out_topology;
    }
    /* The given set starts as the mask this process was started with (taskset,
     * srun --cpu-bind, mpirun --bind-to), read before anything here binds,
     * within what the machine allows (a cpuset cgroup). */
    hwloc_const_cpuset_t machine = hwloc_topology_get_allowed_cpuset(t->h);
    t->allowed = hwloc_bitmap_dup(machine);
    t->process = hwloc_bitmap_dup(machine);
    if (!t->allowed || !t->process) {
        rc = hb_fail(HB_ENOMEM, "out of memory loading the topology");
        goto out_index;
    }
    if (!synthetic && hwloc_get_cpubind(t->h, t->process, HWLOC_CPUBIND_THREAD) == 0) {
        hwloc_bitmap_and(t->process, t->process, machine);
        if (!hwloc_bitmap_iszero(t->process))
            hwloc_bitmap_copy(t->allowed, t->process);
    }
    t->from = hwloc_bitmap_isequal(t->allowed, machine) ? HB_CPUS_MACHINE : HB_CPUS_PROCESS;
    rc = index_units(t);
    if (rc)
        goto out_index;
    *out = t;
    return 0;

out_index:
    free(t->units);
    free(t->puorder);
    hwloc_bitmap_free(t->allowed);
    hwloc_bitmap_free(t->process);
out_topology:
    hwloc_topology_destroy(t->h);
    free(t);
    return rc;
}

static void free_rank_sets(hb_topo *t) {
    for (int r = 0; r < t->nranks; r++)
        hwloc_bitmap_free(t->rank_sets[r]);
    free(t->rank_sets);
    t->rank_sets = NULL;
    t->nranks = 0;
}

void hb_topo_free(hb_topo *t) {
    if (!t)
        return;
    free(t->units);
    free(t->puorder);
    free_rank_sets(t);
    hwloc_bitmap_free(t->allowed);
    hwloc_bitmap_free(t->process);
    hwloc_topology_destroy(t->h);
    free(t);
}

int hb_topo_cores(const hb_topo *t) {
    return t->nunits;
}

int hb_topo_pus(const hb_topo *t) {
    return t->npus;
}

int hb_topo_packages(const hb_topo *t) {
    return count_inside(t, HWLOC_OBJ_PACKAGE);
}

const char *hb_topo_cpu_model(const hb_topo *t) {
    hwloc_obj_t pkg = hwloc_get_obj_by_type(t->h, HWLOC_OBJ_PACKAGE, 0);
    const char *model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
    if (!model) /* some platforms attach it to the machine instead */
        model = hwloc_obj_get_info_by_name(hwloc_get_root_obj(t->h), "CPUModel");
    return model && *model ? model : "unknown";
}

static const char *plural(int n, const char *one, const char *many) {
    return n == 1 ? one : many;
}

const char *hb_topo_describe(const hb_topo *t, char *buf, int len) {
    int pkgs = hb_topo_packages(t), numa = count_inside(t, HWLOC_OBJ_NUMANODE);
    char numa_text[32] = "";
    if (numa > 1)
        snprintf(numa_text, sizeof numa_text, ", %d NUMA nodes", numa);
    snprintf(buf, (size_t)len, "%d %s%s, %d %s, %d %s (%s)", pkgs,
             plural(pkgs, "package", "packages"), numa_text, t->nunits,
             plural(t->nunits, "core", "cores"), t->npus, plural(t->npus, "PU", "PUs"),
             t->synthetic ? "synthetic" : hb_topo_cpu_model(t));
    return buf;
}

static const char *const from_names[] = {
    [HB_CPUS_MACHINE] = "machine", [HB_CPUS_PROCESS] = "process", [HB_CPUS_NODE] = "node"};

const char *hb_cpus_from_name(hb_cpus_from f) {
    return (unsigned)f < sizeof from_names / sizeof from_names[0] ? from_names[f] : "?";
}

static int list_text(hwloc_const_bitmap_t set, char *buf, int len) {
    if (hwloc_bitmap_list_snprintf(buf, (size_t)len, set) < 0)
        return hb_fail(HB_EHWLOC, "cannot format a cpuset");
    return 0;
}

int hb_topo_process_mask(const hb_topo *t, char *buf, int len) {
    return list_text(t->process, buf, len);
}

int hb_topo_given(const hb_topo *t, char *buf, int len, hb_cpus_from *from) {
    if (from)
        *from = t->from;
    return list_text(t->allowed, buf, len);
}

int hb_topo_restrict(hb_topo *t, char *const *masks, int n, int self) {
    if (n < 1 || self < 0 || self >= n)
        return hb_fail(HB_EINTERNAL, "rank %d of %d ranks on a node", self, n);
    hwloc_const_cpuset_t machine = hwloc_topology_get_allowed_cpuset(t->h);
    hwloc_bitmap_t *sets = calloc((size_t)n, sizeof *sets);
    hwloc_bitmap_t all = hwloc_bitmap_alloc();
    int rc = sets && all ? 0 : hb_fail(HB_ENOMEM, "out of memory reading the ranks' masks");
    bool differ = false;
    for (int r = 0; rc == 0 && r < n; r++) {
        if (!(sets[r] = hwloc_bitmap_alloc()))
            rc = hb_fail(HB_ENOMEM, "out of memory reading the ranks' masks");
        else if (hwloc_bitmap_list_sscanf(sets[r], masks[r]) != 0)
            rc = hb_fail(HB_EUSAGE, "local rank %d: '%s' is not a CPU list", r, masks[r]);
        else {
            hwloc_bitmap_and(sets[r], sets[r], machine);
            hwloc_bitmap_or(all, all, sets[r]);
            differ |= r > 0 && !hwloc_bitmap_isequal(sets[r], sets[0]);
        }
    }
    if (rc == 0 && hwloc_bitmap_iszero(all))
        rc = hb_fail(HB_ELAYOUT, "host %s: the ranks' CPU masks hold no CPU of this machine",
                     t->host);
    if (rc == 0) {
        free_rank_sets(t);
        hwloc_bitmap_copy(t->allowed, all);
        t->from = differ                               ? HB_CPUS_NODE
                  : hwloc_bitmap_isequal(all, machine) ? HB_CPUS_MACHINE
                                                       : HB_CPUS_PROCESS;
        if (differ) { /* kept: each rank's workers take cores of its own mask first */
            t->rank_sets = sets;
            t->nranks = n;
            sets = NULL;
        }
        rc = index_units(t);
    }
    for (int r = 0; sets && r < n; r++)
        hwloc_bitmap_free(sets[r]);
    free(sets);
    hwloc_bitmap_free(all);
    return rc;
}

static const char *const bind_names[] = {
    [HB_BIND_CORE] = "core", [HB_BIND_PU] = "pu", [HB_BIND_NONE] = "none"};
static const char *const dist_names[] = {
    [HB_DIST_COMPACT] = "compact", [HB_DIST_SPREAD] = "spread"};

const hb_option hb_pin_options[] = {
    {"bind", "MODE", "pin each worker to a core, pu, or none (default core)"},
    {"distribute", "HOW", "compact or spread ranks over the node (default compact)"},
    {"oversubscribe", NULL, "allow workers of one node to share cores"},
    {NULL, NULL, NULL},
};

int hb_pin_from_args(const hb_args *a, hb_pin_req *req) {
    const char *s;
    int rc;
    req->bind = HB_BIND_CORE;
    req->dist = HB_DIST_COMPACT;
    if ((s = hb_args_get(a, "bind")) && (rc = hb_bind_parse(s, &req->bind)))
        return rc;
    if ((s = hb_args_get(a, "distribute")) && (rc = hb_dist_parse(s, &req->dist)))
        return rc;
    req->oversubscribe = hb_args_has(a, "oversubscribe");
    return 0;
}

int hb_bind_parse(const char *s, hb_bind *out) {
    for (int i = 0; i < (int)(sizeof bind_names / sizeof bind_names[0]); i++)
        if (s && strcmp(s, bind_names[i]) == 0) {
            *out = (hb_bind)i;
            return 0;
        }
    return hb_fail(HB_EUSAGE, "--bind: '%s' is not one of core, pu, none", s ? s : "");
}

int hb_dist_parse(const char *s, hb_dist *out) {
    for (int i = 0; i < (int)(sizeof dist_names / sizeof dist_names[0]); i++)
        if (s && strcmp(s, dist_names[i]) == 0) {
            *out = (hb_dist)i;
            return 0;
        }
    return hb_fail(HB_EUSAGE, "--distribute: '%s' is not one of compact, spread", s ? s : "");
}

const char *hb_bind_name(hb_bind b) {
    return (unsigned)b < sizeof bind_names / sizeof bind_names[0] ? bind_names[b] : "?";
}

const char *hb_dist_name(hb_dist d) {
    return (unsigned)d < sizeof dist_names / sizeof dist_names[0] ? dist_names[d] : "?";
}

int hb_pin_check(const hb_topo *t, const hb_pin_req *req) {
    if (req->local_ranks < 1)
        return hb_fail(HB_EUSAGE, "layout: %d ranks per node; it needs at least 1",
                       req->local_ranks);
    if (req->threads < 1)
        return hb_fail(HB_EUSAGE, "--threads: '%d' is not a positive thread count", req->threads);
    long workers = (long)req->local_ranks * req->threads;
    if (workers > HB_PIN_MAX_WORKERS)
        return hb_fail(HB_EUSAGE, "layout: %d ranks x %d threads is more than %d workers per node",
                       req->local_ranks, req->threads, HB_PIN_MAX_WORKERS);
    if (workers > t->nunits && !req->oversubscribe) {
        char cpus[256];
        if (t->from == HB_CPUS_MACHINE || list_text(t->allowed, cpus, sizeof cpus) != 0)
            return hb_fail(HB_ELAYOUT,
                           "layout needs %ld workers on host %s but it has %d %s (%d %s); use "
                           "--oversubscribe to allow sharing",
                           workers, t->host, t->nunits, plural(t->nunits, "core", "cores"), t->npus,
                           plural(t->npus, "PU", "PUs"));
        /* The launcher or scheduler gave fewer CPUs than the layout needs:
         * placing workers outside them would take cores the job does not own. */
        return hb_fail(HB_ELAYOUT,
                       "layout needs %ld workers on host %s but %s given %d %s (CPUs %s, "
                       "from the %s taskset, srun --cpu-bind or mpirun --bind-to set); launch "
                       "with more CPUs per rank, or use --oversubscribe to allow sharing",
                       workers, t->host,
                       t->from == HB_CPUS_NODE ? "the node's ranks were together" : "it was",
                       t->nunits, plural(t->nunits, "core", "cores"), cpus,
                       t->from == HB_CPUS_NODE ? "masks that" : "mask that");
    }
    return 0;
}

static int unit_of_pu(const hb_topo *t, hwloc_obj_t pu) {
    for (int i = 0; i < t->nunits; i++)
        if (hwloc_bitmap_isset(t->units[i]->cpuset, pu->os_index))
            return i;
    return -1;
}

/* The n-th allowed PU of core unit u, wrapping around its PUs. */
static hwloc_obj_t pu_of_unit(const hb_topo *t, int u, unsigned n) {
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        return NULL;
    hwloc_bitmap_and(set, t->units[u]->cpuset, t->allowed);
    int w = hwloc_bitmap_weight(set);
    hwloc_obj_t pu =
        w > 0 ? hwloc_get_obj_inside_cpuset_by_type(t->h, set, HWLOC_OBJ_PU, n % (unsigned)w)
              : NULL;
    hwloc_bitmap_free(set);
    return pu;
}

static void free_sets(hwloc_bitmap_t *sets, int n) {
    for (int i = 0; i < n; i++)
        hwloc_bitmap_free(sets[i]);
    free(sets);
}

/* hwloc_distrib() of n items over the largest objects inside `within`. */
static int distrib_within(const hb_topo *t, hwloc_const_cpuset_t within, int n,
                          hwloc_bitmap_t *sets) {
    hwloc_obj_t *roots = calloc((size_t)t->npus, sizeof *roots);
    if (!roots)
        return hb_fail(HB_ENOMEM, "out of memory planning the placement");
    int nroots = hwloc_get_largest_objs_inside_cpuset(t->h, within, roots, t->npus);
    int rc = 0;
    if (nroots <= 0 ||
        hwloc_distrib(t->h, roots, (unsigned)nroots, sets, (unsigned)n, INT_MAX, 0) != 0)
        rc = hb_fail(HB_EHWLOC, "hwloc_distrib failed for %d workers", n);
    for (int i = 0; rc == 0 && i < n; i++)
        if (!sets[i])
            rc = hb_fail(HB_ENOMEM, "out of memory planning the placement");
    free(roots);
    return rc;
}

/* Spread targets: ranks first over the whole node, then each rank's threads
 * over the part its rank got, so a rank's threads stay together even when the
 * workers do not divide evenly over packages. */
static int spread_targets(const hb_topo *t, const hb_pin_req *req, hwloc_bitmap_t *targets) {
    int nr = req->local_ranks, nt = req->threads;
    hwloc_bitmap_t *rank_sets = calloc((size_t)nr, sizeof *rank_sets);
    if (!rank_sets)
        return hb_fail(HB_ENOMEM, "out of memory planning the placement");
    int rc = 0;
    if (t->nranks == nr) /* each rank was given its own CPUs: its part is its mask */
        for (int r = 0; rc == 0 && r < nr; r++)
            rc = (rank_sets[r] = hwloc_bitmap_dup(t->rank_sets[r]))
                     ? 0
                     : hb_fail(HB_ENOMEM, "out of memory planning the placement");
    else
        rc = distrib_within(t, t->allowed, nr, rank_sets);
    for (int r = 0; rc == 0 && r < nr; r++) {
        hwloc_bitmap_and(rank_sets[r], rank_sets[r], t->allowed);
        rc = distrib_within(t, rank_sets[r], nt, targets + (size_t)r * nt);
    }
    free_sets(rank_sets, nr);
    return rc;
}

/* Compact targets when the node's ranks were given different masks: every
 * worker of a rank aims at that rank's mask, so the plan below takes its
 * cores in logical order there and spills elsewhere only when they are all
 * taken. */
static int mask_targets(const hb_topo *t, const hb_pin_req *req, hwloc_bitmap_t *targets) {
    for (int k = 0; k < req->local_ranks * req->threads; k++)
        if (!(targets[k] = hwloc_bitmap_dup(t->rank_sets[k / req->threads])))
            return hb_fail(HB_ENOMEM, "out of memory planning the placement");
    return 0;
}

/* Pick for every node worker, in order, the least used core unit inside its
 * target (spread, or its rank's own mask); if every one there is taken while
 * others elsewhere are free, the first free one, so no core is shared before
 * all are used. */
static int plan_targets(const hb_topo *t, const hb_pin_req *req, int workers, slot *plan) {
    hwloc_bitmap_t *targets = calloc((size_t)workers, sizeof *targets);
    int *used = calloc((size_t)t->nunits, sizeof *used);
    int rc = targets && used ? 0 : hb_fail(HB_ENOMEM, "out of memory planning the placement");
    if (rc == 0)
        rc = req->dist == HB_DIST_SPREAD ? spread_targets(t, req, targets)
                                         : mask_targets(t, req, targets);
    int least = 0; /* the smallest use count over all units */
    for (int k = 0; rc == 0 && k < workers; k++) {
        int best = -1, first_least = -1;
        for (int u = 0; u < t->nunits; u++) {
            if (first_least < 0 && used[u] == least)
                first_least = u;
            if (hwloc_bitmap_intersects(t->units[u]->cpuset, targets[k]) &&
                (best < 0 || used[u] < used[best]))
                best = u;
        }
        if (best < 0 || used[best] > least)
            best = first_least;
        plan[k].unit = best;
        plan[k].pu = req->bind == HB_BIND_PU ? pu_of_unit(t, best, (unsigned)used[best]) : NULL;
        used[best]++;
        int still_least = 0;
        for (int u = 0; u < t->nunits; u++)
            still_least |= used[u] == least;
        if (!still_least)
            least++;
    }
    if (targets)
        free_sets(targets, workers);
    free(used);
    return rc;
}

static int plan_all(const hb_topo *t, const hb_pin_req *req, slot **out) {
    int rc = hb_pin_check(t, req);
    if (rc)
        return rc;
    int workers = req->local_ranks * req->threads;
    slot *plan = calloc((size_t)workers, sizeof *plan);
    if (!plan)
        return hb_fail(HB_ENOMEM, "out of memory planning the placement");
    /* Targets for spread, and for compact when each rank has its own mask. */
    bool masks = t->nranks == req->local_ranks;
    if (req->dist == HB_DIST_SPREAD || masks) {
        rc = plan_targets(t, req, workers, plan);
    } else {
        for (int k = 0; k < workers; k++) {
            if (req->bind == HB_BIND_PU) {
                plan[k].pu = t->puorder[k % t->npus];
                plan[k].unit = unit_of_pu(t, plan[k].pu);
            } else {
                plan[k].unit = k % t->nunits;
            }
        }
    }
    for (int k = 0; rc == 0 && k < workers; k++)
        if (plan[k].unit < 0 || (req->bind == HB_BIND_PU && !plan[k].pu))
            rc = hb_fail(HB_EINTERNAL, "no core planned for node worker %d", k);
    if (rc) {
        free(plan);
        return rc;
    }
    *out = plan;
    return 0;
}

/* Node worker k's cpuset into set; its core's logical index into *core. */
static int plan_set(const hb_topo *t, const hb_pin_req *req, int k, hwloc_bitmap_t set, int *core) {
    slot *plan = NULL;
    int rc = plan_all(t, req, &plan);
    if (rc)
        return rc;
    if (k < 0 || k >= req->local_ranks * req->threads) {
        free(plan);
        return hb_fail(HB_EINTERNAL, "node worker %d is outside the layout", k);
    }
    if (req->bind == HB_BIND_NONE) {
        hwloc_bitmap_copy(set, t->allowed);
        *core = -1;
    } else {
        if (req->bind == HB_BIND_PU)
            hwloc_bitmap_only(set, plan[k].pu->os_index);
        else
            hwloc_bitmap_and(set, t->units[plan[k].unit]->cpuset, t->allowed);
        *core = (int)t->units[plan[k].unit]->logical_index;
    }
    free(plan);
    return 0;
}

int hb_pin_plan(const hb_topo *t, const hb_pin_req *req, int k, char *buf, int len, int *core) {
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        return hb_fail(HB_ENOMEM, "out of memory planning the placement");
    int rc = plan_set(t, req, k, set, core);
    if (rc == 0 && hwloc_bitmap_list_snprintf(buf, (size_t)len, set) < 0)
        rc = hb_fail(HB_EHWLOC, "cannot format the cpuset of node worker %d", k);
    hwloc_bitmap_free(set);
    return rc;
}

int hb_pin_bind_self(const hb_topo *t, const hb_pin_req *req, int k) {
    if (req->bind == HB_BIND_NONE)
        return 0;
    if (t->synthetic)
        return hb_fail(HB_EHWLOC, "cannot bind to a synthetic topology");
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        return hb_fail(HB_ENOMEM, "out of memory binding node worker %d", k);
    int core;
    int rc = plan_set(t, req, k, set, &core);
    if (rc == 0 && hwloc_set_cpubind(t->h, set, HWLOC_CPUBIND_THREAD) != 0) {
        char text[64];
        hwloc_bitmap_list_snprintf(text, sizeof text, set);
        rc = hb_fail(HB_EHWLOC, "cannot bind node worker %d to cpuset %s: %s", k, text,
                     strerror(errno));
    }
    hwloc_bitmap_free(set);
    return rc;
}

/* Logical index of the core holding PU os_index, or -1. */
static int core_of_os_pu(const hb_topo *t, unsigned os_index) {
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->h, os_index);
    if (!pu)
        return -1;
    int u = unit_of_pu(t, pu);
    return u < 0 ? -1 : (int)t->units[u]->logical_index;
}

int hb_pin_observe(const hb_topo *t, hb_place *p) {
    if (t->synthetic)
        return hb_fail(HB_EHWLOC, "cannot observe a thread on a synthetic topology");
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        return hb_fail(HB_ENOMEM, "out of memory observing the binding");
    int rc = 0;
    p->pu = -1;
    p->core = -1;
    p->mask[0] = '\0';
    if (hwloc_get_last_cpu_location(t->h, set, HWLOC_CPUBIND_THREAD) == 0 &&
        !hwloc_bitmap_iszero(set)) {
        p->pu = hwloc_bitmap_first(set);
        p->core = core_of_os_pu(t, (unsigned)p->pu);
    }
    if (hwloc_get_cpubind(t->h, set, HWLOC_CPUBIND_THREAD) != 0)
        rc = hb_fail(HB_EHWLOC, "cannot read the binding of this thread: %s", strerror(errno));
    else if (hwloc_bitmap_list_snprintf(p->mask, sizeof p->mask, set) < 0)
        rc = hb_fail(HB_EHWLOC, "cannot format the binding of this thread");
    hwloc_bitmap_free(set);
    return rc;
}

/* The cores (as logical indices) a mask touches; a PU this topology does not
 * know (another host's) counts as a core of its own, past the known ones. */
static int mask_cores(const hb_topo *t, const char *mask, hwloc_bitmap_t cores, bool *unbound) {
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        return HB_ENOMEM;
    hwloc_bitmap_zero(cores);
    int rc = hwloc_bitmap_list_sscanf(set, mask) == 0 ? 0 : HB_EUSAGE;
    *unbound = rc == 0 && hwloc_bitmap_isincluded(t->allowed, set);
    int pu;
    hwloc_bitmap_foreach_begin(pu, set) {
        int c = core_of_os_pu(t, (unsigned)pu);
        hwloc_bitmap_set(cores, c >= 0 ? (unsigned)c : (unsigned)(t->nunits + pu));
    }
    hwloc_bitmap_foreach_end();
    hwloc_bitmap_free(set);
    return rc;
}

void hb_pin_flag_overlaps(const hb_topo *t, hb_place *places, int n) {
    hwloc_bitmap_t *cores = calloc((size_t)(n > 0 ? n : 1), sizeof *cores);
    bool *unbound = calloc((size_t)(n > 0 ? n : 1), sizeof *unbound);
    bool *valid = calloc((size_t)(n > 0 ? n : 1), sizeof *valid);
    if (!cores || !unbound || !valid)
        goto out;
    for (int i = 0; i < n; i++) {
        places[i].overlap = false;
        cores[i] = hwloc_bitmap_alloc();
        valid[i] = cores[i] && mask_cores(t, places[i].mask, cores[i], &unbound[i]) == 0;
    }
    for (int i = 0; i < n; i++) {
        if (!valid[i])
            continue;
        int same_host_unbound = 0;
        for (int j = 0; j < n; j++) {
            if (!valid[j] || strcmp(places[i].host, places[j].host) != 0)
                continue;
            same_host_unbound += unbound[j];
            /* An unbound worker shares nothing by choice; the OS spreads it. */
            if (j != i && !unbound[i] && !unbound[j] && hwloc_bitmap_intersects(cores[i], cores[j]))
                places[i].overlap = true;
        }
        /* ... unless there are more of them than cores: then some must share. */
        if (unbound[i] && same_host_unbound > t->nunits)
            places[i].overlap = true;
    }
    for (int i = 0; i < n; i++)
        hwloc_bitmap_free(cores[i]);
out:
    free(cores);
    free(unbound);
    free(valid);
}
