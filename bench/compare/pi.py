"""Reference pi streams with numpy, as the lesson's numpy episode would.

pi_stream(stream, samples, seed) draws `samples` points in the unit square
from numpy's Philox generator keyed by (seed, stream) and returns how many
fall inside the quarter circle. The streams are independent tasks; totals are
added and pi is estimated in serial, as hybench's pi kernel does. numpy's
Philox is not hybench's (the key layout and the mapping to doubles differ),
so the hit counts agree statistically, not exactly.
"""

BLOCK = 1 << 20  # points per numpy call: large enough to amortise the call, small enough for cache


def pi_stream(stream, samples, seed):
    """Hits inside x^2 + y^2 < 1 among `samples` points of stream `stream`."""
    import numpy as np
    gen = np.random.Generator(np.random.Philox(key=(int(seed) << 64) | int(stream)))
    hits = 0
    left = int(samples)
    while left > 0:
        n = min(left, BLOCK)
        xy = gen.random((2, n))
        hits += int(np.count_nonzero(xy[0] * xy[0] + xy[1] * xy[1] < 1.0))
        left -= n
    return hits


def estimate(hits, samples):
    """(pi estimate, binomial standard error) from a hit total out of `samples` points."""
    p = hits / samples
    return 4.0 * p, 4.0 * (p * (1.0 - p) / samples) ** 0.5
