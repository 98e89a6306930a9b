"""A worker process for hybench's cmd kernel: the lesson's Monte Carlo point
served from one long-lived interpreter, as a process pool serves it.

    hybench run --kernel cmd --worker 'python3 mc_worker.py OUTDIR [SWEEPS]' \
        --param beta=... --param m=... --param h=...

hybench starts one such process per worker, pinned like that worker, and
writes one line per task to its standard input: task=N, then NAME=VALUE
pairs, tab-separated. For each line this runs run_mc (mc.py) on the point,
writes the lesson's file OUTDIR/b{beta}_m{m}_h{h}.dat and answers one line,
"x2 x2_err acceptance", on its standard output. Python's generator is seeded
by the task index and hybench's --seed (HB_SEED), never by the worker, so
the files are the same for every layout. Anything else this process prints
must go to standard error: standard output carries the answers.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mc import point_seed, run_mc  # noqa: E402


def main(argv):
    if not 1 <= len(argv) <= 2:
        sys.exit('usage: mc_worker.py OUTDIR [SWEEPS]')
    out = argv[0]
    sweeps = int(argv[1]) if len(argv) > 1 else 1000
    seed = int(os.environ.get('HB_SEED', '1'))
    os.makedirs(out, exist_ok=True)
    for line in sys.stdin:
        fields = dict(f.split('=', 1) for f in line.rstrip('\n').split('\t'))
        task = int(fields['task'])
        beta, m, h = (float(fields.get(k, '1.0')) for k in ('beta', 'm', 'h'))
        name = os.path.join(out, f'b{beta}_m{m}_h{h}.dat')
        x2, x2_err, acceptance = run_mc(m, h, beta, sweeps, name, point_seed(seed, task))
        print(f'{x2!r} {x2_err!r} {acceptance!r}', flush=True)


if __name__ == '__main__':
    main(sys.argv[1:])
