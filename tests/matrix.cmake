# Tests of runs.csv I/O, the efficiency report and the matrix driver.
hb_unit_test(test_csv LABELS unit csv TIMEOUT 30)
hb_unit_test(test_report LABELS unit report TIMEOUT 30)
