// Bad input to the qs8 and qs8_qc8w fully connected and convolution functions: bad scales
// (<= 0, NaN, Inf), requantization scales outside [2^-32, 256), -128 weights, inverted
// output bounds, NULL kernel_scale, and lifecycle misuse. Each returns its documented
// status and writes nothing (op_out untouched, outputs unchanged).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <pqnn.h>

namespace {

const pqnn_operator_t kUntouched = reinterpret_cast<pqnn_operator_t>(uintptr_t(0x1234));
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// One set of arguments, created through any of the four qs8 create functions.
struct Args {
  int8_t izp = 0;
  float input_scale = 0.5f, kernel_scale = 0.25f, output_scale = 1.0f;
  std::vector<float> channel_scales = std::vector<float>(8, 0.25f);
  bool null_kernel_scale = false, null_kernel = false;
  std::vector<int8_t> kernel = std::vector<int8_t>(8 * 8 * 9, 1);
  int8_t ozp = 0, mn = -128, mx = 127;
  uint32_t flags = 0;

  // kind: 0 FC qs8, 1 FC qs8_qc8w, 2 conv qs8, 3 conv qs8_qc8w (8 -> 8 channels, 3x3 conv).
  pqnn_status create(int kind, pqnn_operator_t* op) const {
    const float* cs = null_kernel_scale ? nullptr : channel_scales.data();
    const int8_t* k = null_kernel ? nullptr : kernel.data();
    switch (kind) {
      case 0:
        return pqnn_create_fully_connected_nc_qs8(8, 8, 8, 8, izp, input_scale, kernel_scale, k,
            nullptr, ozp, output_scale, mn, mx, flags, op);
      case 1:
        return pqnn_create_fully_connected_nc_qs8_qc8w(8, 8, 8, 8, izp, input_scale, cs, k, nullptr,
            ozp, output_scale, mn, mx, flags, op);
      case 2:
        return pqnn_create_convolution2d_nhwc_qs8(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 8, 8, 8, 8, izp, input_scale,
            kernel_scale, k, nullptr, ozp, output_scale, mn, mx, flags, op);
      default:
        return pqnn_create_convolution2d_nhwc_qs8_qc8w(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 8, 8, 8, 8, izp,
            input_scale, cs, k, nullptr, ozp, output_scale, mn, mx, flags, op);
    }
  }
};

const char* kKinds[] = {"fc qs8", "fc qs8_qc8w", "conv qs8", "conv qs8_qc8w"};

class Qs8Api : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(pqnn_initialize(), pqnn_status_success); }

  // Expects `status` from every create function for the arguments built by `edit`.
  template <typename Edit>
  void expect_all(pqnn_status status, const char* what, Edit edit) {
    for (int kind = 0; kind < 4; kind++) {
      Args a;
      edit(a, kind);
      pqnn_operator_t op = kUntouched;
      EXPECT_EQ(a.create(kind, &op), status) << what << " (" << kKinds[kind] << ")";
      EXPECT_EQ(op, kUntouched) << what << " (" << kKinds[kind] << ")";
      if (op != kUntouched) pqnn_delete_operator(op);
    }
  }
};

TEST_F(Qs8Api, ValidArgumentsCreate) {
  for (int kind = 0; kind < 4; kind++) {
    Args a;
    pqnn_operator_t op = kUntouched;
    ASSERT_EQ(a.create(kind, &op), pqnn_status_success) << kKinds[kind];
    EXPECT_NE(op, kUntouched);
    EXPECT_EQ(pqnn_delete_operator(op), pqnn_status_success);
    // The bounds of the valid requantization range: 2^-32 and just below 256; min == max.
    a.input_scale = 1.0f;
    a.kernel_scale = 1.0f;
    for (auto& v : a.channel_scales) v = 1.0f;
    a.output_scale = 0x1.0p+32f;
    ASSERT_EQ(a.create(kind, &op), pqnn_status_success) << kKinds[kind] << " scale 2^-32";
    pqnn_delete_operator(op);
    a.output_scale = 1.0f / 0x1.fffffep+7f;
    ASSERT_EQ(a.create(kind, &op), pqnn_status_success) << kKinds[kind] << " scale 256 - ulp";
    pqnn_delete_operator(op);
    a.mn = a.mx = 5;
    ASSERT_EQ(a.create(kind, &op), pqnn_status_success) << kKinds[kind] << " min == max";
    pqnn_delete_operator(op);
  }
}

