// Value checks of the GEMM-shaped operators (fully connected, convolution) against a
// reference computed in double (float and qd8) or exactly (qs8, API.md's formula):
//   output[r][n] = clamp(bias[n] + sum_t A(r, t) * W(n, t))   with the datatype's scaling.
// The decoder describes A and W through a GemmView; padding taps are zero inputs (in
// float, 0 * Inf is NaN).
//
// Float outputs are compared where the reference and the sum of |terms| are finite, with a
// tolerance of a few ulp of that sum per term (kernels may use FMA and another order);
// qs8 outputs bit for bit. Where the reference is NaN (a NaN input, weight, bias or qd8
// scale; Inf - Inf; 0 * Inf), the output must be NaN only when PQNN_FUZZ_NAN_CONTRACT=1
// is set in the environment (the NaN-in, NaN-out contract of include/pqnn.h; turn it on
// once every tier keeps NaN through the clamp), otherwise it is not checked. On a layer
// that may run Winograd (layer_relative_tolerance), a NaN reference without a NaN operand
// (0 x Inf, Inf - Inf: the transforms mix taps) is not checked either. f32 weights and
// biases enter the reference as packed: subnormals as zeros of their sign (src/packing.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "decoders/gemm-datatypes.h"

namespace pqnn_fuzz {

struct GemmView {
  size_t rows = 0, columns = 0, depth = 0;
  // Element offset of A(r, t) for output column n (its group) in the input buffer, or
  // SIZE_MAX for a padding tap.
  std::function<size_t(size_t r, size_t n, size_t t)> a_offset;
  // Element offset of W(n, t) in the caller's kernel array.
  std::function<size_t(size_t n, size_t t)> w_offset;
  // Index of the qd8 params entry of row r (FC: r; convolution: its image).
  std::function<size_t(size_t r)> params_index;
  // f32 tolerance relative to the layer's largest sum of |terms| (over its outputs with a
  // finite sum), on top of each output's own: an implementation that mixes the inputs of
  // neighbouring outputs (the Winograd path: 1e-5, pqnn.h PQNN_FLAG_NO_WINOGRAD) rounds
  // relative to them, not to the output's own terms. 0: none.
  double layer_relative_tolerance = 0;
};

void check_gemm_values(const DatatypeParams& p, const Weights& w, const Bound& bound,
    const GemmView& view, const char* what);

}  // namespace pqnn_fuzz
