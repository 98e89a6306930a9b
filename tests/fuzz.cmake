# libFuzzer targets (fuzz/): built only with -DHB_FUZZ=ON and Clang, since
# libFuzzer comes with Clang's compiler-rt (Debian clang + libclang-rt-dev).
option(HB_FUZZ "Build the libFuzzer targets in fuzz/ (needs Clang)" OFF)
if(HB_FUZZ)
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    add_subdirectory(${PROJECT_SOURCE_DIR}/fuzz ${CMAKE_BINARY_DIR}/fuzz)
  else()
    message(WARNING "HB_FUZZ needs Clang (configure with CC=clang); fuzz targets not built")
  endif()
endif()
