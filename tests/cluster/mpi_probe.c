/* A minimal MPI program for checking the emulated cluster without hybench:
 * every rank prints "rank R of N on HOST local L of M", where the local rank
 * comes from the shared-memory split, so a line per rank shows whether the
 * launcher put ranks on the nodes asked for and whether MPI sees the nodes as
 * separate machines. With an argument "barrier" the ranks meet in a barrier
 * before MPI_Finalize (one of the configurations tried against the hang). */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    int rank, size, lrank, lsize, len;
    char host[MPI_MAX_PROCESSOR_NAME];
    MPI_Comm local;

    if (MPI_Init(&argc, &argv) != MPI_SUCCESS)
        return 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(host, &len);
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &local);
    MPI_Comm_rank(local, &lrank);
    MPI_Comm_size(local, &lsize);
    /* One exchange over the whole world, so every pair of nodes has talked. */
    int sum = 0;
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    printf("rank %d of %d on %s local %d of %d sum %d\n", rank, size, host, lrank, lsize, sum);
    fflush(stdout);
    MPI_Comm_free(&local);
    if (argc > 1 && strcmp(argv[1], "barrier") == 0)
        MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return 0;
}
