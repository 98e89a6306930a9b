# Shared by the compare_* tests: find the comparison's Python environment or
# skip (exit 77) saying why. Sets PY (the venv's python) and CMP (bench/compare).
: "${HB_SOURCE_DIR:?HB_SOURCE_DIR not set}"
CMP=$HB_SOURCE_DIR/bench/compare
venv=${HB_COMPARE_VENV:-$HB_SOURCE_DIR/.venv-compare}
PY=$venv/bin/python
skip() { echo "SKIP: $*"; exit 77; }
[ -x "$PY" ] || skip "no Python environment at $venv (run bench/compare/setup)"
"$PY" -c 'import pathos, pyina, mpi4py, numpy' 2>/dev/null ||
    skip "pathos/pyina/mpi4py/numpy not importable in $venv (run bench/compare/setup)"
# bench/compare, and examples/ for the lesson's mc (examples/mc.py).
export PYTHONPATH=$CMP:$HB_SOURCE_DIR/examples${PYTHONPATH:+:$PYTHONPATH}
# pyina's launcher looks up `python3.x` and `ezscatter` on PATH: the venv's must
# win; then `mpiexec`: the one of the MPI mpi4py was built with (scripts/test
# links it into the venv's mpi-bin/).
export PATH=$venv/bin:$venv/mpi-bin:$PATH
