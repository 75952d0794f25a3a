// Concurrency (the threading contract of include/pqnn.h): pqnn_initialize from many
// threads at once; many threads creating and running their own operators from the SAME
// (read-only) weight arrays, bit-identical to a serial run; one operator per thread, each
// driven with its own pthreadpool of 1 or 2 threads, all at once; one operator run by many
// threads at once; distinct runtimes of one subgraph invoked at once. Run it under
// ThreadSanitizer (scripts/test.sh --tsan) to check the library for data races as well.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/runtime-graph.h"
#include "common/test-pool.h"

namespace {

constexpr int kThreads = 8;

// Releases all waiting threads together, so that their calls overlap.
class StartLine {
 public:
  explicit StartLine(int n) : waiting_(n) {}
  void arrive_and_wait() {
    waiting_.fetch_sub(1);
    while (waiting_.load() > 0) std::this_thread::yield();
  }

 private:
  std::atomic<int> waiting_;
};

TEST(Concurrency, InitializeFromManyThreads) {
  StartLine start(16);
  std::vector<pqnn_status> status(16, pqnn_status_uninitialized);
  std::vector<std::string> isa(16);
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; t++) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      status[t] = pqnn_initialize();
      isa[t] = pqnn_isa_name();
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 16; t++) {
    EXPECT_EQ(status[t], pqnn_status_success) << "thread " << t;
    EXPECT_EQ(isa[t], isa[0]) << "thread " << t;
    EXPECT_NE(isa[t], "uninitialized");
  }
}

// Shared read-only model: weights used by every thread.
struct Model {
  // f32 3x3 convolution (IGEMM), 2 images 7x6, 11 -> 13 channels.
  static constexpr size_t kB = 2, kH = 7, kW = 6, kIC = 11, kOC = 13;
  // qd8 fully connected 45 -> 21, 6 rows; qs8 depthwise 3x3 over 10 channels.
  static constexpr size_t kFcIC = 45, kFcOC = 21, kFcB = 6, kDwC = 10;
  std::vector<float> conv_w, conv_b, fc_ks, fc_b;
  std::vector<int8_t> fc_w, dw_w;
  std::vector<int32_t> dw_b;
  std::vector<float> conv_in;
  std::vector<int8_t> fc_in, dw_in;
  std::vector<pqnn_quantization_params> fc_qp;
  Model() {
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> f(-1.0f, 1.0f), s(0.01f, 0.05f);
    std::uniform_int_distribution<int> i(-127, 127);
    auto fill = [&](auto& v, size_t n, auto& dist) {
      v.resize(n);
      for (auto& x : v) x = std::remove_reference_t<decltype(x)>(dist(rng));
    };
    fill(conv_w, kOC * 9 * kIC, f);
    fill(conv_b, kOC, f);
    fill(conv_in, kB * kH * kW * kIC, f);
    fill(fc_ks, kFcOC, s);
    fill(fc_b, kFcOC, f);
    fill(fc_w, kFcOC * kFcIC, i);
    fill(fc_in, kFcB * kFcIC, i);
    fill(dw_w, 9 * kDwC, i);
    std::uniform_int_distribution<int> bias(-500, 500);
    fill(dw_b, kDwC, bias);
    fill(dw_in, kB * kH * kW * kDwC, i);
    for (size_t b = 0; b < kFcB; b++) fc_qp.push_back({int32_t(b) - 3, 0.01f * float(b + 1)});
  }
};

const Model& model() {
  static const Model m;
  return m;
}

// Outputs of one full pass over the three operators.
struct Outputs {
  std::vector<float> conv, fc;
  std::vector<int8_t> dw;
  bool operator==(const Outputs& o) const {
    return conv.size() == o.conv.size() &&
           std::memcmp(conv.data(), o.conv.data(), conv.size() * sizeof(float)) == 0 &&
           fc.size() == o.fc.size() &&
           std::memcmp(fc.data(), o.fc.data(), fc.size() * sizeof(float)) == 0 && dw == o.dw;
  }
};

