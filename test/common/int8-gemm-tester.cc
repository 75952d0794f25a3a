#include "common/int8-gemm-tester.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include <fp16.h>

#include "common/test-utils.h"

extern "C" {
#include "packing.h"
}

namespace pqnn_test {
namespace {

constexpr uint8_t kPoison8 = 0xA5;

size_t OutSize(Int8Variant v) {
  return v == Int8Variant::qs8 ? 1 : v == Int8Variant::qd8_f32 ? 4 : 2;
}

float F16Round(float x) { return fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(x)); }

// Ordered integer of an f16 bit pattern, for ulp distances.
int F16Ordinal(uint16_t h) { return (h & 0x8000) ? -static_cast<int>(h & 0x7FFF) : (h & 0x7FFF); }

float Ulp(float x) {
  x = std::fabs(x);
  return std::nextafter(x, std::numeric_limits<float>::infinity()) - x;
}

}  // namespace

void RunInt8Gemm(const Int8GemmKernel& kr_, const Int8GemmCase& c) {
  auto& g = rng();
  const size_t mr = kr_.mr, nr = kr_.nr, kr = kr_.kr;
  const size_t m = c.m, n = c.n, k = c.k;
  const size_t ks = kr_.igemm ? c.ks : 1;
  const Int8Variant var = kr_.variant;
  const bool qs8 = var == Int8Variant::qs8;
  const size_t a_stride = c.a_stride ? c.a_stride : k;
  const size_t cn_stride = c.cn_stride ? c.cn_stride : nr;
  const size_t blocks = (n + nr - 1) / nr;
  const size_t row_extent = (blocks - 1) * cn_stride + (n - (blocks - 1) * nr);
  const size_t cm_stride = c.cm_stride ? c.cm_stride : row_extent;
  ASSERT_GE(cm_stride, row_extent);
  ASSERT_GE(cn_stride, nr);
  ASSERT_LE(m, mr);
  SCOPED_TRACE(testing::Message() << kr_.name << " m=" << m << " n=" << n << " k=" << k
                                  << " ks=" << ks << " a_stride=" << a_stride << " cm_stride="
                                  << cm_stride << " cn_stride=" << cn_stride);

  std::uniform_int_distribution<int> i8(-128, 127), w8(-127, 127), bit(0, 1);
  const int izp = c.input_zero_point != 1000 ? c.input_zero_point : i8(g);
  const int ozp = c.output_zero_point != 1000 ? c.output_zero_point : i8(g);

  // Activations: ks * m rows (IGEMM: one pixel per tap and row), a_offset bytes of prefix.
  const size_t rows = ks * m;
  const size_t a_off = kr_.igemm ? c.a_offset : 0;
  ExactBuffer<int8_t> a(a_off + span(rows, k, a_stride));
  for (auto& x : a) x = static_cast<int8_t>(c.extreme ? (bit(g) ? 127 : -128) : i8(g));
  auto act = [&](size_t t, size_t i, size_t kk) -> int {
    return a[a_off + (t * m + i) * a_stride + kk];
  };
  std::vector<int8_t> w(n * ks * k);
  for (auto& x : w) x = static_cast<int8_t>(c.extreme ? (bit(g) ? 127 : -127) : w8(g));
  if (c.extreme) {
    // Worst case for 16-bit partial sums and int32 accumulation: same-sign products.
    // Even columns match row 0's signs in every k: all of row 0's products are +-16256.
    for (size_t nn = 0; nn < n; nn += 2)
      for (size_t t = 0; t < ks; t++)
        for (size_t kk = 0; kk < k; kk++)
          w[(nn * ks + t) * k + kk] = static_cast<int8_t>(act(t, 0, kk) == 127 ? 127 : -127);
  }

  // IGEMM zero-row pattern: entries (t, i) with (t * m + i) % zero_every == zero_every - 1.
  auto is_zero = [&](size_t t, size_t i) {
    return kr_.igemm && c.zero_every != 0 && (t * m + i) % c.zero_every == c.zero_every - 1;
  };

  // Per-row quantization params (qd8).
  std::vector<pqnn_quantization_params> qp(m);
  std::uniform_real_distribution<float> rs(1e-3f, 1e-1f), ksd(1e-3f, 1e-1f), bd(-10.0f, 10.0f);
  for (size_t i = 0; i < m; i++) {
    qp[i].zero_point = (kr_.igemm || i == 0) ? izp : i8(g);
    qp[i].scale = c.unit ? 1.0f : rs(g);
  }
  auto zp_of = [&](size_t i) { return qs8 ? izp : qp[kr_.igemm ? 0 : i].zero_point; };

  // int32 accumulators (exact, in int64) of the reference.
  std::vector<int64_t> acc(m * n, 0);
  for (size_t i = 0; i < m; i++)
    for (size_t nn = 0; nn < n; nn++) {
      int64_t s = 0;
      for (size_t t = 0; t < ks; t++)
        for (size_t kk = 0; kk < k; kk++) {
          const int x = is_zero(t, i) ? zp_of(i) : act(t, i, kk);
          s += static_cast<int64_t>(x - zp_of(i)) * w[(nn * ks + t) * k + kk];
        }
      acc[i * n + nn] = s;
    }

  // Packing.
  const size_t prefix = 4, suffix = qs8 ? 4 : 8;
  const size_t packed_size = pqnn_packed_gemm_size(1, n, ks, k, nr, kr, 1, prefix, suffix);
  ASSERT_NE(packed_size, 0u);
  std::vector<int8_t> packed(packed_size, 0x5A);
  std::vector<int32_t> bias(n);
  std::vector<float> scale(n), fbias(n);
  if (qs8) {
    std::uniform_int_distribution<int32_t> bdist(-100000, 100000);
    for (auto& b : bias) b = bdist(g);
    double lo = c.scale_min, hi = c.scale_max;
    if (lo == 0.0) {
      // Spread outputs over about +-100 for random data.
      const double sd = 74.0 * 74.0 * std::sqrt(static_cast<double>(k * ks)) + 60000.0;
      lo = 20.0 / sd;
      hi = 100.0 / sd;
    }
    std::uniform_real_distribution<double> sdist(std::log(lo), std::log(hi));
    for (auto& s : scale) s = static_cast<float>(std::exp(sdist(g)));
    pqnn_pack_qs8_gemm(1, n, ks, k, nr, kr, false, w.data(), bias.data(), scale.data(),
        izp + kr_.input_offset, packed.data());
  } else {
    for (size_t nn = 0; nn < n; nn++) {
      scale[nn] = c.unit ? 1.0f : ksd(g);
      fbias[nn] = c.unit ? 0.0f : bd(g);
    }
    pqnn_pack_qd8_gemm(1, n, ks, k, nr, kr, false, w.data(), scale.data(), fbias.data(),
        packed.data());
  }

  // Reference outputs (float for qd8 before clamping).
  std::vector<float> ref_f(m * n);
  std::vector<int> ref_q(m * n);
  float fmin = -std::numeric_limits<float>::infinity(), fmax = -fmin;
  if (qs8) {
    for (size_t i = 0; i < m; i++)
      for (size_t nn = 0; nn < n; nn++) {
        const int32_t acc32 = static_cast<int32_t>(acc[i * n + nn] + bias[nn]);
        const float f = static_cast<float>(acc32) * scale[nn];
        const float r = std::nearbyint(f);
        long q = static_cast<long>(std::max(-1e6f, std::min(1e6f, r))) + ozp;
        q = std::max<long>(c.qmin, std::min<long>(c.qmax, q));
        ref_q[i * n + nn] = static_cast<int>(q);
      }
  } else {
    for (size_t i = 0; i < m; i++)
      for (size_t nn = 0; nn < n; nn++) {
        const int32_t acc32 = static_cast<int32_t>(acc[i * n + nn]);
        ref_f[i * n + nn] =
            static_cast<float>(acc32) * (qp[kr_.igemm ? 0 : i].scale * scale[nn]) + fbias[nn];
      }
    if (c.clamp > 0.0) {
      std::vector<float> sorted(ref_f);
      std::sort(sorted.begin(), sorted.end());
      const size_t lo = static_cast<size_t>(c.clamp * (sorted.size() - 1));
      fmin = sorted[lo];
      fmax = sorted[sorted.size() - 1 - lo];
      if (!(fmin < fmax)) fmax = fmin + 1.0f;
    }
    if (var == Int8Variant::qd8_f16) {
      fmin = F16Round(fmin);
      fmax = F16Round(fmax);
      if (!(fmin < fmax)) fmax = std::nextafter(fmin, INFINITY), fmax = F16Round(fmax * 1.01f + 1e-3f);
    }
  }

  // Kernel params.
  pqnn_qs8_minmax_params qparams{};
  qparams.output_min_less_zero_point = static_cast<float>(c.qmin - ozp);
  qparams.output_max_less_zero_point = static_cast<float>(c.qmax - ozp);
  qparams.output_zero_point = ozp;
  qparams.output_min = static_cast<int8_t>(c.qmin);
  qparams.output_max = static_cast<int8_t>(c.qmax);
  pqnn_f32_minmax_params fparams{fmin, fmax};

  // Output buffer: exact span, poisoned.
  const size_t osz = OutSize(var);
  // A guard of kGuard poisoned bytes follows the last row: writes past it are caught
  // without AddressSanitizer (reads of A and the zero row stay exact-size).
  constexpr size_t kGuard = 64;
  ExactBuffer<uint8_t> out(span(m, row_extent, cm_stride) * osz + kGuard);
  std::fill(out.begin(), out.end(), kPoison8);
  auto out_index = [&](size_t i, size_t nn) {
    return i * cm_stride + (nn / nr) * cn_stride + nn % nr;
  };

  // Zero row (IGEMM): k bytes of the zero point.
  ExactBuffer<int8_t> zero(k);
  std::fill(zero.begin(), zero.end(), static_cast<int8_t>(zp_of(0)));

  if (!kr_.igemm) {
    if (qs8) {
      kr_.gemm(m, n, k, a.data(), a_stride, packed.data(), out.data(), cm_stride * osz,
          cn_stride * osz, &qparams);
    } else {
      kr_.dqgemm(m, n, k, a.data(), a_stride, packed.data(), out.data(), cm_stride * osz,
          cn_stride * osz, &fparams, qp.data());
    }
  } else {
    std::vector<const void*> ind(ks * mr);
    for (size_t t = 0; t < ks; t++)
      for (size_t i = 0; i < mr; i++) {
        const size_t ii = std::min(i, m - 1);
        // The kernel adds a_offset to every pointer but `zero`.
        ind[t * mr + i] = is_zero(t, ii) ? static_cast<const void*>(zero.data())
                                         : static_cast<const void*>(a.data() + (t * m + ii) * a_stride);
      }
    if (qs8) {
      kr_.igemm_fn(m, n, k, ks * mr * sizeof(void*), ind.data(), packed.data(), out.data(),
          cm_stride * osz, cn_stride * osz, a_off, zero.data(), &qparams);
    } else {
      kr_.dqigemm(m, n, k, ks * mr * sizeof(void*), ind.data(), packed.data(), out.data(),
          cm_stride * osz, cn_stride * osz, a_off, zero.data(), &fparams, qp.data());
    }
  }

  // Check outputs.
  std::vector<bool> is_out((out.size() - kGuard) / osz, false);
  size_t failures = 0;
  for (size_t i = 0; i < m; i++)
    for (size_t nn = 0; nn < n; nn++) {
      const size_t idx = out_index(i, nn);
      is_out[idx] = true;
      if (failures > 10) continue;
      if (qs8) {
        const int got = static_cast<int8_t>(out[idx]);
        if (got != ref_q[i * n + nn]) {
          failures++;
          ADD_FAILURE() << "qs8 mismatch at (" << i << ", " << nn << "): got " << got
                        << ", expected " << ref_q[i * n + nn] << " (acc "
                        << acc[i * n + nn] + bias[nn] << ", scale " << scale[nn] << ")";
        }
        continue;
      }
      const float r = std::min(fmax, std::max(fmin, ref_f[i * n + nn]));
      const float prod = std::fabs(static_cast<float>(static_cast<int32_t>(acc[i * n + nn])) *
          (qp[kr_.igemm ? 0 : i].scale * scale[nn]));
      if (var == Int8Variant::qd8_f32) {
        float got;
        std::memcpy(&got, &out[idx * 4], 4);
        const float tol = c.unit ? 0.0f : 2.0f * Ulp(prod) + 2.0f * Ulp(r);
        if (!(std::fabs(got - r) <= tol)) {
          failures++;
          ADD_FAILURE() << "f32 mismatch at (" << i << ", " << nn << "): got " << got
                        << ", expected " << r << " (acc " << acc[i * n + nn] << ")";
        }
      } else {
        uint16_t got;
        std::memcpy(&got, &out[idx * 2], 2);
        const uint16_t want = fp16_ieee_from_fp32_value(r);
        // The kernel's f32 value may differ from the reference by the FMA tolerance (a few
        // f32 ulp of the product, which with cancellation against the bias can exceed an
        // f16 ulp of the result); rounding is monotonic, so its f16 lies between the f16
        // roundings of r -+ tol, widened by 1 f16 ulp. Exact in unit mode.
        const float tol = c.unit ? 0.0f : 2.0f * Ulp(prod) + 2.0f * Ulp(r);
        const int lo = F16Ordinal(fp16_ieee_from_fp32_value(std::max(fmin, r - tol))) - (c.unit ? 0 : 1);
        const int hi = F16Ordinal(fp16_ieee_from_fp32_value(std::min(fmax, r + tol))) + (c.unit ? 0 : 1);
        const int o = F16Ordinal(got);
        if (o < lo || o > hi) {
          failures++;
          ADD_FAILURE() << "f16 mismatch at (" << i << ", " << nn << "): got "
                        << fp16_ieee_to_fp32_value(got) << ", expected "
                        << fp16_ieee_to_fp32_value(want) << " (f32 " << r << ")";
        }
      }
    }
  for (size_t b = out.size() - kGuard; b < out.size(); b++) {
    if (out[b] != kPoison8) {
      ADD_FAILURE() << "kernel wrote past the last output row, byte " << b - (out.size() - kGuard);
      break;
    }
  }
  for (size_t e = 0; e < is_out.size() && failures <= 10; e++) {
    if (is_out[e]) continue;
    for (size_t b = 0; b < osz; b++) {
      if (out[e * osz + b] != kPoison8) {
        failures++;
        ADD_FAILURE() << "kernel wrote outside the output at element " << e;
        break;
      }
    }
  }
}

