#!/usr/bin/env bash
# The main job: installs missing dependencies, builds Release, and runs real pretrained
# networks, the three PaddleOCR models (text direction classifier, text detector, text
# recognizer; scripts/fetch-models.sh), through the ONNX importer in f32, f16 forced and
# qd8 next to ONNX Runtime f32 on the same rendered-text inputs, at 1 and 2 threads
# (scripts/bench-vs-ort.sh: interleaved rounds, medians, taskset), with the accuracy of
# every pqnn run against ONNX Runtime's output; then where the detector's time goes
# (pqnn-run --profile) and which layers of the recognizer lose accuracy under qd8
# (pqnn-run --layer-error).
#   scripts/demo.sh [--quick] [--json FILE] [--png FILE]
# Exit status 3: the models or ONNX Runtime cannot be had (offline).
# --synthetic: the earlier demo instead, models built in C with random weights
# (bench/runtime/pqnn-demo: MobileNet v1 and v2 224x224, a transformer MLP block, in f32,
# f16 forced, qd8 and qs8, on one pinned thread and two) and a per-operator table
# (bench/*-fully-connected, *-convolution on a few layer shapes; --no-operators skips it):
#   scripts/demo.sh --synthetic [--quick] [--json FILE] [--no-operators]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=30
min_time=0.1
json=""
png=""
operators=1
synthetic=0
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) iterations=8; min_time=0.03; quick=1; shift ;;
    --json) [ $# -ge 2 ] || { echo "--json needs a file" >&2; exit 2; }; json="$2"; shift 2 ;;
    --png) [ $# -ge 2 ] || { echo "--png needs a file" >&2; exit 2; }; png="$2"; shift 2 ;;
    --no-operators) operators=0; shift ;;
    --synthetic) synthetic=1; shift ;;
    *) echo "usage: scripts/demo.sh [--quick] [--json FILE] [--png FILE]" >&2
       echo "       scripts/demo.sh --synthetic [--quick] [--json FILE] [--no-operators]" >&2
       exit 2 ;;
  esac
done

real_models() {
  # What the real-model demo needs on top of the build, asked for only when missing (node
  # and npm may come from outside Debian, as on machines with a newer node).
  local extra=()
  command -v npm >/dev/null 2>&1 || extra+=(nodejs npm)
  command -v gnuplot >/dev/null 2>&1 || extra+=(gnuplot-nox)
  /usr/bin/python3 -c "import PIL" 2>/dev/null || extra+=(python3-pil)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || extra+=(fonts-dejavu-core)
  ./scripts/install-deps.sh "${extra[@]}"
  local build_dir=build/release
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPQNN_BUILD_TESTS=OFF \
    >/dev/null
  cmake --build "$build_dir" -j "$(nproc)" --target pqnn-run
  local run=$build_dir/src/onnx/pqnn-run/pqnn-run
  echo
  echo "== PaddleOCR models: pqnn next to ONNX Runtime =="
  echo "Each model is imported from its ONNX file (NCHW outside, NHWC inside) and run on a"
  echo "rendered line of text (cls 1x3x48x192, rec 1x3x48x320) or page (det 1x3x640x640) in"
  echo "  f32  the reference;"
  echo "  f16  PQNN_FLAG_FORCE_FP16_INFERENCE (f16 forced): f16 storage, f32 accumulation;"
  echo "       the hint PQNN_FLAG_FP16_INFERENCE runs f16 only on a tier with f16 arithmetic"
  echo "       (on x86 it runs f32: the f32 column; the line under the table says so);"
  echo "  qd8  PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION: conv / FC weights int8 per channel, their"
  echo "       activations quantized at run time;"
  echo "next to ONNX Runtime 1.30 f32 (onnxruntime-node). Rounds are interleaved (ORT, f32, f16 forced,"
  echo "qd8, repeat); latency is the median over rounds; cosine is against ORT's f32 output."
  local rounds=5 budget=400
  if [ "$quick" = 1 ]; then rounds=3; budget=150; fi
  local args=(--rounds "$rounds" --budget-ms "$budget")
  [ -n "$json" ] && args+=(--json "$json")
  [ -n "$png" ] && args+=(--png "$png")
  local status=0
  PQNN_RUN="$run" ./scripts/bench-vs-ort.sh "${args[@]}" || status=$?
  if [ "$status" = 3 ]; then
    echo "demo: the models or ONNX Runtime cannot be had here (offline?);" \
      "scripts/demo.sh --synthetic runs without them" >&2
  fi
  [ "$status" = 0 ] || exit "$status"
  local models
  models=$(./scripts/fetch-models.sh | tail -n 1)
  demo_tmp=$(mktemp -d)
  trap 'rm -rf "$demo_tmp"' EXIT
  local tmp=$demo_tmp
  /usr/bin/python3 scripts/ocr-inputs.py "$tmp"
  local pin=()
  if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -gt 1 ]; then pin=(taskset -c 1); fi
  echo
  echo "== Where the detector's time goes (pqnn-run --profile, 1 thread) =="
  for dt in f32 qd8; do
    "${pin[@]}" "$run" "$models/ch_PP-OCRv4_det_infer.onnx" --shape 1x3x640x640 \
      --input "$tmp/det.in0.bin" --dtype "$dt" --iterations 5 --warmup 1 --profile \
      | sed -n '/^import/p; /^profile/,/slowest nodes/p' | grep -v "slowest nodes"
  done
  echo
  echo "== Which recognizer layers lose accuracy under qd8 (pqnn-run --layer-error) =="
  "$run" "$models/ch_PP-OCRv4_rec_infer.onnx" --shape 1x3x48x320 --input "$tmp/rec.in0.bin" \
    --dtype qd8 --iterations 1 --warmup 0 --layer-error | sed -n '/^layer error/,$p'
}

if [ "$synthetic" = 0 ]; then
  real_models
  exit 0
fi

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
  f16  PQNN_FLAG_FORCE_FP16_INFERENCE (f16 forced): f16 storage, f32 accumulation (the
       hint PQNN_FLAG_FP16_INFERENCE runs f16 only on a tier with f16 arithmetic, not x86);
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
