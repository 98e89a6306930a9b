/* The metadata sidecar: the facts about the machine, the MPI library and the
 * build that every row of a results file shares, as `key: value` lines. */
#define _DEFAULT_SOURCE /* gmtime_r, fsync, uname */
#include "hybench/meta.h"

#include "hybench/error.h"
#include "hybench/files.h"
#include "hybench/launch.h"
#include "hybench/noise.h"
#include "hybench/pin.h"
#include "hybench/timer.h"

#include <errno.h>
#include <stdbool.h>
#include <hwloc.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hb_git.h" /* HB_GIT_COMMIT, HB_GIT_DIRTY: written at every build */
#ifndef HB_COMPILER
#define HB_COMPILER "unknown"
#endif
#ifndef HB_CFLAGS
#define HB_CFLAGS "unknown"
#endif
#ifndef HB_VERSION
#define HB_VERSION "unknown"
#endif

const char *hb_meta_version(void) {
    return HB_VERSION;
}

const char *hb_meta_commit(void) {
    return HB_GIT_COMMIT;
}

const char *hb_meta_timestamp(char *buf, int len) {
    time_t now = time(NULL);
    struct tm tm;
    if (len <= 0)
        return buf;
    if (!gmtime_r(&now, &tm) || strftime(buf, (size_t)len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, (size_t)len, "unknown");
    return buf;
}

/* The library version string is several lines in MPICH; keep the first. */
static void mpi_library(char *buf, size_t len) {
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    int n = 0;
    if (MPI_Get_library_version(lib, &n) != MPI_SUCCESS) {
        snprintf(buf, len, "unknown");
        return;
    }
    lib[n < MPI_MAX_LIBRARY_VERSION_STRING ? n : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
    lib[strcspn(lib, "\r\n")] = '\0';
    snprintf(buf, len, "%s", lib);
}

/* This process's command line (/proc/self/cmdline) as one line: words
 * separated by spaces, a word with a blank, quote or shell character in
 * single quotes (' as '\''), control characters escaped. */
static void command_line(FILE *f) {
    char *text = NULL;
    size_t len = 0;
    if (hb_read_file("metadata", "/proc/self/cmdline", 1 << 20, 0, &text, &len) != 0 || !len) {
        hb_err_clear();
        fputs("unknown", f);
        free(text);
        return;
    }
    for (size_t at = 0; at < len;) {
        const char *w = text + at;
        size_t n = strnlen(w, len - at);
        bool quote = n == 0 || strcspn(w, " \t'\"\\$`!*?[]{}()<>|&;#~") < n;
        char esc[4096];
        hb_text_escape(w, esc, sizeof esc);
        fprintf(f, "%s%s", at ? " " : "", quote ? "'" : "");
        for (const char *c = esc; *c; c++)
            if (*c == '\'')
                fputs("'\\''", f);
            else
                fputc(*c, f);
        if (quote)
            fputc('\'', f);
        at += n + 1;
    }
    free(text);
}

int hb_meta_write(FILE *f, const struct hb_topo *t) {
    char ts[32], host[256] = "unknown", lib[MPI_MAX_LIBRARY_VERSION_STRING], desc[256];
    struct utsname u;
    int major = 0, minor = 0;
    unsigned hw = hwloc_get_api_version();

    gethostname(host, sizeof host - 1);
    mpi_library(lib, sizeof lib);
    MPI_Get_version(&major, &minor);
    fprintf(f, "hybench_version: %s\n", HB_VERSION);
    fprintf(f, "git_commit: %s\n", HB_GIT_COMMIT);
    fprintf(f, "git_dirty: %s\n", HB_GIT_DIRTY);
    fprintf(f, "timestamp: %s\n", hb_meta_timestamp(ts, sizeof ts));
    fprintf(f, "host: %s\n", host);
    if (uname(&u) == 0)
        fprintf(f, "os: %s %s %s\n", u.sysname, u.release, u.machine);
    if (t) {
        fprintf(f, "cpu_model: %s\n", hb_topo_cpu_model(t));
        fprintf(f, "packages: %d\n", hb_topo_packages(t));
        fprintf(f, "cores: %d\n", hb_topo_cores(t));
        fprintf(f, "pus: %d\n", hb_topo_pus(t));
        fprintf(f, "topology: %s\n", hb_topo_describe(t, desc, sizeof desc));
    } else {
        fprintf(f, "cpu_model: unknown\n");
    }
    fprintf(f, "hwloc: %u.%u.%u\n", hw >> 16, (hw >> 8) & 0xff, hw & 0xff);
    fprintf(f, "mpi_standard: %d.%d\n", major, minor);
    fprintf(f, "mpi_library: %s\n", lib);
    fprintf(f, "mpi_launchers: mpiexec=%s mpirun=%s\n", hb_launch_mpiexec(), hb_launch_mpirun());
    if (t) {
        char cpus[256];
        hb_cpus_from from;
        if (hb_topo_given(t, cpus, sizeof cpus, &from) == 0)
            fprintf(f, "cpus_allowed: %s (%s)\n", cpus, hb_cpus_from_name(from));
    }
#ifdef _OPENMP
    fprintf(f, "openmp: %d\n", (int)_OPENMP);
#endif
    fprintf(f, "compiler: %s\n", HB_COMPILER);
    fprintf(f, "cflags: %s\n", HB_CFLAGS);
    fprintf(f, "timer: clock_gettime(CLOCK_MONOTONIC), resolution %.3g s\n", hb_time_resolution());
    char gov[512];
    fprintf(f, "cpu_governor: %s\n", hb_noise_governor("/sys/devices/system/cpu", gov, sizeof gov));
    fputs("command: ", f);
    command_line(f);
    fputc('\n', f);
    return ferror(f) ? hb_fail(HB_EIO, "cannot write the metadata") : 0;
}

int hb_meta_write_file(const char *path, const struct hb_topo *t, const char *extra) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return hb_fail(HB_ENOMEM, "%s: out of memory", path);
    int rc = hb_meta_write(f, t);
    if (!rc && extra)
        fputs(extra, f);
    if (fclose(f) != 0 && !rc)
        rc = hb_fail(HB_ENOMEM, "%s: out of memory", path);
    if (!rc)
        rc = hb_write_atomic("metadata", path, text, len, 0644, true);
    free(text);
    return rc;
}
