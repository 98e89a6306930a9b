# Tests of host lists and of multi-node launches on an emulated cluster.
hb_unit_test(test_hosts LABELS unit TIMEOUT 30)
