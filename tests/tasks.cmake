# The user's own tasks: parameter points, the cmd kernel (a command per task,
# or a long-lived worker process per worker), the plugin kernel, the
# examples, and hybench installed as a tool.
hb_unit_test(test_points LABELS unit points TIMEOUT 20)
hb_unit_test(test_cmd LABELS unit cmd TIMEOUT 30)
hb_script_test(cmd_scan cmd_scan.sh LABELS mpi verify cmd TIMEOUT 300)
hb_script_test(cmd_faults cmd_faults.sh LABELS cli fault cmd TIMEOUT 180)
hb_script_test(cmd_worker cmd_worker.sh LABELS mpi verify cmd TIMEOUT 180)
hb_script_test(examples examples.sh LABELS mpi verify cmd plugin TIMEOUT 300
               ARGS $<TARGET_FILE:hb_example_mc_plugin>)
hb_test_properties(examples PROPERTIES SKIP_RETURN_CODE 77)

# Plug-ins that must be refused, and one that fails a task (tests/plugin_fixture.c).
foreach(f noabi abi99 fails)
  add_library(hb_plugin_${f} MODULE plugin_fixture.c)
  set_target_properties(hb_plugin_${f} PROPERTIES OUTPUT_NAME plugin_${f} PREFIX ""
                        LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/plugins)
  target_include_directories(hb_plugin_${f} PRIVATE ${PROJECT_SOURCE_DIR}/include)
endforeach()
target_compile_definitions(hb_plugin_noabi PRIVATE FIXTURE_NO_ABI)
target_compile_definitions(hb_plugin_abi99 PRIVATE FIXTURE_ABI=99)
hb_script_test(plugin_cli plugin_cli.sh LABELS cli plugin TIMEOUT 60
               ARGS ${CMAKE_CURRENT_BINARY_DIR}/plugins $<TARGET_FILE:hb_example_mc_plugin>)
# The bad-input catalogue names the fixtures as @PLUGINS@/plugin_*.so.
if(TEST badinput_catalogue${HB_TEST_SUFFIX}) # not in a build for another MPI
  set_property(TEST badinput_catalogue${HB_TEST_SUFFIX} APPEND PROPERTY ENVIRONMENT
               "HB_TEST_PLUGINS=${CMAKE_CURRENT_BINARY_DIR}/plugins")
endif()
hb_script_test(install install.sh LABELS cli plugin install TIMEOUT 120
               ARGS ${CMAKE_COMMAND} ${PROJECT_BINARY_DIR})
hb_script_test(man_options man_options.sh LABELS cli install TIMEOUT 30)
hb_script_test(matrix_cmd matrix_cmd.sh LABELS mpi matrix cmd plugin TIMEOUT 300
               ARGS $<TARGET_FILE:hb_example_mc_plugin>)
hb_unit_test(test_digest LABELS unit plugin TIMEOUT 20)
