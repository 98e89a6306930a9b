# The core harness: option parsers, number text, efficiency arithmetic,
# schedules, Philox, and `hybench run` end to end (π counts, CSV, bad input).
hb_unit_test(test_parse LABELS unit TIMEOUT 20)
hb_unit_test(test_files LABELS unit TIMEOUT 20)
hb_unit_test(test_numfmt LABELS unit TIMEOUT 20)
hb_unit_test(test_stats LABELS unit TIMEOUT 20)
hb_unit_test(test_sched LABELS unit TIMEOUT 30)
hb_unit_test(test_philox LABELS unit verify TIMEOUT 30)

# Schedules across 2 ranks x 2 threads (MPI_THREAD_MULTIPLE): the shared-memory
# counter, then the cross-node MPI_Fetch_and_op counter (MPICH's NOLOCAL makes
# each rank its own node).
add_test(NAME test_sched_mpi COMMAND ${MPIEXEC_EXECUTABLE} -n 2 $<TARGET_FILE:test_sched> --mpi)
set_tests_properties(test_sched_mpi PROPERTIES LABELS "mpi;unit" TIMEOUT 60)
add_test(NAME test_sched_mpi_rma
         COMMAND ${MPIEXEC_EXECUTABLE} -n 2 $<TARGET_FILE:test_sched> --mpi --expect-rma)
set_tests_properties(test_sched_mpi_rma PROPERTIES LABELS "mpi;unit" TIMEOUT 60
                     ENVIRONMENT "MPIR_CVAR_NOLOCAL=1")
# hb_sched_reset right after a map, with one rank still working.
add_test(NAME test_sched_mpi_reset
         COMMAND ${MPIEXEC_EXECUTABLE} -n 2 $<TARGET_FILE:test_sched> --mpi-reset)
set_tests_properties(test_sched_mpi_reset PROPERTIES LABELS "mpi;unit" TIMEOUT 60)

hb_script_test(run_pi run_pi.sh LABELS mpi verify TIMEOUT 120)
hb_script_test(run_csv run_csv.sh LABELS mpi cli TIMEOUT 60)
hb_script_test(run_badinput run_badinput.sh LABELS cli mpi TIMEOUT 120)