void Int8SuiteFullTile(const Int8GemmKernel& kern) {
  for (size_t k : {size_t(kern.kr), size_t(2 * kern.kr), size_t(16), size_t(64)}) {
    Int8GemmCase c;
    c.m = kern.mr; c.n = kern.nr; c.k = k;
    RunInt8Gemm(kern, c);
    c.n = 2 * kern.nr;
    RunInt8Gemm(kern, c);
  }
}

void Int8SuiteEdges(const Int8GemmKernel& kern) {
  const size_t nr = kern.nr, kr = kern.kr;
  const size_t ns[] = {1, nr - 1 ? nr - 1 : 1, nr, nr + 1, 2 * nr, 3 * nr + 1, 5 * nr - 1};
  std::vector<size_t> ks;
  for (size_t k = 1; k <= 3 * kr + 1; k++) ks.push_back(k);
  ks.push_back(37);
  ks.push_back(100);
  for (size_t m = 1; m <= kern.mr; m++)
    for (size_t n : ns)
      for (size_t k : ks) {
        Int8GemmCase c;
        c.m = m; c.n = n; c.k = k;
        RunInt8Gemm(kern, c);
        if (::testing::Test::HasFailure()) return;
      }
}

void Int8SuiteLargeK(const Int8GemmKernel& kern) {
  // 4095 / 4096 / 4097 / 8195: below, at and above the 4096-byte chunk of A the VNNI GEMM
  // kernels flip per call (FLIP_CHUNK of scripts/kernels/int8_gemm.py); above it they
  // flip per K chunk of each nc tile (n = nr + 1: two tiles), 8195 in three chunks.
  for (size_t k : {size_t(255), size_t(1024), size_t(1023), size_t(4095), size_t(4096), size_t(4097),
                   size_t(8195)}) {
    for (bool extreme : {false, true}) {
      Int8GemmCase c;
      c.m = kern.mr; c.n = kern.nr + 1; c.k = k; c.extreme = extreme;
      if (kern.igemm) c.ks = k >= 1024 ? 2 : 3;
      RunInt8Gemm(kern, c);
      c.unit = true;  // qd8: exact int32 accumulation
      RunInt8Gemm(kern, c);
      if (::testing::Test::HasFailure()) return;
    }
  }
  // Fewer rows than mr above the chunk: the aliased rows are flipped from their row too.
  for (size_t m = 1; m < kern.mr; m++) {
    Int8GemmCase c;
    c.m = m; c.n = 2 * kern.nr + 3; c.k = 4099;
    if (kern.igemm) c.ks = 2;
    RunInt8Gemm(kern, c);
    if (::testing::Test::HasFailure()) return;
  }
}

