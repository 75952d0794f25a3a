#!/usr/bin/env bash
# Runs ONNX Runtime (npm onnxruntime-node, pinned) on fixed inputs and writes its outputs:
# the reference for pqnn's ONNX importer (docs/onnx.md).
#   scripts/ort-reference.sh --manifest DIR/manifest.txt
#       every case of scripts/onnx-unit-models.py: DIR/NAME.out<k>.ort.bin
#   scripts/ort-reference.sh MODEL.onnx --input name=FILE.bin [--input ...]
#       [--shape name=1x3x48x192 ...] --output-prefix PREFIX [--threads N] [--iterations N]
#       (input files: raw little-endian float32, or int64 / int32 for such an input: token ids)
#       one model: PREFIX<k>.bin per output (model order); --iterations N also times N runs
#       after one warmup and prints median_ms (wall) and cpu_median_ms (process CPU time).
#   scripts/ort-reference.sh --install
#       only installs ONNX Runtime (scripts/test.sh does this before ctest).
# ONNX Runtime is installed on first use with `npm install --ignore-scripts` into
# ${PQNN_ORT_CACHE:-~/.cache/pqnn/ort-<version>} (its prebuilt CPU binaries ship inside the
# package; the install script only fetches optional GPU parts). Exit status 3: node or
# npm missing, or the package cannot be installed (tests skip then).
set -euo pipefail
version=1.30.0
here=$(cd "$(dirname "$0")" && pwd)
cache=${PQNN_ORT_CACHE:-${HOME}/.cache/pqnn/ort-$version}
if ! command -v node >/dev/null 2>&1; then
  echo "ort-reference: node not found (Debian: nodejs)" >&2
  exit 3
fi
if [ ! -f "$cache/node_modules/onnxruntime-node/package.json" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "ort-reference: npm not found (Debian: npm)" >&2
    exit 3
  fi
  mkdir -p "$cache"
  if ! (cd "$cache" && npm install --ignore-scripts --no-audit --no-fund --silent \
        "onnxruntime-node@$version" >&2); then
    echo "ort-reference: npm install onnxruntime-node@$version failed (offline?)" >&2
    exit 3
  fi
fi
if [ "${1:-}" = "--install" ]; then
  echo "ort-reference: onnxruntime-node@$version in $cache"
  exit 0
fi
PQNN_ORT_DIR="$cache/node_modules/onnxruntime-node" exec node "$here/ort-reference.js" "$@"
