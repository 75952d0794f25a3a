// Bad input to every public f32 function: each returns its documented status, writes
// nothing (op_out untouched, outputs unchanged); a failed reshape or setup leaves the
// operator needing a new reshape or setup before it runs (issue 16, see
// operator-state-test.cc).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <pqnn.h>

namespace {

const pqnn_operator_t kUntouched = reinterpret_cast<pqnn_operator_t>(uintptr_t(0x1234));
constexpr size_t kHuge = std::numeric_limits<size_t>::max() / 2;

class F32Api : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(pqnn_initialize(), pqnn_status_success); }
  std::vector<float> kernel_ = std::vector<float>(64 * 64, 0.5f);
  std::vector<float> bias_ = std::vector<float>(64, 0.0f);
};

enum pqnn_status create_fc(size_t ic, size_t oc, size_t is, size_t os, const float* k,
    float mn, float mx, uint32_t flags, pqnn_operator_t* op) {
  return pqnn_create_fully_connected_nc_f32(ic, oc, is, os, k, nullptr, mn, mx, flags, op);
}

TEST_F(F32Api, FullyConnectedCreateRejectsBadArguments) {
  const float* k = kernel_.data();
  pqnn_operator_t op = kUntouched;
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, 0, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(0, 8, 8, 8, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 0, 8, 8, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 7, 8, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 7, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, nullptr, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 1, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 2, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, NAN, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, NAN, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, 0x80, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, PQNN_FLAG_DEPTHWISE_CONVOLUTION, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(8, 8, 8, 8, k, 0, 1, PQNN_FLAG_FP32_STATIC_WEIGHTS, &op),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(kHuge, 4, kHuge, 4, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(create_fc(4, kHuge, 4, kHuge, k, 0, 1, 0, &op), pqnn_status_invalid_parameter);
  EXPECT_EQ(op, kUntouched);
  // Infinite bounds are valid: no clamp.
  ASSERT_EQ(create_fc(8, 8, 8, 8, k, -INFINITY, INFINITY, 0, &op), pqnn_status_success);
  EXPECT_NE(op, kUntouched);
  pqnn_delete_operator(op);
}

TEST_F(F32Api, LifecycleOrderIsEnforced) {
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(create_fc(4, 4, 4, 4, kernel_.data(), -1, 1, 0, &op), pqnn_status_success);
  std::vector<float> in(8, 1.0f), out(8, 7.0f);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f32(op, in.data(), out.data()), pqnn_status_invalid_state);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, 2, nullptr), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f32(op, nullptr, out.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f32(op, in.data(), nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  for (float v : out) EXPECT_EQ(v, 7.0f);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f32(op, kHuge, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f32(nullptr, 2, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f32(nullptr, in.data(), out.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_run_operator(nullptr, nullptr), pqnn_status_invalid_parameter);
  // The failed reshape left the operator needing a reshape before setup.
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f32(op, in.data(), out.data()), pqnn_status_invalid_state);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, 2, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f32(op, in.data(), out.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  for (float v : out) EXPECT_EQ(v, 1.0f);  // 4 * 0.5 = 2, clamped to 1
  // Wrong operator type for the function.
  pqnn_operator_t conv = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4,
                kernel_.data(), nullptr, -1, 1, 0, &conv), pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f32(conv, 1, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f32(conv, in.data(), out.data()), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, 1, 1, nullptr, nullptr, nullptr),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_delete_operator(conv), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_operator(op), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_operator(nullptr), pqnn_status_success);
}

struct ConvArgs {
  uint32_t pt = 1, pr = 1, pb = 1, pl = 1, kh = 3, kw = 3, sh = 1, sw = 1, dh = 1, dw = 1, g = 1;
  size_t gic = 4, goc = 4, ics = 4, ocs = 4;
  const float* kernel = nullptr;
  float mn = -1, mx = 1;
  uint32_t flags = 0;
  enum pqnn_status create(pqnn_operator_t* op) const {
    return pqnn_create_convolution2d_nhwc_f32(pt, pr, pb, pl, kh, kw, sh, sw, dh, dw, g, gic, goc,
        ics, ocs, kernel, nullptr, mn, mx, flags, op);
  }
};

TEST_F(F32Api, ConvolutionCreateRejectsBadArguments) {
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
  { ConvArgs a = base; a.mn = 1; expect_invalid(a, "min == max"); }
  { ConvArgs a = base; a.mx = NAN; expect_invalid(a, "max NaN"); }
  { ConvArgs a = base; a.flags = 0x40; expect_invalid(a, "unknown flag"); }
  { ConvArgs a = base; a.flags = PQNN_FLAG_TRANSPOSE_WEIGHTS; expect_invalid(a, "FC flag"); }
  { ConvArgs a = base; a.flags = PQNN_FLAG_TENSORFLOW_SAME_PADDING; expect_invalid(a, "SAME + explicit"); }
  { ConvArgs a = base; a.flags = PQNN_FLAG_DEPTHWISE_CONVOLUTION; expect_invalid(a, "depthwise gic 4"); }
  { ConvArgs a = base; a.g = 1u << 31; a.gic = kHuge; a.ics = kHuge; expect_invalid(a, "channel overflow"); }
  { ConvArgs a = base; a.goc = kHuge; a.ocs = kHuge; expect_invalid(a, "kernel size overflow"); }
}

TEST_F(F32Api, ConvolutionReshapeRejectsBadSizes) {
  ConvArgs a;
  a.pt = a.pr = a.pb = a.pl = 0;
  a.kernel = kernel_.data();
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(a.create(&op), pqnn_status_success);
  size_t oh = 77, ow = 77;
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, 0, 5, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, 5, 0, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, 2, 5, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, kHuge, 5, 5, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, kHuge, kHuge, &oh, &ow, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(oh, 77u);
  EXPECT_EQ(ow, 77u);
  std::vector<float> in(25 * 4, 1.0f), out(9 * 4, 3.0f);
  EXPECT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, in.data(), out.data()), pqnn_status_invalid_state);
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, 5, 5, &oh, &ow, nullptr), pqnn_status_success);
  EXPECT_EQ(oh, 3u);
  EXPECT_EQ(ow, 3u);
  // Output pointers are optional.
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, 5, 5, nullptr, nullptr, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(op, in.data(), out.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  for (float v : out) EXPECT_EQ(v, 1.0f);  // 36 * 0.5 clamped to 1
  pqnn_delete_operator(op);
}

TEST_F(F32Api, UninitializedLibraryIsReported) {
  // Initialization is counted: undo every pqnn_initialize so far (each fixture made one).
  for (int i = 0; i < 100000 && pqnn_deinitialize() == pqnn_status_success; i++) {
  }
  EXPECT_STREQ(pqnn_isa_name(), "uninitialized");
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
