# Task times and predictions: tasks.csv written and read (unit), the replay
# on hand-made task sets (unit), `run --task-times` end to end (mpi, cli),
# `hybench predict` on hand-made task times with known answers (cli) and on
# a small measured mc scan whose 1- and 2-worker times it must predict
# within its intervals (mpi), and the two-level hand-out across the
# emulated nodes (cluster).
hb_unit_test(test_task_times LABELS "unit;predict" TIMEOUT 20)
hb_unit_test(test_replay LABELS "unit;predict" TIMEOUT 30)
hb_script_test(run_task_times run_task_times.sh LABELS "mpi;cli;predict" TIMEOUT 180)
hb_script_test(predict_cli predict_cli.sh LABELS "cli;predict" TIMEOUT 120)
hb_script_test(predict_mc predict_mc.sh LABELS "mpi;predict" TIMEOUT 300)
hb_script_test(cluster_handout cluster/handout.sh LABELS cluster TIMEOUT 240
               ARGS $<TARGET_FILE:test_sched>)
hb_test_properties(cluster_handout PROPERTIES FIXTURES_REQUIRED cluster SKIP_RETURN_CODE 77
                                              RESOURCE_LOCK hb_cluster RUN_SERIAL TRUE)
