// Kernel tester for f32 GEMM and IGEMM microkernels (contracts: src/microkernels.h).
//
// Weights are packed with the library's own pqnn_pack_f32_gemm; A, the indirection
// buffer and C are pqnn_test::ExactBuffers (no slack), so AddressSanitizer catches any
// read past A's K elements or write past the nc columns. C starts as NaN: every output
// position must be written and every gap (cm_stride > n, cn_stride > nr) must stay NaN.
//
// Reference: double precision, c = clamp(bias + sum a * w). f32 tolerance:
//   |c - ref| <= 1e-5 * (|bias| + sum_k |a * w|) + 1e-6
// (f32 accumulation of random [-1, 1] data in any order stays well inside it).
// Clamping: qmin / qmax in [0, 255] place min / max at that fraction of the reference
// output range (0 / 255: no clamp, -inf / +inf), as the XNNPACK testers do.
#pragma once

#include <cstddef>
#include <cstdint>

#include <pqnn.h>  // outside extern "C": it includes pthreadpool.h, which has C++ templates

extern "C" {
#include "microkernels.h"
}

namespace pqnn_test {

class F32GemmTester {
 public:
  F32GemmTester& mr(size_t v) { mr_ = v; return *this; }
  F32GemmTester& nr(size_t v) { nr_ = v; return *this; }
  F32GemmTester& kr(size_t v) { kr_ = v; return *this; }
  F32GemmTester& m(size_t v) { m_ = v; return *this; }
  F32GemmTester& n(size_t v) { n_ = v; return *this; }
  F32GemmTester& k(size_t v) { k_ = v; return *this; }
  // Taps (IGEMM only).
  F32GemmTester& ks(size_t v) { ks_ = v; return *this; }
  // Strides in elements; 0 means the tight default (k, n, nr).
  F32GemmTester& a_stride(size_t v) { a_stride_ = v; return *this; }
  F32GemmTester& cm_stride(size_t v) { cm_stride_ = v; return *this; }
  F32GemmTester& cn_stride(size_t v) { cn_stride_ = v; return *this; }
  // IGEMM: elements added to every non-zero pointer by the kernel.
  F32GemmTester& a_offset(size_t v) { a_offset_ = v; return *this; }
  // IGEMM: row index (< m) whose pointer is the zero buffer in every tap; SIZE_MAX: none.
  F32GemmTester& zero_index(size_t v) { zero_index_ = v; return *this; }
  // Row index (< m) whose A row (IGEMM: in tap 0) gets one NaN: all its outputs must be
  // NaN whatever the bounds (pqnn.h: NaN in, NaN out); SIZE_MAX: none.
  F32GemmTester& nan_row(size_t v) { nan_row_ = v; return *this; }
  F32GemmTester& qmin(uint8_t v) { qmin_ = v; return *this; }
  F32GemmTester& qmax(uint8_t v) { qmax_ = v; return *this; }
  F32GemmTester& iterations(size_t v) { iterations_ = v; return *this; }

  size_t mr() const { return mr_; }
  size_t nr() const { return nr_; }

  void Test(pqnn_gemm_ukernel_fn gemm) const;
  void Test(pqnn_igemm_ukernel_fn igemm) const;

 private:
  size_t a_stride_or_k() const { return a_stride_ == 0 ? k_ : a_stride_; }
  size_t cn_stride_or_nr() const { return cn_stride_ == 0 ? nr_ : cn_stride_; }
  size_t cm_stride_or_default() const;
  size_t c_index(size_t i, size_t j) const;

  size_t mr_ = 1, nr_ = 1, kr_ = 1;
  size_t m_ = 1, n_ = 1, k_ = 1, ks_ = 1;
  size_t a_stride_ = 0, cm_stride_ = 0, cn_stride_ = 0;
  size_t a_offset_ = 0;
  size_t zero_index_ = SIZE_MAX;
  size_t nan_row_ = SIZE_MAX;
  uint8_t qmin_ = 0, qmax_ = 255;
  size_t iterations_ = 1;
};

}  // namespace pqnn_test
