"""One timed map through one Python tool; prints one JSON line.

    python job.py TOOL WORKLOAD --workers N [workload options]

TOOL is parallelpool (pathos.pools.ParallelPool), processpool
(pathos.pools.ProcessPool), ezmap (pyina.ez_map.ez_map under mpiexec) or
serial (the builtin map in this process). The JSON line holds the time to
start the pool (start_s), the time of the map call alone (map_s), the task
count and the result; the caller times the whole process from outside.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The lesson's mc is the examples' (examples/mc.py): one run_mc for hybench's
# worker, the pools and GNU parallel.
sys.path[:0] = [HERE, os.path.join(HERE, '..', '..', 'examples')]

import work  # noqa: E402
from mc import run_mc  # noqa: E402
from pi import pi_stream, estimate  # noqa: E402


def arguments(ns):
    """(function, argument lists, result folder) for the workload."""
    if ns.workload == 'mc':
        points = [tuple(float(v) for v in line.split(',')) for line in open(ns.points)
                  if line.strip() and not line.startswith('beta')]
        betas, ms, hs = zip(*points)
        n = len(points)
        os.makedirs(ns.out, exist_ok=True)
        names = [os.path.join(ns.out, work.mc_filename(b, m, h)) for b, m, h in points]
        seeds = [work.mc_seed(ns.seed, i) for i in range(n)]
        return run_mc, [list(ms), list(hs), list(betas), [ns.sweeps] * n, names, seeds]
    if ns.workload == 'pi':
        s = ns.streams
        return pi_stream, [list(range(s)), [ns.samples] * s, [ns.seed] * s]
    if ns.bases is not None:
        return pow, [work.parse_list(ns.bases), work.parse_list(ns.exponents)]
    return pow, list(work.pow_generated(ns.elements))


def start(tool, workers):
    if tool == 'parallelpool':
        from pathos.pools import ParallelPool
        return ParallelPool(nodes=workers)
    if tool == 'processpool':
        from pathos.pools import ProcessPool
        return ProcessPool(nodes=workers)
    return None


def run_map(tool, pool, workers, func, args, chunksize):
    if tool == 'serial':
        return list(map(func, *args))
    if tool == 'ezmap':
        from pyina.ez_map import ez_map
        return ez_map(func, *args, nodes=workers)
    if tool == 'processpool' and chunksize:
        return pool.map(func, *args, chunksize=chunksize)
    return pool.map(func, *args)


def summary(ns, results):
    if ns.workload == 'mc':
        return {'points': len(results)}
    if ns.workload == 'pi':
        hits = sum(results)
        est, se = estimate(hits, ns.streams * ns.samples)
        return {'hits': hits, 'pi': est, 'se': se}
    if ns.bases is not None:
        return {'list': repr(results)}
    return {'elements': len(results)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('tool', choices=['parallelpool', 'processpool', 'ezmap', 'serial'])
    p.add_argument('workload', choices=['mc', 'pi', 'pow'])
    p.add_argument('--workers', type=int, default=1)
    p.add_argument('--chunksize', type=int, default=0, help='processpool: 0 = the pool default')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--points', help='mc: CSV file beta,m,h')
    p.add_argument('--sweeps', type=int, default=10000)
    p.add_argument('--out', default='mc_data')
    p.add_argument('--streams', type=int, default=64)
    p.add_argument('--samples', type=int, default=1_000_000)
    p.add_argument('--elements', type=int, default=1000)
    p.add_argument('--bases')
    p.add_argument('--exponents')
    ns = p.parse_args()

    func, args = arguments(ns)
    t0 = time.perf_counter()
    pool = start(ns.tool, ns.workers)
    if pool is not None:
        # Workers are started lazily; one tiny map brings them up untimed.
        pool.map(abs, [0] * ns.workers)
    t1 = time.perf_counter()
    results = run_map(ns.tool, pool, ns.workers, func, args, ns.chunksize)
    t2 = time.perf_counter()
    if pool is not None:
        pool.close()
        pool.join()
        pool.clear()
    out = {'tool': ns.tool, 'workload': ns.workload, 'workers': ns.workers,
           'tasks': len(args[0]), 'start_s': t1 - t0, 'map_s': t2 - t1}
    out.update(summary(ns, results))
    print(json.dumps(out))


if __name__ == '__main__':
    main()
