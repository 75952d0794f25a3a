// Reference-counted initialization (issue 16, defect 8): two components of one process
// that each pqnn_initialize and pqnn_deinitialize do not break each other; an unmatched
// pqnn_deinitialize says so; after the final one, run and invoke report
// pqnn_status_uninitialized (and work again after a new pqnn_initialize).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include <pqnn.h>

namespace {

// Undoes every pqnn_initialize of this process (a library without a count would succeed
// forever: give up after many).
void deinitialize_all() {
  int n = 0;
  while (pqnn_deinitialize() == pqnn_status_success && n < 100000) n++;
  ASSERT_LT(n, 100000) << "pqnn_deinitialize never reports an unmatched call";
}

// A 4 -> 4 f32 fully connected operator, set up and ready to run.
struct Fc {
  std::vector<float> w = std::vector<float>(16, 0.5f), x = std::vector<float>(4, 1.0f),
                     y = std::vector<float>(4, 0.0f);
  pqnn_operator_t op = nullptr;
  bool create() {
    return pqnn_create_fully_connected_nc_f32(4, 4, 4, 4, w.data(), nullptr, -INFINITY,
               INFINITY, 0, &op) == pqnn_status_success &&
           pqnn_reshape_fully_connected_nc_f32(op, 1, nullptr) == pqnn_status_success &&
           pqnn_setup_fully_connected_nc_f32(op, x.data(), y.data()) == pqnn_status_success;
  }
  ~Fc() { pqnn_delete_operator(op); }
};

TEST(InitRefcount, UnmatchedDeinitializeIsRejected) {
  deinitialize_all();
  EXPECT_EQ(pqnn_deinitialize(), pqnn_status_uninitialized);
  EXPECT_EQ(pqnn_initialize(), pqnn_status_success);
  EXPECT_EQ(pqnn_deinitialize(), pqnn_status_success);
  EXPECT_EQ(pqnn_deinitialize(), pqnn_status_uninitialized);
  EXPECT_STREQ(pqnn_isa_name(), "uninitialized");
}

TEST(InitRefcount, TwoComponentsDoNotBreakEachOther) {
  deinitialize_all();
  // Component A initializes and creates its operator.
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  Fc a;
  ASSERT_TRUE(a.create());
  // Component B initializes, works, and deinitializes.
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  {
    Fc b;
    ASSERT_TRUE(b.create());
    ASSERT_EQ(pqnn_run_operator(b.op, nullptr), pqnn_status_success);
    EXPECT_EQ(b.y[0], 2.0f);
  }
  ASSERT_EQ(pqnn_deinitialize(), pqnn_status_success);
  // A still works: creates, runs, and its ISA is still known.
  EXPECT_STRNE(pqnn_isa_name(), "uninitialized");
  ASSERT_EQ(pqnn_run_operator(a.op, nullptr), pqnn_status_success);
  EXPECT_EQ(a.y[3], 2.0f);
  Fc a2;
  EXPECT_TRUE(a2.create());
  ASSERT_EQ(pqnn_deinitialize(), pqnn_status_success);
}

TEST(InitRefcount, RunAfterFinalDeinitializeIsUninitialized) {
  deinitialize_all();
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  Fc fc;
  ASSERT_TRUE(fc.create());
  ASSERT_EQ(pqnn_deinitialize(), pqnn_status_success);
  fc.y.assign(4, -1.0f);
  EXPECT_EQ(pqnn_run_operator(fc.op, nullptr), pqnn_status_uninitialized);
  EXPECT_NE(std::strstr(pqnn_last_error_message(), "pqnn_initialize"), nullptr)
      << pqnn_last_error_message();
  EXPECT_EQ(fc.y[0], -1.0f) << "nothing may run";
  // A new pqnn_initialize makes the existing operator runnable again.
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(fc.op, nullptr), pqnn_status_success);
  EXPECT_EQ(fc.y[0], 2.0f);
  ASSERT_EQ(pqnn_deinitialize(), pqnn_status_success);
}

TEST(InitRefcount, InvokeRuntimeAfterFinalDeinitializeIsUninitialized) {
  deinitialize_all();
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  pqnn_subgraph_t sg = nullptr;
  ASSERT_EQ(pqnn_create_subgraph(2, 0, &sg), pqnn_status_success);
  const size_t dims[2] = {1, 4};
  uint32_t in = 0, out = 0;
  ASSERT_EQ(pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 2, dims, nullptr, 0,
      PQNN_VALUE_FLAG_EXTERNAL_INPUT, &in), pqnn_status_success);
  ASSERT_EQ(pqnn_define_tensor_value(sg, pqnn_datatype_fp32, 2, dims, nullptr, 1,
      PQNN_VALUE_FLAG_EXTERNAL_OUTPUT, &out), pqnn_status_success);
  ASSERT_EQ(pqnn_define_clamp(sg, 0.0f, 1.0f, in, out, 0), pqnn_status_success);
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime(sg, nullptr, 0, &rt), pqnn_status_success);
  float x[4] = {-1.0f, 0.5f, 2.0f, 0.25f}, y[4] = {9, 9, 9, 9};
  const pqnn_external_value ext[2] = {{0, x}, {1, y}};
  ASSERT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
  ASSERT_EQ(pqnn_deinitialize(), pqnn_status_success);
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_uninitialized);
  EXPECT_EQ(y[0], 9.0f) << "nothing may run";
  // Creating a subgraph or runtime is refused too; deleting still works.
  pqnn_subgraph_t sg2 = nullptr;
  EXPECT_EQ(pqnn_create_subgraph(2, 0, &sg2), pqnn_status_uninitialized);
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[2], 1.0f);
  ASSERT_EQ(pqnn_deinitialize(), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_runtime(rt), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_subgraph(sg), pqnn_status_success);
}

}  // namespace
