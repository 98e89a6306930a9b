/* Unit tests of the mc kernel: the exact lattice value, Philox, the
 * simulation against the exact value, point lists and their refusals, file
 * names, the .dat writer and reader, and --resume. Drives the kernel through
 * its hb_kernel functions as the harness does, with MPI_COMM_NULL. */
#define _POSIX_C_SOURCE 200809L

#include <Random123/philox.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "hybench/args.h"
#include "hybench/error.h"
#include "hybench/kernel.h"
#include "kernel_util.h"
#include "hybench/mc.h"

extern const hb_kernel hb_kernel_mc;

#define OUT "test_mc_out"

/* The plan of the kernel last created. */
static hb_kernel_plan plan;

/* Parse words as the harness would, plan and create the kernel. */
static int create(const char *words, uint64_t seed, bool resume, void **state, hb_args *a) {
    char buf[1024], *argv[64];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", words);
    for (char *t = strtok(buf, " "); t && argc < 64; t = strtok(NULL, " "))
        argv[argc++] = strcmp(t, "''") == 0 ? t + 2 : t; /* '' is an empty word */
    const hb_option *tables[] = {hb_kernel_mc.options, NULL};
    int rc = hb_args_parse(argc, argv, tables, a);
    if (rc)
        return rc;
    hb_kernel_cfg cfg = {.seed = seed, .resume = resume, .ranks = 1, .threads = 1};
    hb_kernel_plan_free(&plan);
    return hb_test_create(&hb_kernel_mc, a, cfg, &plan, state);
}

/* Run every task of a kernel made from words; returns the verdict status. */
static int run_scan(const char *words, uint64_t seed, bool resume, hb_verdict *v) {
    hb_args a;
    void *st = NULL;
    int rc = create(words, seed, resume, &st, &a);
    CHECK_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "  %s\n", hb_errmsg(rc));
        return -1;
    }
    hb_worker w = {0, 0, 0, -1, "test"};
    CHECK_INT(hb_kernel_mc.begin(st), 0);
    for (size_t i = 0; i < plan.ntasks; i++)
        CHECK_INT(hb_kernel_mc.task(st, i, &w), 0);
    CHECK_INT(hb_kernel_mc.reduce(st, MPI_COMM_NULL), 0);
    memset(v, 0, sizeof *v);
    CHECK_INT(hb_kernel_mc.verify(st, v), 0);
    hb_kernel_mc.destroy(st);
    hb_args_free(&a);
    return (int)v->status;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *t = malloc(1 << 20);
    *len = t ? fread(t, 1, 1 << 20, f) : 0;
    fclose(f);
    return t;
}

static void test_exact(void) {
    /* The lattice value tends to the continuum coth(beta/2) / (2m) as a -> 0. */
    const double betas[] = {0.5, 1, 4}, ms[] = {0.5, 1, 2};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double cont = 1 / tanh(betas[i] / 2) / (2 * ms[j]);
            CHECK_NEAR(hb_mc_exact(betas[i], ms[j], 1 << 14) / cont, 1, 1e-6);
        }
    /* Two sites by hand: eigenvalues a m and (4 + a^2) m / a of the action. */
    double a = 0.5, two = 0.5 * (1 / a + a / (4 + a * a));
    CHECK_NEAR(hb_mc_exact(1.0, 1.0, 2), two, 1e-15);
}

static void test_philox(void) {
    const uint64_t seeds[] = {0, 1, 0x123456789abcdefu, UINT64_MAX};
    for (int s = 0; s < 4; s++)
        for (uint32_t j = 0; j < 50; j++) {
            uint32_t ctr[4] = {j * 2654435761u, j, 0xdeadbeefu ^ j, ~j}, out[4];
            hb_mc_philox(ctr, seeds[s], out);
            philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
            philox4x32_key_t k = {{(uint32_t)seeds[s], (uint32_t)(seeds[s] >> 32)}};
            philox4x32_ctr_t r = philox4x32_R(10, c, k);
            for (int w = 0; w < 4; w++)
                CHECK_INT(out[w], r.v[w]);
        }
}

