// PaddleOCR's text direction classifier (ch_ppocr_mobile_v2.0_cls, scripts/fetch-models.sh)
// imported and run by pqnn against ONNX Runtime on a fixed 1x3x48x192 input (both written by
// scripts/paddleocr-reference.sh into PQNN_PADDLEOCR_DIR): f32 max abs error <= 1e-4 of
// max |reference|, f16 inference cosine >= 0.9999, dynamic quantization (qd8) cosine >= 0.995
// and the same top-1 class. Skipped when the model or the reference is not available.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "pqnn-onnx.h"

namespace {

std::string Dir() {
  const char* dir = std::getenv("PQNN_PADDLEOCR_DIR");
  return dir != nullptr ? dir : "";
}

bool ReadFloats(const std::string& path, std::vector<float>* values) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (bytes.empty() || bytes.size() % 4 != 0) return false;
  values->resize(bytes.size() / 4);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(values->data()));
  return true;
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, aa = 0, bb = 0;
  for (size_t k = 0; k < a.size(); k++) {
    dot += double(a[k]) * b[k];
    aa += double(a[k]) * a[k];
    bb += double(b[k]) * b[k];
  }
  return dot / std::sqrt(aa * bb);
}

size_t Top1(const std::vector<float>& v) {
  return size_t(std::max_element(v.begin(), v.end()) - v.begin());
}

class PaddleOcrCls : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pqnn_status_success, pqnn_initialize());
    std::ifstream m(Dir() + "/cls.model");
    if (!m || !std::getline(m, model_path_) || !ReadFloats(Dir() + "/cls.in0.bin", &input_) ||
        !ReadFloats(Dir() + "/cls.out0.ort.bin", &ref_)) {
      // Skipped only where npm / ONNX Runtime cannot be had; CI (scripts/test.sh installs both)
      // must run it.
      if (std::getenv("CI") != nullptr) FAIL() << "CI=1 but the ONNX Runtime reference is missing";
      GTEST_SKIP() << "no PaddleOCR cls model or ONNX Runtime reference "
                      "(scripts/paddleocr-reference.sh)";
    }
  }

  // Imports the model for a 1x3x48x192 input and runs it with the runtime flags.
  void Run(uint32_t flags, std::vector<float>* out) {
    pqnn_onnx_model_t model = nullptr;
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_load_file(model_path_.c_str(), 0, &model));
    const int64_t dims[4] = {1, 3, 48, 192};
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_set_input_shape(model, "x", 4, dims));
    size_t unsupported = 99;
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &unsupported));
    ASSERT_EQ(0u, unsupported);
    pqnn_onnx_runtime_t rt = nullptr;
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, flags, &rt));
    pqnn_onnx_delete_model(model);
    ASSERT_EQ(input_.size(), size_t(1 * 3 * 48 * 192));
    out->assign(ref_.size(), std::nanf(""));
    const float* in = input_.data();
    float* o = out->data();
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_run(rt, 1, &in, 1, &o));
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_delete_runtime(rt));
  }

  std::string model_path_;
  std::vector<float> input_, ref_;
};

TEST_F(PaddleOcrCls, F32MatchesOnnxRuntime) {
  std::vector<float> out;
  ASSERT_NO_FATAL_FAILURE(Run(0, &out));
  float max_ref = 0, max_err = 0;
  for (size_t k = 0; k < ref_.size(); k++) {
    max_ref = std::max(max_ref, std::fabs(ref_[k]));
    max_err = std::max(max_err, std::fabs(out[k] - ref_[k]));
  }
  EXPECT_LE(max_err, 1e-4f * max_ref) << "max abs error " << max_err;
}

TEST_F(PaddleOcrCls, F16InferenceCosine) {
  std::vector<float> out;
  ASSERT_NO_FATAL_FAILURE(Run(PQNN_FLAG_FP16_INFERENCE, &out));
  EXPECT_GE(Cosine(out, ref_), 0.9999);
}

TEST_F(PaddleOcrCls, Qd8CosineAndTop1) {
  std::vector<float> out;
  ASSERT_NO_FATAL_FAILURE(Run(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, &out));
  EXPECT_GE(Cosine(out, ref_), 0.995);
  EXPECT_EQ(Top1(out), Top1(ref_));
}

}  // namespace
