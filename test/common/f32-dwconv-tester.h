// Tester for f32 depthwise-convolution microkernels (contract: src/microkernels.h, DWCONV).
//
// Builds what an operator would hand a kernel: a pool of input pixels, each its own
// exact-size heap buffer of `channels` floats (so AddressSanitizer catches any read past a
// pixel); an indirection array where output pixel x uses pointers [x * step, x * step +
// kernel_size) (step < kernel_size: overlapping windows as in a real convolution; step >
// kernel_size: gaps), stored as (pixel - a_offset) so the kernel's a_offset brings them
// back, with selected taps replaced by the `zero` pointer (a zero pixel, no a_offset);
// weights packed by pqnn_pack_f32_dwconv; an exact-size output with output_stride >=
// channels whose gaps are poisoned and checked untouched.
//
// Reference: double precision, out = clamp(bias + sum_t in_t[c] * k[t][c]). Tolerance:
// |out - ref| <= (kernel_size + 2) * FLT_EPSILON * (|bias| + sum_t |in_t[c] * k[t][c]|)
// + FLT_MIN, the bound of float recursive summation of kernel_size + 1 terms (with or
// without FMA) with a margin of 2.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include <pqnn.h>  // before extern "C": it includes pthreadpool.h, which has C++ templates

extern "C" {
#include "microkernels.h"
}

namespace pqnn_test {

class F32DwconvTester {
 public:
  F32DwconvTester& channels(size_t v) { channels_ = v; return *this; }
  F32DwconvTester& channel_tile(size_t v) { channel_tile_ = v; return *this; }
  F32DwconvTester& kernel_size(size_t v) { kernel_size_ = v; return *this; }
  F32DwconvTester& width(size_t v) { width_ = v; return *this; }
  // Pointers the array advances per output pixel; 0 means kernel_size.
  F32DwconvTester& step(size_t v) { step_ = v; return *this; }
  // Elements from one output pixel to the next; 0 means channels.
  F32DwconvTester& output_stride(size_t v) { output_stride_ = v; return *this; }
  // Tap index of every window replaced by the zero pointer; SIZE_MAX for none.
  F32DwconvTester& zero_index(size_t v) { zero_index_ = v; return *this; }
  // Bytes added by the kernel to every pointer other than `zero`.
  F32DwconvTester& a_offset(size_t v) { a_offset_ = v; return *this; }
  // Clamp bounds as fractions of the reference range (0, 1: no clamping).
  // Channel (< channels) that is NaN in every input pixel: its outputs must be NaN
  // whatever the bounds (pqnn.h: NaN in, NaN out); SIZE_MAX: none.
  F32DwconvTester& nan_channel(size_t v) { nan_channel_ = v; return *this; }
  F32DwconvTester& qmin(float v) { qmin_ = v; return *this; }
  F32DwconvTester& qmax(float v) { qmax_ = v; return *this; }
  F32DwconvTester& iterations(size_t v) { iterations_ = v; return *this; }

  size_t step() const { return step_ == 0 ? kernel_size_ : step_; }
  size_t output_stride() const { return output_stride_ == 0 ? channels_ : output_stride_; }

  // Runs the kernel and checks it with gtest assertions.
  void Test(pqnn_dwconv_ukernel_fn ukernel) const;

 private:
  size_t channels_ = 1;
  size_t channel_tile_ = 1;
  size_t kernel_size_ = 9;
  size_t width_ = 1;
  size_t step_ = 0;
  size_t output_stride_ = 0;
  size_t zero_index_ = SIZE_MAX;
  size_t nan_channel_ = SIZE_MAX;
  size_t a_offset_ = 0;
  float qmin_ = 0.0f;
  float qmax_ = 1.0f;
  size_t iterations_ = 2;
};

}  // namespace pqnn_test
