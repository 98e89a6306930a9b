# Find the MPI and check that its compiler, library and launcher are one
# installation. Sets, besides FindMPI's variables:
#   HB_MPI_LABEL     the implementation and its version, e.g. mpich-5.0,
#                    openmpi-4.1: the CTest label of every test of this build
#   HB_MPI_FLAVOUR   mpich, openmpi or other (what the tests' launches need)
#   HB_MPIEXEC_KIND  hydra, openmpi or "" (what src/launch.c's {mpiexec} and
#                    {mpirun} may stand for)

# Nothing named: the MPI scripts/setup installs in the checkout, when it is there.
if(NOT MPI_C_COMPILER AND NOT MPI_HOME AND NOT DEFINED ENV{MPI_HOME} AND NOT MPIEXEC_EXECUTABLE
   AND EXISTS "${PROJECT_SOURCE_DIR}/.venv-mpi/bin/mpicc")
  set(MPI_C_COMPILER "${PROJECT_SOURCE_DIR}/.venv-mpi/bin/mpicc" CACHE FILEPATH
      "MPI C compiler wrapper")
endif()

# FindMPI looks for mpiexec on PATH before it looks at the compiler, so a
# compiler named alone would be paired with whatever /usr/bin/mpiexec points
# to. Take the launcher from beside the compiler: mpicc -> mpiexec,
# mpicc.openmpi -> mpiexec.openmpi.
if(MPI_C_COMPILER AND NOT MPIEXEC_EXECUTABLE)
  if(NOT IS_ABSOLUTE "${MPI_C_COMPILER}")
    find_program(hb_mpicc_path NAMES "${MPI_C_COMPILER}" NO_CACHE)
    if(NOT hb_mpicc_path)
      message(FATAL_ERROR "MPI_C_COMPILER=${MPI_C_COMPILER} is not on PATH")
    endif()
    set(MPI_C_COMPILER "${hb_mpicc_path}" CACHE FILEPATH "MPI C compiler wrapper" FORCE)
  endif()
  get_filename_component(hb_mpi_bin "${MPI_C_COMPILER}" DIRECTORY)
  get_filename_component(hb_mpicc_name "${MPI_C_COMPILER}" NAME)
  string(REGEX REPLACE "^mpicc" "" hb_mpi_suffix "${hb_mpicc_name}")
  find_program(MPIEXEC_EXECUTABLE NAMES mpiexec${hb_mpi_suffix} mpirun${hb_mpi_suffix}
               HINTS "${hb_mpi_bin}" NO_DEFAULT_PATH DOC "Executable for running MPI programs.")
  if(NOT MPIEXEC_EXECUTABLE)
    message(FATAL_ERROR "no mpiexec${hb_mpi_suffix} beside ${MPI_C_COMPILER}: "
                        "set MPIEXEC_EXECUTABLE to the launcher of that MPI")
  endif()
endif()
set(MPI_DETERMINE_LIBRARY_VERSION TRUE) # MPI_C_LIBRARY_VERSION_STRING, below
find_package(MPI REQUIRED COMPONENTS C)

# The library's own words (MPI_Get_library_version, run by FindMPI).
set(hb_lib "${MPI_C_LIBRARY_VERSION_STRING}")
if(hb_lib MATCHES "MPICH Version:[ \t]*([0-9]+)\\.([0-9]+)")
  set(HB_MPI_FLAVOUR mpich)
  set(HB_MPI_LABEL "mpich-${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
  set(hb_lib_version "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
elseif(hb_lib MATCHES "Open MPI v([0-9]+)\\.([0-9]+)")
  set(HB_MPI_FLAVOUR openmpi)
  set(HB_MPI_LABEL "openmpi-${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
  set(hb_lib_version "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
else()
  set(HB_MPI_FLAVOUR other)
  set(HB_MPI_LABEL "mpi-other")
  set(hb_lib_version "")
endif()

# The launcher's own words: hydra says "HYDRA build details: Version: 5.0.2",
# Open MPI's "mpiexec (OpenRTE) 4.1.4". A launcher of another version than
# the library is a mixed installation: refuse it rather than hang or crash at
# the first launch.
execute_process(COMMAND "${MPIEXEC_EXECUTABLE}" --version OUTPUT_VARIABLE hb_launcher_says
                ERROR_VARIABLE hb_launcher_err RESULT_VARIABLE hb_launcher_rc TIMEOUT 30)
set(HB_MPIEXEC_KIND "")
set(hb_launcher_version "")
if(hb_launcher_says MATCHES "HYDRA build details:[^\n]*\n[ \t]*Version:[ \t]*([0-9]+)\\.([0-9]+)")
  set(HB_MPIEXEC_KIND hydra)
  set(hb_launcher_version "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
elseif(hb_launcher_says MATCHES "\\((OpenRTE|Open MPI)\\) ([0-9]+)\\.([0-9]+)")
  set(HB_MPIEXEC_KIND openmpi)
  set(hb_launcher_version "${CMAKE_MATCH_2}.${CMAKE_MATCH_3}")
endif()
if(HB_MPIEXEC_KIND STREQUAL "hydra" AND HB_MPI_FLAVOUR STREQUAL "openmpi" OR
   HB_MPIEXEC_KIND STREQUAL "openmpi" AND NOT HB_MPI_FLAVOUR STREQUAL "openmpi" OR
   (hb_lib_version AND hb_launcher_version AND NOT hb_lib_version STREQUAL hb_launcher_version))
  message(FATAL_ERROR
          "the MPI launcher ${MPIEXEC_EXECUTABLE} (${HB_MPIEXEC_KIND} ${hb_launcher_version}) is "
          "not of the MPI library ${HB_MPI_LABEL} that ${MPI_C_COMPILER} links: name both of "
          "one installation (MPI_C_COMPILER and MPIEXEC_EXECUTABLE, or MPI_HOME)")
endif()
foreach(hb_tool IN ITEMS "${MPI_C_COMPILER}" "${MPIEXEC_EXECUTABLE}")
  if(IS_SYMLINK "${hb_tool}")
    file(READ_SYMLINK "${hb_tool}" hb_target)
    if(hb_target MATCHES "^/etc/alternatives/")
      message(WARNING "${hb_tool} is chosen by update-alternatives and changes when another "
                      "MPI is installed; name the MPI (MPI_C_COMPILER=mpicc.mpich or "
                      "mpicc.openmpi, or scripts/setup's default)")
    endif()
  endif()
endforeach()
message(STATUS "MPI: ${HB_MPI_LABEL}, compiler ${MPI_C_COMPILER}, launcher ${MPIEXEC_EXECUTABLE}")
