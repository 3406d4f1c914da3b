# Every dependency comes from a Debian package (cmake/install_deps.sh installs them); no downloads.
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(Boost 1.74 REQUIRED)          # header-only Boost.Math
find_package(Threads REQUIRED)

# OpenBLAS (BLAS + LAPACK) and LAPACKE.
find_path(RMT_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES x86_64-linux-gnu aarch64-linux-gnu openblas REQUIRED)
find_path(RMT_LAPACKE_INCLUDE_DIR lapacke.h REQUIRED)
find_library(RMT_OPENBLAS_LIBRARY NAMES openblas REQUIRED)
find_library(RMT_LAPACKE_LIBRARY NAMES lapacke REQUIRED)
add_library(rmt_lapack INTERFACE)
target_include_directories(rmt_lapack INTERFACE ${RMT_CBLAS_INCLUDE_DIR} ${RMT_LAPACKE_INCLUDE_DIR})
target_link_libraries(rmt_lapack INTERFACE ${RMT_LAPACKE_LIBRARY} ${RMT_OPENBLAS_LIBRARY})

# Random123 is header-only (Philox, host and device).
find_path(RMT_RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(rmt_random123 INTERFACE)
target_include_directories(rmt_random123 SYSTEM INTERFACE ${RMT_RANDOM123_INCLUDE_DIR})
