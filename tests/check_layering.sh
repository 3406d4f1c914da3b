#!/usr/bin/env bash
# The project's layering (docs/architecture.md, "Layout"), checked on the #include lines:
#   core/base     nothing else of the project
#   core/cpu      core/base
#   core/results  core/base
#   core/slq      core/base
#   theory/       core/base
#   cuda/         core/ (the backend interface and the CPU backend it falls back to)
#   mpi/          core/base (the optional MPI part: grid, distributed Gram tiles, ScaLAPACK/ELPA)
# Prints every include that breaks a rule; exits 1 if there is one.
set -euo pipefail
root="${1:-$(dirname "$0")/..}"
cd "$root"
status=0
check() {  # check DIR ALLOWED-REGEX
  local dir="$1" allowed="$2" hit
  while IFS= read -r hit; do
    echo "layering: $hit (allowed from $dir: $allowed)"
    status=1
  done < <(grep -rnoE '#include "[^"]+"' "$dir" --include='*.hpp' --include='*.cpp' --include='*.cu' --include='*.cuh' \
             | grep -vE "#include \"($allowed)" || true)
}
check core/base    'core/base/'
check core/cpu     'core/base/|core/cpu/'
check core/results 'core/base/|core/results/'
check core/slq     'core/base/|core/slq/'
check theory       'core/base/|theory/'
check cuda         'core/|cuda/|kernels\.cuh|device_memory\.cuh'
check mpi          'core/base/|mpi/'
[ "$status" -eq 0 ] && echo "layering: ok"
exit "$status"
