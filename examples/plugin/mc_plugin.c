/* The lesson's Monte Carlo point as a hybench plug-in: a C function per
 * parameter point, loaded by `hybench run --kernel plugin`.
 *
 *   hybench run --kernel plugin --plugin ./mc_plugin.so \
 *       --param beta=0.5,1.0,2.0 --param m=0.5,1.0 --param h=1.0 --param sweeps=2000
 *
 * Metropolis Monte Carlo of the harmonic oscillator's Euclidean path
 * integral (omega = 1) on a periodic lattice of 64 sites, spacing
 * a = beta / 64, proposals uniform in (-h, h), the first tenth of the sweeps
 * discarded; the result is (acceptance, <x^2>, the exact lattice <x^2>,
 * sweeps). The random stream is SplitMix64 keyed by the seed and the task
 * index, never by the thread that runs it, so every layout gives the same
 * bits. The function keeps its state on the stack: safe on many threads.
 *
 * Built by hybench's CMake, or by hand against an installed hybench:
 *   cc -O2 -shared -fPIC $(pkg-config --cflags hybench) mc_plugin.c \
 *      -o mc_plugin.so $(pkg-config --libs hybench) -lm */
#include <math.h>
#include <stdint.h>

#include <hybench/plugin.h>

#define SLICES 64

HB_PLUGIN_DEFINE_ABI;
HB_PLUGIN_EXPORT hb_plugin_fn hybench_task;

/* SplitMix64: a tiny generator with a 64-bit state; (0, 1) doubles. */
static double uniform(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) * 0x1.0p-53;
}

int hybench_task(const hb_plugin_task *t, hb_plugin_result *r) {
    double beta = hb_plugin_value(t, "beta", 1.0), m = hb_plugin_value(t, "m", 1.0);
    double h = hb_plugin_value(t, "h", 1.0), sweeps_d = hb_plugin_value(t, "sweeps", 1000);
    if (!(beta > 0) || !(m > 0) || !(h > 0) || !(sweeps_d >= 10) || sweeps_d > 1e9)
        return 1; /* hybench names the task and its point */
    long sweeps = (long)sweeps_d, thermalize = sweeps / 10;
    double a = beta / SLICES, kin = m / (2 * a), pot = a * m / 2;
    double x[SLICES] = {0}, x2 = 0;
    uint64_t s = t->seed * 0x9e3779b97f4a7c15u ^ (t->index + 1) * 0xd1b54a32d192ed03u;
    long accepted = 0;
    for (long sweep = 0; sweep < sweeps; sweep++) {
        for (int i = 0; i < SLICES; i++) {
            double old = x[i], new = old + h *(2 * uniform(&s) - 1);
            double left = x[(i + SLICES - 1) % SLICES], right = x[(i + 1) % SLICES];
            double ds = kin * ((right - new) * (right - new) + (new - left) * (new - left) -
                               (right - old) * (right - old) - (old - left) * (old - left)) +
                        pot * (new *new - old *old);
            if (ds <= 0 || uniform(&s) < exp(-ds)) {
                x[i] = new;
                accepted += sweep >= thermalize;
            }
        }
        if (sweep >= thermalize) {
            double q = 0;
            for (int i = 0; i < SLICES; i++)
                q += x[i] * x[i];
            x2 += q / SLICES;
        }
    }
    double exact = 0;
    for (int k = 0; k < SLICES; k++) {
        double sn = sin(3.14159265358979323846 * k / SLICES);
        exact += a / (m * (4 * sn * sn + a * a));
    }
    long measured = sweeps - thermalize;
    r->value[0] = (double)accepted / ((double)measured * SLICES);
    r->value[1] = x2 / (double)measured;
    r->value[2] = exact / SLICES;
    r->value[3] = (double)sweeps;
    return 0;
}
