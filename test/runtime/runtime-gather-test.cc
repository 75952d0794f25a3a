// The gather node (pqnn_define_gather, an embedding lookup) through a runtime: random table
// and index shapes (indices static or external, negative ones included) against a plain
// reference, bit for bit in f32, under f16 inference (the table's f16 rounding; the int32
// indices stay int32 and the graph still runs in f16) and with a threadpool; an fp16 table;
// an embedding feeding a fully connected layer under f16 and dynamic quantization; indices
// reshaped at run time; out-of-range indices failing the run without writing the output;
// and bad defines with their statuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/convert-reference.h"
#include "common/runtime-graph.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

float f16_round(float v) { return fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(v)); }

uint32_t int32_value(pqnn_subgraph_t sg, const std::vector<size_t>& dims, const int32_t* data,
    uint32_t external = PQNN_INVALID_VALUE_ID) {
  uint32_t id = PQNN_INVALID_VALUE_ID;
  EXPECT_EQ(pqnn_define_tensor_value(sg, pqnn_datatype_int32, dims.size(), dims.data(), data,
      external, external == PQNN_INVALID_VALUE_ID ? 0 : PQNN_VALUE_FLAG_EXTERNAL_INPUT, &id),
      pqnn_status_success);
  return id;
}

// The reference: output row i is table row indices[i] (negative: from the end).
std::vector<float> reference(const std::vector<float>& table, size_t rows,
    const std::vector<int32_t>& indices, bool f16) {
  const size_t row = table.size() / rows;
  std::vector<float> y;
  for (int32_t v : indices) {
    const size_t r = v < 0 ? rows - size_t(-int64_t(v)) : size_t(v);
    for (size_t j = 0; j < row; j++) y.push_back(f16 ? f16_round(table[r * row + j]) : table[r * row + j]);
  }
  return y;
}

void check_gather(const std::vector<size_t>& table_dims, const std::vector<size_t>& index_dims,
    bool static_indices, int seed) {
  std::mt19937 rng(seed);
  const size_t rows = table_dims[0];
  const std::vector<float> table = random_f32(elements(table_dims), -3.0f, 3.0f, seed);
  std::vector<int32_t> indices(elements(index_dims));
  for (auto& v : indices) v = int32_t(rng() % (2 * rows)) - int32_t(rows);  // [-rows, rows)
  std::vector<size_t> out = index_dims;
  out.insert(out.end(), table_dims.begin() + 1, table_dims.end());
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    for (size_t threads : {size_t(1), size_t(3)}) {
      Graph g(2);
      const uint32_t it = g.f32(table_dims, table.data());
      const uint32_t ii = static_indices ? int32_value(g.sg, index_dims, indices.data())
                                         : int32_value(g.sg, index_dims, nullptr, 0);
      const uint32_t iy = g.output(1, out);
      ASSERT_EQ(pqnn_define_gather(g.sg, it, ii, iy, 0), pqnn_status_success);
      std::vector<float> y(elements(out), NAN);
      std::vector<pqnn_external_value> ext = {{1, y.data()}};
      if (!static_indices) ext.push_back({0, indices.data()});
      pthreadpool_t pool = threads > 1 ? create_pool(threads) : nullptr;
      pqnn_runtime_t rt = run_graph(g.sg, flags, ext, pool);
      ASSERT_NE(rt, nullptr);
      enum pqnn_fp16_decision decision;
      ASSERT_EQ(pqnn_get_runtime_fp16_decision(rt, &decision), pqnn_status_success);
      EXPECT_EQ(decision, flags ? pqnn_fp16_decision_forced : pqnn_fp16_decision_none);
      const auto infos = node_infos(rt);
      pqnn_delete_runtime(rt);
      destroy_pool(pool);
      // f16: the gather, then the output's convert back to f32 (no convert of the indices).
      ASSERT_EQ(infos.size(), flags ? 2u : 1u);
      EXPECT_EQ(infos[0].type, pqnn_node_type_gather);
      EXPECT_EQ(infos[0].compute_datatype, flags ? pqnn_datatype_fp16 : pqnn_datatype_fp32);
      const std::vector<float> want = reference(table, rows, indices, flags != 0);
      for (size_t i = 0; i < y.size(); i++) {
        ASSERT_EQ(float_bits(y[i]), float_bits(want[i])) << "seed " << seed << " flags " << flags
            << " threads " << threads << " i " << i;
      }
    }
  }
}

