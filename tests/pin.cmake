# Pinning, the host kernel and `hybench topo`.
hb_unit_test(test_pin LABELS unit pin TIMEOUT 60)
