#!/usr/bin/env bash
# Checks a relocatable bundle (make bundle): every executable in DIR/bin resolves each shared
# library that is neither CUDA's nor glibc's (nor libgcc_s, see below) inside DIR/lib (ldd), the bundle runs (rmtbench
# --version, a small CPU case), and the tarball is under 48 MiB. Prints the sizes, the libraries
# carried and the newest glibc symbol version the bundle needs. Exit 1 on any failure.
# Usage: check_bundle.sh DIR [TARBALL]
set -euo pipefail

dir=${1:?usage: check_bundle.sh DIR [TARBALL]}
tarball=${2:-}
dir=$(cd "$dir" && pwd)
limit=$((48 * 1024 * 1024))
fail=0
glibc='^(ld-linux[^ ]*|linux-vdso[^ ]*|libc|libm|libmvec|libpthread|libdl|librt|libutil|libresolv|libanl|libnsl)([.]so[^ ]*)?$'
cuda='^lib(cuda|cudart|cublas|cublasLt|cusolver|cusolverMg|cusparse|nvJitLink|cufft|curand|nvrtc|nvToolsExt)[.]so'

shopt -s nullglob
exes=("$dir"/bin/*)
shopt -u nullglob
((${#exes[@]} > 0)) || { echo "check_bundle: no executable in $dir/bin"; exit 1; }
[[ -x $dir/bin/rmtbench ]] || { echo "check_bundle: $dir/bin/rmtbench is missing"; fail=1; }

for exe in "${exes[@]}"; do
  bad=0 inside=0 node=0
  while read -r line; do
    # "libx.so.1 => /path (0x...)", "libx.so.1 => not found", "/lib64/ld-linux-x86-64.so.2 (0x...)", "linux-vdso.so.1 (0x...)"
    name=${line%% *}
    name=${name##*/}
    path=""
    [[ $line == *" => "* ]] && path=${line#* => } && path=${path%% (*}
    if [[ $name =~ $glibc || $name =~ $cuda ]]; then
      node=$((node + 1))
      continue
    fi
    # libgcc_s is part of every Linux base system (Debian: libgcc-s1, priority required) and
    # backward compatible. cuSOLVER's RUNPATH makes the loader take the node's copy first, before the
    # executable's RPATH is consulted; the bundled copy serves libgfortran where the node has none.
    if [[ $name == libgcc_s.so.1 && -n $path && $path != "not found" ]]; then
      node=$((node + 1))
      continue
    fi
    if [[ $path == "not found" || -z $path ]]; then
      echo "check_bundle: $(basename "$exe"): $name is not found"
      bad=1
    elif [[ $(cd "$(dirname "$path")" && pwd -P)/ != "$(cd "$dir/lib" && pwd -P)/" ]]; then
      echo "check_bundle: $(basename "$exe"): $name resolves outside the bundle: $path"
      bad=1
    else
      inside=$((inside + 1))
    fi
  done < <(ldd "$exe" | sed 's/^[[:space:]]*//')
  printf 'check_bundle: %-40s %s (%d libraries in the bundle, %d from the node: glibc/CUDA)\n' \
    "$(basename "$exe")" "$([[ $bad == 0 ]] && echo ok || echo FAIL)" "$inside" "$node"
  ((bad == 0)) || fail=1
done

echo "check_bundle: carried in lib/:"
for f in "$dir"/lib/*; do printf '  %-28s %8d KiB\n' "$(basename "$f")" $(($(stat -c %s "$f") / 1024)); done

# The CUDA libraries the executables expect from the node.
needs=$(for exe in "${exes[@]}"; do ldd "$exe" | awk '{print $1}'; done | grep -E "$cuda" | sort -u | tr '\n' ' ' || true)
echo "check_bundle: from the node's CUDA: ${needs:-none}"
if command -v objdump >/dev/null; then
  newest=$(for f in "${exes[@]}" "$dir"/lib/*; do objdump -T "$f" 2>/dev/null; done |
    grep -o 'GLIBC_[0-9.]*' | sort -u -V | tail -1)
  echo "check_bundle: newest glibc symbol version needed: ${newest:-unknown}"
fi

# It runs (the CPU backend needs no device; CUDA libraries from the toolkit when they are not on the
# loader's path, as on a build machine without a driver).
cuda_path=""
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do [[ -d $d ]] && cuda_path=$cuda_path:$d; done
if out=$(LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}$cuda_path "$dir/bin/rmtbench" --version 2>&1) &&
  LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}$cuda_path "$dir/bin/rmtbench" run --backend cpu --model mp --set n=200 --quiet \
    --out "$(mktemp -d)" >/dev/null 2>&1; then
  echo "check_bundle: runs: $out, mp n=200 on the CPU ok"
else
  echo "check_bundle: bin/rmtbench does not run: $out"
  fail=1
fi

unpacked=$(du -sb "$dir" | cut -f1)
echo "check_bundle: unpacked $((unpacked / 1024)) KiB ($(awk -v b="$unpacked" 'BEGIN { printf "%.1f", b / 1048576 }') MiB)"
if [[ -n $tarball ]]; then
  size=$(stat -c %s "$tarball")
  echo "check_bundle: tarball $tarball: $size bytes ($(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1048576 }') MiB, limit 48 MiB)"
  ((size < limit)) || { echo "check_bundle: the tarball is over 48 MiB"; fail=1; }
fi
if ((fail)); then
  echo "check_bundle: FAILED"
  exit 1
fi
echo "check_bundle: ok"
