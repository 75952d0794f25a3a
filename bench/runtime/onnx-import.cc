// Import time of the PaddleOCR models (scripts/fetch-models.sh; directory PQNN_MODEL_DIR,
// default ~/.cache/pqnn/models/ocr-models-1.4.2): "load" is pqnn_onnx_load_file (parse,
// checks, shape folding), "build/<dtype>" is load + set the input shape + create the runtime
// (lowering, weight packing, planning) -- what a user waits for before the first inference.
// Skipped when the models are missing.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include <pqnn-onnx.h>

namespace {

struct Model {
  const char* name;
  const char* file;
  int64_t dims[4];
};

const Model kModels[] = {
  {"cls", "ch_ppocr_mobile_v2.0_cls_infer.onnx", {1, 3, 48, 192}},
  {"rec", "ch_PP-OCRv4_rec_infer.onnx", {1, 3, 48, 320}},
  {"det", "ch_PP-OCRv4_det_infer.onnx", {1, 3, 640, 640}},
};

std::string Path(const Model& m) {
  const char* dir = std::getenv("PQNN_MODEL_DIR");
  const char* home = std::getenv("HOME");
  std::string d = dir != nullptr ? dir
      : std::string(home != nullptr ? home : "") + "/.cache/pqnn/models/ocr-models-1.4.2";
  return d + "/" + m.file;
}

// flags < 0: load only.
void Import(benchmark::State& state, const Model& m, int64_t flags) {
  if (pqnn_initialize() != pqnn_status_success) return state.SkipWithError("pqnn_initialize");
  const std::string path = Path(m);
  for (auto _ : state) {
    pqnn_onnx_model_t model = nullptr;
    if (pqnn_onnx_load_file(path.c_str(), 0, &model) != pqnn_status_success) {
      return state.SkipWithError(("cannot load " + path + " (scripts/fetch-models.sh)").c_str());
    }
    if (flags >= 0) {
      pqnn_onnx_runtime_t rt = nullptr;
      if (pqnn_onnx_set_input_shape(model, "x", 4, m.dims) != pqnn_status_success ||
          pqnn_onnx_create_runtime(model, nullptr, uint32_t(flags), &rt) != pqnn_status_success) {
        pqnn_onnx_delete_model(model);
        return state.SkipWithError("building the runtime failed");
      }
      pqnn_onnx_delete_runtime(rt);
    }
    pqnn_onnx_delete_model(model);
  }
}

const int kRegistered = [] {
  for (const Model& m : kModels) {
    benchmark::RegisterBenchmark((std::string("load/") + m.name).c_str(), Import, m, -1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("build-f32/") + m.name).c_str(), Import, m, 0)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("build-qd8/") + m.name).c_str(), Import, m,
        int64_t(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION))->Unit(benchmark::kMillisecond);
  }
  return 0;
}();

}  // namespace
