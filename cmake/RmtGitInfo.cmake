# cmake -P script (cmake/RmtBuildInfo.cmake): writes RMT_OUT from RMT_TEMPLATE with the git commit of
# RMT_SOURCE_DIR and whether tracked files differ from it; configure_file leaves an unchanged file
# untouched (same timestamp), so nothing recompiles when the commit is the same.
set(RMT_GIT_COMMIT "")
set(RMT_GIT_DIRTY -1)  # unknown
if(RMT_GIT)
  execute_process(COMMAND ${RMT_GIT} -C ${RMT_SOURCE_DIR} rev-parse HEAD
                  OUTPUT_VARIABLE commit RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0 AND commit MATCHES "^[0-9a-f]+$")
    set(RMT_GIT_COMMIT ${commit})
    # Tracked files only: build directories and scratch files in the tree do not make a build dirty.
    execute_process(COMMAND ${RMT_GIT} -C ${RMT_SOURCE_DIR} status --porcelain --untracked-files=no
                    OUTPUT_VARIABLE changes RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(rc EQUAL 0)
      if(changes STREQUAL "")
        set(RMT_GIT_DIRTY 0)
      else()
        set(RMT_GIT_DIRTY 1)
      endif()
    endif()
  endif()
endif()
configure_file(${RMT_TEMPLATE} ${RMT_OUT} @ONLY)
