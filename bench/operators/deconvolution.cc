// Transposed convolution (deconvolution, NHWC) on the PaddleOCR det upsampling layers
// (2x2 stride 2: 160x160 24 -> 24 and 320x320 24 -> 1) and a 4x4 stride-2 padded layer
// (the accumulating path), in f32, f16 and qd8 (qd8_f32_qc8w: each iteration quantizes the
// f32 input per pixel with convert_nc_f32_qd8, as the runtime's dynamic quantization does,
// then runs the qd8 deconvolution), next to the 1x1 convolution with the same
// multiply-adds (the input pixels times kh * kw * Cout output channels; the deconvolution's
// GEMM work without the scatter) in the same datatype.
// GOPS = 2 * input pixels * Cin * kh * kw * Cout / time. Single thread: this thread's CPU
// time (the dev box is shared); threads:2: wall clock.
#include <benchmark/benchmark.h>

#include <cmath>
#include <ctime>
#include <string>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/bench-utils.h"
#include "common/model-shapes.h"

namespace {

struct DeconvShape {
  const char* name;
  size_t h, w, cin, cout;
  uint32_t k, s, pad;
  size_t oh() const { return (h - 1) * s + k - 2 * pad; }
  size_t ow() const { return (w - 1) * s + k - 2 * pad; }
  double ops() const { return 2.0 * double(h * w) * double(cin) * k * k * double(cout); }
};

const DeconvShape kShapes[] = {
  {"det_up1_160x160_24to24_k2s2", 160, 160, 24, 24, 2, 2, 0},
  {"det_up2_320x320_24to1_k2s2", 320, 320, 24, 1, 2, 2, 0},
  {"k4s2p1_40x40_64to64", 40, 40, 64, 64, 4, 2, 1},
};

enum class Kind { f32, f16, qd8 };

double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

// Creates the deconvolution (as_conv = false) or the 1x1 convolution of the same MACs.
bool create(const DeconvShape& s, Kind kind, bool as_conv, pthreadpool_t pool,
    std::vector<float>& x, std::vector<uint16_t>& x16, std::vector<int8_t>& xq,
    std::vector<pqnn_quantization_params>& qp, std::vector<float>& y, pqnn_operator_t* convert,
    pqnn_operator_t* op) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const size_t pixels = s.h * s.w, taps = size_t(s.k) * s.k;
  const size_t oc = as_conv ? s.cout * taps : s.cout;
  std::vector<float> w(oc * (as_conv ? 1 : taps) * s.cin), b(oc);
  for (auto& v : w) v = dist(pqnn_bench::rng()) * 0.2f;
  for (auto& v : b) v = dist(pqnn_bench::rng());
  x.resize(pixels * s.cin);
  for (auto& v : x) v = dist(pqnn_bench::rng());
  const size_t out = as_conv ? pixels * oc : s.oh() * s.ow() * s.cout;
  y.assign(out, 0.0f);  // f16 uses the first half
  size_t oh, ow;
  if (kind == Kind::f32) {
    if (as_conv) {
      return pqnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, s.cin, oc, s.cin,
                 oc, w.data(), b.data(), -INFINITY, INFINITY, 0, op) == pqnn_status_success &&
          pqnn_reshape_convolution2d_nhwc_f32(*op, 1, s.h, s.w, &oh, &ow, pool) == pqnn_status_success &&
          pqnn_setup_convolution2d_nhwc_f32(*op, x.data(), y.data()) == pqnn_status_success;
    }
    return pqnn_create_deconvolution2d_nhwc_f32(s.pad, s.pad, s.pad, s.pad, s.k, s.k, s.s, s.s, 1,
               1, 1, s.cin, s.cout, s.cin, s.cout, w.data(), b.data(), -INFINITY, INFINITY, 0,
               op) == pqnn_status_success &&
        pqnn_reshape_deconvolution2d_nhwc_f32(*op, 1, s.h, s.w, 0, 0, &oh, &ow, pool) ==
            pqnn_status_success &&
        pqnn_setup_deconvolution2d_nhwc_f32(*op, x.data(), y.data()) == pqnn_status_success;
  }
  if (kind == Kind::f16) {
    x16.resize(x.size());
    for (size_t i = 0; i < x.size(); i++) x16[i] = fp16_ieee_from_fp32_value(x[i]);
    const uint32_t f = PQNN_FLAG_FP32_STATIC_WEIGHTS;
    if (as_conv) {
      return pqnn_create_convolution2d_nhwc_f16(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, s.cin, oc, s.cin,
                 oc, w.data(), b.data(), -INFINITY, INFINITY, f, op) == pqnn_status_success &&
          pqnn_reshape_convolution2d_nhwc_f16(*op, 1, s.h, s.w, &oh, &ow, pool) == pqnn_status_success &&
          pqnn_setup_convolution2d_nhwc_f16(*op, x16.data(), y.data()) == pqnn_status_success;
    }
    return pqnn_create_deconvolution2d_nhwc_f16(s.pad, s.pad, s.pad, s.pad, s.k, s.k, s.s, s.s, 1,
               1, 1, s.cin, s.cout, s.cin, s.cout, w.data(), b.data(), -INFINITY, INFINITY, f,
               op) == pqnn_status_success &&
        pqnn_reshape_deconvolution2d_nhwc_f16(*op, 1, s.h, s.w, 0, 0, &oh, &ow, pool) ==
            pqnn_status_success &&
        pqnn_setup_deconvolution2d_nhwc_f16(*op, x16.data(), y.data()) == pqnn_status_success;
  }
  // qd8: per-pixel rows for the deconvolution; the conv takes one row per image.
  std::vector<int8_t> wq(w.size());
  std::vector<float> ks(oc);
  const size_t row = as_conv ? pixels * s.cin : s.cin, rows = as_conv ? 1 : pixels;
  xq.resize(x.size());
  qp.resize(rows);
  if (pqnn_quantize_weights_qc8w(oc, w.size() / oc, w.data(), wq.data(), ks.data()) !=
          pqnn_status_success ||
      pqnn_create_convert_nc_f32_qd8(row, row, row, 0, convert) != pqnn_status_success ||
      pqnn_reshape_convert_nc_f32_qd8(*convert, rows, pool) != pqnn_status_success ||
      pqnn_setup_convert_nc_f32_qd8(*convert, x.data(), xq.data(), qp.data()) !=
          pqnn_status_success) {
    return false;
  }
  if (as_conv) {
    return pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, s.cin, oc,
               s.cin, oc, ks.data(), wq.data(), b.data(), -INFINITY, INFINITY, 0, op) ==
            pqnn_status_success &&
        pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(*op, 1, s.h, s.w, &oh, &ow, pool) ==
            pqnn_status_success &&
        pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(*op, xq.data(), y.data(), qp.data()) ==
            pqnn_status_success;
  }
  return pqnn_create_deconvolution2d_nhwc_qd8_f32_qc8w(s.pad, s.pad, s.pad, s.pad, s.k, s.k, s.s,
             s.s, 1, 1, 1, s.cin, s.cout, s.cin, s.cout, ks.data(), wq.data(), b.data(),
             -INFINITY, INFINITY, 0, op) == pqnn_status_success &&
      pqnn_reshape_deconvolution2d_nhwc_qd8_f32_qc8w(*op, 1, s.h, s.w, 0, 0, &oh, &ow, pool) ==
          pqnn_status_success &&
      pqnn_setup_deconvolution2d_nhwc_qd8_f32_qc8w(*op, xq.data(), y.data(), qp.data()) ==
          pqnn_status_success;
}

