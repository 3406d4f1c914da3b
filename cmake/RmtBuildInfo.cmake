# The build's identity (bench/build_info.hpp): git commit and dirty flag, build type, compiler, CUDA
# toolkit. Written into one generated .cpp at configure time and refreshed at every build by a
# script that rewrites it only when something changed, so a new commit recompiles that one file
# (and relinks), never the rest. A source tree without git records an empty commit.
find_package(Git QUIET)
set(RMT_BUILD_INFO_CPP ${PROJECT_BINARY_DIR}/generated/bench/build_info.cpp)
set(_rmt_cuda_toolkit "")
if(RMT_ENABLE_CUDA AND CUDAToolkit_VERSION)
  set(_rmt_cuda_toolkit ${CUDAToolkit_VERSION})
endif()
set(_rmt_build_info_args
  -DRMT_SOURCE_DIR=${PROJECT_SOURCE_DIR}
  -DRMT_GIT=${GIT_EXECUTABLE}
  -DRMT_TEMPLATE=${PROJECT_SOURCE_DIR}/cmake/build_info.cpp.in
  -DRMT_OUT=${RMT_BUILD_INFO_CPP}
  -DRMT_VERSION=${PROJECT_VERSION}
  -DRMT_BUILD_TYPE=${CMAKE_BUILD_TYPE}
  "-DRMT_COMPILER=${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}"
  -DRMT_CUDA_TOOLKIT=${_rmt_cuda_toolkit})
execute_process(COMMAND ${CMAKE_COMMAND} ${_rmt_build_info_args} -P ${PROJECT_SOURCE_DIR}/cmake/RmtGitInfo.cmake)
# Runs at every build; BYPRODUCTS lets Ninja see that an unchanged file needs no recompilation.
add_custom_target(rmt_build_info_refresh
  COMMAND ${CMAKE_COMMAND} ${_rmt_build_info_args} -P ${PROJECT_SOURCE_DIR}/cmake/RmtGitInfo.cmake
  BYPRODUCTS ${RMT_BUILD_INFO_CPP}
  COMMENT "build info (git commit)"
  VERBATIM)
add_library(rmt_build_info STATIC ${RMT_BUILD_INFO_CPP})
add_dependencies(rmt_build_info rmt_build_info_refresh)
target_include_directories(rmt_build_info PUBLIC ${PROJECT_SOURCE_DIR})
