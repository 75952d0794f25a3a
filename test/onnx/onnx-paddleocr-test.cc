// The three PaddleOCR models (scripts/fetch-models.sh) imported and run by pqnn against ONNX
// Runtime on real, rendered inputs (scripts/ocr-inputs.py via scripts/paddleocr-reference.sh,
// written into PQNN_PADDLEOCR_DIR): cls on a line of text (1x3x48x192), rec on the same line
// (1x3x48x320), det on a page (1x3x640x640). Per model:
//   f32: max abs error <= 1e-4 of max |reference|;
//   f16 inference: cosine >= 0.9999;
//   qd8 (dynamic quantization): cosine >= 0.995 and the same answer as f32 -- cls the same
//     top-1 class, rec the same CTC greedy decoded text (which is also the rendered text),
//     det the same binarized map (threshold 0.3) on >= 99.5% of the pixels.
// Skipped when the models or the references are missing, except under CI (env CI set).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "pqnn-onnx.h"

namespace {

struct ModelCase {
  const char* name;  // file prefix in PQNN_PADDLEOCR_DIR
  int64_t dims[4];   // input x, NCHW
};

const ModelCase kCls = {"cls", {1, 3, 48, 192}};
const ModelCase kRec = {"rec", {1, 3, 48, 320}};
const ModelCase kDet = {"det", {1, 3, 640, 640}};

std::string Dir() {
  const char* dir = std::getenv("PQNN_PADDLEOCR_DIR");
  return dir != nullptr ? dir : "";
}

bool ReadLine(const std::string& path, std::string* line) {
  std::ifstream f(path);
  return f && std::getline(f, *line) && !line->empty();
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

size_t Top1(const float* v, size_t n) { return size_t(std::max_element(v, v + n) - v); }

// PaddleOCR's CTC greedy decode: per time step the top class; 0 is the blank, 1..N the lines of
// the dictionary, N + 1 the space; repeats merge and blanks drop.
std::string CtcDecode(const std::vector<float>& probs, const std::vector<std::string>& keys) {
  const size_t classes = keys.size() + 2;
  std::string text;
  size_t prev = 0;
  for (size_t t = 0; t + classes <= probs.size(); t += classes) {
    const size_t c = Top1(probs.data() + t, classes);
    if (c != 0 && c != prev) text += c <= keys.size() ? keys[c - 1] : std::string(" ");
    prev = c;
  }
  return text;
}

// Fraction of pixels where a > 0.3 and b > 0.3 agree (PaddleOCR's det binarization).
double MapAgreement(const std::vector<float>& a, const std::vector<float>& b) {
  size_t same = 0;
  for (size_t k = 0; k < a.size(); k++) same += (a[k] > 0.3f) == (b[k] > 0.3f);
  return double(same) / double(a.size());
}

class PaddleOcr : public testing::TestWithParam<ModelCase> {
 protected:
  void SetUp() override {
    ASSERT_EQ(pqnn_status_success, pqnn_initialize());
    const std::string prefix = Dir() + "/" + GetParam().name;
    if (!ReadLine(prefix + ".model", &model_path_) || !ReadFloats(prefix + ".in0.bin", &input_) ||
        !ReadFloats(prefix + ".out0.ort.bin", &ref_)) {
      // Skipped only where npm / ONNX Runtime cannot be had; CI (scripts/test.sh installs both)
      // must run it.
      if (std::getenv("CI") != nullptr) FAIL() << "CI=1 but the ONNX Runtime reference is missing";
      GTEST_SKIP() << "no PaddleOCR model or ONNX Runtime reference "
                      "(scripts/paddleocr-reference.sh)";
    }
  }

  // Imports the model for its input shape and runs it with the runtime flags (cached per model
  // and flags: det's f32 map is the reference of its qd8 run).
  const std::vector<float>& Run(uint32_t flags) {
    static std::map<std::pair<std::string, uint32_t>, std::vector<float>> cache;
    const auto key = std::make_pair(std::string(GetParam().name), flags);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    std::vector<float> out(ref_.size(), std::nanf(""));
    RunInto(flags, &out);
    return cache[key] = out;
  }

  void RunInto(uint32_t flags, std::vector<float>* out) {
    pqnn_onnx_model_t model = nullptr;
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_load_file(model_path_.c_str(), 0, &model));
    // Listed before its dims are set (the models' x is ?x3x?x?): nothing unsupported, the
    // output's channels known, its spatial dims not yet (det's Resize scales included).
    size_t unsupported = 99;
    EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &unsupported));
    EXPECT_EQ(0u, unsupported);
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_set_input_shape(model, "x", 4, GetParam().dims));
    unsupported = 99;
    EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &unsupported));
    EXPECT_EQ(0u, unsupported);
    pqnn_onnx_runtime_t rt = nullptr;
    const enum pqnn_status created = pqnn_onnx_create_runtime(model, nullptr, flags, &rt);
    pqnn_onnx_delete_model(model);
    ASSERT_EQ(pqnn_status_success, created);
    const int64_t* d = GetParam().dims;
    ASSERT_EQ(input_.size(), size_t(d[0] * d[1] * d[2] * d[3]));
    const float* in = input_.data();
    float* o = out->data();
    EXPECT_EQ(pqnn_status_success, pqnn_onnx_run(rt, 1, &in, 1, &o));
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_delete_runtime(rt));
  }

  // rec: the rendered line and CTC decoding with the model's dictionary (rec.keys names it).
  void ExpectRenderedText(const std::vector<float>& probs, const char* who) {
    if (std::string(GetParam().name) != "rec") return;
    std::string keys_path, rendered;
    ASSERT_TRUE(ReadLine(Dir() + "/rec.keys", &keys_path));
    ASSERT_TRUE(ReadLine(Dir() + "/rec.text", &rendered));
    std::ifstream f(keys_path);
    std::vector<std::string> keys;
    for (std::string line; std::getline(f, line);) keys.push_back(line);
    ASSERT_EQ(6623u, keys.size()) << keys_path;
    ASSERT_EQ(0u, probs.size() % (keys.size() + 2));
    EXPECT_EQ(rendered, CtcDecode(probs, keys)) << who << "'s reading";
  }

  std::string model_path_;
  std::vector<float> input_, ref_;
};

