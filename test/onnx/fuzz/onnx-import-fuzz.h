// The ONNX importer's fuzz decoder: one byte string = one model file.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pqnn_onnx_fuzz {

// Loads the bytes as a model, lists its inputs, outputs and unsupported ops, and when it
// is supported and small, builds and runs it once (f32 and f16+qd8) on zero inputs.
// Aborts when the importer breaks a promise of include/pqnn-onnx.h that is cheap to check.
void import_model(const uint8_t* data, size_t size);

}  // namespace pqnn_onnx_fuzz
