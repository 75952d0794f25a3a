// PQNN_FLAG_FP16_INFERENCE is a hint ("f16 where that is faster"): a graph runs in f16 only
// on an ISA tier with f16 arithmetic (aarch64 neonfp16arith, neondot), else it stays f32,
// bit-identical to the f32 run; PQNN_FLAG_FORCE_FP16_INFERENCE runs f16 on every tier; the
// decision is queryable (pqnn_get_runtime_fp16_decision, pqnn_fp16_inference_decision).
// Run once per ISA tier (test/runtime/CMakeLists.txt: PQNN_ISA=<tier>), the aarch64 tiers
// under qemu in scripts/test-aarch64.sh.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"
#include "common/same-bits.h"

using namespace pqnn_test;

namespace {

// The contract, stated independently of the library's own query: the tiers with f16
// arithmetic.
bool tier_has_f16_arithmetic() {
  const std::string isa = pqnn_isa_name();
  return isa == "neonfp16arith" || isa == "neondot";
}

constexpr size_t kIn = 1 * 8 * 8 * 8, kOut = 10;

// conv 3x3 (8 -> 16) + clamp, depthwise 3x3, hardswish, global average pool, FC 16 -> 10.
struct Net {
  std::vector<float> w1 = random_f32(16 * 3 * 3 * 8, -0.3f, 0.3f, 21);
  std::vector<float> b1 = random_f32(16, -0.2f, 0.2f, 22);
  std::vector<float> w2 = random_f32(3 * 3 * 16, -0.4f, 0.4f, 23);
  std::vector<float> w3 = random_f32(kOut * 16, -0.5f, 0.5f, 24);
  std::vector<float> x = random_f32(kIn, -1.0f, 1.0f, 25);
  Graph g;
  explicit Net(uint32_t subgraph_flags = 0) : g(2, subgraph_flags) {
    const uint32_t in = g.input(0, {1, 8, 8, 8});
    const uint32_t w1id = g.f32({16, 3, 3, 8}, w1.data());
    const uint32_t b1id = g.f32({16}, b1.data());
    const uint32_t w2id = g.f32({1, 3, 3, 16}, w2.data());
    const uint32_t w3id = g.f32({kOut, 16}, w3.data());
    const uint32_t c1 = g.f32({1, 8, 8, 16});
    const uint32_t d1 = g.f32({1, 8, 8, 16});
    const uint32_t h1 = g.f32({1, 8, 8, 16});
    const uint32_t p1 = g.f32({1, 16});
    const uint32_t out = g.output(1, {1, kOut});
    EXPECT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 8, 16, 0.0f,
        6.0f, in, w1id, b1id, c1, 0), pqnn_status_success);
    EXPECT_EQ(pqnn_define_depthwise_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 16,
        -INFINITY, INFINITY, c1, w2id, PQNN_INVALID_VALUE_ID, d1, 0), pqnn_status_success);
    EXPECT_EQ(pqnn_define_unary(g.sg, pqnn_unary_hardswish, nullptr, d1, h1, 0),
        pqnn_status_success);
    EXPECT_EQ(pqnn_define_global_average_pooling_2d(g.sg, -INFINITY, INFINITY, h1, p1, 0),
        pqnn_status_success);
    EXPECT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, p1, w3id,
        PQNN_INVALID_VALUE_ID, out, 0), pqnn_status_success);
  }
};

struct Result {
  std::vector<float> y = std::vector<float>(kOut);
  std::vector<pqnn_runtime_node_info> infos;
  pqnn_fp16_decision decision = pqnn_fp16_decision_none;
};

Result run(Net& net, uint32_t flags) {
  Result r;
  pqnn_runtime_t rt = run_graph(net.g.sg, flags, {{0, (void*) net.x.data()}, {1, r.y.data()}});
  EXPECT_NE(rt, nullptr);
  if (rt == nullptr) return r;
  r.infos = node_infos(rt);
  EXPECT_EQ(pqnn_get_runtime_fp16_decision(rt, &r.decision), pqnn_status_success);
  pqnn_delete_runtime(rt);
  return r;
}

void expect_f32_plan(const Result& r, const Result& f32) {
  ASSERT_EQ(r.infos.size(), f32.infos.size());
  for (size_t i = 0; i < r.infos.size(); i++) {
    SCOPED_TRACE(i);
    EXPECT_EQ(r.infos[i].type, f32.infos[i].type);
    EXPECT_EQ(r.infos[i].compute_datatype, pqnn_datatype_fp32);
    EXPECT_EQ(r.infos[i].inserted, 0u);
  }
}

void expect_f16_plan(const Result& r) {
  ASSERT_GE(r.infos.size(), 3u);
  EXPECT_EQ(r.infos.front().inserted, 1u);  // the input's f32 -> f16 convert
  EXPECT_EQ(r.infos.back().inserted, 1u);   // the output's f16 -> f32 convert
  for (const auto& info : r.infos) {
    if (!info.inserted) {
      EXPECT_EQ(info.compute_datatype, pqnn_datatype_fp16) << info.type_name;
    }
  }
}