static void test_simulate(void) {
    /* Odd and even lattices, well mixed: within 5 sigma, and deterministic. */
    hb_mc_point pts[] = {{8, 1, 1, 40000, 4000, 8}, {12, 0.5, 2, 40000, 4000, 7}};
    for (int i = 0; i < 2; i++) {
        hb_mc_result r1, r2;
        CHECK_INT(hb_mc_simulate(&pts[i], 7, &r1, NULL), 0);
        CHECK_INT(hb_mc_simulate(&pts[i], 7, &r2, NULL), 0);
        CHECK(memcmp(&r1, &r2, sizeof r1) == 0);
        CHECK_INT(r1.mixing, HB_MC_MIXED);
        CHECK(fabs(r1.deviation) <= 5);
        CHECK(r1.bins >= HB_MC_MIN_BINS);
        CHECK(r1.acceptance > 0.1 && r1.acceptance < 0.9);
    }
    /* A huge proposal on a fine lattice: hardly anything moves; flagged. */
    hb_mc_point bad = {0.1, 10, 2.5, 2000, 200, 64};
    hb_mc_result r;
    CHECK_INT(hb_mc_simulate(&bad, 1, &r, NULL), 0);
    CHECK(r.mixing != HB_MC_MIXED);
}

/* The result bits of points of every lattice shape the sweep treats apart
 * (odd N, fewer sites than a vector, partial vectors), as the files of
 * format 2 were first written (GCC 12, AVX2 and AVX-512 builds): every build
 * must reproduce them exactly, whatever its vector code, since a file's
 * bytes are the contract (3000 sweeps, 300 thermalisation). */
static void test_result_bits(void) {
    static const struct {
        uint64_t slices;
        double beta, m, h;
        uint64_t seed, accepted, x2, x2_err, tau;
    } want[] = {
        {2, 4, 0.5, 0.5, 1000, 4756, 0x3fe411fbe3125389u, 0x3faa434a07f5576eu, 0x4022b2094e789aa2u},
        {3, 5, 0.75, 0.69999999999999996, 1077, 6430, 0x3fe035be8104f876u, 0x3f9b2f32376e82dbu,
         0x4019bf9dbab3ae39u},
        {5, 6, 1, 0.90000000000000002, 1154, 9604, 0x3fdf362b097848e5u, 0x3f937405dd56f99eu,
         0x4013162b184dbc5du},
        {8, 7, 1.25, 1.1000000000000001, 1231, 12992, 0x3fd7d8659b57f9d4u, 0x3f85758ec4e9c5b5u,
         0x400c24a65fe78e64u},
        {9, 8, 1.5, 1.3, 1308, 12632, 0x3fd30bef17e2736bu, 0x3f799eb8cd42456du,
         0x4003f7daebba6025u},
        {17, 9, 1.75, 1.5, 1385, 17401, 0x3fd1c3c52022cafcu, 0x3f8188b0a77af0ecu,
         0x40153cab9ed05cbeu},
        {24, 10, 2, 1.7000000000000002, 1462, 18696, 0x3fd003a1d612aebcu, 0x3f8c97a9088e09b2u,
         0x4027f8b5885d6413u},
        {33, 11, 2.25, 1.9000000000000001, 1539, 19989, 0x3fccba70307e9471u, 0x3f90fe541605a8f2u,
         0x40304f21317c3647u},
        {64, 12, 2.5, 2.1000000000000001, 1616, 25141, 0x3fc9bcfcf2c649f4u, 0x3f7e1c50755007d7u,
         0x403345183234a027u},
        {65, 13, 2.75, 2.3000000000000003, 1693, 22988, 0x3fc9f7533109a913u, 0x3f9517b13fc0ed50u,
         0x4037b7fe36ebca5cu},
        {130, 14, 3, 2.5, 1770, 30105, 0x3fc45485377087aeu, 0x3f876938ffb5204au,
         0x40388147eed4e435u},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        hb_mc_point p = {want[i].beta, want[i].m, want[i].h, 3000, 300, want[i].slices};
        hb_mc_result r;
        CHECK_INT(hb_mc_simulate(&p, want[i].seed, &r, NULL), 0);
        uint64_t x2, err, tau;
        memcpy(&x2, &r.x2, sizeof x2);
        memcpy(&err, &r.x2_err, sizeof err);
        memcpy(&tau, &r.tau_int, sizeof tau);
        if (r.accepted != want[i].accepted || x2 != want[i].x2 || err != want[i].x2_err ||
            tau != want[i].tau)
            fprintf(stderr, "slices %llu: accepted %llu x2 %.17g tau %.17g differ\n",
                    (unsigned long long)want[i].slices, (unsigned long long)r.accepted, r.x2,
                    r.tau_int);
        CHECK_INT(r.accepted, want[i].accepted);
        CHECK(x2 == want[i].x2);
        CHECK(err == want[i].x2_err);
        CHECK(tau == want[i].tau);
    }
}

