# The MPI_Finalize hang of MPICH 4.0.x-4.1.x over UCX TCP (docs/cluster.md),
# on one host: 4 ranks of a program that only initialises, reduces once and
# finalises (tests/cluster/mpi_probe.c), with TCP between every pair of
# ranks: for MPICH UCX_TLS=tcp,self and MPIR_CVAR_NOLOCAL=1 (without it MPICH
# 5 talks shared memory on one host and never touches UCX), for Open MPI its
# TCP transport. Must not hang once in 44 launches; under Debian's MPICH
# 4.0.2 the rate of 16 is reported instead (tests/cluster/hang_lib.sh).
. "$HB_SOURCE_DIR/tests/lib.sh"
. "$HB_SOURCE_DIR/tests/cluster/hang_lib.sh"
probe=${1:?usage: hang_finalize.sh MPI_PROBE}
case ${HB_MPI_FLAVOUR:-mpich} in
openmpi) tcp=(OMPI_MCA_pml=ob1 OMPI_MCA_btl=tcp,self) ;;
*) tcp=(UCX_TLS=tcp,self MPIR_CVAR_NOLOCAL=1) ;;
esac
four_ranks() { [ "$(grep -c '^rank [0-3] of 4 ' launch.out 2>/dev/null)" -eq 4 ]; }
hang_loop "4 ranks, TCP" four_ranks env "${tcp[@]}" "$MPIEXEC" -n 4 "$probe"
finish
