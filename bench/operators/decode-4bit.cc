// LLM-style decode at batch 1 with cold weights (issue 15 item 5): the fully connected
// layers of a stack of transformer decoder layers (hidden 4096, MLP 11008: q, k, v, o
// 4096x4096, gate and up 4096->11008, down 11008->4096; 202M weights per layer), each
// layer's weights read once per token, 2 layers so that every weight set (0.2-0.4 GB) is far
// beyond the last-level cache. Weight formats, one operator face each:
//   qc8w      convert_nc_f32_qd8 + fully_connected_nc_qd8_f32_qc8w  (1 byte per weight)
//   qc4w      ... _qd8_f32_qc4w  (0.5 byte per weight + one f32 scale per channel)
//   qb4w_b32  ... _qd8_f32_qb4w, block 32  (0.5 + 4/32 = 0.625 bytes per weight)
//   qb4w_b128 ... _qd8_f32_qb4w, block 128 (0.53125 bytes per weight)
// Random weights of the full range (the weight stream is the point; accuracy is tested in
// test/operators/qd8-4bit-fully-connected-test.cc). One iteration = one token through the
// stack: counters ms_per_token (of thread CPU time at 1 thread, of wall time with the 2-thread
// pool), tokens_per_s, and weight_GBps = bytes of weights and scales read per second;
// compare with bench/memory-bandwidth's DRAM rows, run in the same session
// (docs/qd8-4bit.md). The batch 8 / 64 rows show the prompt-processing rate (GOPS).
#include <benchmark/benchmark.h>
#include <pthreadpool.h>

#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/cpu-loop.h"

namespace {

enum class Format { qc8w, qc4w, qb4w_b32, qb4w_b128 };

constexpr size_t kLayers = 2;
constexpr size_t kHidden = 4096, kMlp = 11008;
struct Shape { size_t k, n; };
constexpr Shape kShapes[] = {{kHidden, kHidden}, {kHidden, kHidden}, {kHidden, kHidden},
    {kHidden, kHidden}, {kHidden, kMlp}, {kHidden, kMlp}, {kMlp, kHidden}};

size_t block_of(Format f) { return f == Format::qb4w_b32 ? 32 : f == Format::qb4w_b128 ? 128 : 0; }

double weight_bytes(Format f, Shape s) {
  const double w = double(s.k) * double(s.n);
  if (f == Format::qc8w) return w + 4.0 * double(s.n);
  if (f == Format::qc4w) return w / 2 + 4.0 * double(s.n);
  return w / 2 + 4.0 * double(s.n) * double((s.k + block_of(f) - 1) / block_of(f));
}

struct Fc {
  pqnn_operator_t convert = nullptr, fc = nullptr;
  std::vector<float> x, y;
  std::vector<int8_t> xq;
  std::vector<pqnn_quantization_params> qp;
};

bool create_fc(Format f, Shape s, size_t batch, pthreadpool_t pool, Fc& fc) {
  auto& g = pqnn_bench::rng();
  std::uniform_int_distribution<int> byte(0, 255), i8(-127, 127);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f), scale(0.001f, 0.01f);
  fc.x.resize(batch * s.k);
  fc.y.resize(batch * s.n);
  fc.xq.resize(batch * s.k);
  fc.qp.resize(batch + 1);
  for (auto& v : fc.x) v = unit(g);
  std::vector<float> bias(s.n);
  for (auto& v : bias) v = unit(g);
  const size_t bl = block_of(f);
  std::vector<float> ks(f == Format::qc8w || f == Format::qc4w ? s.n : s.n * ((s.k + bl - 1) / bl));
  for (auto& v : ks) v = scale(g);
  enum pqnn_status st;
  if (f == Format::qc8w) {
    std::vector<int8_t> w(s.k * s.n);
    for (auto& v : w) v = int8_t(i8(g));
    st = pqnn_create_fully_connected_nc_qd8_f32_qc8w(s.k, s.n, s.k, s.n, ks.data(), w.data(),
        bias.data(), -INFINITY, INFINITY, 0, &fc.fc);
    st = st != pqnn_status_success ? st : pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(fc.fc, batch, pool);
    st = st != pqnn_status_success ? st : pqnn_setup_fully_connected_nc_qd8_f32_qc8w(fc.fc, fc.xq.data(), fc.y.data(), fc.qp.data());
  } else {
    std::vector<uint8_t> w(s.n * ((s.k + 1) / 2));
    for (auto& v : w) v = uint8_t(byte(g));
    if (f == Format::qc4w) {
      st = pqnn_create_fully_connected_nc_qd8_f32_qc4w(s.k, s.n, s.k, s.n, ks.data(), w.data(),
          bias.data(), -INFINITY, INFINITY, 0, &fc.fc);
      st = st != pqnn_status_success ? st : pqnn_reshape_fully_connected_nc_qd8_f32_qc4w(fc.fc, batch, pool);
      st = st != pqnn_status_success ? st : pqnn_setup_fully_connected_nc_qd8_f32_qc4w(fc.fc, fc.xq.data(), fc.y.data(), fc.qp.data());
    } else {
      st = pqnn_create_fully_connected_nc_qd8_f32_qb4w(s.k, s.n, s.k, s.n, bl, ks.data(),
          w.data(), bias.data(), -INFINITY, INFINITY, 0, &fc.fc);
      st = st != pqnn_status_success ? st : pqnn_reshape_fully_connected_nc_qd8_f32_qb4w(fc.fc, batch, pool);
      st = st != pqnn_status_success ? st : pqnn_setup_fully_connected_nc_qd8_f32_qb4w(fc.fc, fc.xq.data(), fc.y.data(), fc.qp.data());
    }
  }
  return st == pqnn_status_success &&
         pqnn_create_convert_nc_f32_qd8(s.k, s.k, s.k, 0, &fc.convert) == pqnn_status_success &&
         pqnn_reshape_convert_nc_f32_qd8(fc.convert, batch, pool) == pqnn_status_success &&
         pqnn_setup_convert_nc_f32_qd8(fc.convert, fc.x.data(), fc.xq.data(), fc.qp.data()) ==
             pqnn_status_success;
}

