#!/usr/bin/env bash
# ONNX Runtime's outputs for the PaddleOCR models on fixed inputs: the reference of
# test/onnx/onnx-paddleocr-test.cc (a ctest fixture, test/onnx/CMakeLists.txt).
#   scripts/paddleocr-reference.sh OUT_DIR
# Fetches the models (scripts/fetch-models.sh), writes OUT_DIR/cls.model (the model's path),
# OUT_DIR/cls.in0.bin (1x3x48x192 float32, fixed seed, uniform in [-1, 1) like a normalized
# image) and ONNX Runtime's output OUT_DIR/cls.out0.ort.bin. Needs PQNN_PYTHON (a python3
# with numpy; default /usr/bin/python3). Exit status 3: models or ONNX Runtime unavailable
# (the test skips then).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: scripts/paddleocr-reference.sh OUT_DIR}
python=${PQNN_PYTHON:-/usr/bin/python3}
models=$("$here/fetch-models.sh" | tail -n 1) || exit 3
mkdir -p "$out"
"$python" -c "
import sys, numpy as np
rng = np.random.default_rng(20261205)
rng.uniform(-1, 1, (1, 3, 48, 192)).astype('<f4').tofile(sys.argv[1])
" "$out/cls.in0.bin"
model="$models/ch_ppocr_mobile_v2.0_cls_infer.onnx"
echo "$model" > "$out/cls.model"
rm -f "$out/cls.out0.ort.bin"
"$here/ort-reference.sh" "$model" --input "x=$out/cls.in0.bin" --shape x=1x3x48x192 \
  --output-prefix "$out/cls.ort-out"
mv "$out/cls.ort-out0.bin" "$out/cls.out0.ort.bin"