// Creates the operators from the shared weights, runs them (with `pool`, may be NULL)
// `repeats` times, deletes them. Returns false on any failing call.
bool run_model(pthreadpool_t pool, int repeats, Outputs& out) {
  const Model& m = model();
  pqnn_operator_t conv = nullptr, fc = nullptr, dw = nullptr;
  bool ok = true;
  auto check = [&](pqnn_status s) { ok = ok && s == pqnn_status_success; };
  check(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, Model::kIC,
      Model::kOC, Model::kIC, Model::kOC, m.conv_w.data(), m.conv_b.data(), -2.0f, 2.0f, 0,
      &conv));
  check(pqnn_create_fully_connected_nc_qd8_f32_qc8w(Model::kFcIC, Model::kFcOC, Model::kFcIC,
      Model::kFcOC, m.fc_ks.data(), m.fc_w.data(), m.fc_b.data(), -50.0f, 50.0f, 0, &fc));
  check(pqnn_create_convolution2d_nhwc_qs8(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, Model::kDwC, 1, 1,
      Model::kDwC, Model::kDwC, 3, 0.02f, 0.01f, m.dw_w.data(), m.dw_b.data(), -1, 0.03f, -120,
      120, PQNN_FLAG_DEPTHWISE_CONVOLUTION, &dw));
  if (!ok) {
    pqnn_delete_operator(conv);
    pqnn_delete_operator(fc);
    pqnn_delete_operator(dw);
    return false;
  }
  out.conv.assign(Model::kB * Model::kH * Model::kW * Model::kOC, 0.0f);
  out.fc.assign(Model::kFcB * Model::kFcOC, 0.0f);
  out.dw.assign(Model::kB * Model::kH * Model::kW * Model::kDwC, 0);
  size_t oh, ow;
  check(pqnn_reshape_convolution2d_nhwc_f32(conv, Model::kB, Model::kH, Model::kW, &oh, &ow, pool));
  check(pqnn_setup_convolution2d_nhwc_f32(conv, m.conv_in.data(), out.conv.data()));
  check(pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(fc, Model::kFcB, pool));
  check(pqnn_setup_fully_connected_nc_qd8_f32_qc8w(fc, m.fc_in.data(), out.fc.data(),
      m.fc_qp.data()));
  check(pqnn_reshape_convolution2d_nhwc_qs8(dw, Model::kB, Model::kH, Model::kW, &oh, &ow, pool));
  check(pqnn_setup_convolution2d_nhwc_qs8(dw, m.dw_in.data(), out.dw.data()));
  for (int r = 0; r < repeats && ok; r++) {
    check(pqnn_run_operator(conv, pool));
    check(pqnn_run_operator(fc, pool));
    check(pqnn_run_operator(dw, pool));
  }
  pqnn_delete_operator(conv);
  pqnn_delete_operator(fc);
  pqnn_delete_operator(dw);
  return ok;
}

TEST(Concurrency, OperatorsFromSharedWeights) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  Outputs serial;
  ASSERT_TRUE(run_model(nullptr, 1, serial));
  StartLine start(kThreads);
  std::vector<Outputs> outs(kThreads);
  std::vector<int> ok(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      // Create, run and delete several times so creation overlaps other threads' runs.
      bool good = true;
      for (int i = 0; i < 4 && good; i++) good = run_model(nullptr, 2, outs[t]);
      ok[t] = good;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; t++) {
    EXPECT_TRUE(ok[t]) << "thread " << t;
    EXPECT_TRUE(outs[t] == serial) << "thread " << t << " differs from the serial run";
  }
}

TEST(Concurrency, OneOperatorPerThreadWithItsOwnThreadpool) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  Outputs serial;
  ASSERT_TRUE(run_model(nullptr, 1, serial));
  StartLine start(kThreads);
  std::vector<Outputs> outs(kThreads);
  std::vector<int> ok(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&, t] {
      pthreadpool_t pool = pqnn_test::create_pool(size_t(1 + t % 2));
      start.arrive_and_wait();
      ok[t] = (pool != nullptr || !pqnn_test::kHavePools) && run_model(pool, 5, outs[t]);
      pqnn_test::destroy_pool(pool);
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; t++) {
    EXPECT_TRUE(ok[t]) << "thread " << t;
    EXPECT_TRUE(outs[t] == serial) << "thread " << t << " (pool of " << 1 + t % 2
                                   << " threads) differs from the serial run";
  }
}

