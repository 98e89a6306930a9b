# The MPI hybench is built and tested with; sourced by scripts/setup,
# scripts/test and scripts/test-hardening. HB_MPI chooses it:
#   mpich         (default) MPICH 5.0 from PyPI, pinned in
#                 scripts/mpich-requirements.txt, in a virtual environment
#                 $HB_MPI_VENV (default .venv-mpi/ in the checkout)
#   openmpi       Debian's Open MPI 4.1 (mpicc.openmpi, mpiexec.openmpi)
#   mpich-debian  Debian's MPICH 4.0.2 (mpicc.mpich, mpiexec.mpich), with the
#                 MPI_Finalize hang of docs/cluster.md
#   /path/mpicc   any other MPI-3 installation, by its compiler wrapper (the
#                 launcher is the mpiexec beside it; cmake/mpi.cmake)
# Each is named by its own compiler and launcher, never by /usr/bin/mpicc or
# /usr/bin/mpiexec: Debian's update-alternatives points those at whichever
# MPI was installed last.

hb_mpi_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HB_MPI=${HB_MPI:-mpich}
HB_MPI_VENV=${HB_MPI_VENV:-$hb_mpi_root/.venv-mpi}

# hb_mpi_packages: the Debian packages $HB_MPI needs, on stdout.
hb_mpi_packages() {
    case $HB_MPI in
    mpich) echo python3-venv ;;
    openmpi) echo openmpi-bin libopenmpi-dev ;;
    mpich-debian) echo mpich libmpich-dev ;;
    esac
}

# hb_mpi_prepare: make $HB_MPI ready (the virtual environment for mpich) and
# set hb_mpi_cc and hb_mpi_cmake (the cmake options that name it). Prints why
# and fails when it cannot.
hb_mpi_prepare() {
    case $HB_MPI in
    mpich)
        local req=$hb_mpi_root/scripts/mpich-requirements.txt want python
        want=$(sed -n 's/^\(mpich==[^ ]*\).*/\1/p' "$req")
        if [ ! -x "$HB_MPI_VENV/bin/mpicc" ] ||
            [ "$("$HB_MPI_VENV/bin/pip" freeze 2>/dev/null | grep -i '^mpich==')" != "$want" ]; then
            python=/usr/bin/python3
            [ -x "$python" ] || python=$(command -v python3) ||
                { echo "mpi: no python3 to make $HB_MPI_VENV" >&2 && return 1; }
            echo "mpi: installing $want into $HB_MPI_VENV" >&2
            { [ -x "$HB_MPI_VENV/bin/pip" ] || "$python" -m venv "$HB_MPI_VENV"; } &&
                "$HB_MPI_VENV/bin/pip" install -q --disable-pip-version-check -r "$req" ||
                { echo "mpi: cannot install $want from PyPI into $HB_MPI_VENV" >&2 && return 1; }
        fi
        hb_mpi_cc=$HB_MPI_VENV/bin/mpicc
        hb_mpi_cmake=(-DMPI_C_COMPILER="$hb_mpi_cc" -DMPIEXEC_EXECUTABLE="$HB_MPI_VENV/bin/mpiexec")
        ;;
    openmpi | mpich-debian)
        local s=.openmpi
        [ "$HB_MPI" = mpich-debian ] && s=.mpich
        hb_mpi_cc=/usr/bin/mpicc$s
        [ -x "$hb_mpi_cc" ] || { echo "mpi: $hb_mpi_cc is missing (apt-get install $(hb_mpi_packages))" >&2 && return 1; }
        hb_mpi_cmake=(-DMPI_C_COMPILER="$hb_mpi_cc" -DMPIEXEC_EXECUTABLE=/usr/bin/mpiexec$s)
        ;;
    /*)
        hb_mpi_cc=$HB_MPI
        [ -x "$hb_mpi_cc" ] || { echo "mpi: HB_MPI=$HB_MPI is not an executable mpicc" >&2 && return 1; }
        hb_mpi_cmake=(-DMPI_C_COMPILER="$hb_mpi_cc")
        ;;
    *)
        echo "mpi: HB_MPI='$HB_MPI' is not mpich, openmpi, mpich-debian or a path to an mpicc" >&2
        return 1
        ;;
    esac
}

# hb_mpi_configure BUILD_DIR CMAKE_ARGS...: cmake with the MPI named; a build
# directory configured for another MPI starts afresh (FindMPI keeps the old
# library paths in its cache otherwise).
hb_mpi_configure() {
    local dir=$1
    shift
    if [ -f "$dir/CMakeCache.txt" ] &&
        [ "$(sed -n 's/^MPI_C_COMPILER:[A-Z]*=//p' "$dir/CMakeCache.txt")" != "$hb_mpi_cc" ]; then
        echo "mpi: $dir was configured for another MPI; configuring it afresh" >&2
        rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
    fi
    cmake -S "$hb_mpi_root" -B "$dir" "${hb_mpi_cmake[@]}" "$@"
}

# hb_mpi_launcher_of HYBENCH: the launcher of the build HYBENCH lies in (its
# CMakeCache.txt's MPIEXEC_EXECUTABLE), on stdout; `mpiexec` where there is
# no such cache (an installed hybench). The benchmark scripts launch with it
# unless MPIEXEC is set, so a build is never run under another MPI's mpiexec.
hb_mpi_launcher_of() {
    local cache l
    cache=$(dirname "$1")/CMakeCache.txt
    l=$(sed -n 's/^MPIEXEC_EXECUTABLE:[A-Z]*=//p' "$cache" 2>/dev/null)
    echo "${l:-mpiexec}"
}
