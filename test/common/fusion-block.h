// Shared by the fusion tests (runtime-residual-test, runtime-activation-test): the weights
// of a random block x [n][h][w][3] -> 1x1 stem (3 -> c) -> producer (up to 3x3, c -> c), and
// running a block's graph at its shape and reshaped, for a bit-exact comparison of the
// fused plan with the unfused one.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"

namespace pqnn_test {

struct BlockWeights {
  std::vector<float> stem_w, stem_b, w, b;
};

inline BlockWeights random_block_weights(size_t c, uint32_t seed) {
  BlockWeights wt;
  wt.stem_w = random_f32(c * 3, -1, 1, seed);
  wt.stem_b = random_f32(c, -1, 1, seed + 1);
  wt.w = random_f32(c * 9 * c, -0.3f, 0.3f, seed + 2);
  wt.b = random_f32(c, -1, 1, seed + 3);
  return wt;
}

struct BlockResult {
  std::vector<float> y, y_reshaped;
  std::vector<pqnn_runtime_node_info> infos;  // at the reshaped shape
};

// Creates a runtime of `sg` (external 0: input [n][h][w][3], external 1: output
// [n][h][w][c]) with `options`, runs it at its shape, then reshaped to (h + 2) x (w + 1),
// on inputs uniform in [-range, range]; empty on a failed create.
inline BlockResult run_block_graph(pqnn_subgraph_t sg, size_t n, size_t h, size_t w, size_t c,
    float range, uint32_t flags, const pqnn_runtime_options& options, pthreadpool_t pool) {
  BlockResult r;
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime_with_options(sg, pool, flags, &options, &rt),
      pqnn_status_success);
  if (rt == nullptr) return r;
  for (int pass = 0; pass < 2; pass++) {
    const size_t ph = h + (pass == 0 ? 0 : 2), pw = w + (pass == 0 ? 0 : 1);
    if (pass == 1) {
      const size_t dims[4] = {n, ph, pw, 3};
      EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 4, dims), pqnn_status_success);
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    const auto in = random_f32(n * ph * pw * 3, -range, range, 77 + pass);
    std::vector<float>& out = pass == 0 ? r.y : r.y_reshaped;
    out.assign(n * ph * pw * c, -1234.5f);
    const pqnn_external_value ext[2] = {{0, (void*) in.data()}, {1, out.data()}};
    EXPECT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  }
  r.infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  return r;
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() &&
      (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

}  // namespace pqnn_test
