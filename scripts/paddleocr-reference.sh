#!/usr/bin/env bash
# ONNX Runtime's outputs for the three PaddleOCR models on real, rendered inputs: the
# reference of test/onnx/onnx-paddleocr-test.cc (a ctest fixture, test/onnx/CMakeLists.txt).
#   scripts/paddleocr-reference.sh OUT_DIR
# Fetches the models (scripts/fetch-models.sh); scripts/ocr-inputs.py renders a line of text
# (cls 1x3x48x192, rec 1x3x48x320) and a page (det 1x3x640x640) and writes OUT_DIR/M.in0.bin
# and OUT_DIR/rec.text; then for M in cls rec det: OUT_DIR/M.model (the model's path) and
# ONNX Runtime's output OUT_DIR/M.out0.ort.bin, and OUT_DIR/rec.keys (the path of the
# recognizer's dictionary). Needs PQNN_PYTHON (a python3 with numpy and PIL; default
# /usr/bin/python3). Exit status 3: models or ONNX Runtime unavailable (the test skips then,
# except under CI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: scripts/paddleocr-reference.sh OUT_DIR}
python=${PQNN_PYTHON:-/usr/bin/python3}
models=$("$here/fetch-models.sh" | tail -n 1) || exit 3
if ! "$python" -c "import numpy, PIL" 2>/dev/null; then
  echo "paddleocr-reference: $python lacks numpy or PIL (Debian: python3-numpy python3-pil)" >&2
  exit 3
fi
mkdir -p "$out"
"$python" "$here/ocr-inputs.py" "$out"
echo "$models/ppocr_keys_v1.txt" > "$out/rec.keys"
run() {  # NAME MODEL_FILE SHAPE
  local name=$1 model="$models/$2" shape=$3
  echo "$model" > "$out/$name.model"
  rm -f "$out/$name.out0.ort.bin"
  "$here/ort-reference.sh" "$model" --input "x=$out/$name.in0.bin" --shape "x=$shape" \
    --output-prefix "$out/$name.ort-out"
  mv "$out/$name.ort-out0.bin" "$out/$name.out0.ort.bin"
}
run cls ch_ppocr_mobile_v2.0_cls_infer.onnx 1x3x48x192
run rec ch_PP-OCRv4_rec_infer.onnx 1x3x48x320
run det ch_PP-OCRv4_det_infer.onnx 1x3x640x640
