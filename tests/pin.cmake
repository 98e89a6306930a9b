# Pinning, the host kernel and `hybench topo`.
hb_unit_test(test_pin LABELS unit pin TIMEOUT 60)

# The host kernel's map, reduce and verdict, reduced over two ranks.
add_executable(test_pin_host ${CMAKE_CURRENT_SOURCE_DIR}/test_pin_host.c)
target_link_libraries(test_pin_host PRIVATE hybench_core)
target_include_directories(test_pin_host PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
hb_mpi_test(test_pin_host 2 COMMAND $<TARGET_FILE:test_pin_host> LABELS unit mpi verify pin
            TIMEOUT 60)
hb_script_test(topo_cli topo.sh LABELS cli pin TIMEOUT 60)
hb_script_test(topo_host topo_host.sh LABELS mpi cli verify pin TIMEOUT 120)
# The CPUs a launcher or scheduler gives (taskset, -bind-to core, the matrix's launcher).
hb_script_test(pin_given pin_given.sh LABELS mpi pin cli TIMEOUT 120)
hb_test_properties(pin_given PROPERTIES SKIP_RETURN_CODE 77)
