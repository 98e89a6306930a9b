# Writes OUT (a header) with the git commit of SRC and whether its tracked
# files differ from it, at every build, rewriting OUT only when that changes:
# `hybench --version` and the metadata name what the binary was built from.
execute_process(COMMAND git rev-parse --short HEAD WORKING_DIRECTORY ${SRC}
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT commit)
  set(commit unknown)
endif()
set(dirty unknown)
if(NOT commit STREQUAL unknown)
  execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SRC}
                  OUTPUT_VARIABLE changes ERROR_QUIET RESULT_VARIABLE rc)
  if(rc EQUAL 0 AND changes)
    set(dirty yes)
  elseif(rc EQUAL 0)
    set(dirty no)
  endif()
endif()
file(WRITE ${OUT}.new "#define HB_GIT_COMMIT \"${commit}\"\n#define HB_GIT_DIRTY \"${dirty}\"\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.new ${OUT})
file(REMOVE ${OUT}.new)
