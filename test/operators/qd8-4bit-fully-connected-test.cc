// qd8 x 4-bit weights fully connected (qc4w and qb4w, f32 and f16 output) against an exact
// (int64 per block, double) reference of the include/pqnn.h formula over random shapes
// (odd K, K tails inside and beyond a block, N tails of every panel width, batch 1..9,
// strides), the weight-quantization helpers bit-exact against their formula, argument
// validation, identical results across thread pools, and the accuracy claim of
// docs/qd8-4bit.md (blockwise beats per-channel on Gaussian and heavy-tailed weights).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/test-pool.h"
#include "common/test-utils.h"

using pqnn_test::ExactBuffer;

namespace {

struct Case {
  size_t batch, ic, oc, istride, ostride, block;  // block 0: qc4w
  bool has_bias, clamp, f16_output;
};

int nibble(const uint8_t* w, size_t ic, size_t n, size_t k) {
  const uint8_t b = w[n * ((ic + 1) / 2) + k / 2];
  const int u = (k & 1) ? b >> 4 : b & 0xF;
  return u >= 8 ? u - 16 : u;
}

size_t blocks_of(const Case& c) { return c.block == 0 ? 1 : (c.ic + c.block - 1) / c.block; }

// y = scale[m] * sum_b ks[n][b] * acc_b + bias[n], with the tolerance of the documented f32
// combination (1e-6 of the magnitude, including the zero-point + 128 term the VNNI kernels
// subtract in f32).
void reference(const Case& c, const int8_t* x, const pqnn_quantization_params* qp,
    const uint8_t* w, const float* ks, const float* bias, std::vector<double>& y,
    std::vector<double>& tol) {
  const size_t nb = blocks_of(c), bl = c.block == 0 ? c.ic : c.block;
  y.assign(c.batch * c.oc, 0.0);
  tol.assign(y.size(), 0.0);
  for (size_t m = 0; m < c.batch; m++) {
    for (size_t n = 0; n < c.oc; n++) {
      double sum = 0.0, mag = 0.0;
      for (size_t b = 0; b < nb; b++) {
        int64_t acc = 0, acc_abs = 0;
        for (size_t k = b * bl; k < std::min(c.ic, (b + 1) * bl); k++) {
          const int64_t wv = nibble(w, c.ic, n, k);
          acc += (int64_t(x[m * c.istride + k]) - qp[m].zero_point) * wv;
          acc_abs += (std::llabs(int64_t(x[m * c.istride + k])) + 384) * std::llabs(wv);
        }
        sum += double(ks[n * nb + b]) * double(acc);
        mag += double(ks[n * nb + b]) * double(acc_abs);
      }
      const double b = bias != nullptr ? bias[n] : 0.0;
      y[m * c.oc + n] = double(qp[m].scale) * sum + b;
      tol[m * c.oc + n] = 1e-6 * (double(qp[m].scale) * mag + std::fabs(b)) + 1e-30;
    }
  }
}

enum pqnn_status create(const Case& c, const float* ks, const uint8_t* w, const float* bias,
    float lo, float hi, uint32_t flags, pqnn_operator_t* op) {
  if (c.block == 0) {
    return c.f16_output
        ? pqnn_create_fully_connected_nc_qd8_f16_qc4w(c.ic, c.oc, c.istride, c.ostride, ks, w,
              bias, lo, hi, flags, op)
        : pqnn_create_fully_connected_nc_qd8_f32_qc4w(c.ic, c.oc, c.istride, c.ostride, ks, w,
              bias, lo, hi, flags, op);
  }
  return c.f16_output
      ? pqnn_create_fully_connected_nc_qd8_f16_qb4w(c.ic, c.oc, c.istride, c.ostride, c.block,
            ks, w, bias, lo, hi, flags, op)
      : pqnn_create_fully_connected_nc_qd8_f32_qb4w(c.ic, c.oc, c.istride, c.ostride, c.block,
            ks, w, bias, lo, hi, flags, op);
}

enum pqnn_status reshape_setup(const Case& c, pqnn_operator_t op, const int8_t* x, void* y,
    const pqnn_quantization_params* qp, pthreadpool_t pool) {
  enum pqnn_status s;
  if (c.block == 0 && c.f16_output) {
    s = pqnn_reshape_fully_connected_nc_qd8_f16_qc4w(op, c.batch, pool);
    return s != pqnn_status_success ? s : pqnn_setup_fully_connected_nc_qd8_f16_qc4w(op, x, y, qp);
  }
  if (c.block == 0) {
    s = pqnn_reshape_fully_connected_nc_qd8_f32_qc4w(op, c.batch, pool);
    return s != pqnn_status_success ? s
        : pqnn_setup_fully_connected_nc_qd8_f32_qc4w(op, x, static_cast<float*>(y), qp);
  }
  if (c.f16_output) {
    s = pqnn_reshape_fully_connected_nc_qd8_f16_qb4w(op, c.batch, pool);
    return s != pqnn_status_success ? s : pqnn_setup_fully_connected_nc_qd8_f16_qb4w(op, x, y, qp);
  }
  s = pqnn_reshape_fully_connected_nc_qd8_f32_qb4w(op, c.batch, pool);
  return s != pqnn_status_success ? s
      : pqnn_setup_fully_connected_nc_qd8_f32_qb4w(op, x, static_cast<float*>(y), qp);
}

// Runs c; returns the outputs as double (f16 widened).
std::vector<double> run(const Case& c, const int8_t* x, const pqnn_quantization_params* qp,
    const uint8_t* w, const float* ks, const float* bias, float lo, float hi,
    pthreadpool_t pool) {
  pqnn_operator_t op = nullptr;
  EXPECT_EQ(create(c, ks, w, bias, lo, hi, 0, &op), pqnn_status_success);
  const size_t ny = pqnn_test::span(c.batch, c.oc, c.ostride);
  ExactBuffer<float> y32(c.f16_output ? 0 : ny);
  ExactBuffer<uint16_t> y16(c.f16_output ? ny : 0);
  void* y = c.f16_output ? static_cast<void*>(y16.data()) : static_cast<void*>(y32.data());
  EXPECT_EQ(reshape_setup(c, op, x, y, qp, pool), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  pqnn_delete_operator(op);
  std::vector<double> out(c.batch * c.oc);
  for (size_t m = 0; m < c.batch; m++) {
    for (size_t n = 0; n < c.oc; n++) {
      const size_t i = m * c.ostride + n;
      out[m * c.oc + n] = c.f16_output ? fp16_ieee_to_fp32_value(y16[i]) : y32[i];
    }
  }
  return out;
}

void check_case(const Case& c) {
  auto& g = pqnn_test::rng();
  std::uniform_int_distribution<int> byte(0, 255), i8(-128, 127);
  std::uniform_real_distribution<float> sdist(0.001f, 0.1f), bdist(-5.0f, 5.0f);
  const size_t nb = blocks_of(c);
  ExactBuffer<int8_t> x(pqnn_test::span(c.batch, c.ic, c.istride));
  for (auto& v : x) v = int8_t(i8(g));
  // Extreme rows: all -128 / all 127 activations with zero points at the far ends.
  std::vector<pqnn_quantization_params> qp(c.batch);
  for (size_t m = 0; m < c.batch; m++) {
    qp[m].zero_point = i8(g);
    qp[m].scale = sdist(g);
    if (m == 1) {
      for (size_t k = 0; k < c.ic; k++) x[m * c.istride + k] = -128;
      qp[m].zero_point = 127;
    }
  }
  ExactBuffer<uint8_t> w(c.oc * ((c.ic + 1) / 2));
  for (auto& v : w) v = uint8_t(byte(g));
  if (c.oc > 1) {  // one channel of -8 everywhere: the largest products
    for (size_t i = 0; i < (c.ic + 1) / 2; i++) w[i] = 0x88;
  }
  ExactBuffer<float> ks(c.oc * nb);
  for (auto& v : ks) v = sdist(g);
  ExactBuffer<float> bias(c.oc);
  for (auto& v : bias) v = bdist(g);
  const float* b = c.has_bias ? bias.data() : nullptr;
  std::vector<double> ref, tol;
  reference(c, x.data(), qp.data(), w.data(), ks.data(), b, ref, tol);
  float lo = -INFINITY, hi = INFINITY;
  if (c.clamp) {
    std::vector<double> sorted(ref);
    std::sort(sorted.begin(), sorted.end());
    lo = float(sorted[sorted.size() / 4]);
    hi = float(sorted[sorted.size() * 3 / 4]);
    if (!(lo < hi)) hi = lo + 1.0f;
    if (c.f16_output) {
      lo = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(lo));
      hi = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(hi));
      if (!(lo < hi)) hi = lo + 1.0f;
    }
  }
  const std::vector<double> y = run(c, x.data(), qp.data(), w.data(), ks.data(), b, lo, hi, nullptr);
  for (size_t i = 0; i < y.size(); i++) {
    const double want = std::min(std::max(ref[i], double(lo)), double(hi));
    double t = tol[i];
    if (c.f16_output) t += std::fabs(want) * 0x1.0p-11 + 0x1.0p-24;
    ASSERT_NEAR(y[i], want, t) << "row " << i / c.oc << " col " << i % c.oc << " K " << c.ic
                               << " N " << c.oc << " block " << c.block;
  }
  // Same bits with two threads.
  static pthreadpool_t pool = pqnn_test::create_pool(2);
  const std::vector<double> y2 = run(c, x.data(), qp.data(), w.data(), ks.data(), b, lo, hi, pool);
  ASSERT_EQ(0, std::memcmp(y.data(), y2.data(), y.size() * sizeof(double)));
}

