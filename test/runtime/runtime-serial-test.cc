// Small inferences run without the pool (pqnn_rt_runs_serial, src/runtime/runtime-shared.c):
// below 32 M multiply-adds per inference at the current shapes every node runs on the
// calling thread, above it the nodes use the pool; reshape decides again; after each
// invoke the runtime holds the caller's pool again; the outputs equal a pool-less run's.
#include <gtest/gtest.h>

#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"
#include "common/test-pool.h"

extern "C" {
#include "runtime/runtime-types.h"
}

using namespace pqnn_test;

namespace {

const pqnn_runtime* internals(pqnn_runtime_t rt) { return reinterpret_cast<const pqnn_runtime*>(rt); }

struct FcGraph {
  Graph g{2};
  std::vector<float> w, b;
  FcGraph(size_t rows, size_t ic, size_t oc) : w(random_f32(ic * oc, -1, 1, 5)),
      b(random_f32(oc, -1, 1, 6)) {
    const uint32_t in = g.input(0, {rows, ic});
    const uint32_t wid = g.f32({oc, ic}, w.data());
    const uint32_t bid = g.f32({oc}, b.data());
    const uint32_t out = g.output(1, {rows, oc});
    EXPECT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, in, wid, bid, out, 0),
        pqnn_status_success);
  }
};

// Runs rows x ic -> oc with `pool`, returns the output; *serial_out: the runtime's decision.
std::vector<float> run_fc(size_t rows, size_t ic, size_t oc, pthreadpool_t pool,
    bool* serial_out) {
  FcGraph f(rows, ic, oc);
  const auto x = random_f32(rows * ic, -1, 1, 7);
  std::vector<float> y(rows * oc, NAN);
  pqnn_runtime_t rt = run_graph(f.g.sg, 0, {{0, (void*) x.data()}, {1, y.data()}}, pool);
  EXPECT_NE(rt, nullptr);
  if (rt == nullptr) return y;
  *serial_out = internals(rt)->serial;
  EXPECT_EQ(internals(rt)->threadpool, pool);  // the caller's pool again after the invoke
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  EXPECT_EQ(internals(rt)->threadpool, pool);
  pqnn_delete_runtime(rt);
  return y;
}

TEST(RuntimeSerial, SmallInferenceRunsWithoutPool) {
  pthreadpool_t pool = create_pool(2);
  bool serial = false, serial_alone = false;
  const auto y = run_fc(8, 64, 64, pool, &serial);  // 32 K multiply-adds
  const auto y_alone = run_fc(8, 64, 64, nullptr, &serial_alone);
  EXPECT_TRUE(serial);
  EXPECT_EQ(y, y_alone);
  destroy_pool(pool);
}

TEST(RuntimeSerial, LargeInferenceUsesPool) {
  pthreadpool_t pool = create_pool(2);
  bool serial = true, serial_alone = true;
  const auto y = run_fc(256, 512, 256, pool, &serial);  // 32 M multiply-adds: the bound
  const auto y_alone = run_fc(256, 512, 256, nullptr, &serial_alone);
  EXPECT_FALSE(serial);
  EXPECT_EQ(y, y_alone);
  bool below = false;
  run_fc(255, 512, 256, pool, &below);  // one row fewer: below the bound
  EXPECT_TRUE(below);
  destroy_pool(pool);
}

TEST(RuntimeSerial, ReshapeDecidesAgain) {
  pthreadpool_t pool = create_pool(2);
  FcGraph f(4, 512, 256);  // 0.5 M multiply-adds
  pqnn_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_create_runtime(f.g.sg, pool, 0, &rt), pqnn_status_success);
  std::vector<float> x(512 * 512), y(512 * 256);
  const size_t small[2] = {4, 512}, large[2] = {512, 512};
  ASSERT_EQ(pqnn_reshape_external_value(rt, 0, 2, small), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
  EXPECT_TRUE(internals(rt)->serial);
  ASSERT_EQ(pqnn_reshape_external_value(rt, 0, 2, large), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_runtime(rt), pqnn_status_success);
  EXPECT_FALSE(internals(rt)->serial);  // 64 M multiply-adds
  pqnn_external_value ext[2] = {{0, x.data()}, {1, y.data()}};
  ASSERT_EQ(pqnn_setup_runtime(rt, 2, ext), pqnn_status_success);
  EXPECT_EQ(pqnn_invoke_runtime(rt), pqnn_status_success);
  pqnn_delete_runtime(rt);
  destroy_pool(pool);
}

}  // namespace
