"""Does a reference run agree with hybench's? Exit 0 yes, 1 no, 2 bad use.

    python check.py mc HYBENCH_DIR REFERENCE_DIR [--sigma 5]
        same set of file names; every point's <x^2> within sigma combined
        standard errors (sqrt(err_a^2 + err_b^2)) of the other's
    python check.py pi HITS_A SAMPLES_A HITS_B SAMPLES_B [--sigma 5]
        the two estimates within sigma combined binomial standard errors
    python check.py pow TEXT_A TEXT_B
        the printed result lists are the same text
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pi import estimate  # noqa: E402


def read_dat(path):
    """`# key = value` lines of an mc point file as a dict of strings."""
    fields = {}
    with open(path) as f:
        for line in f:
            if line.startswith('#') and ' = ' in line:
                key, value = line[1:].split(' = ', 1)
                fields[key.strip()] = value.strip()
    return fields


def check_mc(dir_a, dir_b, sigma, verbose=True):
    """Same file names and parameters; <x^2> within sigma on every point that
    dir_a (hybench's) calls well mixed. Poorly mixed points (a binned error that
    underestimates the real one) are counted, not judged."""
    names_a = sorted(n for n in os.listdir(dir_a) if n.endswith('.dat'))
    names_b = sorted(n for n in os.listdir(dir_b) if n.endswith('.dat'))
    ok = True
    if names_a != names_b:
        only_a = sorted(set(names_a) - set(names_b))
        only_b = sorted(set(names_b) - set(names_a))
        print(f'mc: file names differ: only in {dir_a}: {only_a[:5]}; only in {dir_b}: {only_b[:5]}')
        ok = False
    worst, judged, within, poor = 0.0, 0, 0, 0
    for name in sorted(set(names_a) & set(names_b)):
        a, b = read_dat(os.path.join(dir_a, name)), read_dat(os.path.join(dir_b, name))
        for key in ('beta', 'm', 'h', 'slices', 'iterations'):
            if float(a[key]) != float(b[key]):
                print(f'mc: {name}: {key} differs: {a[key]} vs {b[key]}')
                ok = False
        err = math.hypot(float(a['x2_err']), float(b['x2_err']))
        dev = (float(a['x2']) - float(b['x2'])) / err if err > 0 else math.inf
        if a.get('mixing', 'well mixed') != 'well mixed':
            poor += 1
            continue
        judged += 1
        within += abs(dev) <= sigma
        worst = max(worst, abs(dev))
        if not abs(dev) <= sigma:
            if verbose:
                    print(f'mc: {name}: <x^2> {a["x2"]} +- {a["x2_err"]} vs {b["x2"]} +- '
                      f'{b["x2_err"]}: {dev:+.2f} combined sigma')
            ok = False
    summary = (f'{len(names_a)} vs {len(names_b)} files, names {"equal" if names_a == names_b else "DIFFER"};'
               f' {within} of {judged} well-mixed points within {sigma:g} combined sigma'
               f' (largest {worst:.2f}); {poor} poorly mixed points not judged')
    if verbose:
        print(f'mc: {summary}: {"agree" if ok else "DISAGREE"}')
    return ok, summary


def check_pi(hits_a, n_a, hits_b, n_b, sigma):
    pi_a, se_a = estimate(hits_a, n_a)
    pi_b, se_b = estimate(hits_b, n_b)
    dev = (pi_a - pi_b) / math.hypot(se_a, se_b)
    ok = abs(dev) <= sigma
    print(f'pi: {pi_a!r} +- {se_a:.2e} vs {pi_b!r} +- {se_b:.2e}: {dev:+.2f} combined sigma'
          f' (limit {sigma}): {"agree" if ok else "DISAGREE"}')
    return ok


def check_pow(text_a, text_b):
    ok = text_a.strip() == text_b.strip()
    print(f'pow: {text_a.strip()} vs {text_b.strip()}: {"equal" if ok else "DIFFERENT"}')
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('what', choices=['mc', 'pi', 'pow'])
    p.add_argument('args', nargs='+')
    p.add_argument('--sigma', type=float, default=5.0)
    ns = p.parse_args()
    want = {'mc': 2, 'pi': 4, 'pow': 2}[ns.what]
    if len(ns.args) != want:
        p.error(f'{ns.what} takes {want} arguments, got {len(ns.args)}')
    if ns.what == 'mc':
        ok, _ = check_mc(ns.args[0], ns.args[1], ns.sigma)
    elif ns.what == 'pi':
        ok = check_pi(*(int(v) for v in ns.args), ns.sigma)
    else:
        ok = check_pow(*ns.args)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