TEST_F(Qs8Api, BadScalesAreInvalid) {
  for (float bad : {0.0f, -0.0f, -1.0f, kNaN, kInf, -kInf, -std::numeric_limits<float>::denorm_min()}) {
    SCOPED_TRACE(bad);
    expect_all(pqnn_status_invalid_parameter, "input_scale", [bad](Args& a, int) { a.input_scale = bad; });
    expect_all(pqnn_status_invalid_parameter, "output_scale", [bad](Args& a, int) { a.output_scale = bad; });
    expect_all(pqnn_status_invalid_parameter, "kernel_scale", [bad](Args& a, int) {
      a.kernel_scale = bad;
      a.channel_scales[5] = bad;  // one bad channel is enough
    });
  }
  // NULL kernel_scale for qc8w.
  for (int kind : {1, 3}) {
    Args a;
    a.null_kernel_scale = true;
    pqnn_operator_t op = kUntouched;
    EXPECT_EQ(a.create(kind, &op), pqnn_status_invalid_parameter) << kKinds[kind];
    EXPECT_EQ(op, kUntouched);
  }
}

TEST_F(Qs8Api, RequantizationScaleOutOfRangeIsUnsupported) {
  // >= 256: 0.5 * 0.25 / (0.125 / 256) = 256 exactly, and far above.
  expect_all(pqnn_status_unsupported_parameter, "scale 256", [](Args& a, int) { a.output_scale = 0.125f / 256.0f; });
  expect_all(pqnn_status_unsupported_parameter, "scale 1e6", [](Args& a, int) { a.output_scale = 1e-7f; });
  // < 2^-32.
  expect_all(pqnn_status_unsupported_parameter, "scale 2^-33", [](Args& a, int) {
    a.input_scale = a.kernel_scale = 1.0f;
    for (auto& v : a.channel_scales) v = 1.0f;
    a.output_scale = 0x1.0p+33f;
  });
  expect_all(pqnn_status_unsupported_parameter, "scale 1e-30", [](Args& a, int) {
    a.input_scale = 1e-20f;
    a.kernel_scale = 1e-20f;
    for (auto& v : a.channel_scales) v = 1e-20f;
  });
  // One channel out of range is enough (qc8w).
  for (int kind : {1, 3}) {
    Args a;
    a.channel_scales[7] = 1e6f;
    pqnn_operator_t op = kUntouched;
    EXPECT_EQ(a.create(kind, &op), pqnn_status_unsupported_parameter) << kKinds[kind];
    a.channel_scales[7] = 1e-12f;
    EXPECT_EQ(a.create(kind, &op), pqnn_status_unsupported_parameter) << kKinds[kind];
    EXPECT_EQ(op, kUntouched);
  }
}

TEST_F(Qs8Api, BadWeightsAndBoundsAreInvalid) {
  expect_all(pqnn_status_invalid_parameter, "-128 weight", [](Args& a, int kind) {
    a.kernel[kind < 2 ? 63 : 8 * 8 * 9 - 1] = -128;  // the last weight of the kernel
  });
  expect_all(pqnn_status_invalid_parameter, "-128 first weight", [](Args& a, int) { a.kernel[0] = -128; });
  expect_all(pqnn_status_invalid_parameter, "min > max", [](Args& a, int) {
    a.mn = 1;
    a.mx = 0;
  });
  expect_all(pqnn_status_invalid_parameter, "NULL kernel", [](Args& a, int) { a.null_kernel = true; });
  expect_all(pqnn_status_invalid_parameter, "unknown flag", [](Args& a, int) { a.flags = 0x40000000u; });
  expect_all(pqnn_status_invalid_parameter, "fp32 static weights", [](Args& a, int) {
    a.flags = PQNN_FLAG_FP32_STATIC_WEIGHTS;
  });
  for (int kind = 0; kind < 4; kind++) {
    Args a;
    pqnn_operator_t op = kUntouched;
    EXPECT_EQ(a.create(kind, nullptr), pqnn_status_invalid_parameter) << kKinds[kind];
    a.flags = kind < 2 ? PQNN_FLAG_DEPTHWISE_CONVOLUTION : PQNN_FLAG_TRANSPOSE_WEIGHTS;
    EXPECT_EQ(a.create(kind, &op), pqnn_status_invalid_parameter) << kKinds[kind];
    EXPECT_EQ(op, kUntouched);
  }
}

