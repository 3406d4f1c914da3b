# Hardening builds (make check-hardening): AddressSanitizer + UndefinedBehaviorSanitizer over the
# whole CPU build, and libFuzzer targets for the input parsers (fuzz/). Both are whole-build flags,
# so they are set here, before any target is declared, and only in their own build directory.
option(RMT_SANITIZE "Build everything with AddressSanitizer + UndefinedBehaviorSanitizer (CPU only)" OFF)
option(RMT_FUZZ "Build the libFuzzer targets of fuzz/ (clang only; implies RMT_SANITIZE)" OFF)

if(RMT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "RMT_FUZZ=ON needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  set(RMT_SANITIZE ON CACHE BOOL "" FORCE)
endif()

if(RMT_SANITIZE)
  if(RMT_ENABLE_CUDA)
    message(FATAL_ERROR "RMT_SANITIZE=ON is a CPU-only build: add -DRMT_ENABLE_CUDA=OFF")
  endif()
  set(_rmt_sanitize -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_compile_options(${_rmt_sanitize})
  add_link_options(${_rmt_sanitize})
  if(RMT_FUZZ)
    # Coverage feedback for libFuzzer in every object (the parsers live in the libraries); the
    # fuzz targets themselves link with -fsanitize=fuzzer (fuzz/CMakeLists.txt). Without libFuzzer's
    # main the coverage callbacks are the sanitizer runtime's no-ops, so the tests link as usual.
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
endif()

# Test files not built in the sanitizer build (RMT_SANITIZE=ON), with the reason. The remaining
# unit and CLI tests run under ASan/UBSan; these sample large matrices for seconds each in a Release
# build (2-3x longer instrumented), and their code paths -- sampling, Gram products, the
# eigensolvers, the case pipeline -- are run by the CLI tests' default suite as well:
#   test_montecarlo_networks        Monte Carlo spectra of networks, n ~ 1000-2000 (25 s Release)
#   test_learning_curves            learning curves at the sizes of the theory (24 s)
#   test_learning_curves_dynamics   gradient-flow curves, Monte Carlo (12 s)
#   test_learning_curves_rf_data    random-feature curves on data sets, Monte Carlo (8 s)
#   test_deep_ntk_linearisation     one convergence study in n (23 s)
#   test_rff                        random Fourier feature spectra on every data set (21 s)
#   test_precision                  fp32 against fp64 on sampled cases (5 s)
#   test_cuda_*                     need a GPU (they skip without one); no CUDA in this build
set(RMT_SANITIZE_SKIPPED_TESTS
  test_montecarlo_networks test_learning_curves test_learning_curves_dynamics test_learning_curves_rf_data
  test_deep_ntk_linearisation test_rff test_precision)
