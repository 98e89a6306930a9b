/* Schedules: static blocks, cyclic chunks, and self-scheduling from one
 * global counter (see sched.h). */
#define _GNU_SOURCE /* nanosleep, prctl */
#include "hybench/sched.h"

#include <pthread.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "hybench/error.h"
#include "hybench/signals.h"

struct hb_sched {
    hb_sched_kind kind;
    size_t ntasks, chunk;
    int nworkers;
    MPI_Comm comm;
    /* dynamic */
    uint64_t *counter; /* shared-memory or local counter; NULL when remote RMA is used */
    uint64_t local;    /* the counter itself when comm == MPI_COMM_NULL */
    MPI_Win win;
    int rank;
    /* rank 0 across nodes: the thread that makes MPI progress for remote grabs */
    pthread_t progress;
    int progress_running;
    volatile int progress_stop;
    MPI_Comm progress_comm;
};

/* Across nodes the counter is advanced with MPI_Fetch_and_op. Without
 * hardware atomics (TCP, shared memory emulating nodes) MPICH completes such
 * an operation only when the target rank enters the MPI progress engine, and
 * rank 0's workers may compute for a long time between grabs: a remote node
 * then waits a whole task per grab (measured: 46 of 64 tasks stayed on rank 0's
 * node). This thread polls MPI every 20 us while the schedule exists; it
 * sleeps in between, so it costs rank 0's core little. */
static void *progress_loop(void *arg) {
    hb_sched *s = arg;
    const struct timespec nap = {0, 20000};
    /* The default 50 us timer slack would stretch every nap fivefold. */
    prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    while (!s->progress_stop) {
        int flag;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, s->progress_comm, &flag, MPI_STATUS_IGNORE);
        nanosleep(&nap, NULL);
    }
    return NULL;
}

static const char *const names[] = {"static", "cyclic", "dynamic"};

int hb_sched_parse(const char *s, hb_sched_kind *kind) {
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *kind = (hb_sched_kind)i;
            return 0;
        }
    return hb_fail(HB_EUSAGE, "--schedule: '%s' is not one of static, cyclic, dynamic", s ? s : "");
}

const char *hb_sched_name(hb_sched_kind kind) {
    return names[kind];
}

int hb_sched_thread_level(hb_sched_kind kind, int threads) {
    /* Dynamic across nodes also runs a progress thread on rank 0 (below),
     * which calls MPI beside the workers whatever the thread count. */
    (void)threads;
    return kind == HB_SCHED_DYNAMIC ? MPI_THREAD_MULTIPLE : MPI_THREAD_FUNNELED;
}

/* The dynamic counter lives on rank 0. When every rank shares one node it is
 * an atomic in an MPI shared-memory window (tens of ns per grab); otherwise
 * ranks advance it with MPI_Fetch_and_op under a lock_all epoch held for the
 * schedule's lifetime. */
