// Issue 16, defect 5: a reshape or setup that fails leaves the operator not runnable until
// a successful reshape and setup, so that a run can never use pointers from before the
// failed call (which the caller may have freed). Checked for every operator kind and
// convolution path: fully connected, GEMM / IGEMM / DWCONV convolution, qd8 convolution,
// conversion.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include <pqnn.h>

namespace {

constexpr size_t kHuge = std::numeric_limits<size_t>::max() / 2;

// One operator with a good reshape, a reshape that fails validation, and a setup on
// fresh buffers (good or failing).
struct Case {
  const char* name;
  std::function<pqnn_status(pqnn_operator_t*)> create;
  std::function<pqnn_status(pqnn_operator_t)> reshape_good;
  std::function<pqnn_status(pqnn_operator_t)> reshape_bad;
  std::function<pqnn_status(pqnn_operator_t, bool good)> setup;
};

std::vector<float> f32_weights(1024, 0.25f);
std::vector<int8_t> i8_weights(1024, 1);
std::vector<float> scales(64, 0.5f);
std::vector<float> f32_in(4096, 1.0f), f32_out(4096);
std::vector<int8_t> i8_in(4096, 1), i8_out(4096);
std::vector<pqnn_quantization_params> qparams(8, {1, 0.5f});

pqnn_status conv_f32(uint32_t k, uint32_t pad, uint32_t groups, size_t gic, uint32_t flags,
    pqnn_operator_t* op) {
  const size_t goc = gic == 1 && groups > 1 ? 1 : 4;
  return pqnn_create_convolution2d_nhwc_f32(pad, pad, pad, pad, k, k, 1, 1, 1, 1, groups, gic,
      goc, groups * gic, groups * goc, f32_weights.data(), nullptr, -10, 10, flags, op);
}

pqnn_status reshape_conv_f32(pqnn_operator_t op, size_t h) {
  return pqnn_reshape_convolution2d_nhwc_f32(op, 2, h, h, nullptr, nullptr, nullptr);
}

pqnn_status setup_conv_f32(pqnn_operator_t op, bool good) {
  return pqnn_setup_convolution2d_nhwc_f32(op, f32_in.data(), good ? f32_out.data() : nullptr);
}

std::vector<Case> cases() {
  return {
    {"fully_connected_f32",
     [](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_f32(8, 8, 8, 8, f32_weights.data(), nullptr, -10,
           10, 0, op);
     },
     [](pqnn_operator_t op) { return pqnn_reshape_fully_connected_nc_f32(op, 4, nullptr); },
     [](pqnn_operator_t op) { return pqnn_reshape_fully_connected_nc_f32(op, kHuge, nullptr); },
     [](pqnn_operator_t op, bool good) {
       return pqnn_setup_fully_connected_nc_f32(op, good ? f32_in.data() : nullptr,
           f32_out.data());
     }},
    {"convolution_f32_gemm", [](pqnn_operator_t* op) { return conv_f32(1, 0, 1, 4, 0, op); },
     [](pqnn_operator_t op) { return reshape_conv_f32(op, 5); },
     [](pqnn_operator_t op) { return reshape_conv_f32(op, 0); }, setup_conv_f32},
    {"convolution_f32_igemm", [](pqnn_operator_t* op) { return conv_f32(3, 1, 1, 4, 0, op); },
     [](pqnn_operator_t op) { return reshape_conv_f32(op, 5); },
     [](pqnn_operator_t op) { return reshape_conv_f32(op, kHuge); }, setup_conv_f32},
    {"convolution_f32_dwconv",
     [](pqnn_operator_t* op) {
       return conv_f32(3, 1, 4, 1, PQNN_FLAG_DEPTHWISE_CONVOLUTION, op);
     },
     [](pqnn_operator_t op) { return reshape_conv_f32(op, 5); },
     [](pqnn_operator_t op) {
       return pqnn_reshape_convolution2d_nhwc_f32(op, kHuge, 5, 5, nullptr, nullptr, nullptr);
     },
     setup_conv_f32},
    {"convolution_qd8_f32_qc8w",
     [](pqnn_operator_t* op) {
       return pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 4, 4,
           4, 4, scales.data(), i8_weights.data(), nullptr, -10, 10, 0, op);
     },
     [](pqnn_operator_t op) {
       return pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(op, 2, 5, 5, nullptr, nullptr, nullptr);
     },
     [](pqnn_operator_t op) {
       return pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(op, 2, 5, 0, nullptr, nullptr, nullptr);
     },
     [](pqnn_operator_t op, bool good) {
       return pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(op, i8_in.data(), f32_out.data(),
           good ? qparams.data() : nullptr);
     }},
    {"convert_f32_qd8",
     [](pqnn_operator_t* op) { return pqnn_create_convert_nc_f32_qd8(8, 8, 8, 0, op); },
     [](pqnn_operator_t op) { return pqnn_reshape_convert_nc_f32_qd8(op, 4, nullptr); },
     [](pqnn_operator_t op) { return pqnn_reshape_convert_nc_f32_qd8(op, kHuge, nullptr); },
     [](pqnn_operator_t op, bool good) {
       return pqnn_setup_convert_nc_f32_qd8(op, f32_in.data(), i8_out.data(),
           good ? qparams.data() : nullptr);
     }},
  };
}

// Creates the operator and runs it once on good sizes and buffers.
void make_runnable(const Case& c, pqnn_operator_t* op) {
  ASSERT_EQ(c.create(op), pqnn_status_success);
  ASSERT_EQ(c.reshape_good(*op), pqnn_status_success);
  ASSERT_EQ(c.setup(*op, true), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(*op, nullptr), pqnn_status_success);
}

TEST(OperatorState, FailedReshapeRequiresReshapeAndSetup) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    pqnn_operator_t op = nullptr;
    ASSERT_NO_FATAL_FAILURE(make_runnable(c, &op));
    // The caller changes the sizes, the reshape is rejected: the old pointers are gone.
    EXPECT_EQ(c.reshape_bad(op), pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
    // Setup alone does not make it runnable again: reshape first.
    EXPECT_EQ(c.setup(op, true), pqnn_status_invalid_state);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
    ASSERT_EQ(c.reshape_good(op), pqnn_status_success);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
    ASSERT_EQ(c.setup(op, true), pqnn_status_success);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
    pqnn_delete_operator(op);
  }
}

TEST(OperatorState, FailedSetupRequiresSetup) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    pqnn_operator_t op = nullptr;
    ASSERT_NO_FATAL_FAILURE(make_runnable(c, &op));
    EXPECT_EQ(c.setup(op, false), pqnn_status_invalid_parameter);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
    ASSERT_EQ(c.setup(op, true), pqnn_status_success);
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
    pqnn_delete_operator(op);
  }
}

// A reshape or setup through the function of another operator type is rejected without
// touching the operator: it stays runnable on what it was set up with.
TEST(OperatorState, WrongTypeCallsLeaveTheOperatorAlone) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f32(8, 8, 8, 8, f32_weights.data(), nullptr, -10, 10,
      0, &op), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, 4, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_f32(op, f32_in.data(), f32_out.data()),
      pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_fully_connected_nc_f16(op, 4, nullptr), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_fully_connected_nc_f16(op, f32_in.data(), f32_out.data()),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);
}

}  // namespace
