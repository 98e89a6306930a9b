# Tests of the numbers a report can be trusted with: the noise readers, and
# the report end to end on hand-made and hostile runs.csv files.
hb_unit_test(test_noise LABELS unit report TIMEOUT 30)
hb_script_test(report_untrusted report_untrusted.sh LABELS cli report hardening TIMEOUT 60)
hb_script_test(report_files report_files.sh LABELS cli mpi report TIMEOUT 120)
