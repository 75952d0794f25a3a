// Fully connected operators with byte-identical packed weights share one buffer
// (src/runtime/runtime-weights.c): a chain of FC nodes reading one static filter and bias
// keeps one packed copy (live allocations after creating the runtime: one per shared node
// fewer than the same chain with a copy of the filter per node), gives the same bits as
// that chain, and a filter or bias that differs in one element keeps its own copy. Under
// f16 inference and dynamic quantization too (their packed forms are compared as well).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"

extern "C" {
#include "allocator.h"
}

using namespace pqnn_test;

namespace {

constexpr size_t kRows = 4, kC = 64, kNodes = 4;

enum class Weights { kOneValue, kCopies, kOneDiffers, kBiasDiffers };

struct ChainRun {
  long allocations;        // live allocations the runtime holds after creation
  std::vector<float> y;
};

// x [kRows][kC] -> kNodes FC nodes (kC -> kC) in a chain -> y.
ChainRun run_chain(Weights weights, uint32_t flags) {
  const auto w = random_f32(kC * kC, -0.2f, 0.2f, 7);
  const auto b = random_f32(kC, -0.1f, 0.1f, 8);
  const auto x = random_f32(kRows * kC, -1, 1, 9);
  std::vector<std::vector<float>> copies(kNodes, w), biases(kNodes, b);
  if (weights == Weights::kOneDiffers) copies[2][5] += 0.25f;
  if (weights == Weights::kBiasDiffers) biases[2][3] += 0.25f;
  Graph g(2);
  uint32_t in = g.input(0, {kRows, kC});
  const uint32_t shared_w = g.f32({kC, kC}, w.data()), shared_b = g.f32({kC}, b.data());
  for (size_t n = 0; n < kNodes; n++) {
    const bool one = weights == Weights::kOneValue;
    const uint32_t wid = one ? shared_w : g.f32({kC, kC}, copies[n].data());
    const uint32_t bid = one ? shared_b : g.f32({kC}, biases[n].data());
    const uint32_t out = n + 1 == kNodes ? g.output(1, {kRows, kC}) : g.f32({kRows, kC});
    EXPECT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid, bid, out, 0),
        pqnn_status_success);
    in = out;
  }
  ChainRun r;
  r.y.assign(kRows * kC, NAN);
  const long before = pqnn_testing_live_allocations();
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime(g.sg, nullptr, flags, &rt), pqnn_status_success);
  r.allocations = pqnn_testing_live_allocations() - before;
  if (rt == nullptr) return r;
  std::vector<pqnn_external_value> ext = {{0, (void*) x.data()}, {1, r.y.data()}};
  EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  EXPECT_EQ(pqnn_delete_runtime(rt), pqnn_status_success);
  return r;
}

TEST(SharedPackedWeights, OneCopyForIdenticalFullyConnectedWeights) {
  for (uint32_t flags : {0u, uint32_t(PQNN_FLAG_FORCE_FP16_INFERENCE),
                         uint32_t(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)}) {
    const ChainRun one = run_chain(Weights::kOneValue, flags);
    const ChainRun copies = run_chain(Weights::kCopies, flags);
    // The copies' nodes pack the same bytes: shared too.
    EXPECT_EQ(one.allocations, copies.allocations) << "flags " << flags;
    EXPECT_EQ(0, std::memcmp(one.y.data(), copies.y.data(), one.y.size() * sizeof(float)))
        << "flags " << flags;
    const ChainRun differs = run_chain(Weights::kOneDiffers, flags);
    const ChainRun bias = run_chain(Weights::kBiasDiffers, flags);
    // One node with its own filter / bias: exactly one packed buffer more.
    EXPECT_EQ(one.allocations + 1, differs.allocations) << "flags " << flags;
    EXPECT_EQ(one.allocations + 1, bias.allocations) << "flags " << flags;
    EXPECT_NE(0, std::memcmp(one.y.data(), differs.y.data(), one.y.size() * sizeof(float)));
  }
}

// Without sharing the chain would hold kNodes packed buffers: the shared chain holds
// kNodes - 1 fewer allocations than a chain of distinct filters.
TEST(SharedPackedWeights, DistinctWeightsKeepTheirOwn) {
  const ChainRun one = run_chain(Weights::kOneValue, 0);
  const auto x = random_f32(kRows * kC, -1, 1, 9);
  Graph g(2);
  uint32_t in = g.input(0, {kRows, kC});
  std::vector<std::vector<float>> filters;
  for (size_t n = 0; n < kNodes; n++) filters.push_back(random_f32(kC * kC, -0.2f, 0.2f, 20 + n));
  const auto b = random_f32(kC, -0.1f, 0.1f, 8);
  for (size_t n = 0; n < kNodes; n++) {
    const uint32_t out = n + 1 == kNodes ? g.output(1, {kRows, kC}) : g.f32({kRows, kC});
    EXPECT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in,
        g.f32({kC, kC}, filters[n].data()), g.f32({kC}, b.data()), out, 0), pqnn_status_success);
    in = out;
  }
  const long before = pqnn_testing_live_allocations();
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_success);
  const long distinct = pqnn_testing_live_allocations() - before;
  EXPECT_EQ(one.allocations + long(kNodes) - 1, distinct);
  EXPECT_EQ(pqnn_delete_runtime(rt), pqnn_status_success);
}

}  // namespace
