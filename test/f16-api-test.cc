// Bad input to the public f16 fully connected and convolution functions: each returns its
// documented status, writes nothing (op_out untouched, outputs unchanged); a failed
// reshape or setup leaves the operator needing a new reshape or setup before it runs. f16-specific: output bounds are rounded to f16 (nearest even) and must
// stay ordered after rounding; PQNN_FLAG_FP32_STATIC_WEIGHTS is valid for f16 operators only.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

namespace {

const pqnn_operator_t kUntouched = reinterpret_cast<pqnn_operator_t>(uintptr_t(0x1234));
constexpr size_t kHuge = std::numeric_limits<size_t>::max() / 2;

uint16_t f16(float f) { return fp16_ieee_from_fp32_value(f); }

class F16Api : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(pqnn_initialize(), pqnn_status_success); }
  std::vector<uint16_t> kernel_ = std::vector<uint16_t>(64 * 64, f16(0.5f));
  std::vector<float> kernel32_ = std::vector<float>(64 * 64, 0.5f);
};

enum pqnn_status create_fc(size_t ic, size_t oc, size_t is, size_t os, const void* k,
    float mn, float mx, uint32_t flags, pqnn_operator_t* op) {
  return pqnn_create_fully_connected_nc_f16(ic, oc, is, os, k, nullptr, mn, mx, flags, op);
}

