#!/usr/bin/env bash
# Installs missing dependencies, builds pqnn with its tests, and runs every test (ctest).
# Usage: scripts/test.sh [--build-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build/test
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir="$2"; shift 2 ;;
    *) echo "usage: scripts/test.sh [--build-dir DIR]" >&2; exit 2 ;;
  esac
done
./scripts/install-deps.sh
./scripts/check-generated.sh
jobs=$(nproc)
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DPQNN_BUILD_TESTS=ON -DPQNN_BUILD_BENCHMARKS=ON
cmake --build "$build_dir" -j "$jobs"
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