void run(benchmark::State& state, const DeconvShape& s, Kind kind, bool as_conv,
    pthreadpool_t pool) {
  if (pqnn_initialize() != pqnn_status_success) {
    state.SkipWithError("pqnn_initialize failed");
    return;
  }
  std::vector<float> x, y;
  std::vector<uint16_t> x16;
  std::vector<int8_t> xq;
  std::vector<pqnn_quantization_params> qp;
  pqnn_operator_t convert = nullptr, op = nullptr;
  if (!create(s, kind, as_conv, pool, x, x16, xq, qp, y, &convert, &op)) {
    state.SkipWithError("operator creation failed");
    pqnn_delete_operator(convert);
    pqnn_delete_operator(op);
    return;
  }
  if (convert != nullptr) pqnn_run_operator(convert, pool);
  pqnn_run_operator(op, pool);  // warm: pages touched, weights in cache
  pqnn_bench::LoopTimer timer;
  const double cpu_start = cpu_seconds();
  for (auto _ : state) {
    if (convert != nullptr) pqnn_run_operator(convert, pool);
    pqnn_run_operator(op, pool);
    benchmark::ClobberMemory();
  }
  const double cpu_loop = cpu_seconds() - cpu_start;
  const size_t threads = pool == nullptr ? 1 : pthreadpool_get_threads_count(pool);
  pqnn_bench::report_flops(state, s.ops(), threads == 1 ? cpu_loop : timer.seconds(), 0.0);
  state.counters["GOPS"] = state.counters["GFLOPS"];
  state.counters.erase("GFLOPS");
  state.SetLabel(pqnn_isa_name());
  pqnn_delete_operator(convert);
  pqnn_delete_operator(op);
}

const bool registered = [] {
  const struct { Kind kind; const char* name; } kinds[] = {
      {Kind::f32, "f32"}, {Kind::f16, "f16"}, {Kind::qd8, "qd8_with_convert"}};
  for (const DeconvShape& s : kShapes) {
    for (const auto& k : kinds) {
      for (bool as_conv : {false, true}) {
        for (size_t threads : {1, 2}) {
          const std::string name = std::string(as_conv ? "conv1x1_same_macs_" : "deconvolution_") +
              k.name + "/" + s.name + "/threads:" + std::to_string(threads);
          const Kind kind = k.kind;
          benchmark::RegisterBenchmark(name.c_str(), [s, kind, as_conv, threads](benchmark::State& st) {
            run(st, s, kind, as_conv, pqnn_bench::threadpool_for(threads));
          })->Unit(benchmark::kMicrosecond)->UseRealTime();
        }
      }
    }
  }
  return true;
}();

}  // namespace
