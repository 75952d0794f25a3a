// End-to-end model latency through the runtime: "e2e/<model>/<datatype>/threads:<T>" for
// the full-size models of test/models (MobileNet v1/v2 224x224 batch 1, transformer MLP
// 768 -> 3072 -> 768 at batch 1, 8, 128) in f32, f16 (forced: PQNN_FLAG_FORCE_FP16_INFERENCE),
// qd8 and qs8, on 1 and 2 threads.
// Each iteration is one pqnn_invoke_runtime on a runtime created outside the loop.
// Counters: GMACs (multiply-accumulates of the convolutions and FCs per second).
// A datatype the runtime cannot run for a model reports its status as an error.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

#include "common/model-shapes.h"
#include "models/model-graph.h"
#include "models/model-runtime.h"

namespace {

using pqnn_models::Datatype;

struct Prepared {
  pqnn_models::Graph graph;
  std::vector<float> input;
  pqnn_models::Calibration calibration;
  enum pqnn_status calibration_status;
};

// Graphs and calibrations are built once per process (weights and the calibration run
// are not what the bench times).
const Prepared& prepared(const pqnn_models::ModelSpec& spec) {
  static std::map<std::string, std::unique_ptr<Prepared>> cache;
  auto it = cache.find(spec.name);
  if (it != cache.end()) return *it->second;
  pqnn_models::Graph g = spec.build(spec.options);
  std::vector<float> x = pqnn_models::random_input(g, 42);
  std::unique_ptr<Prepared> p(new Prepared{std::move(g), std::move(x), {}, pqnn_status_success});
  p->calibration_status = pqnn_models::calibrate(p->graph, p->input, &p->calibration);
  return *(cache[spec.name] = std::move(p));
}

void run(benchmark::State& state, const pqnn_models::ModelSpec& spec, Datatype dt, size_t threads) {
  const Prepared& p = prepared(spec);
  if (dt == Datatype::qs8 && p.calibration_status != pqnn_status_success) {
    state.SkipWithError((std::string("calibration failed: ") +
        pqnn_status_string(p.calibration_status)).c_str());
    return;
  }
  std::unique_ptr<pqnn_models::ModelRuntime> m;
  const enum pqnn_status s = pqnn_models::ModelRuntime::create(p.graph, dt, &p.calibration,
      pqnn_bench::threadpool_for(threads), &m);
  if (s != pqnn_status_success) {
    state.SkipWithError((std::string("runtime not created: ") + pqnn_status_string(s)).c_str());
    return;
  }
  m->input() = p.input;
  if (m->invoke() != pqnn_status_success) {
    state.SkipWithError("invoke failed");
    return;
  }
  for (auto _ : state) {
    m->invoke();
    benchmark::DoNotOptimize(m->output().data());
  }
  state.counters["GMACs"] = benchmark::Counter(p.graph.macs() * 1e-9,
      benchmark::Counter::kIsIterationInvariantRate);
}

const int registered = [] {
  for (const pqnn_models::ModelSpec& spec : pqnn_models::benchmark_models()) {
    for (Datatype dt : {Datatype::f32, Datatype::f16, Datatype::qd8, Datatype::qs8}) {
      for (size_t threads : {1, 2}) {
        const std::string name = "e2e/" + spec.name + "/" + pqnn_models::datatype_name(dt) +
            "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), [&spec, dt, threads](benchmark::State& st) {
          run(st, spec, dt, threads);
        })->Unit(benchmark::kMillisecond)->UseRealTime();
      }
    }
  }
  return 0;
}();

}  // namespace
