# The two commands of the README:
#   make        installs what is missing, builds, runs the default suite into results/
#   make test   builds both configurations and runs all tests: the Release build (CUDA when nvcc is
#               found) every test, the CPU-only configuration check-hardening's sanitizer tests and fuzzers
#   make bundle the relocatable bundle dist/rmtbench-bundle/ and dist/rmtbench-bundle.tar.gz (CUDA
#               sm_80/90, no GPU needed to build; README "Running on a GPU node without installing packages")
#   make check-hardening  a clang CPU build with AddressSanitizer + UndefinedBehaviorSanitizer and the
#               libFuzzer targets (cmake/RmtHardening.cmake, fuzz/): the unit and CLI tests under the
#               sanitizers, then each fuzzer FUZZ_SECONDS (60) from its committed corpus; part of
#               `make test`. Not run there (they run in the Release build): the Monte-Carlo-heavy test
#               files (not built; listed with reasons in cmake/RmtHardening.cmake) and the tests of
#               HARDENING_SKIP below.
#               Built without the MPI part (-DRMT_ENABLE_MPI=OFF): Open MPI's own start-up allocations
#               trip LeakSanitizer; the Release build runs the mpirun tests.
BUILD       ?= build
BUILD_NOCUDA ?= build-nocuda
BUILD_BUNDLE ?= build-bundle
BUILD_HARDENING ?= build-hardening
FUZZ_SECONDS ?= 60
JOBS        ?= $(shell nproc)

.PHONY: all deps build build-nocuda run test bundle check-hardening clean

all: deps build run

deps:
	./cmake/install_deps.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

build-nocuda:
	cmake -S . -B $(BUILD_NOCUDA) -DCMAKE_BUILD_TYPE=Release -DRMT_ENABLE_CUDA=OFF
	cmake --build $(BUILD_NOCUDA) -j $(JOBS)

run: build
	./$(BUILD)/rmtbench run --out results

# Two configurations: the Release build (with CUDA when nvcc is found) runs every test; the CPU-only
# configuration is built with clang and the sanitizers (check-hardening), runs the unit and CLI tests
# under them and fuzzes the parsers. A plain CPU-only Release build of the same sources would only
# repeat the first run's CPU tests (make build-nocuda builds one).
test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) check-hardening

bundle: deps
	cmake -S . -B $(BUILD_BUNDLE) -DCMAKE_BUILD_TYPE=Release -DRMT_ENABLE_CUDA=ON \
	  -DCMAKE_CUDA_ARCHITECTURES="80;90" -DRMT_BUNDLE=ON -DRMT_ENABLE_MPI=OFF
	cmake --build $(BUILD_BUNDLE) -j $(JOBS) --target rmt_bundle_targets
	rm -rf dist/rmtbench-bundle dist/rmtbench-bundle.tar.gz
	cmake --install $(BUILD_BUNDLE) --prefix dist/rmtbench-bundle
	tar -C dist -czf dist/rmtbench-bundle.tar.gz rmtbench-bundle
	bench/check_bundle.sh dist/rmtbench-bundle dist/rmtbench-bundle.tar.gz

# -O1 -g1: sanitizer reports with file:line at a fraction of a -O2 -g build's compile time.
# halt_on_error/-fno-sanitize-recover: the first finding fails its test; detect_leaks: LeakSanitizer
# too, with cmake/lsan.supp for the leaks of system libraries that are not ours.
SANITIZER_ENV = ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 LSAN_OPTIONS=suppressions=$(CURDIR)/cmake/lsan.supp
# Tests not run under the sanitizers (besides the test files cmake/RmtHardening.cmake leaves out), each
# 100-960 s instrumented on 2 cores against 2-60 s in Release; the Release build's tests run them. Their code paths
# are covered here by smaller tests: the CLI case pipeline and records by the other Cli.*, Resume.* and
# Faults.* tests, the rff/llc_gram continuation by the RandomFeatureGram.* tests of test_theory_llc.
#   Cli.DefaultSuiteWritesRecordsEigenvaluesAndReport   the whole default suite (960 s)
#   report_is_wellformed_xhtml                          the default suite again, then xmllint (100 s)
#   Faults.RandomFeatureContinuation*                   seed sweeps of the rff/llc_gram theory (350-750 s each)
#   Faults.SignalMidCaseKeepsWholeRecordsAndResumeCompletes  a suite run twice around a signal (290 s)
#   gpu_check_*                                         the GPU script's own checks
HARDENING_SKIP = ^gpu_check_|^Cli\.DefaultSuiteWritesRecordsEigenvaluesAndReport$$|^report_is_wellformed_xhtml$$|^Faults\.RandomFeatureContinuation|^Faults\.SignalMidCaseKeepsWholeRecordsAndResumeCompletes$$
check-hardening: deps
	cmake -S . -B $(BUILD_HARDENING) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DRMT_ENABLE_CUDA=OFF -DRMT_FUZZ=ON -DRMT_ENABLE_MPI=OFF
	cmake --build $(BUILD_HARDENING) -j $(JOBS)
	cd $(BUILD_HARDENING) && $(SANITIZER_ENV) ctest --output-on-failure -j $(JOBS) -E '$(HARDENING_SKIP)'
	$(SANITIZER_ENV) fuzz/run_fuzzers.sh $(BUILD_HARDENING) $(FUZZ_SECONDS) $(JOBS)

clean:
	rm -rf $(BUILD) $(BUILD_NOCUDA) $(BUILD_BUNDLE) $(BUILD_HARDENING) dist
