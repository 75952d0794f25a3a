#!/usr/bin/env bash
# pqnn next to ONNX Runtime (npm onnxruntime-node, pinned; scripts/ort-reference.sh) on the
# PaddleOCR models (scripts/fetch-models.sh), with rendered text inputs
# (scripts/ocr-inputs.py): ORT f32 and pqnn f32 / f16 forced / qd8 at 1 and 2 threads,
# interleaved rounds, medians, `taskset` when available. Prints a markdown table of latencies,
# speedups over ORT f32 and the accuracy of every pqnn run against ORT's f32 output, then
# what the f16 hint runs here (f16 forced = --dtype f16-force; the hint --dtype f16 runs f32
# on a tier without f16 arithmetic; docs/benchmarks.md).
#   scripts/bench-vs-ort.sh [--models cls,rec,det] [--threads 1,2] [--rounds N]
#       [--budget-ms MS] [--json FILE] [--png FILE] [--build-dir DIR]
# --budget-ms: timed milliseconds per process (default 400; sets the iteration count).
# --png: a bar chart of the speedups (gnuplot). pqnn-run is built (Release) into
# --build-dir (default build/release) unless PQNN_RUN names one already built.
# Needs node + npm (ONNX Runtime), /usr/bin/python3 with numpy and PIL; exit status 3
# when the models or ONNX Runtime cannot be had.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
python=${PQNN_PYTHON:-/usr/bin/python3}
build_dir=$root/build/release
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) [ $# -ge 2 ] || { echo "--build-dir needs a directory" >&2; exit 2; }
      build_dir=$2; shift 2 ;;
    --models|--threads|--rounds|--budget-ms|--json|--png)
      [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-vs-ort: unknown argument $1 (--help)" >&2; exit 2 ;;
  esac
done
models=$("$here/fetch-models.sh" | tail -n 1) || exit 3
"$here/ort-reference.sh" --install >/dev/null || exit 3
run=${PQNN_RUN:-}
if [ -z "$run" ]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPQNN_BUILD_TESTS=OFF \
    >/dev/null
  cmake --build "$build_dir" -j "$(nproc)" --target pqnn-run >/dev/null
  run=$build_dir/src/onnx/pqnn-run/pqnn-run
fi
inputs=$(mktemp -d)
trap 'rm -rf "$inputs"' EXIT
"$python" "$here/ocr-inputs.py" "$inputs"
"$python" "$here/bench-vs-ort.py" --pqnn-run "$run" --ort "$here/ort-reference.sh" \
  --model-dir "$models" --input-dir "$inputs" "${args[@]}"
