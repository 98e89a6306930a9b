# Tests of runs.csv I/O, the efficiency report and the matrix driver.
hb_unit_test(test_csv LABELS unit csv TIMEOUT 30)
