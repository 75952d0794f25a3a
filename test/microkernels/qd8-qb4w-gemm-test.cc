// Kernel tests for every qd8-f32-qb4w-gemm and qd8-f16-qb4w-gemm microkernel of this build
// (lists: src/microkernels/qd8-f{32,16}-qb4w-gemm/*.inc): weights packed by
// pqnn_pack_4bit_gemm, the kernel called directly over edge sizes (every mr <= MR, nc tails
// and several NR steps, K tails inside a group and a block, one and many blocks, the largest
// kernel block, row and column strides) against an int64-per-block reference in double
// (tolerance 1e-6 of the terms' magnitude, as include/pqnn.h states; f16 output adds half
// an f16 ulp). Extreme values: activations -128 / 127, zero points -128 / 127, weights -8.
// A kernel whose ISA the CPU (or PQNN_ISA) lacks is skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/test-utils.h"

extern "C" {
#include "hardware.h"
#include "microkernels.h"
#include "packing.h"
}

namespace {

struct Kernel {
  const char* name;
  enum pqnn_isa isa;
  bool f16;
  uint32_t mr, nr, kr;
  int32_t input_offset;
  pqnn_dqgemm_ukernel_fn fn;
};

const Kernel kKernels[] = {
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, tier, false, mr, nr, kr, input_offset, fn},
#include "microkernels/qd8-f32-qb4w-gemm/qd8-f32-qb4w-gemm.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL(tier, mr, nr, kr, input_offset, fn) {#fn, tier, true, mr, nr, kr, input_offset, fn},
#include "microkernels/qd8-f16-qb4w-gemm/qd8-f16-qb4w-gemm.inc"
#undef PQNN_UKERNEL
};

struct Case {
  size_t m, n, k, block;  // block: the kernel block (multiple of 8)
  size_t a_stride = 0, c_stride = 0;
  bool extreme = false;
};

void check(const Kernel& kn, const Case& c) {
  auto& g = pqnn_test::rng();
  std::uniform_int_distribution<int> byte(0, 255), i8(-128, 127);
  std::uniform_real_distribution<float> sd(0.01f, 1.0f), bd(-10.0f, 10.0f);
  const size_t as = c.a_stride != 0 ? c.a_stride : c.k;
  const size_t cs = c.c_stride != 0 ? c.c_stride : c.n;
  const size_t nb = (c.k + c.block - 1) / c.block, row = (c.k + 1) / 2;
  pqnn_test::ExactBuffer<int8_t> a((c.m - 1) * as + c.k);
  for (auto& v : a) v = int8_t(c.extreme ? (i8(g) < 0 ? -128 : 127) : i8(g));
  std::vector<uint8_t> w(c.n * row);
  for (auto& v : w) v = uint8_t(c.extreme ? 0x88 : byte(g));
  std::vector<float> scale(c.n * nb), bias(c.n);
  for (auto& v : scale) v = sd(g);
  for (auto& v : bias) v = bd(g);
  std::vector<pqnn_quantization_params> qp(c.m);
  for (auto& q : qp) {
    q.zero_point = c.extreme ? (i8(g) < 0 ? -128 : 127) : i8(g);
    q.scale = sd(g);
    if (kn.f16 && c.extreme) q.scale *= 1e-4f;  // keep the extreme sums within f16 range
  }
  const size_t size = pqnn_packed_4bit_gemm_size(c.n, c.k, kn.nr, kn.kr, c.block);
  ASSERT_NE(size, 0u);
  std::vector<uint8_t> packed(size);
  pqnn_pack_4bit_gemm(c.n, c.k, kn.nr, kn.kr, c.block, w.data(), scale.data(), nb, c.block,
      bias.data(), packed.data());
  // Reference; the bounds clamp a quarter of the outputs at each end.
  std::vector<double> ref(c.m * c.n), tol(c.m * c.n);
  for (size_t i = 0; i < c.m; i++) {
    for (size_t j = 0; j < c.n; j++) {
      double sum = 0.0, mag = 0.0;
      for (size_t b = 0; b < nb; b++) {
        int64_t acc = 0, acc_abs = 0;
        for (size_t k = b * c.block; k < std::min(c.k, (b + 1) * c.block); k++) {
          const uint8_t by = w[j * row + k / 2];
          const int u = (k & 1) ? by >> 4 : by & 0xF;
          const int64_t wv = u >= 8 ? u - 16 : u;
          acc += (int64_t(a[i * as + k]) - qp[i].zero_point) * wv;
          acc_abs += (std::llabs(int64_t(a[i * as + k])) + 384) * std::llabs(wv);
        }
        sum += double(scale[j * nb + b]) * double(acc);
        mag += double(scale[j * nb + b]) * double(acc_abs);
      }
      ref[i * c.n + j] = double(qp[i].scale) * sum + bias[j];
      tol[i * c.n + j] = 1e-6 * (double(qp[i].scale) * mag + std::fabs(bias[j]));
    }
  }
  std::vector<double> sorted(ref);
  std::sort(sorted.begin(), sorted.end());
  float lo = float(sorted[sorted.size() / 4]), hi = float(sorted[sorted.size() * 3 / 4]);
  if (kn.f16) {
    lo = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(lo));
    hi = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(hi));
  }
  if (!(lo < hi)) {
    lo = -INFINITY;
    hi = INFINITY;
  }
  const pqnn_qb4w_minmax_params params = {lo, hi, c.block};
  const size_t esize = kn.f16 ? 2 : 4;
  // Output with a sentinel after each row's n elements (inside the row stride) and the
  // buffer exactly sized otherwise.
  pqnn_test::ExactBuffer<uint8_t> out(((c.m - 1) * cs + c.n) * esize);
  std::fill(out.begin(), out.end(), uint8_t(0x7E));
  kn.fn(c.m, c.n, c.k, a.data(), as, packed.data(), out.data(), cs * esize, kn.nr * esize,
      &params, qp.data());
  for (size_t i = 0; i < c.m; i++) {
    for (size_t j = 0; j < c.n; j++) {
      const size_t at = (i * cs + j) * esize;
      double y;
      if (kn.f16) {
        uint16_t h;
        std::memcpy(&h, &out[at], 2);
        y = fp16_ieee_to_fp32_value(h);
      } else {
        float f;
        std::memcpy(&f, &out[at], 4);
        y = f;
      }
      const double want = std::min(std::max(ref[i * c.n + j], double(lo)), double(hi));
      const double t = tol[i * c.n + j] + (kn.f16 ? std::fabs(want) * 0x1.0p-11 : 0.0);
      ASSERT_NEAR(y, want, t) << "m " << c.m << " n " << c.n << " k " << c.k << " block "
                              << c.block << " at row " << i << " col " << j;
    }
    for (size_t j = c.n; j < cs && i + 1 < c.m; j++) {
      for (size_t e = 0; e < esize; e++) ASSERT_EQ(out[(i * cs + j) * esize + e], 0x7E);
    }
  }
}

