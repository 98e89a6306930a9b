# The mc kernel: unit tests of its internals and shell tests through `hybench run`.
hb_unit_test(test_mc LABELS unit verify mc TIMEOUT 120)
