# Tests of the numbers a report can be trusted with: the noise readers, and
# the report end to end on hand-made and hostile runs.csv files.
hb_unit_test(test_noise LABELS unit report TIMEOUT 30)
hb_script_test(report_untrusted report_untrusted.sh LABELS cli report hardening TIMEOUT 60)
hb_script_test(report_files report_files.sh LABELS cli mpi report TIMEOUT 120)
# A matrix beside CPU hogs (started and stopped by the test): the report must
# say the machine was busy. Skips (77) without taskset. RUN_SERIAL: its hogs
# would slow whatever ctest -j ran beside it.
hb_script_test(report_busy report_busy.sh LABELS cli mpi matrix report TIMEOUT 300)
hb_test_properties(report_busy PROPERTIES SKIP_RETURN_CODE 77 RUN_SERIAL TRUE)