void Int8SuiteStrides(const Int8GemmKernel& kern) {
  for (size_t m = 1; m <= kern.mr; m++) {
    for (size_t n : {size_t(kern.nr - 1 ? kern.nr - 1 : 1), size_t(2 * kern.nr + 3)}) {
      Int8GemmCase c;
      c.m = m; c.n = n; c.k = 2 * kern.kr + 3;
      c.a_stride = c.k + 7;
      c.cn_stride = kern.nr + 3;
      const size_t blocks = (n + kern.nr - 1) / kern.nr;
      c.cm_stride = (blocks - 1) * c.cn_stride + kern.nr + 5;
      RunInt8Gemm(kern, c);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

void Int8SuiteZeroPoints(const Int8GemmKernel& kern) {
  for (int zp = -128; zp <= 127; zp++) {
    Int8GemmCase c;
    c.m = kern.mr; c.n = kern.nr; c.k = 2 * kern.kr + 1;
    c.input_zero_point = zp;
    c.output_zero_point = 127 - (zp + 128);  // every output zero point too
    RunInt8Gemm(kern, c);
    if (::testing::Test::HasFailure()) return;
  }
}

void Int8SuiteScales(const Int8GemmKernel& kern) {
  for (double s : {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 0.5, 1.0}) {
    Int8GemmCase c;
    c.m = kern.mr; c.n = 2 * kern.nr - 1; c.k = 3 * kern.kr + 2;
    c.scale_min = s * 0.5; c.scale_max = s;
    RunInt8Gemm(kern, c);
  }
  Int8GemmCase u;
  u.m = kern.mr; u.n = kern.nr; u.k = 64; u.unit = true;
  RunInt8Gemm(kern, u);
}

void Int8SuiteClamp(const Int8GemmKernel& kern) {
  const int bounds[][2] = {{-100, 100}, {-20, 50}, {0, 127}, {-128, 0}, {5, 5}};
  for (const auto& b : bounds) {
    Int8GemmCase c;
    c.m = kern.mr; c.n = kern.nr + 2; c.k = 4 * kern.kr + 1;
    c.qmin = b[0]; c.qmax = b[1];
    c.clamp = 0.2;
    RunInt8Gemm(kern, c);
  }
}

void Int8SuiteIndirection(const Int8GemmKernel& kern) {
  if (!kern.igemm) return;
  // k = 37 (a K tail of 5 past 32) takes the VNNI twins (flip; c8 flip on two column tiles)
  // for every m.
  for (size_t ks : {size_t(1), size_t(3), size_t(9)})
    for (size_t m = 1; m <= kern.mr; m++)
      for (size_t zero_every : {size_t(0), size_t(2), size_t(3)})
      for (size_t k : {size_t(2 * kern.kr + 3), size_t(37)}) {
        Int8GemmCase c;
        c.m = m; c.n = kern.nr + 1; c.k = k; c.ks = ks;
        c.a_offset = 13 * (m + ks);
        c.a_stride = c.k + 2;
        c.zero_every = zero_every;
        RunInt8Gemm(kern, c);
        if (::testing::Test::HasFailure()) return;
      }
  // Around the VNNI IGEMM flip budget (FLIP_CHUNK of scripts/kernels/int8_gemm.py: every
  // tap once per call where taps x kc rounded up to 32 <= 4096, else per tap and K chunk of
  // each nc tile): 16 x 256 = 4096 and 9 x 448 = 4032 fit, 16 x 257 (288) and 9 x 449
  // (480) do not; two nc tiles reuse the copy; zero rows and a_offset go through the flip.
  // The c8 IGEMM widening twin's bounds (int8_gemm.py igemm_widen_use: kc >= 32 and taps x kc
  // rounded up to 16 <= 4096 int16 a row, all taps widened once per call) are the same pairs:
  // 16 x 256, 9 x 448, 2 x 2047, 1 x 4096, 9 x 32 and 3 x 33 (the widen's tail copy) take it;
  // 16 x 257, 9 x 449, 2 x 2049, 1 x 4097 and 9 x 31 extend A in the K loop.
  // The avx512vnni c8 twin (int8_c8.py twin_use: kc >= 16, two column tiles and taps x kc
  // rounded up to 8, plus 32, <= 4096): 16 x 248 and 9 x 448 fit (4000 / 4064), 16 x 256
  // does not (4128); 9 x 31, 9 x 16, 9 x 17 fit, 9 x 15 XORs.
  const std::pair<size_t, size_t> budget[] = {{16, 256}, {16, 257}, {9, 448}, {9, 449}, {2, 2047}, {2, 2049},
                                              {1, 4096}, {1, 4097}, {9, 32}, {9, 31}, {3, 33},
                                              {9, 15}, {9, 16}, {9, 17}, {16, 248}};
  for (const auto& ks_k : budget)
    for (size_t m : {size_t(1), size_t(kern.mr)}) {
      Int8GemmCase c;
      c.m = m; c.n = kern.nr + 1; c.k = ks_k.second; c.ks = ks_k.first;
      c.a_offset = 13 * (m + c.ks);
      c.a_stride = c.k + 2;
      c.zero_every = 3;
      RunInt8Gemm(kern, c);
      c.unit = true;  // qd8: exact int32 accumulation
      RunInt8Gemm(kern, c);
      if (::testing::Test::HasFailure()) return;
    }
}

}  // namespace pqnn_test