TEST_P(PaddleOcr, F32MatchesOnnxRuntime) {
  const std::vector<float>& out = Run(0);
  float max_ref = 0, max_err = 0;
  for (size_t k = 0; k < ref_.size(); k++) {
    max_ref = std::max(max_ref, std::fabs(ref_[k]));
    max_err = std::max(max_err, std::fabs(out[k] - ref_[k]));
  }
  EXPECT_GT(max_ref, 0.0f);
  EXPECT_LE(max_err, 1e-4f * max_ref) << "max abs error " << max_err;
  ExpectRenderedText(ref_, "ONNX Runtime");
  ExpectRenderedText(out, "pqnn f32");
}

TEST_P(PaddleOcr, F16InferenceCosine) {
  const std::vector<float>& f16 = Run(PQNN_FLAG_FORCE_FP16_INFERENCE);
  EXPECT_GE(Cosine(f16, ref_), 0.9999);
  ExpectRenderedText(f16, "pqnn f16");
}

// The hint runs f16 only on a tier with f16 arithmetic: elsewhere the f32 plan, bit for bit
// (the importer then makes its f32 simplifications too), else the forced f16 run.
TEST_P(PaddleOcr, F16HintFollowsTheTier) {
  pqnn_fp16_decision hint = pqnn_fp16_decision_none;
  ASSERT_EQ(pqnn_status_success, pqnn_fp16_inference_decision(PQNN_FLAG_FP16_INFERENCE, &hint));
#if defined(__x86_64__) || defined(__wasm__)
  EXPECT_EQ(hint, pqnn_fp16_decision_fp32_no_arithmetic);
#endif
  const std::vector<float>& out = Run(PQNN_FLAG_FP16_INFERENCE);
  const std::vector<float>& same =
      Run(hint == pqnn_fp16_decision_fp16 ? PQNN_FLAG_FORCE_FP16_INFERENCE : 0);
  ASSERT_EQ(out.size(), same.size());
  EXPECT_EQ(0, std::memcmp(out.data(), same.data(), out.size() * sizeof(float)));
}

TEST_P(PaddleOcr, Qd8CosineAndSameAnswerAsF32) {
  const std::vector<float>& f32 = Run(0);
  const std::vector<float>& qd8 = Run(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION);
  EXPECT_GE(Cosine(qd8, ref_), 0.995);
  const std::string name = GetParam().name;
  if (name == "cls") {
    EXPECT_EQ(Top1(qd8.data(), qd8.size()), Top1(f32.data(), f32.size()));
    EXPECT_EQ(Top1(qd8.data(), qd8.size()), Top1(ref_.data(), ref_.size()));
  } else if (name == "det") {
    EXPECT_GE(MapAgreement(qd8, f32), 0.995);
    EXPECT_GE(MapAgreement(qd8, ref_), 0.995);
  }
  ExpectRenderedText(qd8, "pqnn qd8");  // rec: f32 reads the rendered text too
}

INSTANTIATE_TEST_SUITE_P(Models, PaddleOcr, testing::Values(kCls, kRec, kDet),
    [](const testing::TestParamInfo<ModelCase>& info) { return std::string(info.param.name); });

}  // namespace
