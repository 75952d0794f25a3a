// libFuzzer entry of the ONNX importer (PQNN_BUILD_FUZZERS): seed it with the corpus that
// scripts/onnx-unit-models.py writes (build/.../test/onnx/unit-models/corpus) and real
// models (scripts/fetch-models.sh). See docs/onnx.md.
#include <cstddef>
#include <cstdint>

#include "onnx-import-fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pqnn_onnx_fuzz::import_model(data, size);
  return 0;
}
