# The pow kernel: its arithmetic (unit), the kernel through its function
# table (unit, verify), and the command line under MPI (mpi, cli, verify).
hb_unit_test(test_pow_math LABELS unit verify pow TIMEOUT 120)
hb_unit_test(test_pow LABELS unit verify pow TIMEOUT 120)
hb_script_test(test_pow_cli pow_cli.sh LABELS mpi cli verify pow TIMEOUT 300)
