// Allocation failures in subgraph and runtime creation: a graph using every op family of
// the runtime (FC, conv, depthwise, add2, pooling, softmax, static reshape, converts
// inserted by the DRQ and f16 passes) is defined and a runtime created with a failure
// injected at each allocation in turn. The failing call must return out_of_memory, leak
// nothing, and afterwards a clean build must give, bit for bit, the golden output.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"
extern "C" {
#include "allocator.h"
}

using namespace pqnn_test;

namespace {

struct Weights {
  // 3x3x8 = 72 multiply-adds per output: the DRQ flag makes this conv qd8 (>= 64).
  std::vector<float> conv = random_f32(8 * 3 * 3 * 8, -1, 1, 1);
  std::vector<float> dw = random_f32(3 * 3 * 8, -1, 1, 2);
  std::vector<float> fc = random_f32(5 * 8, -1, 1, 3);
  std::vector<float> bias = random_f32(8, -1, 1, 4);
};

// Defines the graph (stops at the first failing call) and creates the runtime.
pqnn_status build(const Weights& w, uint32_t flags, pqnn_subgraph_t* sg, pqnn_runtime_t* rt) {
  pqnn_status s = pqnn_create_subgraph(2, 0, sg);
  if (s != pqnn_status_success) return s;
  auto value = [&](std::vector<size_t> dims, const void* data, uint32_t ext, uint32_t vflags,
                   uint32_t* id) {
    return pqnn_define_tensor_value(*sg, pqnn_datatype_fp32, dims.size(), dims.data(), data, ext,
        vflags, id);
  };
  uint32_t in, wc, wd, wf, b, c1, d1, a1, g1, r1, f1, out;
  const uint32_t none = PQNN_INVALID_VALUE_ID;
  const size_t shape[2] = {2, 8};
  if ((s = value({2, 6, 6, 8}, nullptr, 0, PQNN_VALUE_FLAG_EXTERNAL_INPUT, &in)) != 0 ||
      (s = value({8, 3, 3, 8}, w.conv.data(), none, 0, &wc)) != 0 ||
      (s = value({1, 3, 3, 8}, w.dw.data(), none, 0, &wd)) != 0 ||
      (s = value({5, 8}, w.fc.data(), none, 0, &wf)) != 0 ||
      (s = value({8}, w.bias.data(), none, 0, &b)) != 0 ||
      (s = value({2, 6, 6, 8}, nullptr, none, 0, &c1)) != 0 ||
      (s = value({2, 6, 6, 8}, nullptr, none, 0, &d1)) != 0 ||
      (s = value({2, 6, 6, 8}, nullptr, none, 0, &a1)) != 0 ||
      (s = value({2, 1, 1, 8}, nullptr, none, 0, &g1)) != 0 ||
      (s = value({2, 8}, nullptr, none, 0, &r1)) != 0 ||
      (s = value({2, 5}, nullptr, none, 0, &f1)) != 0 ||
      (s = value({2, 5}, nullptr, 1, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT, &out)) != 0 ||
      (s = pqnn_define_convolution_2d(*sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 8, 8, 0.0f, 6.0f, in,
           wc, b, c1, 0)) != 0 ||
      (s = pqnn_define_depthwise_convolution_2d(*sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 8,
           -INFINITY, INFINITY, c1, wd, b, d1, 0)) != 0 ||
      (s = pqnn_define_add2(*sg, -INFINITY, INFINITY, c1, d1, a1, 0)) != 0 ||
      (s = pqnn_define_global_average_pooling_2d(*sg, -INFINITY, INFINITY, a1, g1, 0)) != 0 ||
      (s = pqnn_define_static_reshape(*sg, 2, shape, g1, r1, 0)) != 0 ||
      (s = pqnn_define_fully_connected(*sg, -INFINITY, INFINITY, r1, wf, none, f1, 0)) != 0 ||
      (s = pqnn_define_softmax(*sg, f1, out, 0)) != 0) {
    return s;
  }
  return pqnn_create_runtime(*sg, nullptr, flags, rt);
}

std::vector<float> run(pqnn_runtime_t rt, const std::vector<float>& x) {
  std::vector<float> y(10, NAN);
  const pqnn_external_value ext[2] = {{0, (void*) x.data()}, {1, y.data()}};
  EXPECT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  return y;
}

TEST(RuntimeAllocationFailure, EveryAllocationOfSubgraphAndRuntimeCreation) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const Weights w;
  const auto x = random_f32(2 * 6 * 6 * 8, -1, 1, 5);
  const uint32_t drq = PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION;
  for (uint32_t flags : {0u, drq, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE), drq | PQNN_FLAG_FORCE_FP16_INFERENCE}) {
    SCOPED_TRACE("flags " + std::to_string(flags));
    pqnn_testing_fail_allocation_after(-1);
    const long live0 = pqnn_testing_live_allocations();
    const unsigned long a0 = pqnn_testing_allocation_count();
    pqnn_subgraph_t sg = nullptr;
    pqnn_runtime_t rt = nullptr;
    ASSERT_EQ(build(w, flags, &sg, &rt), pqnn_status_success);
    const long points = long(pqnn_testing_allocation_count() - a0);
    const std::vector<float> golden = run(rt, x);
    pqnn_delete_runtime(rt);
    pqnn_delete_subgraph(sg);
    ASSERT_EQ(pqnn_testing_live_allocations(), live0);
    ASSERT_GE(points, 5);
    for (long i = 0; i < points; i++) {
      SCOPED_TRACE("failing allocation " + std::to_string(i + 1) + " of " + std::to_string(points));
      sg = nullptr;
      rt = nullptr;
      pqnn_testing_fail_allocation_after(i);
      const pqnn_status status = build(w, flags, &sg, &rt);
      pqnn_testing_fail_allocation_after(-1);
      EXPECT_EQ(status, pqnn_status_out_of_memory);
      EXPECT_EQ(rt, nullptr);
      pqnn_delete_runtime(rt);
      pqnn_delete_subgraph(sg);
      EXPECT_EQ(pqnn_testing_live_allocations(), live0) << "leaked";
    }
    ASSERT_EQ(build(w, flags, &sg, &rt), pqnn_status_success);
    const std::vector<float> again = run(rt, x);
    EXPECT_EQ(std::memcmp(again.data(), golden.data(), golden.size() * sizeof(float)), 0);
    pqnn_delete_runtime(rt);
    pqnn_delete_subgraph(sg);
    EXPECT_EQ(pqnn_testing_live_allocations(), live0);
  }
}

}  // namespace
