"""One task in a fresh interpreter, as GNU parallel runs the lesson's scripts.

    python point.py mc BETA M H SWEEPS OUTDIR SEED   writes the point's file
    python point.py pi STREAM SAMPLES SEED           prints the hit count
    python point.py pow BASE EXPONENT                prints pow(base, exponent)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, '..', '..', 'examples')]  # examples/mc.py


def main(argv):
    if argv[0] == 'mc':
        from mc import run_mc
        from work import mc_filename
        beta, m, h = (float(v) for v in argv[1:4])
        run_mc(m, h, beta, int(argv[4]), os.path.join(argv[5], mc_filename(beta, m, h)),
               int(argv[6]))
    elif argv[0] == 'pi':
        from pi import pi_stream
        print(pi_stream(int(argv[1]), int(argv[2]), int(argv[3])))
    elif argv[0] == 'pow':
        from work import parse_number
        print(repr(pow(parse_number(argv[1]), parse_number(argv[2]))))
    else:
        sys.exit(f'point.py: unknown workload {argv[0]!r}')


if __name__ == '__main__':
    main(sys.argv[1:])