// The same operator object may be run from different threads one after the other (not
// at once): a run on thread B after a run on thread A gives the same output.
TEST(Concurrency, OperatorHandedBetweenThreads) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const Model& m = model();
  pqnn_operator_t fc = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_qd8_f32_qc8w(Model::kFcIC, Model::kFcOC,
      Model::kFcIC, Model::kFcOC, m.fc_ks.data(), m.fc_w.data(), m.fc_b.data(), -50.0f, 50.0f,
      0, &fc), pqnn_status_success);
  std::vector<float> out(Model::kFcB * Model::kFcOC);
  std::thread([&] {
    ASSERT_EQ(pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(fc, Model::kFcB, nullptr),
        pqnn_status_success);
    ASSERT_EQ(pqnn_setup_fully_connected_nc_qd8_f32_qc8w(fc, m.fc_in.data(), out.data(),
        m.fc_qp.data()), pqnn_status_success);
  }).join();
  std::vector<float> first;
  std::thread([&] {
    ASSERT_EQ(pqnn_run_operator(fc, nullptr), pqnn_status_success);
    first = out;
  }).join();
  std::fill(out.begin(), out.end(), 0.0f);
  std::thread([&] { ASSERT_EQ(pqnn_run_operator(fc, nullptr), pqnn_status_success); }).join();
  EXPECT_EQ(std::memcmp(first.data(), out.data(), out.size() * sizeof(float)), 0);
  pqnn_delete_operator(fc);
}

#if defined(__SANITIZE_THREAD__)
#define PQNN_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PQNN_TSAN 1
#endif
#endif

// Issue 16, defect 3: one qd8 convolution (padding reads as each image's own zero point)
// run by several threads at once gives the output of a serial run. Images have distinct
// zero points, so a padding row shared without care shows up as wrong outputs.
TEST(Concurrency, OneQd8ConvolutionRunByManyThreadsAtOnce) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  constexpr size_t kB = 8, kH = 12, kW = 12, kIC = 8, kOC = 16;
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> i8(-127, 127);
  std::vector<int8_t> w(kOC * 9 * kIC), x(kB * kH * kW * kIC);
  for (auto& v : w) v = int8_t(i8(rng));
  for (auto& v : x) v = int8_t(i8(rng));
  std::vector<float> scale(kOC, 0.01f), bias(kOC, 0.5f);
  const std::vector<pqnn_quantization_params> qp = {
      {-128, 0.02f}, {127, 0.03f}, {-60, 0.01f}, {90, 0.05f}, {0, 0.02f}, {33, 0.04f},
      {-100, 0.03f}, {110, 0.01f}};
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, kIC,
      kOC, kIC, kOC, scale.data(), w.data(), bias.data(), -1000.0f, 1000.0f, 0, &op),
      pqnn_status_success);
  std::vector<float> out(kB * kH * kW * kOC, 0.0f);
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(op, kB, kH, kW, nullptr, nullptr,
      nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(op, x.data(), out.data(), qp.data()),
      pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  const std::vector<float> serial = out;
  constexpr int kTrials = 200, kRunners = 4, kRunsEach = 3;
  int wrong = 0;
  for (int trial = 0; trial < kTrials; trial++) {
    std::fill(out.begin(), out.end(), 0.0f);
    StartLine start(kRunners);
    std::vector<int> ok(kRunners, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kRunners; t++) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        bool good = true;
        for (int r = 0; r < kRunsEach; r++) good = good && pqnn_run_operator(op, nullptr) == pqnn_status_success;
        ok[t] = good;
      });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < kRunners; t++) ASSERT_TRUE(ok[t]) << "trial " << trial;
    wrong += std::memcmp(out.data(), serial.data(), out.size() * sizeof(float)) != 0;
  }
  EXPECT_EQ(wrong, 0) << "of " << kTrials << " trials";
  pqnn_delete_operator(op);
}

