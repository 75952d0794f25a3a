#!/usr/bin/env bash
# Runs scripts/analysis/check-inner-loops.py on the x86 GEMM/IGEMM/DWCONV kernel objects of a gcc
# build and of a clang build (issue 13: the same source compiles to different K loops).
# Usage: scripts/analysis/check-inner-loops.sh [BUILD_DIR]
#   BUILD_DIR  an existing (gcc) build whose kernel objects to check as they are.
#   The clang objects are built in build/inner-loops-clang (only the kernel objects, with
#   the library's flags; not instrumented: a sanitizer build's loops carry its checks).
# Skips the clang half, loudly, where clang is missing; only on x86-64.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(uname -m)" != x86_64 ]; then
  echo "check-inner-loops: not an x86-64 host, nothing to check"
  exit 0
fi
if [ $# -gt 0 ]; then
  python3 scripts/analysis/check-inner-loops.py "$1"
fi
if ! command -v clang >/dev/null 2>&1; then
  echo "check-inner-loops: clang not found: the clang build was NOT checked" >&2
  exit 0
fi
dir=build/inner-loops-clang
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPQNN_BUILD_TESTS=OFF -DPQNN_BUILD_BENCHMARKS=OFF >/dev/null
mapfile -t objs < <(ninja -C "$dir" -t targets all |
  sed -n -e 's|^\(CMakeFiles/pqnn_objects\.dir/src/microkernels/[^:/]*gemm/[^:]*\.c\.o\):.*|\1|p' \
    -e 's|^\(CMakeFiles/pqnn_objects\.dir/src/microkernels/[^:/]*dwconv/[^:]*\.c\.o\):.*|\1|p')
ninja -C "$dir" -j "$(nproc)" "${objs[@]}" >/dev/null
python3 scripts/analysis/check-inner-loops.py "$dir"
