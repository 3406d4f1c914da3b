# The two commands of the README:
#   make        installs what is missing, builds, runs the default suite into results/
#   make test   builds both configurations (CUDA when nvcc is found, and CPU-only) and runs all tests
#   make bundle the relocatable bundle dist/rmtbench-bundle/ and dist/rmtbench-bundle.tar.gz (CUDA
#               sm_80/90, no GPU needed to build; README "Running on a GPU node without installing packages")
BUILD       ?= build
BUILD_NOCUDA ?= build-nocuda
BUILD_BUNDLE ?= build-bundle
JOBS        ?= $(shell nproc)

.PHONY: all deps build build-nocuda run test bundle clean

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

test: deps build build-nocuda
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(BUILD_NOCUDA) && ctest --output-on-failure -j $(JOBS)

bundle: deps
	cmake -S . -B $(BUILD_BUNDLE) -DCMAKE_BUILD_TYPE=Release -DRMT_ENABLE_CUDA=ON \
	  -DCMAKE_CUDA_ARCHITECTURES="80;90" -DRMT_BUNDLE=ON
	cmake --build $(BUILD_BUNDLE) -j $(JOBS) --target rmt_bundle_targets
	rm -rf dist/rmtbench-bundle dist/rmtbench-bundle.tar.gz
	cmake --install $(BUILD_BUNDLE) --prefix dist/rmtbench-bundle
	tar -C dist -czf dist/rmtbench-bundle.tar.gz rmtbench-bundle
	bench/check_bundle.sh dist/rmtbench-bundle dist/rmtbench-bundle.tar.gz

clean:
	rm -rf $(BUILD) $(BUILD_NOCUDA) $(BUILD_BUNDLE) dist