#if !defined(PQNN_TSAN)
// The other operators run by several threads at once: the runs write the same values into
// the same output (the contract allows it; ThreadSanitizer reports such identical writes
// as races, so this check is left to the native build).
TEST(Concurrency, OneOperatorRunByManyThreadsAtOnce) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const Model& m = model();
  pqnn_operator_t conv = nullptr;
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, Model::kIC,
      Model::kOC, Model::kIC, Model::kOC, m.conv_w.data(), m.conv_b.data(), -2.0f, 2.0f, 0,
      &conv), pqnn_status_success);
  std::vector<float> out(Model::kB * Model::kH * Model::kW * Model::kOC, 0.0f);
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(conv, Model::kB, Model::kH, Model::kW, nullptr,
      nullptr, nullptr), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_convolution2d_nhwc_f32(conv, m.conv_in.data(), out.data()),
      pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(conv, nullptr), pqnn_status_success);
  const std::vector<float> serial = out;
  std::fill(out.begin(), out.end(), 0.0f);
  StartLine start(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int r = 0; r < 20; r++) failures += pqnn_run_operator(conv, nullptr) != pqnn_status_success;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(std::memcmp(out.data(), serial.data(), out.size() * sizeof(float)), 0);
  pqnn_delete_operator(conv);
}
#endif

// Distinct runtimes created from one subgraph, each invoked by its own thread at once (with
// dynamic-range quantization: convert + qd8 convolution + qd8 fully connected), give the
// output of a serial run.
TEST(Concurrency, DistinctRuntimesOfOneSubgraphAtOnce) {
  constexpr size_t kB = 2, kH = 6, kW = 5, kIC = 8, kOC = 12, kFcOC = 7;
  const std::vector<float> w = pqnn_test::random_f32(kOC * 9 * kIC, -1.0f, 1.0f, 5);
  const std::vector<float> b = pqnn_test::random_f32(kOC, -1.0f, 1.0f, 6);
  const std::vector<float> fw = pqnn_test::random_f32(kFcOC * kOC, -1.0f, 1.0f, 7);
  const std::vector<float> x = pqnn_test::random_f32(kB * kH * kW * kIC, -1.0f, 1.0f, 8);
  pqnn_test::Graph g(2);
  const uint32_t in = g.input(0, {kB, kH, kW, kIC});
  const uint32_t wid = g.f32({kOC, 3, 3, kIC}, w.data());
  const uint32_t bid = g.f32({kOC}, b.data());
  const uint32_t mid = g.f32({kB, kH, kW, kOC});
  const uint32_t fwid = g.f32({kFcOC, kOC}, fw.data());
  const uint32_t out = g.output(1, {kB, kH, kW, kFcOC});
  ASSERT_EQ(pqnn_define_convolution_2d(g.sg, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, kIC, kOC,
      -INFINITY, INFINITY, in, wid, bid, mid, 0), pqnn_status_success);
  ASSERT_EQ(pqnn_define_fully_connected(g.sg, -INFINITY, INFINITY, mid, fwid,
      PQNN_INVALID_VALUE_ID, out, 0), pqnn_status_success);
  auto run = [&](pqnn_runtime_t rt, std::vector<float>& y) {
    y.assign(kB * kH * kW * kFcOC, 0.0f);
    const pqnn_external_value ext[2] = {{0, const_cast<float*>(x.data())}, {1, y.data()}};
    return pqnn_setup_runtime(rt, 2, ext) == pqnn_status_success &&
           pqnn_invoke_runtime(rt) == pqnn_status_success &&
           pqnn_invoke_runtime(rt) == pqnn_status_success;
  };
  for (uint32_t flags : {0u, unsigned(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)}) {
    SCOPED_TRACE(flags);
    std::vector<pqnn_runtime_t> rts(kThreads, nullptr);
    for (auto& rt : rts) ASSERT_EQ(pqnn_create_runtime(g.sg, nullptr, flags, &rt), pqnn_status_success);
    std::vector<float> serial;
    ASSERT_TRUE(run(rts[0], serial));
    std::vector<std::vector<float>> outs(kThreads);
    std::vector<int> ok(kThreads, 0);
    StartLine start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        ok[t] = run(rts[t], outs[t]);  // each thread owns one runtime
      });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < kThreads; t++) {
      EXPECT_TRUE(ok[t]) << "thread " << t;
      EXPECT_EQ(std::memcmp(outs[t].data(), serial.data(), serial.size() * sizeof(float)), 0)
          << "thread " << t;
    }
    for (auto& rt : rts) pqnn_delete_runtime(rt);
  }
}

}  // namespace