class Qd8FourBitFC : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
    if (!pqnn_test::requested_tier_available()) {
      GTEST_SKIP() << "this CPU lacks the ISA tier PQNN_ISA=" << std::getenv("PQNN_ISA");
    }
  }
};

TEST_F(Qd8FourBitFC, EdgeShapes) {
  const size_t blocks[] = {0, 32, 64, 128};
  const size_t ks[] = {1, 2, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 128, 129, 257};
  const size_t ns[] = {1, 3, 4, 5, 17, 31, 32, 33, 64, 65};
  size_t i = 0;
  for (size_t bl : blocks) {
    for (size_t k : ks) {
      for (size_t n : ns) {
        const size_t batch = 1 + (i % 9);
        const Case c{batch, k, n, k + (i % 3), n + (i % 2) * 3, bl, i % 2 == 0, i % 5 == 0,
                     i % 4 == 3};
        check_case(c);
        if (HasFatalFailure()) return;
        i++;
      }
    }
  }
}

TEST_F(Qd8FourBitFC, RandomShapes) {
  auto& g = pqnn_test::rng();
  std::uniform_int_distribution<size_t> kd(1, 700), nd(1, 150), bd(1, 12), bl(0, 4);
  for (size_t i = 0; i < pqnn_test::shape_count(40); i++) {
    const size_t k = kd(g), n = nd(g);
    const Case c{bd(g), k, n, k + i % 4, n, bl(g) * 32, i % 3 != 0, i % 4 == 0, i % 2 == 1};
    check_case(c);
    if (HasFatalFailure()) return;
  }
}

