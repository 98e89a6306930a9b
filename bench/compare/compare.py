"""Run each workload with each tool at 1 core and at all cores; write the table.

Every measurement is one process started under `taskset -c CPUS` and timed
from outside (end to end: interpreter or MPI start-up, pool start, the map,
shutdown). Python tools also report the map call alone, and hybench its timed
region (runs.csv wall_s), so hand-out costs can be compared without start-up.
Repeats alternate the tools (the order rotates every round), so a slow spell
of a shared machine does not land on one tool only.

    bench/compare/run [--quick] [--repeats N] [--workloads mc,mc-full,mc-worker,pi,pow]
"""
import argparse
import csv
import datetime
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.normpath(os.path.join(HERE, '..', '..', 'examples'))
sys.path[:0] = [HERE, EXAMPLES]

import check  # noqa: E402
import work  # noqa: E402

PY_TOOLS = ['parallelpool', 'processpool', 'ezmap', 'parallel']
TOOL_NAMES = {
    'hybench': 'hybench run (1 rank, T OpenMP threads, dynamic, --bind core); in mc-worker '
               '--kernel cmd --worker with the lesson\'s run_mc (examples/mc_worker.py)',
    'parallelpool': 'pathos.pools.ParallelPool(nodes=T).map',
    'processpool': 'pathos.pools.ProcessPool(nodes=T).map',
    'processpool-cs1': 'pathos.pools.ProcessPool(nodes=T).map(..., chunksize=1)',
    'ezmap': 'pyina.ez_map.ez_map(..., nodes=T) under mpiexec (scatter mapper)',
    'parallel': 'GNU parallel -j T, one python process per task',
}


def sizes(quick):
    """Per-workload sizes. quick: seconds in all, for tests and trying it out."""
    if quick:
        return {'mc_sweeps': 100, 'mc_full_sweeps': 200, 'mc_grid': (work.LESSON_BETAS[:3],
                work.LESSON_MS[:2], work.LESSON_HS[:2]),
                'pi_streams': 8, 'pi_samples': 100_000, 'pi_hb_samples': 100_000,
                'pow': {'hybench': 1 << 16, 'processpool-cs1': 256, 'processpool': 1 << 14,
                        'parallelpool': 128, 'ezmap': 1 << 14, 'parallel': 8}}
    return {'mc_sweeps': 1000, 'mc_full_sweeps': 10000,
            'mc_grid': (work.LESSON_BETAS, work.LESSON_MS, work.LESSON_HS),
            'pi_streams': 64, 'pi_samples': 4_000_000, 'pi_hb_samples': 4_000_000,
            'pow': {'hybench': 1 << 23, 'processpool-cs1': 8192, 'processpool': 1 << 21,
                    'parallelpool': 4096, 'ezmap': 1 << 21, 'parallel': 64}}