TEST(RuntimeFp16Hint, HintFollowsTheTier) {
  SCOPED_TRACE(pqnn_isa_name());
  Net net;
  const Result f32 = run(net, 0);
  EXPECT_EQ(f32.decision, pqnn_fp16_decision_none);
  const Result hint = run(net, PQNN_FLAG_FP16_INFERENCE);
  pqnn_fp16_decision query = pqnn_fp16_decision_none;
  ASSERT_EQ(pqnn_fp16_inference_decision(PQNN_FLAG_FP16_INFERENCE, &query), pqnn_status_success);
  EXPECT_EQ(query, hint.decision);
  if (tier_has_f16_arithmetic()) {
    EXPECT_EQ(hint.decision, pqnn_fp16_decision_fp16);
    expect_f16_plan(hint);
    // The hint runs exactly what the force flag runs.
    EXPECT_TRUE(same_bits(hint.y, run(net, PQNN_FLAG_FORCE_FP16_INFERENCE).y));
  } else {
    EXPECT_EQ(hint.decision, pqnn_fp16_decision_fp32_no_arithmetic);
    expect_f32_plan(hint, f32);
    EXPECT_TRUE(same_bits(hint.y, f32.y));
  }
}

TEST(RuntimeFp16Hint, HintFromTheSubgraphFlags) {
  Net net(PQNN_FLAG_FP16_INFERENCE);
  const Result hint = run(net, 0);
  EXPECT_EQ(hint.decision, tier_has_f16_arithmetic() ? pqnn_fp16_decision_fp16
                                                     : pqnn_fp16_decision_fp32_no_arithmetic);
  Net forced(PQNN_FLAG_FORCE_FP16_INFERENCE);
  EXPECT_EQ(run(forced, 0).decision, pqnn_fp16_decision_forced);
}

TEST(RuntimeFp16Hint, ForceRunsF16OnEveryTier) {
  SCOPED_TRACE(pqnn_isa_name());
  Net net;
  const Result f32 = run(net, 0);
  for (uint32_t flags : {unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE),
           unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE | PQNN_FLAG_FP16_INFERENCE)}) {
    SCOPED_TRACE(flags);
    const Result forced = run(net, flags);
    EXPECT_EQ(forced.decision, pqnn_fp16_decision_forced);
    pqnn_fp16_decision query = pqnn_fp16_decision_none;
    ASSERT_EQ(pqnn_fp16_inference_decision(flags, &query), pqnn_status_success);
    EXPECT_EQ(query, pqnn_fp16_decision_forced);
    expect_f16_plan(forced);
    // f16 storage: close to f32, and not the f32 bits.
    double max_ref = 0.0;
    for (float v : f32.y) max_ref = std::max(max_ref, double(std::fabs(v)));
    for (size_t i = 0; i < kOut; i++) EXPECT_NEAR(forced.y[i], f32.y[i], 1e-2 * max_ref + 1e-3);
    EXPECT_FALSE(same_bits(forced.y, f32.y));
  }
}

TEST(RuntimeFp16Hint, WithDynamicQuantization) {
  // Force + DRQ: f16 activations around the qd8 nodes; hint + DRQ follows the tier.
  Net net;
  const uint32_t drq = PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION;
  EXPECT_EQ(run(net, drq | PQNN_FLAG_FORCE_FP16_INFERENCE).decision, pqnn_fp16_decision_forced);
  const Result hint = run(net, drq | PQNN_FLAG_FP16_INFERENCE);
  if (tier_has_f16_arithmetic()) {
    EXPECT_EQ(hint.decision, pqnn_fp16_decision_fp16);
  } else {
    EXPECT_EQ(hint.decision, pqnn_fp16_decision_fp32_no_arithmetic);
    EXPECT_TRUE(same_bits(hint.y, run(net, drq).y));
  }
}

TEST(RuntimeFp16Hint, BadFlagsAndArguments) {
  Net net;
  pqnn_runtime_t rt = nullptr;
  for (uint32_t bad : {0x800u, 0x1u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE) | 0x80000000u}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(pqnn_create_runtime(net.g.sg, nullptr, bad, &rt), pqnn_status_invalid_parameter);
    EXPECT_EQ(rt, nullptr);
    pqnn_fp16_decision d = pqnn_fp16_decision_none;
    EXPECT_EQ(pqnn_fp16_inference_decision(bad, &d), pqnn_status_invalid_parameter);
    pqnn_subgraph_t sg = nullptr;
    EXPECT_EQ(pqnn_create_subgraph(2, bad, &sg), pqnn_status_invalid_parameter);
  }
  EXPECT_EQ(pqnn_fp16_inference_decision(PQNN_FLAG_FP16_INFERENCE, nullptr),
      pqnn_status_invalid_parameter);
  pqnn_fp16_decision d = pqnn_fp16_decision_forced;
  ASSERT_EQ(pqnn_fp16_inference_decision(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &d),
      pqnn_status_success);
  EXPECT_EQ(d, pqnn_fp16_decision_none);
  EXPECT_EQ(pqnn_get_runtime_fp16_decision(nullptr, &d), pqnn_status_invalid_parameter);
  ASSERT_EQ(pqnn_create_runtime(net.g.sg, nullptr, PQNN_FLAG_FORCE_FP16_INFERENCE, &rt),
      pqnn_status_success);
  EXPECT_EQ(pqnn_get_runtime_fp16_decision(rt, nullptr), pqnn_status_invalid_parameter);
  pqnn_delete_runtime(rt);
}

TEST(RuntimeFp16Hint, DecisionStrings) {
  std::set<std::string> seen;
  for (pqnn_fp16_decision d : {pqnn_fp16_decision_none, pqnn_fp16_decision_fp16,
           pqnn_fp16_decision_forced, pqnn_fp16_decision_fp32_no_arithmetic,
           pqnn_fp16_decision_as_defined}) {
    const char* s = pqnn_fp16_decision_string(d);
    ASSERT_NE(s, nullptr);
    EXPECT_STRNE(s, "invalid");
    EXPECT_TRUE(seen.insert(s).second) << s;
  }
  EXPECT_STREQ(pqnn_fp16_decision_string(static_cast<pqnn_fp16_decision>(99)), "invalid");
}

}  // namespace