void decode(benchmark::State& state, Format f, size_t batch, size_t threads) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  pthreadpool_t pool = threads > 1 ? pthreadpool_create(threads) : nullptr;
  std::vector<Fc> fcs(kLayers * (sizeof(kShapes) / sizeof(kShapes[0])));
  bool ok = true;
  double bytes = 0.0, ops = 0.0;
  for (size_t i = 0; i < fcs.size() && ok; i++) {
    const Shape s = kShapes[i % (sizeof(kShapes) / sizeof(kShapes[0]))];
    ok = create_fc(f, s, batch, pool, fcs[i]);
    bytes += weight_bytes(f, s);
    ops += 2.0 * double(s.k) * double(s.n) * double(batch);
  }
  if (!ok) {
    state.SkipWithError("operator creation failed");
  } else {
    auto run = [&] {
      for (auto& fc : fcs) {
        pqnn_run_operator(fc.convert, pool);
        pqnn_run_operator(fc.fc, pool);
      }
    };
    const auto wall0 = std::chrono::steady_clock::now();
    const double cpu = pqnn_bench::time_cpu_loop(state, run);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    // time_cpu_loop ran one untimed warm-up: scale the wall time to the timed iterations.
    const double iters = double(state.iterations());
    const double seconds = threads == 1 ? cpu : wall * iters / (iters + 1.0);
    if (seconds > 0) {
      state.counters["ms_per_token"] = seconds / iters * 1e3;
      state.counters["tokens_per_s"] = iters / seconds;
      state.counters["weight_GBps"] = bytes * iters / seconds / 1e9;
      state.counters["GOPS"] = ops * iters / seconds / 1e9;
    }
    state.SetLabel(pqnn_isa_name());
  }
  for (auto& fc : fcs) {
    pqnn_delete_operator(fc.convert);
    pqnn_delete_operator(fc.fc);
  }
  if (pool != nullptr) pthreadpool_destroy(pool);
}

#define DECODE(F, B, T)                                                              \
  BENCHMARK_CAPTURE(decode, F##_2x4096_11008_b##B##_t##T, Format::F, B, T)            \
      ->UseRealTime()->Unit(benchmark::kMillisecond)
DECODE(qc8w, 1, 1);
DECODE(qc4w, 1, 1);
DECODE(qb4w_b32, 1, 1);
DECODE(qb4w_b128, 1, 1);
DECODE(qc8w, 1, 2);
DECODE(qc4w, 1, 2);
DECODE(qb4w_b32, 1, 2);
DECODE(qb4w_b128, 1, 2);
DECODE(qc8w, 8, 1);
DECODE(qb4w_b32, 8, 1);
DECODE(qc8w, 64, 1);
DECODE(qb4w_b32, 64, 1);

}  // namespace