TEST_F(F16Api, FullyConnectedCreateRejectsBadArguments) {
  const void* k = kernel_.data();
  pqnn_operator_t op = kUntouched;
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, 0, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(0, 8, 8, 8, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 0, 8, 8, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 7, 8, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 7, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, nullptr, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, nullptr, 0, 1, PQNN_FLAG_FP32_STATIC_WEIGHTS, &op),
      pqnn_status_invalid_parameter);
  // min >= max, NaN bounds.
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 1, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 2, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, NAN, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, NAN, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, NAN, NAN, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, INFINITY, INFINITY, 0, &op), pqnn_status_invalid_parameter);
  // Distinct in f32, equal in f16: 1 and 1 + 2^-12 both round to 1.0; two large values
  // both round to +Inf; two tiny values both round to +0.
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 1.0f, 1.0f + 0x1.0p-12f, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 70000.0f, 80000.0f, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 1e-9f, 2e-9f, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, -80000.0f, -70000.0f, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 2048.0f, 2049.0f, 0, &op), pqnn_status_invalid_parameter);
  // Unknown flags and flags of other operators.
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, 0x80, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, 0x80000000u, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, PQNN_FLAG_DEPTHWISE_CONVOLUTION, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, PQNN_FLAG_TENSORFLOW_SAME_PADDING, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, PQNN_FLAG_FP32_STATIC_WEIGHTS | 0x100, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(kHuge, 4, kHuge, 4, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(4, kHuge, 4, kHuge, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(4, kHuge, 4, kHuge, kernel32_.data(), 0, 1, PQNN_FLAG_FP32_STATIC_WEIGHTS, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(op, kUntouched);
  // Valid: infinite bounds (no clamp); bounds one f16 step apart; bounds beyond the f16
  // range (round to +-Inf); FP32_STATIC_WEIGHTS with transposed weights.
  ASSERT_EQ(create_fc(8, 8, 8, 8, k, -INFINITY, INFINITY, 0, &op), pqnn_status_success);
  EXPECT_NE(op, kUntouched);
  pqnn_delete_operator(op);
  op = nullptr;
  ASSERT_EQ(create_fc(8, 8, 8, 8, k, 1.0f, 1.0f + 0x1.0p-10f, 0, &op), pqnn_status_success);
  pqnn_delete_operator(op);
  op = nullptr;
  ASSERT_EQ(create_fc(8, 8, 8, 8, k, -1e6f, 1e6f, 0, &op), pqnn_status_success);
  pqnn_delete_operator(op);
  op = nullptr;
  ASSERT_EQ(create_fc(8, 8, 8, 8, kernel32_.data(), -1, 1,
                PQNN_FLAG_FP32_STATIC_WEIGHTS | PQNN_FLAG_TRANSPOSE_WEIGHTS, &op),
      pqnn_status_success);
  pqnn_delete_operator(op);
}

// PQNN_FLAG_FP32_STATIC_WEIGHTS is an f16-only flag: the f32 operators reject it.
TEST_F(F16Api, Fp32StaticWeightsFlagIsRejectedByF32Operators) {
  pqnn_operator_t op = kUntouched;
  EXPECT_EQ(pqnn_create_fully_connected_nc_f32(8, 8, 8, 8, kernel32_.data(), nullptr, -1, 1,
                PQNN_FLAG_FP32_STATIC_WEIGHTS, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 4, 4, 4, 4,
                kernel32_.data(), nullptr, -1, 1, PQNN_FLAG_FP32_STATIC_WEIGHTS, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 4, 1, 1, 4, 4,
                kernel32_.data(), nullptr, -1, 1,
                PQNN_FLAG_FP32_STATIC_WEIGHTS | PQNN_FLAG_DEPTHWISE_CONVOLUTION, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(op, kUntouched);
}

TEST_F(F16Api, LifecycleOrderIsEnforced) {
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(create_fc(4, 4, 4, 4, kernel_.data(), -1, 1, 0, &op), pqnn_status_success);
  const uint16_t seven = f16(7.0f);
  std::vector<uint16_t> in(8, f16(1.0f)), out(8, seven);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f16(op, in.data(), out.data()), pqnn_status_invalid_state);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f16(op, 2, nullptr), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f16(op, nullptr, out.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f16(op, in.data(), nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  for (uint16_t v : out) EXPECT_EQ(v, seven);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f16(op, kHuge, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f16(nullptr, 2, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f16(nullptr, in.data(), out.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_run_operator(nullptr, nullptr), pqnn_status_invalid_parameter);
  for (uint16_t v : out) EXPECT_EQ(v, seven);
  // The failed reshape left the operator needing a reshape before setup.
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f16(op, in.data(), out.data()), pqnn_status_invalid_state);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f16(op, 2, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f16(op, in.data(), out.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  for (uint16_t v : out) EXPECT_EQ(v, f16(1.0f));  // 4 * 0.5 = 2, clamped to 1
  // Wrong operator type for the function: f16 conv, f32 FC and f32 conv operators.
  pqnn_operator_t conv = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f16(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4,
                kernel_.data(), nullptr, -1, 1, 0, &conv), pqnn_status_success);
  pqnn_operator_t fc32 = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f32(4, 4, 4, 4, kernel32_.data(), nullptr, -1, 1, 0,
                &fc32), pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f16(conv, 1, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f16(conv, in.data(), out.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f16(fc32, 1, nullptr), pqnn_status_invalid_parameter);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(fc32, 1, nullptr), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f16(fc32, in.data(), out.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f32(op, 1, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 1, 1, 1, nullptr, nullptr, nullptr),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, in.data(), out.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(conv, 1, 1, 1, nullptr, nullptr, nullptr),
      pqnn_status_invalid_parameter);
  // The f16 FC is still usable after all that (wrong-type calls leave it alone).
  std::fill(out.begin(), out.end(), seven);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  for (uint16_t v : out) EXPECT_EQ(v, f16(1.0f));
  EXPECT_EQ(pqnn_delete_operator(fc32), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_operator(conv), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_operator(op), pqnn_status_success);
}

struct ConvArgs {
  uint32_t pt = 1, pr = 1, pb = 1, pl = 1, kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1, g = 1;
  size_t gic = 4, goc = 4, ics = 4, ocs = 4;
  const void* kernel = nullptr;
  float mn = -1, mx = 1;
  uint32_t flags = 0;
  enum pqnn_status create(pqnn_operator_t* op) const {
    return pqnn_create_convolution2d_nhwc_f16(pt, pr, pb, pl, kh, kw, sh, sw, dh, dw, g, gic, goc,
        ics, ocs, kernel, nullptr, mn, mx, flags, op);
  }
};

TEST_F(F16Api, ConvolutionCreateRejectsBadArguments) {
  ConvArgs base;
  base.kernel = kernel_.data();
  pqnn_operator_t op = kUntouched;
  auto expect_invalid = [&](ConvArgs a, const char* what) {
    EXPECT_EQ(a.create(&op), pqnn_status_invalid_parameter) << what;
    EXPECT_EQ(op, kUntouched) << what;
  };
  { ConvArgs a = base; EXPECT_EQ(a.create(nullptr), pqnn_status_invalid_parameter); }
  { ConvArgs a = base; a.kh = 0; expect_invalid(a, "kernel_height 0"); }
  { ConvArgs a = base; a.kw = 0; expect_invalid(a, "kernel_width 0"); }
  { ConvArgs a = base; a.sh = 0; expect_invalid(a, "stride 0"); }
  { ConvArgs a = base; a.dw = 0; expect_invalid(a, "dilation 0"); }
  { ConvArgs a = base; a.g = 0; expect_invalid(a, "groups 0"); }
  { ConvArgs a = base; a.gic = 0; expect_invalid(a, "gic 0"); }
  { ConvArgs a = base; a.goc = 0; expect_invalid(a, "goc 0"); }
  { ConvArgs a = base; a.ics = 3; expect_invalid(a, "input stride < channels"); }
  { ConvArgs a = base; a.ocs = 3; expect_invalid(a, "output stride < channels"); }
  { ConvArgs a = base; a.kernel = nullptr; expect_invalid(a, "kernel NULL"); }
  { ConvArgs a = base; a.kernel = nullptr; a.flags = PQNN_FLAG_FP32_STATIC_WEIGHTS; expect_invalid(a, "f32 kernel NULL"); }
  { ConvArgs a = base; a.mn = 1; expect_invalid(a, "min == max"); }
  { ConvArgs a = base; a.mn = 2; expect_invalid(a, "min > max"); }
  { ConvArgs a = base; a.mn = NAN; expect_invalid(a, "min NaN"); }
  { ConvArgs a = base; a.mx = NAN; expect_invalid(a, "max NaN"); }
  { ConvArgs a = base; a.mn = 0.1f; a.mx = 0.1f + 0x1.0p-20f; expect_invalid(a, "bounds equal in f16"); }
  { ConvArgs a = base; a.mn = 65520.0f; a.mx = 1e30f; expect_invalid(a, "bounds both round to +Inf"); }
  { ConvArgs a = base; a.flags = 0x40; expect_invalid(a, "unknown flag"); }
  { ConvArgs a = base; a.flags = PQNN_FLAG_FP32_STATIC_WEIGHTS | 0x40; expect_invalid(a, "unknown flag with f32 weights"); }
  { ConvArgs a = base; a.flags = PQNN_FLAG_TRANSPOSE_WEIGHTS; expect_invalid(a, "FC flag"); }
  { ConvArgs a = base; a.flags = PQNN_FLAG_TENSORFLOW_SAME_PADDING; expect_invalid(a, "SAME + explicit"); }
  { ConvArgs a = base; a.flags = PQNN_FLAG_DEPTHWISE_CONVOLUTION; expect_invalid(a, "depthwise gic 4"); }
  { ConvArgs a = base; a.g = 1u << 31; a.gic = kHuge; a.ics = kHuge; expect_invalid(a, "channel overflow"); }
  { ConvArgs a = base; a.goc = kHuge; a.ocs = kHuge; expect_invalid(a, "kernel size overflow"); }
  // Valid: f32 weights, depthwise with f32 weights.
  {
    ConvArgs a = base;
    a.kernel = kernel32_.data();
    a.flags = PQNN_FLAG_FP32_STATIC_WEIGHTS;
    op = nullptr;
    ASSERT_EQ(a.create(&op), pqnn_status_success);
    pqnn_delete_operator(op);
    a.flags |= PQNN_FLAG_DEPTHWISE_CONVOLUTION;
    a.g = 4;
    a.gic = a.goc = 1;
    op = nullptr;
    ASSERT_EQ(a.create(&op), pqnn_status_success);
    pqnn_delete_operator(op);
  }
}

TEST_F(F16Api, ConvolutionReshapeRejectsBadSizes) {
  ConvArgs a;
  a.pt = a.pr = a.pb = a.pl = 0;
  a.kernel = kernel_.data();
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(a.create(&op), pqnn_status_success);
  size_t oh = 77, ow = 77;
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 1, 0, 5, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 1, 5, 0, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 1, 2, 5, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, kHuge, 5, 5, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 1, kHuge, kHuge, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(oh, 77u);
  EXPECT_EQ(ow, 77u);
  const uint16_t three = f16(3.0f);
  std::vector<uint16_t> in(25 * 4, f16(1.0f)), out(9 * 4, three);
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, in.data(), out.data()), pqnn_status_invalid_state);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 1, 5, 5, &oh, &ow, nullptr), pqnn_status_success);
  EXPECT_EQ(oh, 3u);
  EXPECT_EQ(ow, 3u);
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, nullptr, out.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, in.data(), nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  for (uint16_t v : out) EXPECT_EQ(v, three);
  // Output pointers are optional.
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f16(op, 1, 5, 5, nullptr, nullptr, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f16(op, in.data(), out.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  for (uint16_t v : out) EXPECT_EQ(v, f16(1.0f));  // 36 * 0.5 clamped to 1
  pqnn_delete_operator(op);
}

TEST_F(F16Api, UninitializedLibraryIsReported) {
  // Initialization is counted: undo every pqnn_initialize so far (each fixture made one).
  for (int i = 0; i < 100000 && pqnn_deinitialize() == pqnn_status_success; i++) {
  }
  pqnn_operator_t op = kUntouched;
  EXPECT_EQ(create_fc(4, 4, 4, 4, kernel_.data(), -1, 1, 0, &op), pqnn_status_uninitialized);
  ConvArgs a;
  a.kernel = kernel_.data();
  EXPECT_EQ(a.create(&op), pqnn_status_uninitialized);
  EXPECT_EQ(op, kUntouched);
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  EXPECT_EQ(create_fc(4, 4, 4, 4, kernel_.data(), -1, 1, 0, &op), pqnn_status_success);
  pqnn_delete_operator(op);
}

}  // namespace
