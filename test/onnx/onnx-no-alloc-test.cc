// No allocation per inference: after a runtime's first run, pqnn_onnx_run of the PaddleOCR
// models (the inputs of scripts/paddleocr-reference.sh in PQNN_PADDLEOCR_DIR) calls no
// malloc / calloc / realloc / aligned_alloc / posix_memalign, in f32, f16 and qd8, inline
// (and with a 2-thread pool for cls in qd8). The executable is linked with -Wl,--wrap for
// those functions (test/onnx/CMakeLists.txt), so every call from pqnn's static libraries is
// counted (a shared pthreadpool's own are not). Skipped when the models are missing, except
// under CI.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "common/test-pool.h"
#include "pqnn-onnx.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<unsigned long> allocations{0};
void Count() {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
}
}  // namespace

extern "C" {
void* __real_malloc(size_t);
void* __real_calloc(size_t, size_t);
void* __real_realloc(void*, size_t);
void* __real_aligned_alloc(size_t, size_t);
int __real_posix_memalign(void**, size_t, size_t);
void* __wrap_malloc(size_t n) { Count(); return __real_malloc(n); }
void* __wrap_calloc(size_t n, size_t s) { Count(); return __real_calloc(n, s); }
void* __wrap_realloc(void* p, size_t n) { Count(); return __real_realloc(p, n); }
void* __wrap_aligned_alloc(size_t a, size_t n) { Count(); return __real_aligned_alloc(a, n); }
int __wrap_posix_memalign(void** p, size_t a, size_t n) {
  Count();
  return __real_posix_memalign(p, a, n);
}
}

namespace {

struct Case {
  const char* name;
  int64_t dims[4];
};

std::string Dir() {
  const char* dir = std::getenv("PQNN_PADDLEOCR_DIR");
  return dir != nullptr ? dir : "";
}

class NoAllocation : public testing::TestWithParam<Case> {};

TEST_P(NoAllocation, PerInference) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  std::string model_path;
  std::ifstream m(Dir() + "/" + GetParam().name + ".model");
  if (!m || !std::getline(m, model_path)) {
    if (std::getenv("CI") != nullptr) FAIL() << "CI=1 but the PaddleOCR models are missing";
    GTEST_SKIP() << "no PaddleOCR model (scripts/paddleocr-reference.sh)";
  }
  const int64_t* d = GetParam().dims;
  std::vector<float> input(size_t(d[0] * d[1] * d[2] * d[3]), 0.25f);
  pthreadpool_t pool = pqnn_test::create_pool(2);
  for (uint32_t flags : {0u, uint32_t(PQNN_FLAG_FORCE_FP16_INFERENCE),
                         uint32_t(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)}) {
    for (pthreadpool_t threads : {pthreadpool_t(nullptr), pool}) {
      // Threaded: cls in qd8 only (its converts and GEMMs), small enough for a loaded machine.
      if (threads != nullptr && (std::string(GetParam().name) != "cls" ||
                                 flags != PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)) {
        continue;
      }
      SCOPED_TRACE(testing::Message() << "flags " << flags << (threads ? ", 2 threads" : ""));
      allocations = 0;
      counting = true;
      pqnn_onnx_model_t model = nullptr;
      const enum pqnn_status loaded = pqnn_onnx_load_file(model_path.c_str(), 0, &model);
      counting = false;
      ASSERT_EQ(pqnn_status_success, loaded);
      EXPECT_GT(allocations.load(), 0u) << "the hook does not see the importer's allocations";
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_set_input_shape(model, "x", 4, d));
      pqnn_onnx_runtime_t rt = nullptr;
      const enum pqnn_status created = pqnn_onnx_create_runtime(model, threads, flags, &rt);
      pqnn_onnx_delete_model(model);
      ASSERT_EQ(pqnn_status_success, created);
      struct pqnn_onnx_tensor_info out_info;
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_runtime_output(rt, 0, &out_info));
      size_t n = 1;
      for (size_t k = 0; k < out_info.num_dims; k++) n *= size_t(out_info.dims[k]);
      std::vector<float> output(n);
      const float* in = input.data();
      float* out = output.data();
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_run(rt, 1, &in, 1, &out));
      allocations = 0;
      counting = true;
      const enum pqnn_status ran = pqnn_onnx_run(rt, 1, &in, 1, &out);
      counting = false;
      EXPECT_EQ(pqnn_status_success, ran);
      EXPECT_EQ(0u, allocations.load()) << "allocations in one pqnn_onnx_run";
      pqnn_onnx_delete_runtime(rt);
    }
  }
  pqnn_test::destroy_pool(pool);
}

INSTANTIATE_TEST_SUITE_P(PaddleOcr, NoAllocation,
    testing::Values(Case{"cls", {1, 3, 48, 192}}, Case{"rec", {1, 3, 48, 320}},
                    Case{"det", {1, 3, 640, 640}}),
    [](const testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

}  // namespace
