# The mc kernel: unit tests of its internals and shell tests through `hybench run`.
hb_unit_test(test_mc LABELS unit verify mc TIMEOUT 120)
hb_script_test(mc_layouts mc_layouts.sh LABELS mpi verify mc TIMEOUT 300)
hb_script_test(mc_cli mc_cli.sh LABELS cli mc TIMEOUT 120)
hb_script_test(mc_sched mc_sched.sh LABELS mpi mc TIMEOUT 120)
