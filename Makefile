# The two commands of the README:
#   make        installs what is missing, builds, runs the default suite into results/
#   make test   builds both configurations (CUDA when nvcc is found, and CPU-only) and runs all tests
BUILD       ?= build
BUILD_NOCUDA ?= build-nocuda
JOBS        ?= $(shell nproc)

.PHONY: all deps build build-nocuda run test clean

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

clean:
	rm -rf $(BUILD) $(BUILD_NOCUDA)
