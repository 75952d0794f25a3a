#!/usr/bin/env bash
# The main job: installs missing dependencies, builds Release, and runs the operator
# benchmarks on shapes from real models (MobileNet v1/v2, ResNet-50, a transformer MLP),
# single-threaded and pinned to one core, reporting GFLOP/s and % of the measured peak.
# Usage: scripts/demo.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
min_time=0.5
if [ "${1:-}" = "--quick" ]; then min_time=0.05; fi
./scripts/install-deps.sh
build_dir=build/release
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPQNN_BUILD_TESTS=OFF -DPQNN_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
pin=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ]; then pin="taskset -c 1"; fi
for bench in f32-fully-connected f32-convolution; do
  exe="$build_dir/bench/$bench"
  if [ ! -x "$exe" ]; then
    echo "demo: $exe was not built" >&2
    exit 1
  fi
  echo "== $bench (single thread${pin:+, pinned to core 1})"
  $pin "$exe" --benchmark_min_time="$min_time" --benchmark_filter='threads:1' \
    --benchmark_counters_tabular=true
done