TEST(RuntimeGather, RandomShapes) {
  std::mt19937 rng(5);
  const int iterations = kNativeSuite ? 40 : 12;
  for (int iter = 0; iter < iterations; iter++) {
    const size_t table_rank = 1 + rng() % 3;
    std::vector<size_t> table(table_rank);
    table[0] = 1 + rng() % 40;
    for (size_t d = 1; d < table_rank; d++) table[d] = 1 + rng() % 9;
    if (table_rank >= 2 && rng() % 4 == 0) table[table_rank - 1] = 300 + rng() % 500;
    const size_t index_rank = 1 + rng() % (PQNN_MAX_TENSOR_DIMS - table_rank + 1);
    std::vector<size_t> indices(index_rank);
    for (auto& d : indices) d = 1 + rng() % 4;
    if (rng() % 3 == 0) indices[0] = 50 + rng() % 400;  // many tiles
    check_gather(table, indices, rng() % 3 == 0, 100 + iter);
  }
}

// The models' shapes: token ids [1, S] and [B, S] into [vocab, hidden], a scalar-like [1].
TEST(RuntimeGather, EmbeddingShapes) {
  check_gather({30, 16}, {1, 7}, false, 1);
  check_gather({30, 16}, {2, 3, 5}, false, 2);
  check_gather({1000, 64}, {4, 128}, false, 3);
  check_gather({5, 2, 3}, {1}, true, 4);
  check_gather({1}, {6}, false, 5);
}

// An fp16 table (and output) in an f32-defined graph: rows copied bit for bit.
TEST(RuntimeGather, Fp16Table) {
  const size_t rows = 6, cols = 5;
  std::vector<uint16_t> table(rows * cols);
  for (size_t i = 0; i < table.size(); i++) table[i] = uint16_t(0x3C00 + 37 * i);
  const std::vector<int32_t> indices = {5, -1, 0, -6, 2};
  Graph g(2);
  uint32_t it = PQNN_INVALID_VALUE_ID, iy = PQNN_INVALID_VALUE_ID;
  const size_t td[2] = {rows, cols}, yd[2] = {indices.size(), cols};
  ASSERT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp16, 2, td, table.data(),
      PQNN_INVALID_VALUE_ID, 0, &it), pqnn_status_success);
  ASSERT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp16, 2, yd, nullptr, 1,
      PQNN_VALUE_FLAG_EXTERNAL_OUTPUT, &iy), pqnn_status_success);
  const uint32_t ii = int32_value(g.sg, {indices.size()}, nullptr, 0);
  ASSERT_EQ(pqnn_define_gather(g.sg, it, ii, iy, 0), pqnn_status_success);
  std::vector<uint16_t> y(indices.size() * cols, 0xFFFF);
  pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) indices.data()}, {1, y.data()}});
  pqnn_delete_runtime(rt);
  for (size_t i = 0; i < indices.size(); i++) {
    const size_t r = indices[i] < 0 ? rows + indices[i] : size_t(indices[i]);
    for (size_t j = 0; j < cols; j++) EXPECT_EQ(y[i * cols + j], table[r * cols + j]) << i << " " << j;
  }
}

