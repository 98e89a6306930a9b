"""The work each tool is given, built the same way for every tool.

A workload is a list of argument tuples for one function, in task order:
    mc   the lesson's scan: points (beta outermost, then m, then h), each
         run_mc(m, h, beta, sweeps, filename, seed)
    pi   pi_stream(stream, samples, seed) for stream = 0..S-1
    pow  pow(base, exponent) element by element
"""
import itertools

LESSON_BETAS = [0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0]
LESSON_MS = [0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0]
LESSON_HS = [0.25, 0.5, 1.0, 2.5]


def mc_filename(beta, m, h):
    """The lesson's file name for a point: Python f-string formatting of floats."""
    return f'b{beta}_m{m}_h{h}.dat'


def mc_points(betas, ms, hs):
    """Cartesian product in the lesson's order: beta outermost, then m, then h."""
    return list(itertools.product(betas, ms, hs))


def mc_seed(seed, index):
    """A per-point seed for Python's generator, keyed by the point index only."""
    return seed * 1_000_003 + index


def parse_number(text):
    """A list element as the lesson's Python literal would be: int if it is one, else float."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def parse_list(text):
    """'1,2,3' -> [1, 2, 3]; '0.5,2' -> [0.5, 2]."""
    return [parse_number(t) for t in text.split(',') if t != '']


def pow_generated(elements):
    """Generated (base, exponent) pairs for the hand-out cost workload.

    The values only need to be cheap and finite: the workload measures what
    handing out a task costs, not pow itself.
    """
    bases = [1.0 + (i % 1024) / 1024.0 for i in range(elements)]
    exponents = [0.5 + (i % 7) for i in range(elements)]
    return bases, exponents
