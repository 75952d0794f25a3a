// Small helpers for the runtime tests: a subgraph owner, value definitions, and running a
// runtime on exact-size external buffers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include <pqnn.h>

namespace pqnn_test {

// Whether the suites run natively (x86-64) rather than emulated (qemu-aarch64, node): the
// costlier random-case runtime tests run fewer cases off x86-64.
#if defined(__x86_64__) || defined(_M_X64)
inline constexpr bool kNativeSuite = true;
#else
inline constexpr bool kNativeSuite = false;
#endif

struct Graph {
  pqnn_subgraph_t sg = nullptr;
  explicit Graph(uint32_t externals, uint32_t flags = 0) {
    EXPECT_EQ(pqnn_initialize(), pqnn_status_success);
    EXPECT_EQ(pqnn_create_subgraph(externals, flags, &sg), pqnn_status_success);
  }
  ~Graph() { pqnn_delete_subgraph(sg); }
  uint32_t f32(std::vector<size_t> dims, const void* data = nullptr,
      uint32_t external = PQNN_INVALID_VALUE_ID, uint32_t flags = 0) {
    uint32_t id = PQNN_INVALID_VALUE_ID;
    EXPECT_EQ(pqnn_define_tensor_value(sg, pqnn_datatype_fp32, dims.size(), dims.data(), data,
        external, flags, &id), pqnn_status_success);
    return id;
  }
  uint32_t input(uint32_t ext, std::vector<size_t> dims) {
    return f32(dims, nullptr, ext, PQNN_VALUE_FLAG_EXTERNAL_INPUT);
  }
  uint32_t output(uint32_t ext, std::vector<size_t> dims) {
    return f32(dims, nullptr, ext, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  }
  uint32_t q8(std::vector<size_t> dims, int32_t zp, float scale, const void* data = nullptr,
      uint32_t external = PQNN_INVALID_VALUE_ID, uint32_t flags = 0) {
    uint32_t id = PQNN_INVALID_VALUE_ID;
    EXPECT_EQ(pqnn_define_quantized_tensor_value(sg, pqnn_datatype_qint8, zp, scale, dims.size(),
        dims.data(), data, external, flags, &id), pqnn_status_success);
    return id;
  }
};

inline std::vector<float> random_f32(size_t n, float lo = -1.0f, float hi = 1.0f,
    uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Creates a runtime, binds the externals, invokes once.
inline pqnn_runtime_t run_graph(pqnn_subgraph_t sg, uint32_t flags,
    std::vector<pqnn_external_value> externals, pthreadpool_t pool = nullptr) {
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime(sg, pool, flags, &rt), pqnn_status_success);
  if (rt == nullptr) return nullptr;
  EXPECT_EQ(pqnn_setup_runtime(rt, externals.size(), externals.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  return rt;
}

inline size_t elements(const std::vector<size_t>& s) {
  size_t n = 1;
  for (size_t d : s) n *= d;
  return n;
}

// Element offset into a right-aligned broadcast operand for output index `idx` of `out`.
inline size_t broadcast_offset(const std::vector<size_t>& out, const std::vector<size_t>& in,
    size_t idx) {
  size_t offset = 0, stride = 1;
  for (size_t d = out.size(); d-- > 0;) {
    const size_t coord = idx % out[d];
    idx /= out[d];
    if (d + in.size() < out.size()) continue;
    const size_t k = d + in.size() - out.size();
    if (in[k] != 1) offset += coord * stride;
    stride *= in[k];
  }
  return offset;
}

inline std::vector<pqnn_runtime_node_info> node_infos(pqnn_runtime_t rt) {
  size_t n = 0;
  EXPECT_EQ(pqnn_get_runtime_node_count(rt, &n), pqnn_status_success);
  std::vector<pqnn_runtime_node_info> infos(n);
  for (size_t i = 0; i < n; i++) {
    EXPECT_EQ(pqnn_get_runtime_node_info(rt, i, &infos[i]), pqnn_status_success);
  }
  return infos;
}

// A runtime of g with the runtime option no_banding unless `banding` (row bands,
// docs/runtime.md); nullptr, after a failed expectation, when creation fails.
inline pqnn_runtime_t create_banding_runtime(Graph& g, bool banding, pthreadpool_t pool,
    uint32_t flags, bool float_depthwise = false) {
  pqnn_runtime_options options = {};
  options.no_banding = banding ? 0 : 1;
  options.qd8_float_depthwise = float_depthwise ? 1 : 0;
  pqnn_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_create_runtime_with_options(g.sg, pool, flags, &options, &rt),
      pqnn_status_success);
  return rt;
}

// The nodes that run in row bands at the current shapes; checks that each run of banded
// nodes starts with its chain's first node (band_first: banded, first of its chain).
inline size_t count_banded(pqnn_runtime_t rt) {
  size_t n = 0;
  bool previous_banded = false;
  for (const auto& i : node_infos(rt)) {
    n += i.banded;
    if (i.band_first) {
      EXPECT_EQ(i.banded, 1u);
    }
    if (i.banded && !previous_banded) {
      EXPECT_EQ(i.band_first, 1u);
    }
    previous_banded = i.banded != 0;
  }
  return n;
}

}  // namespace pqnn_test
