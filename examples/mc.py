"""The lesson's Monte Carlo point in plain Python: the task of the examples.

run_mc(m, h, beta, iteration_count, filename, seed) is one parameter point of
the lesson's scan: Metropolis Monte Carlo of the Euclidean path integral of
the harmonic oscillator (omega = 1) on a periodic lattice of `slices` sites,
spacing a = beta / slices, action
    S = sum_i [ m (x_{i+1} - x_i)^2 / (2a) + a m x_i^2 / 2 ],
one sweep = one Metropolis update of every site with a uniform proposal of
half-width h; of iteration_count sweeps the first iteration_count // 10 are
thermalisation, and acceptance and <x^2> are measured over the rest (as
hybench's mc kernel does). It writes <x^2>, a binned standard error, the
acceptance rate and the exact lattice value to `filename` as `# key = value`
lines, the keys of hybench's mc files, and returns (x2, x2_err, acceptance).

As a command, one process per task:

    python3 mc.py BETA M H [SWEEPS [SEED [TASK]]]

prints the point's file to standard output, with Python's generator seeded
by point_seed(SEED, TASK); hybench's cmd kernel gives each point its own
file with --stdout 'mc_data/b{beta}_m{m}.dat'. mc_worker.py serves the same
points from one long-lived process per worker.

Everything run_mc needs is imported inside it, and it calls no function of
this module: pathos' ParallelPool ships a function's source to fresh
interpreters, which know no module globals.
"""
import sys


def point_seed(seed, task):
    """Python's seed for task `task` of a run with --seed `seed`: the task index only."""
    return seed * 1_000_003 + task


def exact_x2(m, beta, slices=64):
    """Exact <x^2> of the lattice action: (1/N) sum_k a / (m (4 sin^2(pi k/N) + a^2))."""
    import math
    a = beta / slices
    return sum(a / (m * (4.0 * math.sin(math.pi * k / slices) ** 2 + a * a))
               for k in range(slices)) / slices


def run_mc(m, h, beta, iteration_count, filename, seed=None, slices=64):
    """One parameter point; returns (x2, x2_err, acceptance) and writes filename."""
    import math
    import random

    rng = random.Random(seed)
    uniform = rng.random
    exp = math.exp
    a = beta / slices
    kin = m / (2.0 * a)      # coefficient of the hopping term
    pot = a * m / 2.0        # coefficient of the potential term
    x = [0.0] * slices
    thermalize = iteration_count // 10
    accepted = 0
    series = []
    for sweep in range(iteration_count):
        measured = sweep >= thermalize
        for i in range(slices):
            old = x[i]
            new = old + h * (2.0 * uniform() - 1.0)
            left = x[i - 1]
            right = x[i + 1 - slices]  # i + 1 wrapped without a modulo
            # Only the terms that touch site i change.
            d_s = (kin * ((right - new) ** 2 + (new - left) ** 2
                          - (right - old) ** 2 - (old - left) ** 2)
                   + pot * (new * new - old * old))
            if d_s <= 0.0 or uniform() < exp(-d_s):
                x[i] = new
                accepted += measured
        if measured:
            series.append(sum(v * v for v in x) / slices)

    # Binned error: 20 consecutive blocks of sweeps, so that blocks longer
    # than the autocorrelation time are close to independent.
    n = len(series)
    x2 = sum(series) / n
    size = max(1, n // 20)
    means = [sum(series[b * size:(b + 1) * size]) / size for b in range(n // size)]
    nb = len(means)
    var = sum((v - x2) ** 2 for v in means) / (nb - 1) if nb > 1 else float('nan')
    x2_err = math.sqrt(var / nb)
    acceptance = accepted / (n * slices)

    # exact_x2, inlined (see the module's note on ParallelPool)
    exact = sum(a / (m * (4.0 * math.sin(math.pi * k / slices) ** 2 + a * a))
                for k in range(slices)) / slices
    fields = [('beta', beta), ('m', m), ('h', h), ('slices', slices),
              ('iterations', iteration_count), ('thermalize', thermalize), ('seed', seed),
              ('accepted', accepted), ('acceptance', acceptance), ('x2', x2),
              ('x2_err', x2_err), ('bins', nb), ('bin_length', size), ('x2_exact', exact)]
    with open(filename, 'w') as f:
        f.write('# reference mc point (plain Python Metropolis)\n')
        f.writelines(f'# {key} = {value!r}\n' for key, value in fields)
    return x2, x2_err, acceptance


def main(argv):
    if not 3 <= len(argv) <= 6:
        sys.exit('usage: mc.py BETA M H [SWEEPS [SEED [TASK]]]')
    beta, m, h = (float(v) for v in argv[:3])
    sweeps = int(argv[3]) if len(argv) > 3 else 1000
    seed = point_seed(int(argv[4]) if len(argv) > 4 else 1, int(argv[5]) if len(argv) > 5 else 0)
    run_mc(m, h, beta, sweeps, '/dev/stdout', seed)


if __name__ == '__main__':
    main(sys.argv[1:])