static int create_counter(hb_sched *s) {
    if (s->comm == MPI_COMM_NULL) {
        s->counter = &s->local;
        return 0;
    }
    MPI_Comm node;
    int size, node_size;
    if (MPI_Comm_split_type(s->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Comm_split_type failed");
    MPI_Comm_size(s->comm, &size);
    MPI_Comm_size(node, &node_size);
    MPI_Comm_free(&node);
    MPI_Aint bytes = s->rank == 0 ? (MPI_Aint)sizeof(uint64_t) : 0;
    int rc;
    if (node_size == size) {
        void *base;
        rc = MPI_Win_allocate_shared(bytes, sizeof(uint64_t), MPI_INFO_NULL, s->comm, &base,
                                     &s->win);
        if (rc == MPI_SUCCESS) {
            MPI_Aint qsize;
            int disp;
            rc = MPI_Win_shared_query(s->win, 0, &qsize, &disp, &s->counter);
        }
    } else {
        void *base;
        rc = MPI_Win_allocate(bytes, sizeof(uint64_t), MPI_INFO_NULL, s->comm, &base, &s->win);
        if (rc == MPI_SUCCESS && s->rank == 0)
            *(uint64_t *)base = 0;
        if (rc == MPI_SUCCESS && s->rank == 0) {
            int level;
            MPI_Query_thread(&level);
            if (level == MPI_THREAD_MULTIPLE &&
                MPI_Comm_dup(MPI_COMM_SELF, &s->progress_comm) == MPI_SUCCESS)
                s->progress_running = pthread_create(&s->progress, NULL, progress_loop, s) == 0;
        }
    }
    if (rc != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "could not create the dynamic schedule's counter window");
    if (MPI_Win_lock_all(MPI_MODE_NOCHECK, s->win) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Win_lock_all failed");
    return 0;
}

int hb_sched_create(hb_sched **out, hb_sched_kind kind, size_t ntasks, size_t chunk, int nworkers,
                    MPI_Comm comm) {
    if (chunk < 1 || nworkers < 1)
        return hb_fail(HB_EUSAGE, "schedule needs chunk >= 1 and workers >= 1");
    hb_sched *s = calloc(1, sizeof *s);
    if (!s)
        return hb_fail(HB_ENOMEM, "out of memory creating a schedule");
    s->kind = kind;
    s->ntasks = ntasks;
    s->chunk = chunk;
    s->nworkers = nworkers;
    s->comm = comm;
    s->win = MPI_WIN_NULL;
    if (comm != MPI_COMM_NULL)
        MPI_Comm_rank(comm, &s->rank);
    if (kind == HB_SCHED_DYNAMIC) {
        int rc = create_counter(s);
        if (rc) {
            hb_sched_free(s);
            return rc;
        }
    }
    *out = s;
    return hb_sched_reset(s);
}

int hb_sched_reset(hb_sched *s) {
    if (s->kind != HB_SCHED_DYNAMIC)
        return 0;
    if (s->comm == MPI_COMM_NULL) {
        __atomic_store_n(s->counter, 0, __ATOMIC_SEQ_CST);
        return 0;
    }
    /* Nobody may still be taking tasks of the previous repeat when the
     * counter goes back to 0. */
    if (MPI_Barrier(s->comm) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Barrier failed resetting the schedule");
    if (s->rank == 0) {
        if (s->counter) {
            __atomic_store_n(s->counter, 0, __ATOMIC_SEQ_CST);
            MPI_Win_sync(s->win);
        } else {
            uint64_t zero = 0, old;
            MPI_Fetch_and_op(&zero, &old, MPI_UINT64_T, 0, 0, MPI_REPLACE, s->win);
            MPI_Win_flush(0, s->win);
        }
    }
    /* No worker may take a task of the new repeat before the reset is visible. */
    if (MPI_Barrier(s->comm) != MPI_SUCCESS)
        return hb_fail(HB_EMPI, "MPI_Barrier failed resetting the schedule");
    if (s->counter)
        MPI_Win_sync(s->win);
    return 0;
}

void hb_sched_iter_init(hb_sched_iter *it, int worker) {
    it->worker = worker;
    it->next = 0;
}

static uint64_t grab(hb_sched *s) {
    if (s->counter)
        return __atomic_fetch_add(s->counter, (uint64_t)s->chunk, __ATOMIC_RELAXED);
    uint64_t inc = s->chunk, old = 0;
    MPI_Fetch_and_op(&inc, &old, MPI_UINT64_T, 0, 0, MPI_SUM, s->win);
    MPI_Win_flush(0, s->win);
    return old;
}

int hb_sched_next(hb_sched *s, hb_sched_iter *it, size_t *begin, size_t *end) {
    if (hb_interrupted())
        return 0;
    size_t n = s->ntasks, w = (size_t)s->nworkers;
    switch (s->kind) {
    case HB_SCHED_STATIC:
        if (it->next++ > 0)
            return 0;
        *begin = (size_t)it->worker * n / w;
        *end = ((size_t)it->worker + 1) * n / w;
        return *begin < *end;
    case HB_SCHED_CYCLIC: {
        size_t block = (size_t)it->worker + it->next++ * w;
        if (block >= (n + s->chunk - 1) / s->chunk)
            return 0;
        *begin = block * s->chunk;
        *end = *begin + s->chunk < n ? *begin + s->chunk : n;
        return 1;
    }
    case HB_SCHED_DYNAMIC: {
        uint64_t b = grab(s);
        if (b >= n)
            return 0;
        *begin = (size_t)b;
        *end = b + s->chunk < n ? (size_t)b + s->chunk : n;
        return 1;
    }
    }
    return 0;
}

void hb_sched_free(hb_sched *s) {
    if (!s)
        return;
    if (s->progress_running) {
        s->progress_stop = 1;
        pthread_join(s->progress, NULL);
        MPI_Comm_free(&s->progress_comm);
    }
    if (s->win != MPI_WIN_NULL) {
        MPI_Win_unlock_all(s->win);
        MPI_Win_free(&s->win);
    }
    free(s);
}
