// Plain C++ references for the conversion kernels: f32 -> qd8 row quantization (the
// formula of API.md "Dynamic quantization and conversions", with the two documented
// deviations for ranges whose reciprocal or width is not a finite float: see
// src/microkernels/qd8-quantize-params.h) and f16 <-> f32 through fp16.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include <pqnn.h>

namespace pqnn_test {

// Quantizes n floats to q and writes the row's params, as every f32 -> qd8 kernel must.
void reference_quantize_qd8(size_t n, const float* x, int8_t* q,
    struct pqnn_quantization_params* params);

// The same for f16 (uint16_t) input: widened to f32 exactly first.
void reference_quantize_qd8_f16(size_t n, const uint16_t* x, int8_t* q,
    struct pqnn_quantization_params* params);

uint16_t reference_f32_to_f16(float x);
float reference_f16_to_f32(uint16_t h);

uint32_t float_bits(float x);
float bits_float(uint32_t b);

}  // namespace pqnn_test
