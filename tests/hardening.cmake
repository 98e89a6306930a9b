# Hardening tests (docs/hardening.md): memcheck, ThreadSanitizer, injected
# faults and the bad-input catalogue. The fuzz targets are in fuzz.cmake.

# Sanitizers the build was configured with decide which checks make sense.
set(hb_san "${HB_SANITIZE}")
if(hb_san MATCHES "thread")
  # OpenMP races under TSan: the threaded runs (scripts/test-hardening).
  hb_script_test(tsan_threads tsan_threads.sh LABELS "tsan;hardening" TIMEOUT 600
                 ARGS ${CMAKE_C_COMPILER})
  hb_test_properties(tsan_threads PROPERTIES SKIP_RETURN_CODE 77)
  return() # the other hardening tests run in the ordinary and ASan builds
endif()
if(NOT hb_san)
  # memcheck cannot run a sanitizer build; it skips (77) a -march=native one.
  hb_script_test(valgrind_serial valgrind_serial.sh LABELS "valgrind;hardening" TIMEOUT 300
                 ARGS ${HB_NATIVE})
  hb_test_properties(valgrind_serial PROPERTIES SKIP_RETURN_CODE 77)
endif()

hb_script_test(badinput_catalogue badinput_catalogue.sh LABELS "cli;hardening" TIMEOUT 600
               ARGS ${PROJECT_SOURCE_DIR}/tests/badinput.tsv)

# Injected faults: tests/fault_<name>.sh, one test each, label fault. A test
# exits 77 to skip (with its reason on stdout) when the part it needs has not
# landed or the machine cannot stage the fault.
file(GLOB hb_fault_scripts CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fault_*.sh)
list(SORT hb_fault_scripts)
foreach(script IN LISTS hb_fault_scripts)
  get_filename_component(name ${script} NAME_WE)
  hb_script_test(${name} ${name}.sh LABELS "fault;hardening" TIMEOUT 300)
  hb_test_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
