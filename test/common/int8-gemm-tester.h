// Kernel tester for the int8 GEMM / IGEMM microkernels (qs8_qc8w requantized int8
// output; qd8 x qc8w with f32 or f16 output). Packs random weights with the library's
// packers, runs one kernel call over an m x n x k problem (IGEMM: ks taps through an
// indirection buffer with a_offset and zero-pointer rows), and compares with a plain C++
// reference: qs8 bit-exact, qd8 int32 accumulation exact (unit scales) and the float
// epilogue within a few ulp, f16 output within 1 f16 ulp. A, the zero row and C are
// exact-size buffers (AddressSanitizer catches over-reads); C positions the kernel must
// not write, and a guard after the last row, are checked untouched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>

#include <pqnn.h>

extern "C" {
#include "hardware.h"
#include "microkernels.h"
}

namespace pqnn_test {

enum class Int8Variant { qs8, qd8_f32, qd8_f16 };

struct Int8GemmKernel {
  const char* name;
  enum pqnn_isa isa;
  Int8Variant variant;
  bool igemm;
  uint32_t mr, nr, kr;
  int32_t input_offset;
  pqnn_gemm_ukernel_fn gemm;
  pqnn_igemm_ukernel_fn igemm_fn;
  pqnn_dqgemm_ukernel_fn dqgemm;
  pqnn_dqigemm_ukernel_fn dqigemm;
};

struct Int8GemmCase {
  size_t m = 1, n = 1, k = 1;
  size_t ks = 1;              // taps (IGEMM only)
  size_t a_stride = 0;        // elements; 0: k
  size_t cm_stride = 0;       // elements; 0: packed rows (n rounded to blocks)
  size_t cn_stride = 0;       // elements; 0: nr
  size_t a_offset = 0;        // bytes (IGEMM only)
  size_t zero_every = 0;      // IGEMM: every zero_every-th indirection entry is `zero`
  int input_zero_point = 1000;   // 1000: random in [-128, 127]
  int output_zero_point = 1000;  // qs8; 1000: random
  double scale_min = 0.0, scale_max = 0.0;  // qs8 requant scale range; 0: automatic
  int qmin = -128, qmax = 127;   // qs8 output bounds
  double clamp = 0.0;            // qd8: fraction of the output range clamped at each end
  bool extreme = false;          // activations in {-128, 127}, weights in {-127, 127}
  bool unit = false;             // qd8: unit scales, zero bias: outputs are exact (float) acc
};

// Readable test names for parameterized suites.
inline void PrintTo(const Int8GemmKernel& k, std::ostream* os) { *os << k.name; }

// Runs one case and reports failures through gtest EXPECT/ASSERT.
void RunInt8Gemm(const Int8GemmKernel& kernel, const Int8GemmCase& c);

// The shared suites, each a sweep of cases (every test binary runs them all per kernel).
void Int8SuiteFullTile(const Int8GemmKernel& kernel);
void Int8SuiteEdges(const Int8GemmKernel& kernel);      // m 1..MR, n around NR, k around KR
void Int8SuiteLargeK(const Int8GemmKernel& kernel);     // k up to 8195 (VNNI flip chunk), extreme values
void Int8SuiteStrides(const Int8GemmKernel& kernel);    // a_stride, cm_stride, cn_stride
void Int8SuiteZeroPoints(const Int8GemmKernel& kernel); // every zero point -128..127
void Int8SuiteScales(const Int8GemmKernel& kernel);     // requant scales 1e-6..1 / unit
void Int8SuiteClamp(const Int8GemmKernel& kernel);      // bounds that clamp
void Int8SuiteIndirection(const Int8GemmKernel& kernel); // IGEMM taps, a_offset, zero rows, flip / widen budgets

}  // namespace pqnn_test
