/* Layout parsing, the `auto` layout list for synthetic core counts, and the
 * launch command a layout gets from the named launchers. */
#define _DEFAULT_SOURCE /* geteuid */
#include "check.h"

#include <stdbool.h>
#include <unistd.h>

#include "hybench/error.h"
#include "hybench/launch.h"
#include "hybench/layout.h"

/* The words of tmpl expanded for a 2:4x8 layout on hosts a,b, joined by blanks. */
static void expands(const char *launcher, int with_hosts, const char *want) {
    hb_launch_vars v = {2, 8, 4, 8, "a,b", "2:4x8", "/bin/hybench"};
    char *extra[] = {"run", "--nodes", "2"};
    hb_launch_argv av = {0};
    char got[512] = "";
    CHECK_INT(hb_launch_expand(hb_launch_template(launcher, with_hosts), &v, extra, 3, &av), 0);
    for (size_t i = 0; i < av.n; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? " " : "", av.v[i]);
    CHECK_STR(got, want);
    CHECK(av.n == 0 || av.v[av.n] == NULL);
    hb_launch_argv_free(&av);
}

extern char **environ;

static void launchers(void) {
    char want[512];
    bool openmpi = hb_mpi_running() == HB_MPI_OPENMPI;
    snprintf(want, sizeof want,
             "srun -N 2 -n 8 --ntasks-per-node 4 --cpus-per-task 8 --mpi=%s /bin/hybench run "
             "--nodes 2",
             openmpi ? "pmix" : "pmi2");
    expands("srun", 1, want);
    expands("srun", 0, want);
    snprintf(want, sizeof want,
             "%s -n 8 -ppn 4 -hosts a,b -bind-to none /bin/hybench run --nodes 2",
             hb_launch_mpiexec());
    expands("mpiexec", 1, want);
    if (!openmpi)
        expands(NULL, 1, want);
    snprintf(want, sizeof want, "%s -n 8 -bind-to none /bin/hybench run --nodes 2",
             hb_launch_mpiexec());
    expands("mpiexec", 0, want);
    if (!openmpi)
        expands(NULL, 0, want);

    /* Open MPI: ppr, no binding, slots per host, the environment it is told
     * to forward, and --allow-run-as-root only as root. */
    char *env[] = {"PATH=/bin", "OMP_NUM_THREADS=2", "OMPI_MCA_pml=ob1", "HOME=/root",
                   "HB_=x",     "UCX_TLS=tcp,self",  "HWLOCK=no",        NULL};
    char **saved = environ;
    environ = env;
    const char *root = geteuid() == 0 ? " --allow-run-as-root" : "";
    snprintf(want, sizeof want,
             "%s%s -n 8 --map-by ppr:4:node --host a:4,b:4 --bind-to none -x PATH -x "
             "OMP_NUM_THREADS -x UCX_TLS /bin/hybench run --nodes 2",
             hb_launch_mpirun(), root);
    expands("mpirun", 1, want);
    if (openmpi)
        expands(NULL, 1, want);
    snprintf(want, sizeof want,
             "%s%s -n 8 --map-by ppr:4:node --bind-to none -x PATH -x OMP_NUM_THREADS -x UCX_TLS "
             "/bin/hybench run --nodes 2",
             hb_launch_mpirun(), root);
    expands("mpirun", 0, want);
    environ = saved;

    /* Which launcher goes with which library (MPI_Get_library_version's text). */
    CHECK_INT(hb_mpi_kind_of("Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4"),
              HB_MPI_OPENMPI);
    CHECK_INT(hb_mpi_kind_of("MPICH Version:      5.0.2\nMPICH Release date: ..."), HB_MPI_HYDRA);
    CHECK_INT(hb_mpi_kind_of("Intel(R) MPI Library 2021.10 for Linux* OS"), HB_MPI_HYDRA);
    CHECK_INT(hb_mpi_kind_of("MPI VERSION    : CRAY MPICH version 8.1.25.17 (ANL base 3.4a2)"),
              HB_MPI_SLURM);
    CHECK_INT(hb_mpi_kind_of("some MPI"), HB_MPI_HYDRA);
    CHECK_STR(hb_launch_in_allocation(), openmpi ? "mpirun" : "srun");

    /* {host_slots} takes the names of a host list that has slots of its own. */
    hb_launch_vars hv = {2, 4, 2, 1, "a:8,b", "2:2x1", "p"};
    hb_launch_argv av = {0};
    CHECK_INT(hb_launch_expand("x --host {host_slots}", &hv, NULL, 0, &av), 0);
    CHECK_INT((int)av.n, 4);
    if (av.n == 4)
        CHECK_STR(av.v[2], "a:2,b:2");
    hb_launch_argv_free(&av);

    /* Any other text is a template of its own; without {program} it is appended. */
    expands("'my launcher' -w {hosts} -c {threads}", 1,
            "my launcher -w a,b -c 8 /bin/hybench run --nodes 2");
    CHECK_STR(hb_launch_template("srun -n 2", 0), "srun -n 2");
    hb_launch_vars v = {1, 1, 1, 1, "h", "1x1", "p"};
    hb_err_clear();
    CHECK_INT(hb_launch_expand("srun -N {node}", &v, NULL, 0, &av), HB_EUSAGE);
    CHECK(strstr(hb_errmsg(HB_EUSAGE), "{node}") != NULL);
}

static void names(int cores, const char *want) {
    hb_layout l[64];
    size_t n = hb_layout_auto(cores, l, 64);
    char got[512] = "", buf[32];
    for (size_t i = 0; i < n && i < 64; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "," : "",
                 hb_layout_name(&l[i], buf));
    CHECK_STR(got, want);
}

int main(void) {
    names(1, "1x1");
    names(2, "1x1,2x1,1x2");
    names(4, "1x1,2x1,1x2,3x1,1x3,4x1,1x4,2x2");
    names(6, "1x1,2x1,1x2,3x1,1x3,4x1,1x4,2x2,5x1,1x5,6x1,1x6,3x2,2x3");
    /* Every R*T <= cores appears exactly once. */
    hb_layout l[4096];
    size_t n = hb_layout_auto(64, l, 4096), want = 0;
    for (int w = 1; w <= 64; w++)
        for (int r = 1; r <= w; r++)
            want += w % r == 0;
    CHECK_INT(n, want);
    for (size_t i = 0; i < n; i++)
        CHECK(l[i].nodes == 1 && l[i].ranks_per_node * l[i].threads <= 64);
    CHECK_INT(hb_layout_auto(8, NULL, 0), hb_layout_auto(8, l, 4096));

    hb_layout one;
    CHECK_INT(hb_layout_parse("--layouts", "2:4x8", &one), 0);
    CHECK(one.nodes == 2 && one.ranks_per_node == 4 && one.threads == 8);
    char buf[32];
    CHECK_STR(hb_layout_name(&one, buf), "2:4x8");
    CHECK_INT(hb_layout_parse("--layouts", "1x2", &one), 0);
    CHECK_STR(hb_layout_name(&one, buf), "1x2");
    const char *bad[] = {"",      "x",     "2x",   "x2",   "0x1",  "1x0", "0:1x1",
                         "1x2x3", "a:1x1", "1x2 ", "-1x2", "1:x2", "2:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hb_err_clear();
        CHECK_INT(hb_layout_parse("--layouts", bad[i], &one), HB_EUSAGE);
        CHECK(strstr(hb_errmsg(HB_EUSAGE), "--layouts") != NULL);
    }
    launchers();
    return hb_check_summary();
}
