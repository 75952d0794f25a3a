// The share of the f32 -> qd8 convert in a qd8 operator (issue 13 item 5: <= 3%), at 1 and
// 2 threads, on the shapes: FC 8x1024x1024 and 64x768x3072 (one params entry per
// row), conv 1x1 56x56 64->256, conv 3x3 56x56 64->64 and depthwise 3x3 56x56x128 (one
// params entry per image: the whole image is one quantization row, as the runtime's DRQ
// inserts it). Every iteration runs the convert and then the operator on the image the
// convert wrote, each timed apart by the wall clock, side by side in the same loop; counters:
//   convert_us, op_us   mean wall time per iteration of each
//   convert_%           100 * convert / (convert + op)
// Run pinned (taskset -c 1 for threads:1, -c 0,1 for threads:2) with repetitions and read
// the medians (or, on a loaded machine where a preempted pool thread stalls whole
// repetitions, the "min" aggregate: the least disturbed repetition of each counter).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/model-shapes.h"

namespace {

using Clock = std::chrono::steady_clock;

double elapsed(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Shape {
  const char* name;
  bool fc;
  size_t m, k, n;                // FC: M x K x N
  size_t hw, c_in, c_out;        // conv: square image hw x hw, channels
  uint32_t kernel;
  bool depthwise;
};

const Shape kShapes[] = {
    {"fc_8x1024x1024", true, 8, 1024, 1024, 0, 0, 0, 0, false},
    {"fc_64x768x3072", true, 64, 768, 3072, 0, 0, 0, 0, false},
    {"conv1x1_56x56_64to256", false, 0, 0, 0, 56, 64, 256, 1, false},
    {"conv3x3_56x56_64to64", false, 0, 0, 0, 56, 64, 64, 3, false},
    {"dwconv3x3_56x56x128", false, 0, 0, 0, 56, 128, 128, 3, true},
};

// Creates the qd8 operator of `s` reading `qinput` / `qparams` and writing `output`.
bool create_op(const Shape& s, pthreadpool_t pool, const int8_t* qinput,
    const pqnn_quantization_params* qparams, float* output, pqnn_operator_t* op) {
  const size_t oc = s.fc ? s.n : s.c_out;
  const size_t k_per_oc = s.fc ? s.k : (s.depthwise ? 1 : s.c_in) * s.kernel * s.kernel;
  std::uniform_int_distribution<int> w8(-127, 127);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<int8_t> kernel(oc * k_per_oc);
  std::vector<float> kernel_scale(oc), bias(oc);
  for (auto& v : kernel) v = int8_t(w8(pqnn_bench::rng()));
  for (auto& v : kernel_scale) v = 1.0f / 127.0f;
  for (auto& v : bias) v = dist(pqnn_bench::rng());
  if (s.fc) {
    return pqnn_create_fully_connected_nc_qd8_f32_qc8w(s.k, s.n, s.k, s.n, kernel_scale.data(),
               kernel.data(), bias.data(), 0.0f, 6.0f, 0, op) == pqnn_status_success &&
        pqnn_reshape_fully_connected_nc_qd8_f32_qc8w(*op, s.m, pool) == pqnn_status_success &&
        pqnn_setup_fully_connected_nc_qd8_f32_qc8w(*op, qinput, output, qparams) ==
            pqnn_status_success;
  }
  const uint32_t pad = s.kernel / 2;
  const uint32_t groups = s.depthwise ? uint32_t(s.c_in) : 1;
  return pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(pad, pad, pad, pad, s.kernel, s.kernel,
             1, 1, 1, 1, groups, s.depthwise ? 1 : s.c_in, s.depthwise ? 1 : s.c_out, s.c_in,
             s.c_out, kernel_scale.data(), kernel.data(), bias.data(), 0.0f, 6.0f,
             s.depthwise ? PQNN_FLAG_DEPTHWISE_CONVOLUTION : 0, op) == pqnn_status_success &&
      pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(*op, 1, s.hw, s.hw, nullptr, nullptr,
          pool) == pqnn_status_success &&
      pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(*op, qinput, output, qparams) ==
          pqnn_status_success;
}

void convert_share(benchmark::State& state, const Shape& s, pthreadpool_t pool) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  // Rows of the convert: FC rows, or the whole image for a convolution.
  const size_t rows = s.fc ? s.m : 1;
  const size_t channels = s.fc ? s.k : s.hw * s.hw * s.c_in;
  const size_t outputs = s.fc ? s.m * s.n : s.hw * s.hw * s.c_out;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> input(rows * channels), output(outputs);
  for (auto& v : input) v = dist(pqnn_bench::rng());
  std::vector<int8_t> qinput(rows * channels);
  std::vector<pqnn_quantization_params> qparams(rows);
  pqnn_operator_t convert = nullptr, op = nullptr;
  if (pqnn_create_convert_nc_f32_qd8(channels, channels, channels, 0, &convert) !=
          pqnn_status_success ||
      pqnn_reshape_convert_nc_f32_qd8(convert, rows, pool) != pqnn_status_success ||
      pqnn_setup_convert_nc_f32_qd8(convert, input.data(), qinput.data(), qparams.data()) !=
          pqnn_status_success ||
      !create_op(s, pool, qinput.data(), qparams.data(), output.data(), &op)) {
    state.SkipWithError("operator creation failed");
    pqnn_delete_operator(convert);
    pqnn_delete_operator(op);
    return;
  }
  double convert_seconds = 0, op_seconds = 0;
  for (auto _ : state) {
    Clock::time_point t0 = Clock::now();
    pqnn_run_operator(convert, pool);
    convert_seconds += elapsed(t0);
    t0 = Clock::now();
    pqnn_run_operator(op, pool);
    op_seconds += elapsed(t0);
    benchmark::ClobberMemory();
  }
  const double iterations = double(state.iterations());
  if (iterations > 0) {
    state.counters["convert_us"] = 1e6 * convert_seconds / iterations;
    state.counters["op_us"] = 1e6 * op_seconds / iterations;
    state.counters["convert_%"] = 100.0 * convert_seconds / (convert_seconds + op_seconds);
  }
  state.SetLabel(pqnn_isa_name());
  pqnn_delete_operator(convert);
  pqnn_delete_operator(op);
}

const bool registered = [] {
  for (const Shape& s : kShapes) {
    for (size_t threads : {1, 2}) {
      const std::string name =
          std::string("qd8_convert_share/") + s.name + "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), [&s, threads](benchmark::State& state) {
        convert_share(state, s, pqnn_bench::threadpool_for(threads));
      })->UseRealTime()->ComputeStatistics("min", [](const std::vector<double>& v) {
        return *std::min_element(v.begin(), v.end());
      });
    }
  }
  return true;
}();

}  // namespace
