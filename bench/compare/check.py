"""Does a reference run agree with hybench's? Exit 0 yes, 1 no, 2 bad use.

    python check.py mc HYBENCH_DIR REFERENCE_DIR [--sigma 5]
        same set of file names; every point's acceptance rate within sigma
        combined binomial standard errors, and <x^2> within sigma combined
        standard errors (sqrt(err_a^2 + err_b^2)) on every point hybench
        calls well mixed; fails when no point was judged
    python check.py identical DIR_A DIR_B
        the same .dat files byte for byte
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


def binomial_dev(a, b):
    """(acceptance_a - acceptance_b) in combined binomial standard errors of
    the two files' measured updates (pooled rate); 0 for equal rates."""
    pa, pb = float(a['acceptance']), float(b['acceptance'])
    na = (int(a['iterations']) - int(a['thermalize'])) * int(a['slices'])
    nb = (int(b['iterations']) - int(b['thermalize'])) * int(b['slices'])
    p = (pa * na + pb * nb) / (na + nb)
    se = math.sqrt(p * (1 - p) * (1 / na + 1 / nb))
    if se == 0:
        return 0.0 if pa == pb else math.inf
    return (pa - pb) / se


def check_mc(dir_a, dir_b, sigma, verbose=True):
    """Same file names and parameters, and agreement on what each point
    determines: its acceptance rate within sigma combined binomial standard
    errors on every point (well determined at any mixing: over the lesson's
    324 points at 1000 sweeps the largest deviation was 3.4 of them, the
    median 0.73, close to independent updates), and <x^2> within sigma
    combined standard errors on every point dir_a (hybench's) calls well
    mixed (a poorly mixed point's binned error underestimates the truth).
    Fails on any disagreement, and when no point at all could be judged."""
    names_a = sorted(n for n in os.listdir(dir_a) if n.endswith('.dat'))
    names_b = sorted(n for n in os.listdir(dir_b) if n.endswith('.dat'))
    ok = True
    if names_a != names_b:
        only_a = sorted(set(names_a) - set(names_b))
        only_b = sorted(set(names_b) - set(names_a))
        print(f'mc: file names differ: only in {dir_a}: {only_a[:5]}; only in {dir_b}: {only_b[:5]}')
        ok = False
    acc_worst, acc_judged, acc_within = 0.0, 0, 0
    worst, judged, within, poor = 0.0, 0, 0, 0
    for name in sorted(set(names_a) & set(names_b)):
        a, b = read_dat(os.path.join(dir_a, name)), read_dat(os.path.join(dir_b, name))
        for key in ('beta', 'm', 'h', 'slices', 'iterations', 'thermalize'):
            if float(a[key]) != float(b[key]):
                print(f'mc: {name}: {key} differs: {a[key]} vs {b[key]}')
                ok = False
        acc = binomial_dev(a, b)
        acc_judged += 1
        acc_within += abs(acc) <= sigma
        acc_worst = max(acc_worst, abs(acc))
        if not abs(acc) <= sigma:
            if verbose:
                print(f'mc: {name}: acceptance {a["acceptance"]} vs {b["acceptance"]}: '
                      f'{acc:+.2f} binomial sigma')
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
    if acc_judged + judged == 0:
        ok = False
    summary = (f'{len(names_a)} vs {len(names_b)} files, names {"equal" if names_a == names_b else "DIFFER"};'
               f' acceptance within {sigma:g} binomial sigma on {acc_within} of {acc_judged} points'
               f' (largest {acc_worst:.2f}); <x^2> within {sigma:g} combined sigma on {within} of'
               f' {judged} well-mixed points (largest {worst:.2f}), {poor} poorly mixed not judged'
               + ('; NOTHING JUDGED' if acc_judged + judged == 0 else ''))
    if verbose:
        print(f'mc: {summary}: {"agree" if ok else "DISAGREE"}')
    return ok, summary


def check_identical(dir_a, dir_b):
    """The same .dat files, byte for byte (the same code with the same seeds)."""
    names_a = sorted(n for n in os.listdir(dir_a) if n.endswith('.dat'))
    names_b = sorted(n for n in os.listdir(dir_b) if n.endswith('.dat'))
    same = [n for n in sorted(set(names_a) & set(names_b))
            if open(os.path.join(dir_a, n), 'rb').read() == open(os.path.join(dir_b, n), 'rb').read()]
    ok = names_a == names_b and len(same) == len(names_a) and len(names_a) > 0
    return ok, (f'{len(names_a)} vs {len(names_b)} files, {len(same)} byte-identical'
                + ('' if names_a else '; NO FILES'))


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
    p.add_argument('what', choices=['mc', 'identical', 'pi', 'pow'])
    p.add_argument('args', nargs='+')
    p.add_argument('--sigma', type=float, default=5.0)
    ns = p.parse_args()
    want = {'mc': 2, 'identical': 2, 'pi': 4, 'pow': 2}[ns.what]
    if len(ns.args) != want:
        p.error(f'{ns.what} takes {want} arguments, got {len(ns.args)}')
    if ns.what == 'mc':
        ok, _ = check_mc(ns.args[0], ns.args[1], ns.sigma)
    elif ns.what == 'identical':
        ok, text = check_identical(ns.args[0], ns.args[1])
        print(f'mc: {text}: {"identical" if ok else "DIFFERENT"}')
    elif ns.what == 'pi':
        ok = check_pi(*(int(v) for v in ns.args), ns.sigma)
    else:
        ok = check_pow(*ns.args)
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