class Runner:
    def __init__(self, ns):
        self.ns = ns
        self.python = sys.executable
        self.hybench = ns.hybench
        self.scratch = tempfile.mkdtemp(prefix='hb-compare-')
        self.env = dict(os.environ)
        # bench/compare and examples/ (the lesson's mc, examples/mc.py), for
        # the pools' fresh interpreters and pyina's MPI ranks too.
        self.env['PYTHONPATH'] = os.pathsep.join([HERE, EXAMPLES, self.env.get('PYTHONPATH', '')])
        # pyina's launcher runs `which python3.x` and `which ezscatter`: the venv must come first.
        self.env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + self.env['PATH']
        self.env['OMP_PROC_BIND'] = 'false'  # hybench pins with hwloc itself

    def cpus(self, cores):
        return ','.join(str(c) for c in range(cores))

    def timed(self, argv, cores, cwd):
        """(wall seconds, stdout) of argv under taskset; raises on failure."""
        full = ['taskset', '-c', self.cpus(cores)] + argv
        t0 = time.perf_counter()
        p = subprocess.run(full, cwd=cwd, env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            raise RuntimeError(f'{" ".join(full)} exited {p.returncode}: {p.stderr[-800:]}')
        return wall, p.stdout

    def fresh(self, name):
        d = os.path.join(self.scratch, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d

    # --- hybench -------------------------------------------------------------
    def hybench_run(self, kernel_args, cores, cwd):
        csv_path = os.path.join(cwd, 'runs.csv')
        argv = [self.hybench, 'run'] + kernel_args + [
            '--threads', str(cores), '--schedule', 'dynamic', '--bind', 'core',
            '--repeat', '1', '--warmup', '0', '--quiet', '--csv', csv_path]
        wall, out = self.timed(argv, cores, cwd)
        with open(csv_path) as f:
            row = list(csv.DictReader(f))[-1]
        return wall, float(row['wall_s']), int(row['tasks']), row['result'], out

    # --- one cell --------------------------------------------------------------
    def run_cell(self, workload, tool, cores, sz):
        """One measurement: dict with wall_s, map_s, tasks, units, given, result."""
        cwd = self.fresh(f'{workload}-{tool}-{cores}')
        if workload in ('mc', 'mc-full', 'mc-worker'):
            return self.mc(workload, tool, cores, sz, cwd)
        if workload == 'pi':
            return self.pi(tool, cores, sz, cwd)
        return self.pow(tool, cores, sz, cwd)

    def mc(self, workload, tool, cores, sz, cwd):
        sweeps = sz['mc_full_sweeps'] if workload in ('mc-full', 'mc-worker') else sz['mc_sweeps']
        betas, ms, hs = sz['mc_grid']
        points = work.mc_points(betas, ms, hs)
        out = os.path.join(cwd, 'mc_data')
        units = len(points) * sweeps * 64
        given = f'{len(points)} points (lesson product) x {sweeps} sweeps x 64 slices'
        r = {'tasks': len(points), 'units': units, 'unit': 'site updates', 'given': given}
        if tool == 'hybench' and workload == 'mc-worker':
            # The same Python run_mc and seeds as the pools, from one
            # long-lived interpreter per worker.
            worker = os.path.join(EXAMPLES, 'mc_worker.py')
            args = ['--kernel', 'cmd', '--worker', f"'{self.python}' '{worker}' '{out}' {sweeps}",
                    '--param', 'beta=' + ','.join(map(repr, betas)),
                    '--param', 'm=' + ','.join(map(repr, ms)),
                    '--param', 'h=' + ','.join(map(repr, hs))]
            r['wall_s'], r['map_s'], _, r['result'], _ = self.hybench_run(args, cores, cwd)
        elif tool == 'hybench':
            args = ['--kernel', 'mc', '--beta', ','.join(map(repr, betas)),
                    '--m', ','.join(map(repr, ms)), '--h', ','.join(map(repr, hs)),
                    '--iterations', str(sweeps), '--out-dir', out]
            r['wall_s'], r['map_s'], _, r['result'], _ = self.hybench_run(args, cores, cwd)
        else:
            pts = os.path.join(cwd, 'points.csv')
            with open(pts, 'w') as f:
                f.write('beta,m,h\n')
                f.writelines(f'{b!r},{m!r},{h!r}\n' for b, m, h in points)
            if tool == 'parallel':
                os.makedirs(out)
                with open(os.path.join(cwd, 'jobs.txt'), 'w') as f:
                    f.writelines(f'{b!r} {m!r} {h!r} {i}\n' for i, (b, m, h) in enumerate(points))
                argv = ['parallel', '-j', str(cores), '--colsep', ' ', self.python,
                        os.path.join(HERE, 'point.py'), 'mc', '{1}', '{2}', '{3}', str(sweeps),
                        out, '{4}', '::::', 'jobs.txt']
                r['wall_s'], _ = self.timed(argv, cores, cwd)
                r['map_s'] = r['wall_s']
            else:
                argv = [self.python, os.path.join(HERE, 'job.py'), tool, 'mc', '--workers',
                        str(cores), '--points', pts, '--sweeps', str(sweeps), '--out', out]
                r['wall_s'], stdout = self.timed(argv, cores, cwd)
                r['map_s'] = json.loads(stdout.splitlines()[-1])['map_s']
            r['result'] = f'{len(os.listdir(out))} files'
        r['out'] = out
        return r

    def pi(self, tool, cores, sz, cwd):
        s = sz['pi_streams']
        m = sz['pi_hb_samples'] if tool == 'hybench' else sz['pi_samples']
        r = {'tasks': s, 'units': s * m, 'unit': 'samples', 'given': f'{s} streams x {m} samples'}
        if tool == 'hybench':
            args = ['--kernel', 'pi', '--streams', str(s), '--samples', str(m)]
            r['wall_s'], r['map_s'], _, _, out = self.hybench_run(args, cores, cwd)
            hits = int(out.split(' hits ')[1].split()[0])
        elif tool == 'parallel':
            argv = ['parallel', '-j', str(cores), '-k', self.python,
                    os.path.join(HERE, 'point.py'), 'pi', '{}', str(m), '1', ':::'] + \
                [str(i) for i in range(s)]
            r['wall_s'], out = self.timed(argv, cores, cwd)
            r['map_s'] = r['wall_s']
            hits = sum(int(v) for v in out.split())
        else:
            argv = [self.python, os.path.join(HERE, 'job.py'), tool, 'pi', '--workers',
                    str(cores), '--streams', str(s), '--samples', str(m)]
            r['wall_s'], stdout = self.timed(argv, cores, cwd)
            j = json.loads(stdout.splitlines()[-1])
            r['map_s'], hits = j['map_s'], j['hits']
        r['hits'] = hits
        r['result'] = f'pi ~ {4.0 * hits / (s * m):.6f}'
        return r

    def pow(self, tool, cores, sz, cwd):
        n = sz['pow'][tool]
        r = {'units': n, 'unit': 'elements'}
        if tool == 'hybench':
            args = ['--kernel', 'pow', '--elements', str(n), '--chunk', '1']
            r['wall_s'], r['map_s'], r['tasks'], r['result'], _ = self.hybench_run(args, cores, cwd)
            r['given'] = f'{n} generated elements, --chunk 1 (one element per task)'
        elif tool == 'parallel':
            with open(os.path.join(cwd, 'jobs.txt'), 'w') as f:
                bases, exps = work.pow_generated(n)
                f.writelines(f'{b!r} {e!r}\n' for b, e in zip(bases, exps))
            argv = ['parallel', '-j', str(cores), '-k', '--colsep', ' ', self.python,
                    os.path.join(HERE, 'point.py'), 'pow', '{1}', '{2}', '::::', 'jobs.txt']
            r['wall_s'], out = self.timed(argv, cores, cwd)
            r['map_s'], r['tasks'] = r['wall_s'], n
            r['given'] = f'{n} elements, one process per element'
            r['result'] = f'{len(out.split())} values'
        else:
            base = 'processpool' if tool.startswith('processpool') else tool
            chunk = 1 if tool == 'processpool-cs1' else 0
            argv = [self.python, os.path.join(HERE, 'job.py'), base, 'pow', '--workers',
                    str(cores), '--elements', str(n), '--chunksize', str(chunk)]
            r['wall_s'], stdout = self.timed(argv, cores, cwd)
            r['map_s'] = json.loads(stdout.splitlines()[-1])['map_s']
            if tool == 'processpool':
                # multiprocessing's default: ceil(n / (4 * workers)) elements per task
                cs = -(-n // (4 * cores))
                r['tasks'] = -(-n // cs)
                r['given'] = f'{n} elements, default chunksize ({cs})'
            elif tool == 'ezmap':
                r['tasks'] = cores
                r['given'] = f'{n} elements, scattered in {cores} blocks'
            else:
                r['tasks'] = n
                r['given'] = f'{n} elements, one task each' + (
                    ' (chunksize=1)' if chunk else ' (ppft: one job per element)')
            r['result'] = f'{n} values'
        return r


def lesson_checks(runner):
    """Correctness before timing: the lesson's pow call and an explicit list, every tool."""
    lines, ok = [], True
    cases = [('1,2,3,4', '5,4,3,2'), ('2,0.5,3,10,1.5', '-1,2,0.5,3,2.5')]
    for bases, exps in cases:
        out = subprocess.run([runner.hybench, 'run', '--kernel', 'pow', '--bases', bases,
                              '--exponents', exps, '--repeat', '1', '--warmup', '0', '--quiet'],
                             env=runner.env, stdout=subprocess.PIPE, text=True, check=True).stdout
        hb = next(line for line in out.splitlines() if line.startswith('['))
        for tool in ('parallelpool', 'processpool', 'ezmap'):
            for chunk in (['--chunksize', '1'], []) if tool == 'processpool' else ([],):
                p = subprocess.run([runner.python, os.path.join(HERE, 'job.py'), tool, 'pow',
                                    '--workers', '2', '--bases', bases, f'--exponents={exps}']
                                   + chunk, cwd=runner.fresh('check'), env=runner.env,
                                   stdout=subprocess.PIPE, text=True, check=True)
                py = json.loads(p.stdout.splitlines()[-1])['list']
                same = py == hb
                ok &= same
                label = tool + (' chunksize=1' if chunk else '')
                lines.append(f'pow({bases} ; {exps}) {label}: {py} vs hybench {hb}: '
                             f'{"equal" if same else "DIFFERENT"}')
    return ok, lines


def versions(runner):
    v = {}
    for mod in ('pathos', 'pyina', 'mpi4py', 'numpy', 'dill', 'ppft', 'multiprocess'):
        try:
            from importlib.metadata import version
            v[mod] = version(mod)
        except Exception:  # noqa: BLE001 - a missing one is reported as such
            v[mod] = 'missing'
    v['python'] = platform.python_version()
    v['parallel'] = subprocess.run(['parallel', '--version'], stdout=subprocess.PIPE,
                                   text=True).stdout.splitlines()[0]
    v['mpiexec'] = next((line.split(':', 1)[1].strip() for line in subprocess.run(
        ['mpiexec', '--version'], stdout=subprocess.PIPE, text=True).stdout.splitlines()
        if line.strip().startswith('Version')), 'unknown')
    v['hybench'] = subprocess.run(['git', '-C', HERE, 'rev-parse', '--short', 'HEAD'],
                                  stdout=subprocess.PIPE, text=True).stdout.strip() or 'unknown'
    return v


def machine():
    model = 'unknown'
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('model name'):
                model = line.split(':', 1)[1].strip()
                break
    load = os.getloadavg()
    return {'cpu': model, 'cores': os.cpu_count(), 'kernel': platform.release(),
            'load_at_start': f'{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}'}


def plan(ns):
    """(workload, tool, cores list, repeats) cells."""
    all_cores = ns.cores
    both = sorted({1, all_cores})
    cells = []
    for w in ns.workloads:
        if w == 'mc':
            cells.append((w, ['hybench'] + PY_TOOLS, both, ns.repeats))
        elif w == 'mc-full':
            # The lesson's full scan: hybench repeated, ParallelPool (the lesson's tool) once,
            # at all cores: minutes of pure Python per run.
            cells.append((w, ['hybench'], [all_cores], ns.repeats))
            cells.append((w, ['parallelpool'], [all_cores], ns.full_repeats))
        elif w == 'mc-worker':
            # The same scan in pure Python on both sides: hybench's worker
            # processes against ParallelPool, once each (minutes each).
            cells.append((w, ['hybench', 'parallelpool'], [all_cores], ns.full_repeats))
        elif w == 'pi':
            cells.append((w, ['hybench'] + PY_TOOLS, both, ns.repeats))
        elif w == 'pow':
            cells.append((w, ['hybench', 'processpool-cs1', 'processpool', 'parallelpool',
                              'ezmap', 'parallel'], both, ns.repeats))
    return cells


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--hybench', required=True, help='the hybench program')
    p.add_argument('--out', required=True, help='folder for compare.csv and compare.md')
    p.add_argument('--quick', action='store_true', help='tiny sizes: seconds, for tests')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--full-repeats', type=int, default=1,
                   help='runs of ParallelPool on the full 10000-sweep scan (minutes each)')
    p.add_argument('--workloads', default='mc,mc-full,mc-worker,pi,pow')
    p.add_argument('--cores', type=int, default=len(os.sched_getaffinity(0)))
    p.add_argument('--shared', default='',
                   help='say the machine was shared during the run (text for the table)')
    ns = p.parse_args()
    ns.workloads = [w for w in ns.workloads.split(',') if w]
    sz = sizes(ns.quick)
    runner = Runner(ns)
    os.makedirs(ns.out, exist_ok=True)
    started = datetime.datetime.now(datetime.timezone.utc)
    facts = machine()

    ok, check_lines = lesson_checks(runner)
    for line in check_lines:
        print(line, flush=True)

    rows, outs = [], {}
    cells = plan(ns)
    for rep in range(max(c[3] for c in cells)):
        for workload, tools, cores_list, repeats in cells:
            if rep >= repeats:
                continue
            for cores in cores_list:
                k = rep % len(tools)
                for tool in tools[k:] + tools[:k]:  # rotate: alternate who goes first
                    r = runner.run_cell(workload, tool, cores, sz)
                    r.update(workload=workload, tool=tool, cores=cores, repeat=rep)
                    rows.append(r)
                    print(f'{workload:8} {tool:16} cores={cores} rep={rep} '
                          f'wall={r["wall_s"]:.3f}s map={r["map_s"]:.3f}s {r["result"]}',
                          flush=True)
                    if workload.startswith('mc') and rep == 0:
                        outs[(workload, tool, cores)] = r['out']
                        keep = os.path.join(runner.scratch, f'keep-{workload}-{tool}-{cores}')
                        shutil.rmtree(keep, ignore_errors=True)
                        shutil.copytree(r['out'], keep)
                        outs[(workload, tool, cores)] = keep
                    if workload == 'pi' and tool != 'hybench':
                        hb = next(x for x in rows if x['workload'] == 'pi' and
                                  x['tool'] == 'hybench')
                        if not check.check_pi(hb['hits'], hb['units'], r['hits'], r['units'], 5):
                            ok = False
                        if rep == 0:
                            e_hb, e = 4.0 * hb['hits'] / hb['units'], 4.0 * r['hits'] / r['units']
                            check_lines.append(f'pi {tool} cores={cores}: {e:.6f} vs hybench '
                                               f'{e_hb:.6f}')

    # mc agreement: every tool's files against hybench's, same scan
    for (workload, tool, cores), d in sorted(outs.items()):
        if tool == 'hybench':
            continue
        hb = outs.get((workload, 'hybench', cores)) or outs.get((workload, 'hybench', ns.cores))
        if hb:
            agree, text = check.check_mc(hb, d, 5.0, verbose=False)
            check_lines.append(f'mc {workload} {tool} cores={cores} vs hybench: {text}: '
                               f'{"agree" if agree else "DISAGREE"}')
            print(check_lines[-1], flush=True)
            ok &= agree
            if workload == 'mc-worker':
                # The same run_mc with the same seeds: the same bytes.
                same, text = check.check_identical(hb, d)
                check_lines.append(f'mc {workload} {tool} cores={cores} vs hybench: {text}: '
                                   f'{"identical" if same else "DIFFERENT"}')
                print(check_lines[-1], flush=True)
                ok &= same

    write(ns, rows, check_lines, versions(runner), facts, started, sz)
    shutil.rmtree(runner.scratch, ignore_errors=True)
    sys.exit(0 if ok else 1)


def summarize(rows):
    groups = {}
    for r in rows:
        groups.setdefault((r['workload'], r['tool'], r['cores']), []).append(r)
    out = []
    for (w, tool, cores), rs in groups.items():
        walls = [r['wall_s'] for r in rs]
        maps = [r['map_s'] for r in rs]
        r0 = rs[0]
        s = {'workload': w, 'tool': tool, 'cores': cores, 'runs': len(rs),
             'wall_median_s': statistics.median(walls), 'wall_min_s': min(walls),
             'wall_max_s': max(walls), 'map_median_s': statistics.median(maps),
             'units': r0['units'], 'unit': r0['unit'], 'tasks': r0['tasks'], 'given': r0['given']}
        s['throughput'] = s['units'] / s['wall_median_s']
        s['per_task_us'] = s['map_median_s'] / s['tasks'] * 1e6
        out.append(s)
    for s in out:
        hb = next((x for x in out if x['workload'] == s['workload'] and x['tool'] == 'hybench'
                   and x['cores'] == s['cores']), None)
        if hb is None:
            s['ratio'] = math.nan
        elif s['workload'] == 'pow':
            s['ratio'] = s['per_task_us'] / hb['per_task_us']
        else:
            # work-normalised: time per unit of work, tool over hybench
            s['ratio'] = (s['wall_median_s'] / s['units']) / (hb['wall_median_s'] / hb['units'])
    return out


def write(ns, rows, check_lines, vers, facts, started, sz):
    summary = summarize(rows)
    path_csv = os.path.join(ns.out, 'compare.csv')
    cols = ['workload', 'tool', 'cores', 'runs', 'wall_median_s', 'wall_min_s', 'wall_max_s',
            'map_median_s', 'tasks', 'units', 'unit', 'throughput', 'per_task_us', 'ratio',
            'given']
    with open(path_csv, 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['schema'] + cols)
        for s in summary:
            w.writerow(['hybench-compare-1'] + [
                f'{s[c]:.6g}' if isinstance(s[c], float) else s[c] for c in cols])
    with open(os.path.join(ns.out, 'compare-runs.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['workload', 'tool', 'cores', 'repeat', 'wall_s', 'map_s', 'tasks', 'result'])
        for r in rows:
            w.writerow([r['workload'], r['tool'], r['cores'], r['repeat'],
                        f'{r["wall_s"]:.6f}', f'{r["map_s"]:.6f}', r['tasks'], r['result']])

    load = os.getloadavg()
    md = [f'# hybench vs the lesson\'s tools', '',
          f'Measured {started:%Y-%m-%d %H:%M} UTC'
          f'{" (quick sizes: not a benchmark)" if ns.quick else ""}; '
          f'command: `bench/compare/run {os.environ.get("HB_COMPARE_ARGS", "")}`'.replace(' `', '`'), '',
          f'Machine: {facts["cpu"]}, {facts["cores"]} cores, Linux {facts["kernel"]}; '
          f'load average at start {facts["load_at_start"]}, at end '
          f'{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.'
          + (f' {ns.shared}' if ns.shared else ''), '',
          'Versions: ' + ', '.join(f'{k} {v}' for k, v in vers.items()), '',
          'Wall = the whole process, end to end, under `taskset -c 0..cores-1` (median, min, max '
          'over the runs). Map = the map call alone (pools: after start-up; hybench: its timed '
          'region; GNU parallel: the whole run). Ratio = tool over hybench at the same cores: '
          'time per unit of work end to end for mc and pi, time per task of the map for pow.', '',
          '| workload | tool | cores | runs | wall median s | min | max | map s | throughput '
          '| per task µs | ratio to hybench | given |',
          '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|']
    for s in summary:
        md.append(f'| {s["workload"]} | {s["tool"]} | {s["cores"]} | {s["runs"]} | '
                  f'{s["wall_median_s"]:.3f} | {s["wall_min_s"]:.3f} | {s["wall_max_s"]:.3f} | '
                  f'{s["map_median_s"]:.3f} | {s["throughput"]:.3g} {s["unit"]}/s | '
                  f'{s["per_task_us"]:.3g} | {s["ratio"]:.3g}x | {s["given"]} |')
    md += ['', 'Tools: ' + '; '.join(f'{k}: {v}' for k, v in TOOL_NAMES.items()), '',
           'Checks:', ''] + [f'- {line}' for line in check_lines] + ['']
    with open(os.path.join(ns.out, 'compare.md'), 'w') as f:
        f.write('\n'.join(md))
    print(f'wrote {path_csv} and compare.md', flush=True)


if __name__ == '__main__':
    main()
