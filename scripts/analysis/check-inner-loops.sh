#!/usr/bin/env bash
# Runs scripts/analysis/check-inner-loops.py on every x86 SIMD kernel object (each kernel
# directory, production and candidate kernels) of a gcc build, of a clang build and of a gcc
# Release build (issue 13: the same
# source compiles to different K loops per compiler, and per optimization level: gcc 12 -O3
# once copied the c8 int8 accumulators every iteration where -O2 did not).
# Usage: scripts/analysis/check-inner-loops.sh [BUILD_DIR]
#   BUILD_DIR  an existing (gcc) build whose kernel objects to check as they are.
#   The clang objects are built in build/inner-loops-clang (RelWithDebInfo) and the gcc
#   Release (-O3) ones in build/inner-loops-release: only the kernel objects (every x86 one,
#   candidates included: -DPQNN_BUILD_ALL_MICROKERNELS=ON, as the test build), with the
#   library's flags; not instrumented (a sanitizer build's loops carry its checks).
# Skips the clang half, loudly, where clang is missing; only on x86-64.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(uname -m)" != x86_64 ]; then
  echo "check-inner-loops: not an x86-64 host, nothing to check"
  exit 0
fi

# check_objects DIR BUILD_TYPE [VAR=VALUE...]: configures DIR (no tests, no benchmarks, all
# microkernels), builds only the x86 SIMD kernel objects the guard reads and checks them.
check_objects() {
  local dir=$1 type=$2
  shift 2
  env "$@" cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
    -DPQNN_BUILD_TESTS=OFF -DPQNN_BUILD_BENCHMARKS=OFF -DPQNN_BUILD_ALL_MICROKERNELS=ON >/dev/null
  mapfile -t objs < <(ninja -C "$dir" -t targets all |
    sed -n -E 's%^(CMakeFiles/pqnn_objects\.dir/src/microkernels/[^:/]*/[^:]*-(sse2|f16c|avx2|avx2-fma|fma|avx512f|avx512skx|avxvnni|avx512vnni)\.c\.o):.*%\1%p')
  ninja -C "$dir" -j "$(nproc)" "${objs[@]}" >/dev/null
  python3 scripts/analysis/check-inner-loops.py "$dir"
}

status=0
if [ $# -gt 0 ]; then
  python3 scripts/analysis/check-inner-loops.py "$1" || status=1
fi
check_objects build/inner-loops-release Release || status=1
if command -v clang >/dev/null 2>&1; then
  check_objects build/inner-loops-clang RelWithDebInfo CC=clang CXX=clang++ || status=1
else
  echo "check-inner-loops: clang not found: the clang build was NOT checked" >&2
fi
exit $status