// Token ids -> embedding -> fully connected: f32 exact against a double reference within
// rounding; under f16 inference the graph still runs f16 (the int32 ids are no obstacle)
// and under dynamic quantization the FC is quantized.
TEST(RuntimeGather, EmbeddingIntoFullyConnected) {
  const size_t vocab = 50, hidden = 96, out_channels = 24, tokens = 9;  // K >= 64: DRQ takes the FC
  const std::vector<float> table = random_f32(vocab * hidden, -1.0f, 1.0f, 7);
  const std::vector<float> w = random_f32(out_channels * hidden, -0.5f, 0.5f, 8);
  const std::vector<int32_t> ids = {3, 49, 0, -1, 17, 17, 2, -50, 31};
  std::vector<double> want(tokens * out_channels);
  for (size_t t = 0; t < tokens; t++) {
    const size_t r = ids[t] < 0 ? vocab + ids[t] : size_t(ids[t]);
    for (size_t n = 0; n < out_channels; n++) {
      double acc = 0;
      for (size_t k = 0; k < hidden; k++) acc += double(table[r * hidden + k]) * w[n * hidden + k];
      want[t * out_channels + n] = acc;
    }
  }
  const struct { uint32_t flags; double tolerance; } kModes[] = {
      {0u, 1e-5}, {PQNN_FLAG_FORCE_FP16_INFERENCE, 2e-2},
      {PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, 5e-2}};
  for (const auto& mode : kModes) {
    Graph g(2);
    const uint32_t ii = int32_value(g.sg, {1, tokens}, nullptr, 0);
    const uint32_t it = g.f32({vocab, hidden}, table.data());
    const uint32_t ie = g.f32({1, tokens, hidden});
    const uint32_t iw = g.f32({out_channels, hidden}, w.data());
    const uint32_t iy = g.output(1, {1, tokens, out_channels});
    ASSERT_EQ(pqnn_define_gather(g.sg, it, ii, ie, 0), pqnn_status_success);
    ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, ie, iw,
        PQNN_INVALID_VALUE_ID, iy, 0), pqnn_status_success);
    std::vector<float> y(tokens * out_channels, NAN);
    pqnn_runtime_t rt = run_graph(g.sg, mode.flags, {{0, (void*) ids.data()}, {1, y.data()}});
    ASSERT_NE(rt, nullptr);
    enum pqnn_fp16_decision decision;
    ASSERT_EQ(pqnn_get_runtime_fp16_decision(rt, &decision), pqnn_status_success);
    const auto infos = node_infos(rt);
    pqnn_delete_runtime(rt);
    if (mode.flags == PQNN_FLAG_FORCE_FP16_INFERENCE) {
      EXPECT_EQ(decision, pqnn_fp16_decision_forced);
      ASSERT_EQ(infos.size(), 3u);  // gather, FC, the output's convert
      EXPECT_EQ(infos[1].compute_datatype, pqnn_datatype_fp16);
    } else if (mode.flags == PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION) {
      ASSERT_EQ(infos.size(), 3u);  // gather, the FC input's convert, the qd8 FC
      EXPECT_EQ(infos[2].compute_datatype, pqnn_datatype_qdint8);
    }
    double max_ref = 0;
    for (double v : want) max_ref = std::max(max_ref, std::fabs(v));
    for (size_t i = 0; i < y.size(); i++) {
      EXPECT_NEAR(y[i], want[i], mode.tolerance * max_ref) << "flags " << mode.flags << " i " << i;
    }
  }
}

// New index dims at run time: the output follows.
TEST(RuntimeGather, ReshapedIndices) {
  const std::vector<float> table = random_f32(10 * 3, -1.0f, 1.0f, 9);
  Graph g(2);
  const uint32_t it = g.f32({10, 3}, table.data());
  const uint32_t ii = int32_value(g.sg, {1, 2}, nullptr, 0);
  const uint32_t iy = g.f32({1, 2, 3}, nullptr, 1, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  ASSERT_EQ(pqnn_define_gather(g.sg, it, ii, iy, 0), pqnn_status_success);
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, 0, &rt), pqnn_status_success);
  const size_t dims[2] = {2, 4};
  ASSERT_EQ(pqnn_reshape_external_value(rt, 0, 2, dims), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
  size_t num_dims = 0, out_dims[PQNN_MAX_TENSOR_DIMS];
  ASSERT_EQ(pqnn_get_external_value_shape(rt, 1, &num_dims, out_dims), pqnn_status_success);
  ASSERT_EQ(num_dims, 3u);
  EXPECT_EQ(out_dims[0], 2u);
  EXPECT_EQ(out_dims[1], 4u);
  EXPECT_EQ(out_dims[2], 3u);
  const std::vector<int32_t> ids = {9, 0, -3, 4, 4, 1, -10, 7};
  std::vector<float> y(24, NAN);
  const pqnn_external_value ext[2] = {{0, (void*) ids.data()}, {1, y.data()}};
  ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
  ASSERT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  pqnn_delete_runtime(rt);
  const std::vector<float> want = reference(table, 10, ids, false);
  for (size_t i = 0; i < 24; i++) EXPECT_EQ(float_bits(y[i]), float_bits(want[i])) << i;
}

