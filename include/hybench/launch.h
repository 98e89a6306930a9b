/* Launching one `hybench run` for the matrix: a launcher template tokenised
 * into argv (no shell), run with posix_spawn in its own process group under
 * a timeout, stopped with SIGTERM then SIGKILL to the whole group when it
 * runs over or the matrix is interrupted. */
#ifndef HYBENCH_LAUNCH_H
#define HYBENCH_LAUNCH_H

#include <stddef.h>

/* The values a template may name: {nodes} {ranks} (total) {ranks_per_node}
 * {threads} {hosts} {host_slots} (the hosts as h1:R,h2:R with R ranks per
 * node) {layout} {program}, and the words of the MPI in use: {mpiexec} and
 * {mpirun} (the launcher of the MPI hybench was built with when it is of that
 * kind, else the bare name on PATH), {as_root} (--allow-run-as-root when
 * running as root, else nothing) and {export} (Open MPI's -x NAME for every
 * variable set here of PATH, LD_LIBRARY_PATH, OMP_*, GOMP_*, KMP_*, HB_*,
 * UCX_*, FI_*, HWLOC_*: hydra forwards the whole environment, mpirun only
 * what it is told). */
typedef struct hb_launch_vars {
    int nodes, ranks, ranks_per_node, threads;
    const char *hosts;   /* comma-separated host list */
    const char *layout;  /* "2:4x8" */
    const char *program; /* the hybench binary */
} hb_launch_vars;

/* Which launcher an MPI library goes with, from the text of
 * MPI_Get_library_version: Open MPI's mpirun, Slurm's srun (Cray MPICH, which
 * has no launcher of its own), or hydra's mpiexec (MPICH, Intel MPI, MVAPICH,
 * and any library not recognised: mpiexec -n is what the MPI standard names). */
typedef enum hb_mpi_kind { HB_MPI_HYDRA, HB_MPI_OPENMPI, HB_MPI_SLURM } hb_mpi_kind;
hb_mpi_kind hb_mpi_kind_of(const char *library_version);
/* The kind of the library this process is linked with. MPI allows
 * MPI_Get_library_version before MPI_Init, so the matrix can ask without
 * initialising MPI. */
hb_mpi_kind hb_mpi_running(void);
/* What {mpiexec} and {mpirun} stand for in this build. */
const char *hb_launch_mpiexec(void);
const char *hb_launch_mpirun(void);

/* Launcher names that stand for a template (--launcher NAME): */
/* hydra, one node or no host list: */
#define HB_LAUNCH_HYDRA "{mpiexec} -n {ranks} -bind-to none {program}"
/* hydra on the first N hosts of a host list: */
#define HB_LAUNCH_HYDRA_HOSTS                                                                      \
    "{mpiexec} -n {ranks} -ppn {ranks_per_node} -hosts {hosts} -bind-to none {program}"
/* Open MPI: ppr places R ranks on each node; --bind-to none because mpirun
 * otherwise binds each rank to one core when there are two ranks or fewer,
 * which would leave a hybrid rank's threads one core (hybench refuses that
 * layout rather than share it). */
#define HB_LAUNCH_MPIRUN                                                                           \
    "{mpirun} {as_root} -n {ranks} --map-by ppr:{ranks_per_node}:node --bind-to none {export} "    \
    "{program}"
#define HB_LAUNCH_MPIRUN_HOSTS                                                                     \
    "{mpirun} {as_root} -n {ranks} --map-by ppr:{ranks_per_node}:node --host {host_slots} "        \
    "--bind-to none {export} {program}"
/* Slurm, inside an allocation: pmi2 for the MPICH family (Debian's MPICH
 * needs it, see docs/cluster.md), pmix for Open MPI (which has no PMI-2
 * client in Debian's build). -n is explicit: a step otherwise takes
 * SLURM_NTASKS from the job, all of the allocation's tasks, and a 1-node step
 * in a 2-node job is refused. */
