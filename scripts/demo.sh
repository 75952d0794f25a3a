#!/usr/bin/env bash
# The main job: installs missing dependencies, builds Release, and runs the operators of
# every datatype (f32, f16, qs8, qd8 with its on-the-fly quantization) on layer shapes
# from real models (transformer MLP, LLM decode, MobileNet, ResNet-50), single-threaded
# pinned to one core and with two threads, then prints latency and speedup over f32 side
# by side. (End-to-end models arrive with the runtime.)
# Usage: scripts/demo.sh [--quick] [--json FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
min_time=0.3
json=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) min_time=0.05; shift ;;
    --json) json="$2"; shift 2 ;;
    *) echo "usage: scripts/demo.sh [--quick] [--json FILE]" >&2; exit 2 ;;
  esac
done
./scripts/install-deps.sh
build_dir=build/release
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPQNN_BUILD_TESTS=OFF -DPQNN_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
pin=""
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ]; then pin="taskset -c 1"; fi
shapes='mlp_up_768x3072_b64|fc_1024x1024_b256|llm_4096x4096_b1|mobilenet_v2_classifier_b1'
shapes+='|mnv1_pw_56x56_128to128|mnv2_dw_56x56x144_3x3s2|resnet_56x56_64to64_3x3|resnet_14x14_256to256_3x3'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for dt in f32 f16 qs8 qd8; do
  for op in fully-connected convolution; do
    exe="$build_dir/bench/$dt-$op"
    [ -x "$exe" ] || continue
    echo "running $dt $op ..." >&2
    for threads in 1 2; do
      runner="$pin"
      [ "$threads" = 2 ] && runner=""
      prefix=""
      # qd8 is timed from f32 input: its on-the-fly quantization is part of the cost.
      [ "$dt" = qd8 ] && prefix="_with_convert"
      $runner "$exe" --benchmark_filter="^${dt}_[a-z_]*${prefix}/($shapes)/threads:$threads" \
        --benchmark_min_time="$min_time" --benchmark_format=json \
        --benchmark_out="$tmp/$dt-$op-$threads.json" --benchmark_out_format=json >/dev/null
    done
  done
done
echo
echo "Latency per layer (median) and speedup over f32; qd8 includes quantizing its f32 input."
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores."
python3 scripts/demo-report.py ${json:+--json "$json"} "$tmp"/*.json
