#!/usr/bin/env bash
# The main job: installs missing dependencies, builds Release, and runs whole models through
# the pqnn runtime (bench/runtime/pqnn-demo): MobileNet v1 and v2 (224x224, batch 1) and a
# transformer MLP block (768 -> 3072 -> GELU -> 768 + residual, batch 1, 8 and 128), each
# in f32, f16, qd8 (dynamic-range quantization) and qs8 (static int8, calibrated). It prints
# latency (median) on one pinned thread and on two threads, speedup over f32, accuracy
# against the f32 output, and which datatype every node ran in. A short per-operator table
# (bench/*-fully-connected, *-convolution on a few layer shapes) follows as a second section.
# Usage: scripts/demo.sh [--quick] [--json FILE] [--no-operators]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=30
min_time=0.1
json=""
operators=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) iterations=8; min_time=0.03; shift ;;
    --json) [ $# -ge 2 ] || { echo "--json needs a file" >&2; exit 2; }; json="$2"; shift 2 ;;
    --no-operators) operators=0; shift ;;
    *) echo "usage: scripts/demo.sh [--quick] [--json FILE] [--no-operators]" >&2; exit 2 ;;
  esac
done
./scripts/install-deps.sh
build_dir=build/release
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPQNN_BUILD_TESTS=OFF -DPQNN_BUILD_BENCHMARKS=ON >/dev/null
op_benches=()
for dt in f32 f16 qs8 qd8; do
  for op in fully-connected convolution; do op_benches+=("$dt-$op"); done
done
targets=(pqnn-demo)
[ "$operators" = 1 ] && targets+=("${op_benches[@]}")
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]}"
pin=()
if [ "$(nproc)" -gt 1 ]; then pin=(--pin 1); fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat <<'EOF'

== End-to-end models through the runtime ==
One graph per model is built with the subgraph API (random weights from a fixed seed, He /
LeCun scales so activations stay O(1)) and run in four modes:
  f32  the reference;
  f16  PQNN_FLAG_FP16_INFERENCE: f16 storage, f32 accumulation;
  qd8  PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION: FC / conv weights int8 per channel, their
       activations quantized per row at run time (depthwise, elementwise and layers with
       fewer than 64 multiply-adds per output, like a 3x3x3 stem, stay f32);
  qs8  static int8 activations, scales from one calibration run of the f32 graph.
On CPUs without VNNI (AVX2 only) int8 GEMM peaks at ~1.25x f32 FMA, so compute-bound
layers gain little from int8; memory-bound ones (batch 1) gain from 4x smaller weights.
EOF
"$build_dir/bench/runtime/pqnn-demo" --iterations "$iterations" "${pin[@]}" --json "$tmp/models.json"

if [ "$operators" = 1 ]; then
  echo
  echo "== Operators on single layers (secondary) =="
  echo "Latency per layer (median) and speedup over f32; qd8 includes quantizing its f32 input."
  taskset_cmd=()
  if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ]; then taskset_cmd=(taskset -c 1); fi
  shapes='mlp_up_768x3072_b64|llm_4096x4096_b1|mnv1_pw_56x56_128to128|resnet_56x56_64to64_3x3'
  for b in "${op_benches[@]}"; do
    dt=${b%%-*}
    prefix=""
    [ "$dt" = qd8 ] && prefix="_with_convert"
    for threads in 1 2; do
      runner=("${taskset_cmd[@]}")
      [ "$threads" = 2 ] && runner=()
      "${runner[@]}" "$build_dir/bench/$b" \
        --benchmark_filter="^${dt}_[a-z_]*${prefix}/($shapes)/threads:$threads" \
        --benchmark_min_time="$min_time" --benchmark_format=json \
        --benchmark_out="$tmp/op-$b-$threads.json" --benchmark_out_format=json >/dev/null
    done
  done
  python3 scripts/demo-report.py --json "$tmp/operators.json" "$tmp"/op-*.json
fi

if [ -n "$json" ]; then
  python3 - "$tmp/models.json" "$tmp/operators.json" "$json" <<'EOF'
import json, os, sys
models, operators, out = sys.argv[1:4]
result = json.load(open(models))
if os.path.exists(operators):
    result["operators"] = json.load(open(operators))
with open(out, "w") as f:
    json.dump(result, f, indent=2)
print("wrote " + out)
EOF
fi