#define HB_LAUNCH_SRUN                                                                             \
    "srun -N {nodes} -n {ranks} --ntasks-per-node {ranks_per_node} --cpus-per-task {threads} "     \
    "--mpi=pmi2 {program}"
#define HB_LAUNCH_SRUN_PMIX                                                                        \
    "srun -N {nodes} -n {ranks} --ntasks-per-node {ranks_per_node} --cpus-per-task {threads} "     \
    "--mpi=pmix {program}"

/* The template a launcher name stands for: "mpiexec" gives the hydra
 * template, "mpirun" Open MPI's, "srun" Slurm's (pmix with Open MPI, pmi2
 * otherwise); each the form with a host list when with_hosts. NULL gives the
 * one that goes with the MPI library in use (hb_mpi_running). Any other text is
 * a template of its own and is returned as it is. */
const char *hb_launch_template(const char *launcher, int with_hosts);

/* The launcher name a batch script's matrix uses inside its allocation:
 * mpirun for Open MPI (it reads the allocation itself), srun otherwise. */
const char *hb_launch_in_allocation(void);

/* A NULL-terminated argv built by hb_launch_expand; free with hb_launch_argv_free. */
typedef struct hb_launch_argv {
    char **v;
    size_t n;
} hb_launch_argv;

/* Split tmpl on blanks (single or double quotes group words; no other shell
 * syntax) and substitute the {names} in every word; {as_root} and {export}
 * stand alone as words and expand to zero or more words. When no word names
 * {program}, the program is appended. Then the words of extra[0..nextra) are
 * appended as they are. An unknown {name} or an unclosed quote is HB_EUSAGE
 * naming --launcher. */
int hb_launch_expand(const char *tmpl, const hb_launch_vars *vars, char *const *extra,
                     size_t nextra, hb_launch_argv *out);
void hb_launch_argv_free(hb_launch_argv *a);

typedef enum hb_launch_outcome {
    HB_LAUNCH_OK,          /* exit status 0 */
    HB_LAUNCH_FAILED,      /* exited non-zero (status in *code) */
    HB_LAUNCH_CRASHED,     /* killed by a signal it did not get from us */
    HB_LAUNCH_TIMEOUT,     /* ran past the timeout and was stopped */
    HB_LAUNCH_INTERRUPTED, /* stopped because this process got SIGINT/SIGTERM */
} hb_launch_outcome;

/* The runs.csv status word: "ok", "failed", "crashed", "timeout", "interrupted". */
const char *hb_launch_status(hb_launch_outcome o);

/* The environment variable every launch of a matrix carries (its results
 * directory), so that a matrix resuming that directory can find and end
 * launches an earlier matrix left behind (hb_launch_reap). */
#define HB_LAUNCH_ENV "HB_MATRIX_DIR"

/* Run argv (PATH is searched for argv[0]) in a new process group and wait at
 * most timeout_s seconds (<= 0: no limit). With log != NULL the child's
 * stdout and stderr are appended to that file; env_extra ("NAME=value"
 * strings, NULL-terminated, or NULL) is added to its environment. The child
 * gets SIGTERM if this process dies (PR_SET_PDEATHSIG), so a launch cannot
 * outlive a matrix killed with SIGKILL by more than its own shutdown. A
 * program that cannot be started counts as failed with code 127. Polls
 * hb_interrupted() while waiting. Returns 0 with *outcome and *code (exit
 * status or signal number) set, or HB_ELAUNCH when it could not even try. */
int hb_launch_run(char *const *argv, double timeout_s, const char *log,
                  const char *const *env_extra, hb_launch_outcome *outcome, int *code);

/* End every process whose environment holds name=value (a launch of the
 * matrix that owned a directory and died), its whole process group with it:
 * SIGTERM, a grace period, SIGKILL; returns once they are gone. *ended
 * counts the processes found. Reads /proc; 0 where it cannot (no /proc). */
int hb_launch_reap(const char *name, const char *value, size_t *ended);

#endif