// An index outside [-rows, rows) fails the run with invalid_parameter and leaves the output
// untouched (no row read out of bounds, none clamped); valid indices then run again.
TEST(RuntimeGather, OutOfRangeIndicesFailTheRun) {
  const size_t rows = 7, cols = 4;
  const std::vector<float> table = random_f32(rows * cols, -1.0f, 1.0f, 10);
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
    Graph g(2);
    const uint32_t it = g.f32({rows, cols}, table.data());
    const uint32_t ii = int32_value(g.sg, {3}, nullptr, 0);
    const uint32_t iy = g.output(1, {3, cols});
    ASSERT_EQ(pqnn_define_gather(g.sg, it, ii, iy, 0), pqnn_status_success);
    pqnn_runtime_t rt = nullptr;
    ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, flags, &rt), pqnn_status_success);
    std::vector<int32_t> ids(3);
    std::vector<float> y(3 * cols);
    const pqnn_external_value ext[2] = {{0, ids.data()}, {1, y.data()}};
    ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
    for (int32_t bad : {int32_t(rows), int32_t(rows + 1), -int32_t(rows) - 1, INT32_MAX,
                        INT32_MIN}) {
      ids = {0, bad, 1};
      std::fill(y.begin(), y.end(), 42.0f);
      EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_invalid_parameter) << bad;
      for (float v : y) ASSERT_EQ(v, 42.0f) << "the output was written, index " << bad;
    }
    ids = {int32_t(rows) - 1, -int32_t(rows), 3};
    EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
    const std::vector<float> want = reference(table, rows, ids, flags != 0);
    for (size_t i = 0; i < y.size(); i++) EXPECT_EQ(float_bits(y[i]), float_bits(want[i])) << i;
    pqnn_delete_runtime(rt);
  }
}

TEST(RuntimeGather, BadDefines) {
  Graph g(3);
  const std::vector<float> table(8 * 3, 1.0f);
  const std::vector<int32_t> good = {0, 7, -8}, too_big = {0, 8, 1}, too_small = {-9, 0, 1};
  const uint32_t it = g.f32({8, 3}, table.data());
  const uint32_t ii = int32_value(g.sg, {3}, nullptr, 0);
  const uint32_t iy = g.output(1, {3, 3});
  const uint32_t y33 = g.f32({3, 3}), y34 = g.f32({3, 4}), y3 = g.f32({3});
  const uint32_t f32_indices = g.f32({3});
  const uint32_t dynamic_table = g.input(2, {8, 3});
  const uint32_t s_good = int32_value(g.sg, {3}, good.data());
  const uint32_t s_big = int32_value(g.sg, {3}, too_big.data());
  const uint32_t s_small = int32_value(g.sg, {3}, too_small.data());
  uint32_t h = PQNN_INVALID_VALUE_ID, i32_table = PQNN_INVALID_VALUE_ID;
  const size_t d33[2] = {3, 3}, d83[2] = {8, 3};
  ASSERT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_fp16, 2, d33, nullptr,
      PQNN_INVALID_VALUE_ID, 0, &h), pqnn_status_success);
  const std::vector<int32_t> int_table(24, 1);
  ASSERT_EQ(pqnn_define_tensor_value(g.sg, pqnn_datatype_int32, 2, d83, int_table.data(),
      PQNN_INVALID_VALUE_ID, 0, &i32_table), pqnn_status_success);
  // 6 index dims and a 2-D table would need 7 output dims.
  const uint32_t i6 = int32_value(g.sg, {1, 1, 1, 1, 1, 3}, nullptr);
  const uint32_t y6 = g.f32({1, 1, 1, 1, 1, 3});
  EXPECT_EQ(pqnn_define_gather(nullptr, it, ii, iy, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, ii, iy, 1), pqnn_status_invalid_parameter);  // flags
  EXPECT_EQ(pqnn_define_gather(g.sg, PQNN_INVALID_VALUE_ID, ii, iy, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, PQNN_INVALID_VALUE_ID, iy, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, 1000, iy, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, ii, 1000, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, f32_indices, y33, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, i32_table, ii, y33, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, ii, h, 0), pqnn_status_invalid_parameter);  // fp16 y
  EXPECT_EQ(pqnn_define_gather(g.sg, it, ii, y34, 0), pqnn_status_invalid_parameter);  // shape
  EXPECT_EQ(pqnn_define_gather(g.sg, it, ii, y3, 0), pqnn_status_invalid_parameter);  // rank
  EXPECT_EQ(pqnn_define_gather(g.sg, it, i6, y6, 0), pqnn_status_invalid_parameter);  // 7 dims
  EXPECT_EQ(pqnn_define_gather(g.sg, it, it, y33, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, ii, ii, 0), pqnn_status_invalid_parameter);  // in = out
  EXPECT_EQ(pqnn_define_gather(g.sg, dynamic_table, ii, y33, 0),
      pqnn_status_unsupported_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, s_big, y33, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, s_small, y33, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, s_good, y33, 0), pqnn_status_success);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, ii, iy, 0), pqnn_status_success);
  EXPECT_EQ(pqnn_define_gather(g.sg, it, ii, iy, 0), pqnn_status_invalid_parameter);  // produced
  EXPECT_STREQ(pqnn_node_type_string(pqnn_node_type_gather), "gather");
}

}  // namespace
