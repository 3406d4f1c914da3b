# The relocatable bundle (`make bundle`, README "Running on a GPU node without installing packages").
# With RMT_BUNDLE=ON, `cmake --install BUILD --prefix DIR` lays out
#   DIR/bin/rmtbench, DIR/bin/test_cuda_*      (the gpu-labelled tests: every tests/test_cuda_*.cpp)
#   DIR/bin/test_backend, DIR/bin/test_backend_conformance, DIR/bin/test_precision
#                                              (their */cuda instances run on a device)
#   DIR/lib/*.so*                              every shared library they load except CUDA and glibc
#   DIR/bench/suites/*.toml, DIR/bench/gpu_check.sh, DIR/bench/check_bundle.sh, DIR/bench/peers/*.py
# The executables carry DT_RPATH (not RUNPATH) $ORIGIN/../lib: a DT_RPATH is searched for indirect
# dependencies too (OpenBLAS -> libgfortran -> libquadmath), so no LD_LIBRARY_PATH is needed, and the
# bundled libgcc_s wins over an older one on the node. CUDA libraries (cudart, cuBLAS,
# cuSOLVER, ...) and the driver come from the node. Layout mirrors the source tree, so the tests find
# the suites with RMT_SOURCE_DIR=DIR (tests/support.hpp).
if(NOT RMT_BUNDLE)
  return()
endif()

set(_rmt_bundle_targets rmtbench)
if(RMT_BUILD_TESTS)
  get_property(_rmt_test_targets DIRECTORY ${PROJECT_SOURCE_DIR}/tests PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t IN LISTS _rmt_test_targets)
    # test_cuda_*, and the backend-parameterised suites whose /cuda instances run on a device.
    if(t MATCHES "^test_cuda" OR t MATCHES "^test_backend(_conformance)?$" OR t STREQUAL "test_precision")
      list(APPEND _rmt_bundle_targets ${t})
    endif()
  endforeach()
endif()

# The C++ runtime is linked in (-static-libstdc++ -static-libgcc), so a node with an older libstdc++
# works and the bundle does not inherit the build machine's libstdc++.so glibc floor. For that no
# shared C++ library may stay: fmt and toml++ are compiled header-only in this build, and
# --as-needed drops their (then unused) shared objects from DT_NEEDED. OpenBLAS's libgfortran still
# needs libgcc_s.so.1, which is carried.
if(TARGET fmt::fmt)
  set_property(TARGET fmt::fmt PROPERTY INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)
endif()
if(TARGET tomlplusplus::tomlplusplus)
  set_property(TARGET tomlplusplus::tomlplusplus PROPERTY INTERFACE_COMPILE_OPTIONS "")
  set_property(TARGET tomlplusplus::tomlplusplus PROPERTY INTERFACE_COMPILE_DEFINITIONS TOML_HEADER_ONLY=1)
endif()

foreach(t IN LISTS _rmt_bundle_targets)
  set_target_properties(${t} PROPERTIES INSTALL_RPATH "$ORIGIN/../lib" BUILD_WITH_INSTALL_RPATH OFF)
  target_link_options(${t} PRIVATE "LINKER:--disable-new-dtags" "LINKER:--as-needed" -static-libstdc++ -static-libgcc)
endforeach()

# Everything the bundle needs, and nothing else (the full test suite is not built): `make bundle`
# builds this target, then installs.
add_custom_target(rmt_bundle_targets DEPENDS ${_rmt_bundle_targets})

install(TARGETS ${_rmt_bundle_targets} RUNTIME DESTINATION bin)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/bench/suites/ DESTINATION bench/suites FILES_MATCHING PATTERN "*.toml")
install(PROGRAMS ${PROJECT_SOURCE_DIR}/bench/gpu_check.sh ${PROJECT_SOURCE_DIR}/bench/check_bundle.sh DESTINATION bench)
file(GLOB _rmt_peers ${PROJECT_SOURCE_DIR}/bench/peers/*.py)
install(PROGRAMS ${_rmt_peers} DESTINATION bench/peers)

# The shared libraries, found by CMake's own ELF dependency walk at install time. Names, not paths,
# are excluded: glibc (and the vDSO) must be the node's own; CUDA must match the node's driver.
set(_rmt_bundle_files "")
foreach(t IN LISTS _rmt_bundle_targets)
  string(APPEND _rmt_bundle_files " \"$<TARGET_FILE:${t}>\"")
endforeach()
install(CODE "set(_rmt_bundle_executables ${_rmt_bundle_files})")
install(CODE [[
  file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${_rmt_bundle_executables}
    RESOLVED_DEPENDENCIES_VAR _rmt_resolved
    UNRESOLVED_DEPENDENCIES_VAR _rmt_unresolved
    PRE_EXCLUDE_REGEXES
      "^(ld-linux|linux-vdso|libc|libm|libmvec|libpthread|libdl|librt|libutil|libresolv|libanl|libnsl)[.-]"
      "^lib(cuda|cudart|cublas|cublasLt|cusolver|cusolverMg|cusparse|nvJitLink|cufft|curand|nvrtc|nvToolsExt)[.]so"
    POST_EXCLUDE_REGEXES
      "/(ld-linux[^/]*|libc|libm|libpthread|libdl|librt)[.]so[^/]*$"
      "/cuda[^/]*/")
  if(_rmt_unresolved)
    message(FATAL_ERROR "bundle: unresolved shared libraries: ${_rmt_unresolved}")
  endif()
  set(_rmt_libdir "${CMAKE_INSTALL_PREFIX}/lib")
  file(MAKE_DIRECTORY "${_rmt_libdir}")
  foreach(dep IN LISTS _rmt_resolved)
    # Copy the real file under the name the loader asks for (the soname link): no symlinks, no
    # /etc/alternatives chains in the tarball.
    get_filename_component(_name "${dep}" NAME)
    get_filename_component(_real "${dep}" REALPATH)
    message(STATUS "Bundling: ${_rmt_libdir}/${_name} (${_real})")
    file(COPY_FILE "${_real}" "${_rmt_libdir}/${_name}" ONLY_IF_DIFFERENT)
  endforeach()
]])