/* A Gaussian AR(1) series x_t = phi x_{t-1} + e_t has rho(t) = phi^t and
 * tau_int = (1 + phi) / (2 (1 - phi)); the estimator must find it. */
static double ar1_next(uint64_t *s, double x, double phi) {
    double u[2];
    for (int i = 0; i < 2; i++) {
        *s = *s * 6364136223846793005u + 1442695040888963407u;
        u[i] = ((double)(*s >> 11) + 0.5) * 0x1p-53;
    }
    return phi * x + sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

static void test_tau(void) {
    const double phis[] = {0, 0.5, 0.9, 0.98};
    size_t n = 200000;
    double *y = malloc(n * sizeof *y);
    for (int k = 0; k < 4; k++) {
        uint64_t s = 42 + (uint64_t)k;
        double x = 0, tau, want = (1 + phis[k]) / (2 * (1 - phis[k]));
        for (size_t i = 0; i < 1000; i++)
            x = ar1_next(&s, x, phis[k]);
        for (size_t i = 0; i < n; i++)
            y[i] = x = ar1_next(&s, x, phis[k]);
        size_t w;
        CHECK_INT(hb_mc_tau_sokal(y, n, n / 10, &tau, &w), 0);
        if (fabs(tau / want - 1) > 0.1)
            fprintf(stderr, "  phi %g: tau %g, want %g\n", phis[k], tau, want);
        CHECK_NEAR(tau / want, 1, 0.1);
        CHECK((double)w >= HB_MC_WINDOW_C * tau && (double)(w - 1) < HB_MC_WINDOW_C * want * 1.2);
        /* An unconverged window stops at its limit. */
        if (k == 3) {
            CHECK_INT(hb_mc_tau_sokal(y, n, 5, &tau, &w), 0);
            CHECK_INT(w, 5);
            CHECK(5 < HB_MC_WINDOW_C * tau);
        }
    }
    /* A constant series: tau 0, window 0. */
    for (size_t i = 0; i < 100; i++)
        y[i] = 1.5;
    double tau = -1;
    size_t w = 7;
    CHECK_INT(hb_mc_tau_sokal(y, 100, 10, &tau, &w), 0);
    CHECK(tau == 0 && w == 0);
    free(y);
    /* Bins: ceil(10 tau), at least a sweep, whole series steps, at most all. */
    CHECK_INT(hb_mc_series_step(65536), 1);
    CHECK_INT(hb_mc_series_step(65537), 2);
    CHECK_INT(hb_mc_series_step(900000000), 16384);
    CHECK_INT(hb_mc_bin_length(9000, 3.21), 33);
    CHECK_INT(hb_mc_bin_length(9000, 0), 1);
    CHECK_INT(hb_mc_bin_length(9000, -0.2), 1);
    CHECK_INT(hb_mc_bin_length(9000, 1e6), 9000);
    CHECK_INT(hb_mc_bin_length(90000, 3.21), 34);
    CHECK_INT(hb_mc_bin_length(90001, 1e9), 90000);
}

/* Calibration in small: well-mixed points of different tau_int, four seeds;
 * the deviations in sigma must look like unit normals. Deterministic (the
 * streams are fixed), so it cannot flake; a wrong error bar (too small:
 * large deviations; too large: tiny RMS) fails it. */
static void test_calibration(void) {
    const double betas[] = {8, 12}, hs[] = {0.5, 1};
    double ss = 0, worst = 0;
    int n = 0, mixed = 0;
    for (uint64_t seed = 1; seed <= 4; seed++)
        for (int b = 0; b < 2; b++)
            for (int h = 0; h < 2; h++) {
                hb_mc_point p = {betas[b], 1, hs[h], 60000, 6000, 16};
                hb_mc_result r;
                CHECK_INT(hb_mc_simulate(&p, seed, &r, NULL), 0);
                n++;
                if (r.mixing != HB_MC_MIXED)
                    continue;
                mixed++;
                ss += r.deviation * r.deviation;
                worst = fabs(r.deviation) > worst ? fabs(r.deviation) : worst;
            }
    double rms = mixed ? sqrt(ss / mixed) : 0;
    if (mixed != n || rms < 0.5 || rms > 1.6 || worst > 4)
        fprintf(stderr, "  calibration: %d of %d well mixed, RMS %.3f, worst %.2f sigma\n", mixed,
                n, rms, worst);
    CHECK_INT(mixed, n);
    CHECK(rms > 0.5 && rms < 1.6);
    CHECK(worst <= 4);
}

static void test_kernel_verifies(void) {
    hb_verdict v;
    int st = run_scan("--beta 8,12,16 --m 1 --h 1.5 --slices 8 --iterations 20000 --out-dir " OUT
                      "/three",
                      1, false, &v);
    CHECK_INT(st, HB_VERIFIED);
    CHECK_STR(v.result, "points=3 within5sigma=3 flagged=0 failed=0");
    free(v.report);
    struct stat sb;
    CHECK(stat(OUT "/three/b12.0_m1.0_h1.5.dat", &sb) == 0);
    /* Poorly mixed points are flagged by name and leave the run unverified. */
    st =
        run_scan("--beta 0.1,8 --m 10 --h 2.5 --slices 64 --iterations 1000 --out-dir " OUT "/flag",
                 1, false, &v);
    CHECK_INT(st, HB_UNVERIFIED);
    CHECK(v.report && strstr(v.report, "flagged b0.1_m10.0_h2.5.dat"));
    CHECK(strstr(v.why, "poorly mixed") != NULL);
    free(v.report);
}

static void test_names(void) {
    hb_dlist b = {0}, m = {0}, h = {0};
    CHECK_INT(hb_parse_dlist("--beta", "0.1,0.2,0.3,0.5,1.0,2.0,3.0,5.0,10.0", &b), 0);
    CHECK_INT(hb_parse_dlist("--m", "0.1,0.2,0.3,0.5,1,2,3,5,10", &m), 0);
    CHECK_INT(hb_parse_dlist("--h", "0.25,0.5,1.0,2.5", &h), 0);
    hb_mc_defaults d = {10000, UINT64_MAX, 64};
    hb_mc_point *p = NULL;
    size_t n = 0;
    CHECK_INT(hb_mc_points_from_lists(&b, &m, &h, false, &d, &p, &n), 0);
    CHECK_INT(n, 324);
    char name[HB_MC_NAME_MAX];
    if (n == 324) {
        CHECK_STR(hb_mc_file_name(name, &p[0]), "b0.1_m0.1_h0.25.dat");
        CHECK_STR(hb_mc_file_name(name, &p[1]), "b0.1_m0.1_h0.5.dat");
        CHECK_STR(hb_mc_file_name(name, &p[4]), "b0.1_m0.2_h0.25.dat");
        CHECK_STR(hb_mc_file_name(name, &p[36]), "b0.2_m0.1_h0.25.dat");
        CHECK_STR(hb_mc_file_name(name, &p[323]), "b10.0_m10.0_h2.5.dat");
        CHECK_INT(p[0].thermalize, 1000);
        /* All different. */
        int same = 0;
        char other[HB_MC_NAME_MAX];
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                same += strcmp(hb_mc_file_name(name, &p[i]), hb_mc_file_name(other, &p[j])) == 0;
        CHECK_INT(same, 0);
    }
    free(p);
    hb_dlist_free(&b);
    hb_dlist_free(&m);
    hb_dlist_free(&h);

    /* The lesson's seven zipped points, h repeated. */
    hb_dlist zb = {0}, zm = {0}, zh = {0};
    CHECK_INT(hb_parse_dlist("--beta", "0.5,0.5,1.0,1.0,1.0,2.0,2.0", &zb), 0);
    CHECK_INT(hb_parse_dlist("--m", "0.5,1.0,0.5,1.0,2.0,1.0,2.0", &zm), 0);
    CHECK_INT(hb_parse_dlist("--h", "1.0", &zh), 0);
    CHECK_INT(hb_mc_points_from_lists(&zb, &zm, &zh, true, &d, &p, &n), 0);
    const char *want[] = {"b0.5_m0.5_h1.0.dat", "b0.5_m1.0_h1.0.dat", "b1.0_m0.5_h1.0.dat",
                          "b1.0_m1.0_h1.0.dat", "b1.0_m2.0_h1.0.dat", "b2.0_m1.0_h1.0.dat",
                          "b2.0_m2.0_h1.0.dat"};
    CHECK_INT(n, 7);
    for (size_t i = 0; i < n && i < 7; i++)
        CHECK_STR(hb_mc_file_name(name, &p[i]), want[i]);
    free(p);
    hb_dlist_free(&zb);
    hb_dlist_free(&zm);
    hb_dlist_free(&zh);
}

/* words must be refused with HB_EUSAGE and a message containing needle. */
static void refused(const char *words, const char *needle) {
    hb_args a = {0};
    void *st = NULL;
    hb_err_clear();
    int rc = create(words, 1, false, &st, &a);
    CHECK_INT(rc, HB_EUSAGE);
    const char *msg = hb_errmsg(rc);
    if (!strstr(msg, needle))
        fprintf(stderr, "  for '%s': message '%s' lacks '%s'\n", words, msg, needle);
    CHECK(strstr(msg, needle) != NULL);
    CHECK(strchr(msg, '\n') == NULL);
    if (!rc)
        hb_kernel_mc.destroy(st);
    hb_args_free(&a);
}

static void test_refusals(void) {
    refused("--beta ''", "--beta");
    refused("--beta 1,,2", "--beta");
    refused("--m nan", "--m");
    refused("--m 0", "--m: 0.0 is not > 0");
    refused("--m -1", "--m: -1.0");
    refused("--beta 0", "--beta: 0.0");
    refused("--h -0.5", "--h: -0.5");
    refused("--h 0:1:0", "step 0");
    refused("--beta 1:2:-1", "--beta");
    refused("--beta 0.1:1e300:1e-300", "--beta");
    refused("--zip --beta 1,2 --m 1,2,3", "--zip");
    refused("--beta 1,2,1", "given twice");
    refused("--iterations 100 --thermalize 100", "thermalize");
    refused("--slices 1", "--slices");
    refused("--iterations 0", "--iterations");
    refused("--points nonexistent.csv", "nonexistent.csv");
    refused("--points " OUT "/p_ok.csv --beta 1", "--points");
    refused("--out-dir ''", "--out-dir");
    write_text(OUT "/p_nom.csv", "beta,h\n1,1\n");
    refused("--points " OUT "/p_nom.csv", "no column 'm'");
    write_text(OUT "/p_bad.csv", "h, beta ,m\n1,1,1\n# comment\n\n2,1,x\n");
    refused("--points " OUT "/p_bad.csv", "line 5");
    write_text(OUT "/p_neg.csv", "beta,m,h\n1,1,1\n1,-2,1\n");
    refused("--points " OUT "/p_neg.csv", "line 3");
    write_text(OUT "/p_fields.csv", "beta,m,h\n1,1\n");
    refused("--points " OUT "/p_fields.csv", "line 2");
    write_text(OUT "/p_col.csv", "beta,m,h,mass\n1,1,1,1\n");
    refused("--points " OUT "/p_col.csv", "unknown column 'mass'");
    write_text(OUT "/p_dup.csv", "beta,m,h\n1,1,1\n2,1,1\n1.0,1,1\n");
    refused("--points " OUT "/p_dup.csv", "line 4");
    write_text(OUT "/p_empty.csv", "beta,m,h\n");
    refused("--points " OUT "/p_empty.csv", "no points");
    write_text(OUT "/p_it.csv", "beta,m,h,iterations\n1,1,1,0\n");
    refused("--points " OUT "/p_it.csv", "line 2");
    /* Nothing of the refused runs was written. */
    struct stat sb;
    CHECK(stat("mc_data", &sb) != 0);
}

static void test_points_file(void) {
    write_text(OUT "/p_ok.csv", "# uneven\nh,beta,m,iterations\n1.5,8,1,2000\n1.5,16,1,300\r\n");
    hb_mc_defaults d = {10000, UINT64_MAX, 16};
    hb_mc_point *p = NULL;
    size_t n = 0;
    CHECK_INT(hb_mc_points_read(OUT "/p_ok.csv", &d, &p, &n), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK(p[0].beta == 8 && p[0].m == 1 && p[0].h == 1.5);
        CHECK_INT(p[0].iterations, 2000);
        CHECK_INT(p[0].thermalize, 200);
        CHECK_INT(p[1].iterations, 300);
        CHECK_INT(p[1].slices, 16);
    }
    free(p);
}

static void test_format_parse(void) {
    hb_mc_point pt = {2, 1, 1, 500, 50, 6};
    double *trace = malloc(500 * sizeof *trace);
    hb_mc_file f = {.point = pt, .seed = 42, .trace = trace};
    CHECK_INT(hb_mc_simulate(&pt, 42, &f.result, trace), 0);
    char *text;
    size_t len;
    CHECK_INT(hb_mc_format(&f, &text, &len), 0);
    CHECK(strstr(text, "# x2_exact = ") != NULL);
    hb_mc_file g;
    CHECK_INT(hb_mc_parse(text, len, &g), 0);
    CHECK(memcmp(&g.point, &pt, sizeof pt) == 0);
    CHECK(g.seed == 42 && g.trace && g.trace[499] == trace[499]);
    CHECK(g.result.x2 == f.result.x2 && g.result.deviation == f.result.deviation);
    hb_mc_file_free(&g);
    /* Format 1 files (64 equal bins) are refused, so --resume redoes them. */
    char *old = malloc(len);
    memcpy(old, text, len);
    char *fmt = strstr(old, "# format = 2\n");
    CHECK(fmt != NULL);
    if (fmt) {
        fmt[11] = '1';
        CHECK(hb_mc_parse(old, len, &g) != 0);
    }
    free(old);
    /* Every truncation is refused but the one that drops the whole trace (a
     * valid file without one); single-byte changes never crash. */
    int accepted = 0;
    for (size_t cut = 0; cut < len; cut++)
        if (hb_mc_parse(text, cut, &g) == 0) {
            accepted++;
            hb_mc_file_free(&g);
        }
    CHECK_INT(accepted, 1);
    size_t trace_at = (size_t)(strstr(text, "# trace = ") - text);
    char *copy = malloc(len);
    unsigned seed = 12345;
    for (int k = 0; k < 3000; k++) {
        memcpy(copy, text, len);
        seed = seed * 1103515245u + 12345u;
        size_t at = (seed >> 8) % len;
        copy[at] = (char)(seed >> 3);
        if (hb_mc_parse(copy, len, &g) == 0) {
            /* Only trace values are free data; any other change is caught. */
            CHECK(at >= trace_at || memcmp(copy, text, len) == 0);
            hb_mc_file_free(&g);
        }
    }
    free(copy);
    free(text);
    free(trace);
    hb_err_clear();
}

static void test_resume(void) {
    const char *words =
        "--beta 8 --m 1 --h 1 --slices 8 --iterations 8000 --out-dir " OUT "/resume";
    const char *path = OUT "/resume/b8.0_m1.0_h1.0.dat";
    hb_verdict v;
    run_scan(words, 3, false, &v);
    free(v.report);
    size_t len0, len1;
    char *orig = slurp(path, &len0);
    CHECK(orig != NULL);
    hb_mc_point p = {8, 1, 1, 8000, 800, 8};
    hb_mc_result r;
    CHECK_INT(hb_mc_resume(OUT "/resume", &p, 3, false, &r), 1);
    CHECK_INT(hb_mc_resume(OUT "/resume", &p, 4, false, &r), 0); /* other seed */
    CHECK_INT(hb_mc_resume(OUT "/resume", &p, 3, true, &r), 0);  /* wants a trace */
    hb_mc_point q = p;
    q.iterations = 9000;
    q.thermalize = 900;
    CHECK_INT(hb_mc_resume(OUT "/resume", &q, 3, false, &r), 0); /* other sweeps */
    /* A torn file is recomputed by a resumed scan, to the same bytes. */
    if (orig) {
        FILE *f = fopen(path, "wb");
        fwrite(orig, 1, len0 / 2, f);
        fclose(f);
    }
    CHECK_INT(hb_mc_resume(OUT "/resume", &p, 3, false, &r), 0);
    run_scan(words, 3, true, &v);
    free(v.report);
    char *again = slurp(path, &len1);
    CHECK(orig && again && len0 == len1 && memcmp(orig, again, len0) == 0);
    /* A resumed scan whose files are complete gives the same verdict. */
    CHECK_INT(run_scan(words, 3, true, &v), HB_VERIFIED);
    free(v.report);
    free(orig);
    free(again);
}

int main(void) {
    mkdir(OUT, 0777);
    test_exact();
    test_philox();
    test_simulate();
    test_result_bits();
    test_tau();
    test_calibration();
    test_kernel_verifies();
    test_names();
    test_points_file();
    test_refusals();
    test_format_parse();
    test_resume();
    return hb_check_summary();
}
