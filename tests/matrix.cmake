# Tests of runs.csv I/O, the efficiency report and the matrix driver.
hb_unit_test(test_csv LABELS unit csv TIMEOUT 30)
hb_unit_test(test_report LABELS unit report TIMEOUT 30)
hb_unit_test(test_layouts LABELS unit matrix TIMEOUT 30)
hb_unit_test(test_matrix LABELS unit matrix TIMEOUT 60)
hb_script_test(matrix_run matrix_run.sh LABELS cli mpi verify matrix TIMEOUT 300)
hb_script_test(matrix_faults matrix_faults.sh LABELS cli mpi matrix TIMEOUT 300)
hb_script_test(matrix_cli matrix_cli.sh LABELS cli matrix TIMEOUT 120)
