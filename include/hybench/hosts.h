/* Hosts for layouts across nodes: where the N of an `N:RxT` layout comes from
 * (the batch script that runs a matrix on a cluster is sbatch.h).
 *
 * A host list comes from `--hosts a,b:4`, from a hostfile (one host per line,
 * optional `host:slots`, `#` comments, blank lines ignored), or from the
 * Slurm allocation (SLURM_JOB_NODELIST in Slurm's compressed form,
 * `node[01-04,7],login1`). An N-node layout runs on the first N hosts.
 * slots, where given, is the most ranks that host takes (MPICH's meaning).
 *
 * Nothing here prints or launches anything. Errors are negative HB_E codes
 * with one line recorded by hb_fail(): HB_EUSAGE for bad input (naming the
 * option, or file:line), HB_ELAYOUT for a layout the hosts cannot hold
 * (naming the layout and the host source), HB_EIO / HB_ENOMEM otherwise.
 * The functions are not thread-safe on one list; distinct lists are
 * independent. */
#ifndef HYBENCH_HOSTS_H
#define HYBENCH_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#define HB_HOST_NAME_MAX 255
/* A compressed Slurm node list may expand to at most this many hosts. */
#define HB_HOSTS_MAX 65536

typedef struct hb_host {
    char *name; /* owned by the list */
    int slots;  /* ranks this host takes; 0 when not given */
} hb_host;

typedef struct hb_hostlist {
    hb_host *v;
    size_t n, cap;
    char source[160]; /* where the list came from, for messages: "--hosts", "hostfile h.txt" */
} hb_hostlist;

/* Parse `--hosts a,b,c:4` into *out (zero-initialised by the caller, or
 * previously freed). opt names the option in messages. Empty items, bad
 * names, bad slots and a host given twice are HB_EUSAGE. */
int hb_hosts_parse_list(const char *opt, const char *s, hb_hostlist *out);

/* Read a hostfile. Errors name `path:line`. A file with no hosts is HB_EUSAGE;
 * one that cannot be read, or is not a regular file, is HB_EUSAGE naming the path (files.h). */
int hb_hosts_read_file(const char *path, hb_hostlist *out);

/* As hb_hosts_read_file, for text already in memory; what names it in messages. */
int hb_hosts_parse_text(const char *text, const char *what, hb_hostlist *out);

/* Expand a Slurm node list ("hbnode[1-2]", "a[01-03,7]b,c", "r[1-2]n[1-2]")
 * into hosts with slots 0. Zero padding follows the width of the range start.
 * what names the source in messages (e.g. "SLURM_JOB_NODELIST"). */
int hb_hosts_expand_slurm(const char *what, const char *s, hb_hostlist *out);

/* The Slurm allocation's nodes: SLURM_JOB_NODELIST (or SLURM_NODELIST) from
 * the environment, expanded. *found is false and *out left empty (return 0)
 * outside an allocation. If SLURM_TASKS_PER_NODE is of the simple forms
 * `4` or `4(x2)` its value becomes every host's slots. */
int hb_hosts_from_slurm_env(hb_hostlist *out, bool *found);

/* Pick the hosts for a matrix from its options: --hosts wins, then
 * --hostfile (both given is HB_EUSAGE), then the Slurm allocation. With none
 * of them *out is empty (single node) and 0 is returned. */
int hb_hosts_resolve(const char *hosts_opt, const char *hostfile_opt, hb_hostlist *out);

/* Can the layout `layout` (its text, for the message) of nodes x ranks run on
 * the list? nodes must not exceed the hosts (HB_ELAYOUT naming the layout,
 * both counts and the source) and ranks must not exceed the slots of any of
 * the first `nodes` hosts that has slots. An empty list means this machine
 * only: any layout with nodes > 1 is refused. */
int hb_hosts_check_layout(const hb_hostlist *h, const char *layout, int nodes, int ranks);

/* Write the first n hosts as "a,b,c" (for `mpiexec -hosts` or `srun -w`)
 * into buf of size len. HB_EUSAGE if n > h->n, HB_ENOMEM if buf is short. */
int hb_hosts_join(const hb_hostlist *h, size_t n, char *buf, size_t len);

void hb_hosts_free(hb_hostlist *h);

/* A plain host name: [A-Za-z0-9._-], 1..HB_HOST_NAME_MAX bytes. */
bool hb_host_name_ok(const char *s, size_t len);

#endif