class Qd8Qb4wGemm : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) {
      GTEST_SKIP() << "CPU or PQNN_ISA lacks " << pqnn_isa_string(GetParam().isa);
    }
  }
};

TEST_P(Qd8Qb4wGemm, Edges) {
  const Kernel& kn = GetParam();
  for (size_t m = 1; m <= kn.mr; m++) {
    for (size_t n : {size_t(1), size_t(kn.nr - 1), size_t(kn.nr), size_t(kn.nr + 1),
                     size_t(2 * kn.nr + 3), size_t(17)}) {
      for (size_t k : {1, 3, 7, 8, 9, 31, 32, 33, 64, 100, 257}) {
        for (size_t block : {32, 64, 1024}) {
          check(kn, Case{m, n, k, block});
          if (HasFatalFailure()) return;
        }
        check(kn, Case{m, n, k, std::max<size_t>(8, (k + 7) / 8 * 8)});  // qc4w: one block
        if (HasFatalFailure()) return;
      }
    }
  }
}

TEST_P(Qd8Qb4wGemm, Strides) {
  const Kernel& kn = GetParam();
  check(kn, Case{kn.mr, 2 * kn.nr + 1, 77, 32, 91, 2 * kn.nr + 9});
  check(kn, Case{kn.mr, kn.nr, 256, 64, 301, kn.nr + 5});
}

TEST_P(Qd8Qb4wGemm, Extremes) {
  const Kernel& kn = GetParam();
  // The largest kernel block: 16384 k of -128/127 activations, zero points at the ends,
  // weights -8: the int32 block dot (with the +128 offset) at its bound.
  check(kn, Case{kn.mr, kn.nr, 16384, 16384, 0, 0, true});
  check(kn, Case{kn.mr, kn.nr + 1, 1000, 32, 0, 0, true});
}

INSTANTIATE_TEST_SUITE_P(Kernels, Qd8Qb4wGemm, ::testing::ValuesIn(kKernels),
    [](const ::testing::TestParamInfo<Kernel>& info) { return std::string(info.param.name); });

}  // namespace
