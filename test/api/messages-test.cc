// The main rejection messages carry the shapes involved (issue 16): read back through
// pqnn_last_error_message, which records them whatever the log level.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <pqnn.h>

namespace {

class Messages : public testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(pqnn_initialize(), pqnn_status_success); }
  void TearDown() override { pqnn_deinitialize(); }
  static std::string last() { return pqnn_last_error_message(); }
};

TEST_F(Messages, OperatorReshapeNamesTheInputAndKernel) {
  std::vector<float> w(4 * 3 * 3 * 2, 0.5f);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 3, 3, 1, 1, 1, 1, 1, 2, 4, 2, 4,
      w.data(), nullptr, -INFINITY, INFINITY, 0, &op), pqnn_status_success);
  EXPECT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, 2, 2, nullptr, nullptr, nullptr),
      pqnn_status_invalid_parameter);
  EXPECT_NE(last().find("pqnn_reshape_convolution2d_nhwc_f32: input 2x2"), std::string::npos)
      << last();
  pqnn_delete_operator(op);
}

TEST_F(Messages, DefineShapeMismatchShowsTheShapes) {
  pqnn_subgraph_t sg = nullptr;
  ASSERT_EQ(pqnn_create_subgraph(2, 0, &sg), pqnn_status_success);
  std::vector<float> w(4 * 3, 0.5f);
  const size_t x_dims[2] = {2, 3}, w_dims[2] = {4, 3}, bad_w_dims[2] = {4, 5}, y_dims[2] = {2, 5};
  uint32_t x, wid, bad_wid, y;
  ASSERT_EQ(pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 2, x_dims, nullptr, 0,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, &x), pqnn_status_success);
  ASSERT_EQ(pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 2, w_dims, w.data(),
      PQNN_INVALID_VALUE_ID, 0, &wid), pqnn_status_success);
  std::vector<float> w5(4 * 5, 0.5f);
  ASSERT_EQ(pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 2, bad_w_dims, w5.data(),
      PQNN_INVALID_VALUE_ID, 0, &bad_wid), pqnn_status_success);
  ASSERT_EQ(pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 2, y_dims, nullptr, 1,
      PQNN_VALUE_FLAG_EXTERNAL_OUTPUT, &y), pqnn_status_success);
  // Declared output [2x5], computed [2x4].
  EXPECT_EQ(pqnn_define_fully_connected(sg, -INFINITY, INFINITY, x, wid, PQNN_INVALID_VALUE_ID,
      y, 0), pqnn_status_invalid_parameter);
  EXPECT_NE(last().find("is [2x5], the node computes [2x4]"), std::string::npos) << last();
  // Input channels 3 against a filter of 5: the message lists the input shapes.
  EXPECT_EQ(pqnn_define_fully_connected(sg, -INFINITY, INFINITY, x, bad_wid,
      PQNN_INVALID_VALUE_ID, y, 0), pqnn_status_invalid_parameter);
  EXPECT_NE(last().find("pqnn_define_fully_connected: shape mismatch"), std::string::npos)
      << last();
  EXPECT_NE(last().find("(input shapes [2x3], [4x5])"), std::string::npos) << last();
  pqnn_delete_subgraph(sg);
}

}  // namespace
