// Shared by the tests of an upsampled map added to a full-resolution one (runtime-residual-
// resize-test, runtime-upsampled-residual-test): a graph of a low-resolution input (external
// 0, [n][h][w][c]), a full-resolution input (external 1, [n][h*sh][w*sw][c]), the output
// (external 2, full resolution) and optionally a second full-resolution output (external
// 3), created with or without residual fusion, run at its defined shape and again with the
// spatial dims grown by one low-resolution pixel, for a bit-exact comparison of the fused
// plan with the unfused one. The two adds such graphs use (add2 or binary add) too.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"

namespace pqnn_test {

struct LowHighResult {
  std::vector<float> y, y_reshaped;  // external 2 at the defined shape and reshaped
  std::vector<pqnn_runtime_node_info> infos;
};

// y = a + b, unbounded, as a binary add node or an add2 node.
inline uint32_t define_unbounded_add(Graph& g, bool binary, uint32_t a, uint32_t b, uint32_t y) {
  const pqnn_status s = binary
      ? pqnn_define_binary(g.sg, pqnn_binary_add, -INFINITY, INFINITY, a, b, y, 0)
      : pqnn_define_add2(g.sg, -INFINITY, INFINITY, a, b, y, 0);
  EXPECT_EQ(s, pqnn_status_success);
  return y;
}

// Creates the runtime of g (residual fusion on or off), runs it on random inputs (seeds 11 /
// 21, then 12 / 22 after the reshape) with the outputs prefilled with -1234.5f, and returns
// external 2 of both runs and the planned nodes; an empty result if creation failed.
inline LowHighResult run_low_high(Graph& g, uint32_t flags, bool fuse, pthreadpool_t pool,
    size_t n, size_t h0, size_t w0, size_t c, size_t sh, size_t sw, bool second_output) {
  LowHighResult r;
  pqnn_runtime_options options = {};
  options.no_residual_fusion = fuse ? 0 : 1;
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime_with_options(g.sg, pool, flags, &options, &rt),
      pqnn_status_success);
  if (rt == nullptr) return r;
  for (int pass = 0; pass < 2; pass++) {
    const size_t h = h0 + (size_t) pass, w = w0 + (size_t) pass;
    const size_t H = h * sh, W = w * sw;
    if (pass == 1) {
      const size_t lo_dims[4] = {n, h, w, c}, hi_dims[4] = {n, H, W, c};
      EXPECT_EQ(pqnn_reshape_external_value(rt, 0, 4, lo_dims), pqnn_status_success);
      EXPECT_EQ(pqnn_reshape_external_value(rt, 1, 4, hi_dims), pqnn_status_success);
      EXPECT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
    }
    const auto lo_data = random_f32(n * h * w * c, -1, 1, 11 + pass);
    const auto hi_data = random_f32(n * H * W * c, -1, 1, 21 + pass);
    std::vector<float>& out = pass == 0 ? r.y : r.y_reshaped;
    out.assign(n * H * W * c, -1234.5f);
    std::vector<float> extra(out.size());
    std::vector<pqnn_external_value> ext = {{0, (void*) lo_data.data()},
        {1, (void*) hi_data.data()}, {2, out.data()}};
    if (second_output) ext.push_back({3, extra.data()});
    EXPECT_EQ(pqnn_setup_runtime(rt, ext.size(), ext.data()), pqnn_status_success);
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  }
  r.infos = node_infos(rt);
  pqnn_delete_runtime(rt);
  return r;
}

}  // namespace pqnn_test
