// Testers for the f16 GEMM, IGEMM and DWCONV microkernels (f16 storage, f32 accumulation).
//
// Inputs, weights and bias are random f16 values; the reference is computed in double from
// those same f16 values, clamped to [min, max] (bounds rounded to f16). Tolerance per output:
//   e = (T + 1) * 2^-24 * (|bias| + sum |a * w|)
//   |y - ref| <= 0.5 * ulp16(max(|ref| + e, |y|)) + e
// where T is the number of accumulated products (K * taps) and ulp16(x) is the f16 ulp at x
// (2^-24 below 2^-14). Rationale: f16 x f16 products are exact in f32 (11 + 11 bits), each
// f32 addition rounds by at most 2^-24 relative, so the f32 sum is within e of the exact
// value; clamping is 1-Lipschitz; the final round-to-nearest to f16 adds at most half an f16
// ulp at the larger of |acc| and |y|. This is tight enough to catch truncation instead of
// rounding to nearest at small K. Outputs outside the written extents must keep their poison.
#pragma once

#include <cstddef>
#include <cstdint>

#include <pqnn.h>  // before the extern "C" block: pthreadpool.h has C++ templates

extern "C" {
#include "microkernels.h"
}

namespace pqnn_test {

class F16GemmTester {
 public:
  F16GemmTester& mr(size_t v) { mr_ = v; return *this; }
  F16GemmTester& nr(size_t v) { nr_ = v; return *this; }
  F16GemmTester& m(size_t v) { m_ = v; return *this; }
  F16GemmTester& n(size_t v) { n_ = v; return *this; }
  F16GemmTester& k(size_t v) { k_ = v; return *this; }
  F16GemmTester& ks(size_t v) { ks_ = v; return *this; }
  // Strides in elements; 0 means the dense default (k, n, nr).
  F16GemmTester& a_stride(size_t v) { a_stride_ = v; return *this; }
  F16GemmTester& cm_stride(size_t v) { cm_stride_ = v; return *this; }
  F16GemmTester& cn_stride(size_t v) { cn_stride_ = v; return *this; }
  F16GemmTester& a_offset(size_t v) { a_offset_ = v; return *this; }  // elements (IGEMM)
  F16GemmTester& zero_index(size_t v) { zero_index_ = v; return *this; }  // IGEMM row
  // Clamp bounds as fractions of the reference range: qmin > 0 / qmax < 255 clamp.
  // Row (< m) whose A row (IGEMM: in tap 0) gets one NaN: all its outputs must be NaN
  // whatever the bounds (pqnn.h: NaN in, NaN out); SIZE_MAX: none.
  F16GemmTester& nan_row(size_t v) { nan_row_ = v; return *this; }
  F16GemmTester& qmin(uint8_t v) { qmin_ = v; return *this; }
  F16GemmTester& qmax(uint8_t v) { qmax_ = v; return *this; }
  F16GemmTester& iterations(size_t v) { iterations_ = v; return *this; }

  void Test(pqnn_gemm_ukernel_fn gemm) const;
  void Test(pqnn_igemm_ukernel_fn igemm) const;

 private:
  void Run(pqnn_gemm_ukernel_fn gemm, pqnn_igemm_ukernel_fn igemm) const;
  size_t mr_ = 1, nr_ = 1, m_ = 1, n_ = 1, k_ = 1, ks_ = 1;
  size_t a_stride_ = 0, cm_stride_ = 0, cn_stride_ = 0, a_offset_ = 0;
  size_t zero_index_ = SIZE_MAX, nan_row_ = SIZE_MAX;
  uint8_t qmin_ = 0, qmax_ = 255;
  size_t iterations_ = 2;
};

class F16DwconvTester {
 public:
  F16DwconvTester& channels(size_t v) { channels_ = v; return *this; }
  F16DwconvTester& ct(size_t v) { ct_ = v; return *this; }
  F16DwconvTester& kernel_size(size_t v) { kernel_size_ = v; return *this; }
  F16DwconvTester& width(size_t v) { width_ = v; return *this; }
  // Extra pointers between pixels' pointer sets (input_stride = (kernel_size + step_pad) ptrs).
  F16DwconvTester& input_pointer_pad(size_t v) { input_pointer_pad_ = v; return *this; }
  // Elements between channels of consecutive input pixels (>= channels; 0 = channels).
  F16DwconvTester& input_pixel_stride(size_t v) { input_pixel_stride_ = v; return *this; }
  F16DwconvTester& output_increment(size_t v) { output_increment_ = v; return *this; }  // elements
  F16DwconvTester& a_offset(size_t v) { a_offset_ = v; return *this; }  // elements
  F16DwconvTester& zero_tap(size_t v) { zero_tap_ = v; return *this; }
  // Channel (< channels) that is NaN in every input pixel: its outputs must be NaN.
  F16DwconvTester& nan_channel(size_t v) { nan_channel_ = v; return *this; }
  F16DwconvTester& qmin(uint8_t v) { qmin_ = v; return *this; }
  F16DwconvTester& qmax(uint8_t v) { qmax_ = v; return *this; }
  F16DwconvTester& iterations(size_t v) { iterations_ = v; return *this; }

  void Test(pqnn_dwconv_ukernel_fn dwconv) const;

 private:
  size_t channels_ = 1, ct_ = 1, kernel_size_ = 1, width_ = 1, input_pointer_pad_ = 0;
  size_t input_pixel_stride_ = 0, output_increment_ = 0, a_offset_ = 0;
  size_t zero_tap_ = SIZE_MAX, nan_channel_ = SIZE_MAX;
  uint8_t qmin_ = 0, qmax_ = 255;
  size_t iterations_ = 2;
};

// The tolerance above, exposed for tests of the tester.
double f16_tolerance(double ref, double y, size_t terms, double abs_sum);

}  // namespace pqnn_test
