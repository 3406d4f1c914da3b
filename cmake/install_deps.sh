#!/usr/bin/env bash
# Installs the Debian packages rmtbench needs, and only those that are missing (idempotent).
# The CUDA toolkit is optional and not installed here: with nvcc on PATH the CUDA backend is built.
set -euo pipefail

packages=(
  g++ cmake make
  libfmt-dev libgtest-dev libcli11-dev libtomlplusplus-dev nlohmann-json3-dev
  libopenblas-dev liblapacke-dev librandom123-dev libboost-math-dev
  libxml2-utils   # xmllint: the report test checks that report.html is well-formed
  chromium        # headless browser: the report test renders report.html
  clang libclang-rt-dev llvm  # make check-hardening: ASan/UBSan + libFuzzer runtimes, llvm-symbolizer
  python3-dev pybind11-dev python3-numpy python3-pytest  # the Python package (python/) and its tests
  python3-matplotlib python3-pandas  # optional for the package; its tests check the figure and the DataFrame
  openmpi-bin     # mpirun: the sharded-run test runs a suite on 3 ranks (sharding itself links no MPI)
  # method = distributed (one matrix across MPI ranks; cmake/RmtMpi.cmake builds it when these are present)
  libopenmpi-dev libscalapack-openmpi-dev libelpa-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "install_deps: installing ${missing[*]}"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