TEST_F(Qs8Api, FullyConnectedLifecycle) {
  for (bool per_channel : {false, true}) {
    Args a;
    pqnn_operator_t op = nullptr;
    ASSERT_EQ(a.create(per_channel ? 1 : 0, &op), pqnn_status_success);
    auto reshape = [&](pqnn_operator_t o, size_t batch) {
      return per_channel ? pqnn_reshape_fully_connected_nc_qs8_qc8w(o, batch, nullptr)
                         : pqnn_reshape_fully_connected_nc_qs8(o, batch, nullptr);
    };
    auto setup = [&](pqnn_operator_t o, const int8_t* x, int8_t* y) {
      return per_channel ? pqnn_setup_fully_connected_nc_qs8_qc8w(o, x, y) : pqnn_setup_fully_connected_nc_qs8(o, x, y);
    };
    std::vector<int8_t> in(16, 3), out(16, 77);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
    EXPECT_EQ(setup(op, in.data(), out.data()), pqnn_status_invalid_state);
    ASSERT_EQ(reshape(op, 2), pqnn_status_success);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
    EXPECT_EQ(setup(op, nullptr, out.data()), pqnn_status_invalid_parameter);
    EXPECT_EQ(setup(op, in.data(), nullptr), pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
    EXPECT_EQ(reshape(op, std::numeric_limits<size_t>::max() / 2), pqnn_status_invalid_parameter);
    EXPECT_EQ(reshape(nullptr, 2), pqnn_status_invalid_parameter);
    EXPECT_EQ(setup(nullptr, in.data(), out.data()), pqnn_status_invalid_parameter);
    for (int8_t v : out) EXPECT_EQ(v, 77);
    // The failed reshape left the operator needing a reshape before setup.
    EXPECT_EQ(setup(op, in.data(), out.data()), pqnn_status_invalid_state);
    ASSERT_EQ(reshape(op, 2), pqnn_status_success);
    ASSERT_EQ(setup(op, in.data(), out.data()), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
    // acc = 8 * 3 * 1 = 24; scale = 0.5 * 0.25 / 1 = 0.125 -> 3.
    for (int8_t v : out) EXPECT_EQ(v, 3);
    // Wrong operator type for the function: the other qs8 variant, the f32 FC, a conv.
    pqnn_operator_t other = nullptr;
    ASSERT_EQ(a.create(per_channel ? 0 : 1, &other), pqnn_status_success);
    EXPECT_EQ(reshape(other, 1), pqnn_status_invalid_parameter);
    EXPECT_EQ(setup(other, in.data(), out.data()), pqnn_status_invalid_parameter);
    pqnn_delete_operator(other);
    ASSERT_EQ(a.create(per_channel ? 3 : 2, &other), pqnn_status_success);
    EXPECT_EQ(reshape(other, 1), pqnn_status_invalid_parameter);
    pqnn_delete_operator(other);
    std::vector<float> fk(64, 1.0f);
    ASSERT_EQ(pqnn_create_fully_connected_nc_f32(8, 8, 8, 8, fk.data(), nullptr, -1, 1, 0, &other),
        pqnn_status_success);
    EXPECT_EQ(reshape(other, 1), pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_reshape_fully_connected_nc_f32(op, 1, nullptr), pqnn_status_invalid_parameter);
    pqnn_delete_operator(other);
    EXPECT_EQ(pqnn_delete_operator(op), pqnn_status_success);
  }
}

TEST_F(Qs8Api, ConvolutionLifecycle) {
  for (bool per_channel : {false, true}) {
    Args a;
    pqnn_operator_t op = nullptr;
    ASSERT_EQ(a.create(per_channel ? 3 : 2, &op), pqnn_status_success);
    auto reshape = [&](pqnn_operator_t o, size_t b, size_t h, size_t w, size_t* oh, size_t* ow) {
      return per_channel ? pqnn_reshape_convolution2d_nhwc_qs8_qc8w(o, b, h, w, oh, ow, nullptr)
                         : pqnn_reshape_convolution2d_nhwc_qs8(o, b, h, w, oh, ow, nullptr);
    };
    auto setup = [&](pqnn_operator_t o, const int8_t* x, int8_t* y) {
      return per_channel ? pqnn_setup_convolution2d_nhwc_qs8_qc8w(o, x, y)
                         : pqnn_setup_convolution2d_nhwc_qs8(o, x, y);
    };
    std::vector<int8_t> in(3 * 3 * 8, 2), out(3 * 3 * 8, 77);
    size_t oh = 99, ow = 99;
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
    EXPECT_EQ(setup(op, in.data(), out.data()), pqnn_status_invalid_state);
    EXPECT_EQ(reshape(op, 1, 0, 3, &oh, &ow), pqnn_status_invalid_parameter);
    EXPECT_EQ(reshape(op, 1, 3, 0, &oh, &ow), pqnn_status_invalid_parameter);
    EXPECT_EQ(reshape(nullptr, 1, 3, 3, &oh, &ow), pqnn_status_invalid_parameter);
    EXPECT_EQ(reshape(op, std::numeric_limits<size_t>::max() / 2, 3, 3, &oh, &ow), pqnn_status_invalid_parameter);
    EXPECT_EQ(oh, 99u);
    EXPECT_EQ(ow, 99u);
    ASSERT_EQ(reshape(op, 1, 3, 3, &oh, &ow), pqnn_status_success);
    EXPECT_EQ(oh, 3u);
    EXPECT_EQ(ow, 3u);
    EXPECT_EQ(setup(op, nullptr, out.data()), pqnn_status_invalid_parameter);
    EXPECT_EQ(setup(op, in.data(), nullptr), pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
    for (int8_t v : out) EXPECT_EQ(v, 77);
    ASSERT_EQ(setup(op, in.data(), out.data()), pqnn_status_success);
    ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
    // Centre pixel: 9 taps * 8 channels * 2 = 144 * 0.125 = 18; corner: 4 taps -> 8.
    EXPECT_EQ(out[4 * 8], 18);
    EXPECT_EQ(out[0], 8);
    pqnn_operator_t fc = nullptr;
    ASSERT_EQ(a.create(per_channel ? 1 : 0, &fc), pqnn_status_success);
    EXPECT_EQ(reshape(fc, 1, 3, 3, nullptr, nullptr), pqnn_status_invalid_parameter);
    EXPECT_EQ(setup(fc, in.data(), out.data()), pqnn_status_invalid_parameter);
    pqnn_delete_operator(fc);
    EXPECT_EQ(pqnn_delete_operator(op), pqnn_status_success);
  }
}

TEST_F(Qs8Api, UninitializedLibraryIsReported) {
  // Initialization is counted: undo every pqnn_initialize so far (each fixture made one).
  for (int i = 0; i < 100000 && pqnn_deinitialize() == pqnn_status_success; i++) {
  }
  for (int kind = 0; kind < 4; kind++) {
    Args a;
    pqnn_operator_t op = kUntouched;
    EXPECT_EQ(a.create(kind, &op), pqnn_status_uninitialized) << kKinds[kind];
    EXPECT_EQ(op, kUntouched);
  }
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
}

}  // namespace