TEST_F(Qd8FourBitFC, LargeBlocks) {
  // qc4w rows longer than a kernel block (16384 k) and a qb4w block split into kernel blocks.
  check_case(Case{2, 20000, 33, 20000, 33, 0, true, false, false});
  check_case(Case{1, 40000, 5, 40000, 5, 32768, true, false, false});
}

TEST_F(Qd8FourBitFC, Validation) {
  const float ks[4] = {1, 1, 1, 1};
  const uint8_t w[64] = {};  // the largest weights passed below: 2 rows of 64 nibbles
  pqnn_operator_t op = nullptr;
  auto qb = [&](size_t ic, size_t oc, size_t block, const float* s, const uint8_t* k, uint32_t flags) {
    return pqnn_create_fully_connected_nc_qd8_f32_qb4w(ic, oc, ic, oc, block, s, k, nullptr,
        -INFINITY, INFINITY, flags, &op);
  };
  EXPECT_EQ(qb(64, 2, 32, ks, w, 0), pqnn_status_success);
  pqnn_delete_operator(op);
  EXPECT_EQ(qb(64, 2, 0, ks, w, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(qb(64, 2, 48, ks, w, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(qb(64, 2, 32, nullptr, w, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(qb(64, 2, 32, ks, nullptr, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(qb(64, 2, 32, ks, w, PQNN_FLAG_TRANSPOSE_WEIGHTS), pqnn_status_invalid_parameter);
  EXPECT_EQ(qb(0, 2, 32, ks, w, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(qb(64, 0, 32, ks, w, 0), pqnn_status_invalid_parameter);
  const float bad[4] = {1, 1, 0, 1};
  EXPECT_EQ(qb(64, 2, 32, bad, w, 0), pqnn_status_invalid_parameter);
  const float nan[2] = {1, NAN};
  EXPECT_EQ(pqnn_create_fully_connected_nc_qd8_f16_qc4w(8, 2, 8, 2, nan, w, nullptr, -1, 1, 0,
                &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_fully_connected_nc_qd8_f32_qc4w(8, 2, 8, 2, ks, w, nullptr, 1, -1, 0,
                &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_fully_connected_nc_qd8_f32_qc4w(8, 2, 7, 2, ks, w, nullptr, -1, 1, 0,
                &op), pqnn_status_invalid_parameter);
  // Wrong operator type at reshape.
  ASSERT_EQ(pqnn_create_fully_connected_nc_qd8_f32_qc4w(8, 2, 8, 2, ks, w, nullptr, -1, 1, 0,
                &op), pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_qd8_f32_qb4w(op, 1, nullptr),
      pqnn_status_invalid_parameter);
  pqnn_delete_operator(op);
}

// The helpers against their formula, bit for bit.
void check_quantize(size_t oc, size_t ic, size_t block, const std::vector<float>& wf) {
  const size_t nb = block == 0 ? 1 : (ic + block - 1) / block, bl = block == 0 ? ic : block;
  std::vector<uint8_t> q(oc * ((ic + 1) / 2), 0xAA);
  std::vector<float> s(oc * nb);
  ASSERT_EQ(block == 0 ? pqnn_quantize_weights_qc4w(oc, ic, wf.data(), q.data(), s.data())
                       : pqnn_quantize_weights_qb4w(oc, ic, block, wf.data(), q.data(), s.data()),
      pqnn_status_success);
  for (size_t n = 0; n < oc; n++) {
    for (size_t b = 0; b < nb; b++) {
      float m = 0.0f;
      for (size_t k = b * bl; k < std::min(ic, (b + 1) * bl); k++) m = std::max(m, std::fabs(wf[n * ic + k]));
      const float want = m / 7.0f == 0.0f ? 1.0f : m / 7.0f;
      ASSERT_EQ(s[n * nb + b], want);
      for (size_t k = b * bl; k < std::min(ic, (b + 1) * bl); k++) {
        const float r = m / 7.0f == 0.0f ? 0.0f : std::nearbyint(wf[n * ic + k] / want);
        ASSERT_EQ(nibble(q.data(), ic, n, k), int(std::min(7.0f, std::max(-8.0f, r))))
            << n << " " << k;
      }
    }
    if (ic % 2 == 1) {
      ASSERT_EQ(q[n * ((ic + 1) / 2) + ic / 2] >> 4, 0);
    }
  }
}

TEST(Qd8FourBitQuantize, BitExact) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  auto& g = pqnn_test::rng();
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (size_t ic : {1, 7, 32, 33, 100, 257}) {
    std::vector<float> wf(5 * ic);
    for (auto& v : wf) v = nd(g);
    for (size_t k = 0; k < ic; k++) wf[2 * ic + k] = 0.0f;  // an all-zero channel
    wf[0] = 3.5f;  // exact halves: 3.5 / (3.5 / 7) rounds to even
    check_quantize(5, ic, 0, wf);
    check_quantize(5, ic, 32, wf);
    check_quantize(5, ic, 64, wf);
  }
  // Round half to even on exact ties: max 7 -> scale 1, w = 2.5 -> 2, 3.5 -> 4, -0.5 -> 0.
  std::vector<float> tie = {7.0f, 2.5f, 3.5f, -0.5f};
  std::vector<uint8_t> q(2);
  float s;
  ASSERT_EQ(pqnn_quantize_weights_qc4w(1, 4, tie.data(), q.data(), &s), pqnn_status_success);
  EXPECT_EQ(s, 1.0f);
  EXPECT_EQ(q[0], 0x27);
  EXPECT_EQ(q[1], 0x04);
  std::vector<float> inf = {1.0f, INFINITY};
  EXPECT_EQ(pqnn_quantize_weights_qc4w(1, 2, inf.data(), q.data(), &s), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_quantize_weights_qb4w(1, 2, 16, tie.data(), q.data(), &s), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_quantize_weights_qb4w(1, 2, 32, tie.data(), nullptr, &s), pqnn_status_invalid_parameter);
}

// Relative RMS error of the 4-bit FC against f32 math (docs/qd8-4bit.md table).
double rel_rms(size_t block, bool heavy_tail, size_t ic, size_t oc, size_t batch) {
  std::mt19937 g(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::student_t_distribution<float> td(2.0f);
  std::vector<float> wf(oc * ic), xf(batch * ic);
  for (auto& v : wf) v = heavy_tail ? td(g) : nd(g);
  for (auto& v : xf) v = nd(g);
  const size_t nb = block == 0 ? 1 : (ic + block - 1) / block;
  std::vector<uint8_t> q(oc * ((ic + 1) / 2));
  std::vector<float> s(oc * nb);
  if (block == 0) pqnn_quantize_weights_qc4w(oc, ic, wf.data(), q.data(), s.data());
  else pqnn_quantize_weights_qb4w(oc, ic, block, wf.data(), q.data(), s.data());
  std::vector<int8_t> xq(batch * ic);
  std::vector<pqnn_quantization_params> qp(batch + 1);
  pqnn_operator_t cv = nullptr;
  EXPECT_EQ(pqnn_create_convert_nc_f32_qd8(ic, ic, ic, 0, &cv), pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_convert_nc_f32_qd8(cv, batch, nullptr), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_convert_nc_f32_qd8(cv, xf.data(), xq.data(), qp.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(cv, nullptr), pqnn_status_success);
  pqnn_delete_operator(cv);
  const Case c{batch, ic, oc, ic, oc, block, false, false, false};
  const std::vector<double> y = run(c, xq.data(), qp.data(), q.data(), s.data(), nullptr,
      -INFINITY, INFINITY, nullptr);
  double err = 0.0, ref = 0.0;
  for (size_t m = 0; m < batch; m++) {
    for (size_t n = 0; n < oc; n++) {
      double r = 0.0;
      for (size_t k = 0; k < ic; k++) r += double(xf[m * ic + k]) * wf[n * ic + k];
      err += (y[m * oc + n] - r) * (y[m * oc + n] - r);
      ref += r * r;
    }
  }
  return std::sqrt(err / ref);
}

TEST_F(Qd8FourBitFC, BlockwiseBeatsPerChannel) {
  for (bool heavy : {false, true}) {
    const double qc = rel_rms(0, heavy, 1024, 64, 4);
    const double qb128 = rel_rms(128, heavy, 1024, 64, 4);
    const double qb32 = rel_rms(32, heavy, 1024, 64, 4);
    std::printf("rel RMS %s: qc4w %.4f  qb4w-128 %.4f  qb4w-32 %.4f\n",
        heavy ? "student-t(2)" : "gaussian", qc, qb128, qb32);
    EXPECT_LT(qb128, qc);
    EXPECT_LT(qb32, qb128);
    EXPECT_LT(qb32, heavy ? 0.2 : 0.12);
  }
}

}  // namespace

// bf16 / f16 / f32 scales through ..._qb4w_scale_type: bit-identical to the f32 create with
// the same (exactly widened) scales, for both output types.
TEST_F(Qd8FourBitFC, ScaleTypes) {
  auto& g = pqnn_test::rng();
  std::uniform_int_distribution<int> byte(0, 255), i8(-128, 127);
  std::uniform_real_distribution<float> sdist(0.001f, 0.1f);
  for (const size_t ic : {32, 100, 257}) {
    const size_t oc = 19, block = 32, nb = (ic + block - 1) / block, batch = 3;
    std::vector<int8_t> x(batch * ic);
    for (auto& v : x) v = int8_t(i8(g));
    std::vector<pqnn_quantization_params> qp(batch);
    for (auto& p : qp) p = {i8(g), sdist(g)};
    std::vector<uint8_t> w(oc * ((ic + 1) / 2));
    for (auto& v : w) v = uint8_t(byte(g));
    std::vector<uint16_t> s16(oc * nb), sbf(oc * nb);
    std::vector<float> w16(oc * nb), wbf(oc * nb), s32(oc * nb);
    for (size_t i = 0; i < oc * nb; i++) {
      s32[i] = sdist(g);
      s16[i] = fp16_ieee_from_fp32_value(s32[i]);
      w16[i] = fp16_ieee_to_fp32_value(s16[i]);
      uint32_t bits;
      std::memcpy(&bits, &s32[i], 4);
      sbf[i] = uint16_t(bits >> 16);
      bits = uint32_t(sbf[i]) << 16;
      std::memcpy(&wbf[i], &bits, 4);
    }
    for (const bool f16_out : {false, true}) {
      const Case c{batch, ic, oc, ic, oc, block, false, false, f16_out};
      struct { pqnn_scale_type type; const void* scales; const float* wide; } kinds[] = {
        {pqnn_scale_type_fp16, s16.data(), w16.data()},
        {pqnn_scale_type_bf16, sbf.data(), wbf.data()},
        {pqnn_scale_type_fp32, s32.data(), s32.data()},
      };
      for (const auto& kind : kinds) {
        const std::vector<double> want =
            run(c, x.data(), qp.data(), w.data(), kind.wide, nullptr, -INFINITY, INFINITY, nullptr);
        pqnn_operator_t op = nullptr;
        ASSERT_EQ(f16_out
            ? pqnn_create_fully_connected_nc_qd8_f16_qb4w_scale_type(ic, oc, ic, oc, block,
                  kind.type, kind.scales, w.data(), nullptr, -INFINITY, INFINITY, 0, &op)
            : pqnn_create_fully_connected_nc_qd8_f32_qb4w_scale_type(ic, oc, ic, oc, block,
                  kind.type, kind.scales, w.data(), nullptr, -INFINITY, INFINITY, 0, &op),
            pqnn_status_success);
        std::vector<float> y32(batch * oc);
        std::vector<uint16_t> y16(batch * oc);
        void* y = f16_out ? static_cast<void*>(y16.data()) : static_cast<void*>(y32.data());
        ASSERT_EQ(reshape_setup(c, op, x.data(), y, qp.data(), nullptr), pqnn_status_success);
        ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
        pqnn_delete_operator(op);
        for (size_t i = 0; i < batch * oc; i++) {
          const double got = f16_out ? fp16_ieee_to_fp32_value(y16[i]) : y32[i];
          ASSERT_EQ(got, want[i]) << "scale type " << int(kind.type) << " K " << ic << " i " << i;
        }
      }
    }
  }
}

TEST_F(Qd8FourBitFC, ScaleTypeValidation) {
  const uint8_t w[64] = {};  // 2 rows of 64 nibbles
  pqnn_operator_t op = nullptr;
  auto qb = [&](pqnn_scale_type type, const void* s, size_t block = 32) {
    return pqnn_create_fully_connected_nc_qd8_f32_qb4w_scale_type(64, 2, 64, 2, block, type,
        s, w, nullptr, -INFINITY, INFINITY, 0, &op);
  };
  const uint16_t one_f16[4] = {0x3C00, 0x3C00, 0x3C00, 0x3C00};
  const uint16_t one_bf16[4] = {0x3F80, 0x3F80, 0x3F80, 0x3F80};
  ASSERT_EQ(qb(pqnn_scale_type_fp16, one_f16), pqnn_status_success);
  pqnn_delete_operator(op);
  ASSERT_EQ(qb(pqnn_scale_type_bf16, one_bf16), pqnn_status_success);
  pqnn_delete_operator(op);
  // 3 is the largest value the enum can hold without UB in C++ (range 0..3).
  EXPECT_EQ(qb(static_cast<pqnn_scale_type>(3), one_f16), pqnn_status_invalid_parameter);
  EXPECT_EQ(qb(pqnn_scale_type_fp16, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(qb(pqnn_scale_type_fp16, one_f16, 48), pqnn_status_invalid_parameter);
  EXPECT_EQ(qb(pqnn_scale_type_fp16, one_f16, 0), pqnn_status_invalid_parameter);
  // Widened scales that are not finite and positive: f16 0, -1, Inf, NaN; bf16 NaN, -0.
  for (const uint16_t bad : {0x0000, 0xBC00, 0x7C00, 0x7E00}) {
    const uint16_t s[4] = {0x3C00, 0x3C00, 0x3C00, bad};
    EXPECT_EQ(qb(pqnn_scale_type_fp16, s), pqnn_status_invalid_parameter) << bad;
  }
  for (const uint16_t bad : {0x7FC0, 0x8000, 0x7F80}) {
    const uint16_t s[4] = {bad, 0x3F80, 0x3F80, 0x3F80};
    EXPECT_EQ(qb(pqnn_scale_type_bf16, s), pqnn_status_invalid_parameter) << bad;
  }
}
