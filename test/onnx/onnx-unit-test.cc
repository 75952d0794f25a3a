// The ONNX importer on the unit models of scripts/onnx-unit-models.py (directory in
// PQNN_ONNX_UNIT_DIR): every "ok" case imported and run by pqnn must match ONNX Runtime's
// output (NAME.out<k>.ort.bin, written by scripts/ort-reference.sh; the case is skipped
// when it is missing) to a max abs error <= 1e-4 of max |reference| in f32; f16 and qd8
// runs must stay close (cosine; not for "f32" cases, whose inputs f16 cannot hold). "unsupported:<Op>" cases must list that op and refuse to
// build. Misuse of the API and damaged files (truncated, bit-flipped) must fail cleanly.
// Cases with int64 / int32 inputs (token ids) run through pqnn_onnx_run_typed.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "common/test-pool.h"
#include "pqnn-onnx.h"

namespace {

struct Case {
  std::string name;
  size_t inputs = 0, outputs = 0;
  std::string expect;
};

std::string UnitDir() {
  const char* dir = std::getenv("PQNN_ONNX_UNIT_DIR");
  return dir != nullptr ? dir : "";
}

std::vector<Case> ReadManifest() {
  std::vector<Case> cases;
  std::ifstream f(UnitDir() + "/manifest.txt");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream s(line);
    Case c;
    if (s >> c.name >> c.inputs >> c.outputs >> c.expect) cases.push_back(c);
  }
  return cases;
}

bool ReadFile(const std::string& path, std::vector<uint8_t>* bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  bytes->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

bool ReadFloats(const std::string& path, std::vector<float>* values) {
  std::vector<uint8_t> bytes;
  if (!ReadFile(path, &bytes) || bytes.size() % 4 != 0) return false;
  values->resize(bytes.size() / 4);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<uint8_t*>(values->data()));
  return true;
}

size_t Elements(const pqnn_onnx_tensor_info& info) {
  size_t n = 1;
  for (size_t d = 0; d < info.num_dims; d++) n *= static_cast<size_t>(info.dims[d]);
  return n;
}

// Runs the case's model (loaded from `path`, the case's own file by default; deleted once
// its runtime exists, which outlives it) with the given runtime flags on the case's inputs;
// returns the outputs. `shape_from`: a model whose input dims are set on this one first.
void RunCase(const Case& c, uint32_t flags, std::vector<std::vector<float>>* outputs,
             const std::string& path = "", pqnn_onnx_model_t shape_from = nullptr,
             pthreadpool_t pool = nullptr) {
  const std::string base = UnitDir() + "/" + c.name;
  pqnn_onnx_model_t model = nullptr;
  ASSERT_EQ(pqnn_status_success,
            pqnn_onnx_load_file((path.empty() ? base + ".onnx" : path).c_str(), 0, &model));
  for (size_t k = 0; shape_from != nullptr && k < c.inputs; k++) {
    pqnn_onnx_tensor_info info;
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_input(shape_from, k, &info));
    ASSERT_EQ(pqnn_status_success,
              pqnn_onnx_set_input_shape(model, info.name, info.num_dims, info.dims));
  }
  size_t unsupported = 99;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &unsupported));
  ASSERT_EQ(0u, unsupported);
  pqnn_onnx_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, pool, flags, &rt));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_delete_model(model));  // the runtime outlives it
  // Each input's file holds its elements in its own type (float32, int64 or int32).
  std::vector<std::vector<uint8_t>> in(c.inputs);
  std::vector<const void*> in_ptr;
  bool typed = false;
  for (size_t k = 0; k < c.inputs; k++) {
    ASSERT_TRUE(ReadFile(base + ".in" + std::to_string(k) + ".bin", &in[k]));
    pqnn_onnx_tensor_info info;
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_runtime_input(rt, k, &info));
    const size_t size = info.elem_type == PQNN_ONNX_INT64 ? 8 : 4;
    typed |= info.elem_type != PQNN_ONNX_FLOAT;
    ASSERT_EQ(Elements(info) * size, in[k].size());
    in_ptr.push_back(in[k].data());
  }
  outputs->assign(c.outputs, {});
  std::vector<float*> out_ptr;
  // Bool / int64 / int32 outputs (comparisons, ArgMax) in their own types, as floats after.
  std::vector<int32_t> out_type(c.outputs);
  std::vector<std::vector<uint8_t>> typed_out(c.outputs);
  std::vector<void*> typed_ptr;
  bool typed_outputs = false;
  for (size_t k = 0; k < c.outputs; k++) {
    pqnn_onnx_tensor_info info;
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_runtime_output(rt, k, &info));
    (*outputs)[k].assign(Elements(info), std::nanf(""));
    out_ptr.push_back((*outputs)[k].data());
    out_type[k] = info.elem_type;
    const size_t size = info.elem_type == PQNN_ONNX_INT64 ? 8 : info.elem_type == PQNN_ONNX_BOOL ? 1 : 4;
    typed_out[k].assign(Elements(info) * size, 0xA5);
    typed_ptr.push_back(info.elem_type == PQNN_ONNX_FLOAT ? static_cast<void*>(out_ptr[k])
                                                          : typed_out[k].data());
    typed_outputs |= info.elem_type != PQNN_ONNX_FLOAT;
  }
  // Float models through pqnn_onnx_run, models with integer inputs through the typed call
  // (pqnn_onnx_run refuses them), with typed outputs through pqnn_onnx_run_typed_outputs
  // (both others refuse them).
  const auto run = [&]() {
    if (typed_outputs) {
      const enum pqnn_status status =
          pqnn_onnx_run_typed_outputs(rt, c.inputs, in_ptr.data(), c.outputs, typed_ptr.data());
      for (size_t k = 0; k < c.outputs; k++) {
        for (size_t i = 0; out_type[k] != PQNN_ONNX_FLOAT && i < (*outputs)[k].size(); i++) {
          float& v = (*outputs)[k][i];
          if (out_type[k] == PQNN_ONNX_INT64) {
            int64_t x;
            std::memcpy(&x, typed_out[k].data() + 8 * i, 8);
            v = float(x);
          } else if (out_type[k] == PQNN_ONNX_INT32) {
            int32_t x;
            std::memcpy(&x, typed_out[k].data() + 4 * i, 4);
            v = float(x);
          } else {
            const uint8_t b = typed_out[k][i];
            v = b == 1 ? 1.0f : b == 0 ? 0.0f : std::nanf("");  // a bool is one byte, 0 or 1
          }
        }
      }
      return status;
    }
    return typed ? pqnn_onnx_run_typed(rt, c.inputs, in_ptr.data(), c.outputs, out_ptr.data())
                 : pqnn_onnx_run(rt, c.inputs, reinterpret_cast<const float* const*>(in_ptr.data()),
                                 c.outputs, out_ptr.data());
  };
  if (typed || typed_outputs) {
    EXPECT_EQ(pqnn_status_invalid_parameter,
              pqnn_onnx_run(rt, c.inputs, reinterpret_cast<const float* const*>(in_ptr.data()),
                            c.outputs, out_ptr.data()));
  }
  if (typed_outputs) {
    EXPECT_EQ(pqnn_status_invalid_parameter,
              pqnn_onnx_run_typed(rt, c.inputs, in_ptr.data(), c.outputs, out_ptr.data()));
  }
  ASSERT_EQ(pqnn_status_success, run());
  // Twice: results must not depend on leftovers of the first run.
  std::vector<std::vector<float>> first = *outputs;
  ASSERT_EQ(pqnn_status_success, run());
  EXPECT_EQ(first, *outputs);
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_delete_runtime(rt));
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0, aa = 0, bb = 0;
  for (size_t k = 0; k < a.size(); k++) {
    dot += double(a[k]) * b[k];
    aa += double(a[k]) * a[k];
    bb += double(b[k]) * b[k];
  }
  return aa == 0 && bb == 0 ? 1.0 : dot / std::sqrt(aa * bb);
}

double RelativeRms(const std::vector<float>& y, const std::vector<float>& ref) {
  double err = 0, mag = 0;
  for (size_t k = 0; k < y.size(); k++) {
    err += (double(y[k]) - ref[k]) * (double(y[k]) - ref[k]);
    mag += double(ref[k]) * ref[k];
  }
  return mag == 0 ? std::sqrt(err) : std::sqrt(err / mag);
}

class OnnxCase : public testing::Test {
 public:
  explicit OnnxCase(Case c) : c_(std::move(c)) {}
  void SetUp() override { ASSERT_EQ(pqnn_status_success, pqnn_initialize()); }

  void TestBody() override {
    if (c_.expect == "ok" || c_.expect == "qd8" || c_.expect == "f32") {
      CheckAgainstOrt();
    } else {
      CheckUnsupported();
    }
  }

 private:
  void CheckAgainstOrt() {
    const std::string base = UnitDir() + "/" + c_.name;
    std::vector<std::vector<float>> refs(c_.outputs);
    for (size_t k = 0; k < c_.outputs; k++) {
      if (!ReadFloats(base + ".out" + std::to_string(k) + ".ort.bin", &refs[k])) {
        // Skipped only where npm / ONNX Runtime cannot be had; CI (scripts/test.sh installs both)
        // must run it.
        if (std::getenv("CI") != nullptr) FAIL() << "CI=1 but the ONNX Runtime reference is missing";
        GTEST_SKIP() << "no ONNX Runtime reference (scripts/ort-reference.sh --manifest)";
      }
    }
    std::vector<std::vector<float>> out;
    ASSERT_NO_FATAL_FAILURE(RunCase(c_, 0, &out));
    for (size_t k = 0; k < c_.outputs; k++) {
      ASSERT_EQ(refs[k].size(), out[k].size()) << "output " << k;
      double max_ref = 0, max_err = 0;
      for (size_t i = 0; i < refs[k].size(); i++) {
        max_ref = std::max(max_ref, double(std::fabs(refs[k][i])));
        const double err = std::fabs(double(out[k][i]) - refs[k][i]);
        max_err = std::isnan(err) ? INFINITY : std::max(max_err, err);
      }
      if (c_.expect == "qd8") {
        // Runs qd8 whatever the flags (4-bit weights, MatMulNBits): the activations are
        // quantized per row to int8, the weights are ORT's exactly.
        EXPECT_LE(RelativeRms(out[k], refs[k]), 0.01) << "output " << k << " qd8";
      } else {
        EXPECT_LE(max_err, 1e-4 * max_ref) << "output " << k << " f32";
      }
    }
    ASSERT_NO_FATAL_FAILURE(CheckDynamicVariants(&out));
    // Results do not depend on the thread count: 3 threads give the 1-thread bits (f32 and
    // qd8: every node's tiles, row bands and per-row quantization alike).
    if (pqnn_test::kHavePools) {
      for (uint32_t flags : {0u, uint32_t(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)}) {
        std::vector<std::vector<float>> one, three;
        ASSERT_NO_FATAL_FAILURE(RunCase(c_, flags, &one));
        pthreadpool_t pool = pqnn_test::create_pool(3);
        RunCase(c_, flags, &three, "", nullptr, pool);
        pqnn_test::destroy_pool(pool);
        EXPECT_EQ(one, three) << "3 threads differ from 1, flags " << flags;
      }
    }
    // f16 inference and dynamic quantization: same graph, looser numbers ("f32" cases have
    // inputs beyond f16's precision: Sin / Cos of +-25000).
    if (c_.expect == "f32") return;
    const struct { uint32_t flags; double cosine; const char* what; } kModes[] = {
        {PQNN_FLAG_FORCE_FP16_INFERENCE, 0.999, "f16"},
        {PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, 0.99, "qd8"}};
    for (const auto& mode : kModes) {
      ASSERT_NO_FATAL_FAILURE(RunCase(c_, mode.flags, &out));
      for (size_t k = 0; k < c_.outputs; k++) {
        EXPECT_GE(Cosine(out[k], refs[k]), mode.cosine) << "output " << k << " " << mode.what;
      }
    }
  }

  void CheckUnsupported() {
    const std::string op = c_.expect.substr(c_.expect.find(':') + 1);
    pqnn_onnx_model_t model = nullptr;
    ASSERT_EQ(pqnn_status_success,
              pqnn_onnx_load_file((UnitDir() + "/" + c_.name + ".onnx").c_str(), 0, &model));
    size_t count = 0;
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &count));
    ASSERT_EQ(1u, count);
    const char *op_type, *node_name, *reason;
    ASSERT_EQ(pqnn_status_success,
              pqnn_onnx_get_unsupported(model, 0, &op_type, &node_name, &reason));
    EXPECT_EQ(op, op_type);
    EXPECT_NE(std::string(), node_name);
    EXPECT_NE(std::string(), reason);
    EXPECT_EQ(pqnn_status_invalid_parameter,
              pqnn_onnx_get_unsupported(model, 1, &op_type, &node_name, &reason));
    pqnn_onnx_runtime_t rt = nullptr;
    EXPECT_EQ(pqnn_status_unsupported_parameter,
              pqnn_onnx_create_runtime(model, nullptr, 0, &rt));
    EXPECT_EQ(nullptr, rt);
    pqnn_onnx_delete_model(model);
    ASSERT_NO_FATAL_FAILURE(CheckDynamicVariants(nullptr));
  }

  // The case with symbolic input dims (dynamic/NAME.batch.onnx, NAME.spatial.onnx of
  // scripts/onnx-unit-models.py), as exporters write models: listed before its dims are
  // set, it must report no node that the static model runs (a node whose support depends
  // on a dim not set yet counts as supported); with the case's dims set, the static
  // model's unsupported nodes and, where it runs (static_out: its f32 outputs), its bits.
  void CheckDynamicVariants(const std::vector<std::vector<float>>* static_out) {
    pqnn_onnx_model_t fixed = nullptr;
    ASSERT_EQ(pqnn_status_success,
              pqnn_onnx_load_file((UnitDir() + "/" + c_.name + ".onnx").c_str(), 0, &fixed));
    size_t fixed_count = 0;
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(fixed, &fixed_count));
    for (const char* mode : {"batch", "spatial"}) {
      const std::string path = UnitDir() + "/dynamic/" + c_.name + "." + mode + ".onnx";
      if (!std::ifstream(path)) continue;
      SCOPED_TRACE(path);
      pqnn_onnx_model_t model = nullptr;
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_load_file(path.c_str(), 0, &model));
      size_t count = 99;
      EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &count));
      EXPECT_LE(count, fixed_count) << "nodes unsupported only while dims are unknown";
      for (size_t k = 0; k < c_.inputs; k++) {
        pqnn_onnx_tensor_info info;
        ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_input(fixed, k, &info));
        ASSERT_EQ(pqnn_status_success,
                  pqnn_onnx_set_input_shape(model, info.name, info.num_dims, info.dims));
      }
      EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &count));
      EXPECT_EQ(fixed_count, count);
      pqnn_onnx_delete_model(model);
      if (static_out == nullptr) continue;
      std::vector<std::vector<float>> out;
      ASSERT_NO_FATAL_FAILURE(RunCase(c_, 0, &out, path, fixed));
      EXPECT_EQ(*static_out, out) << "not the static model's bits";
    }
    pqnn_onnx_delete_model(fixed);
  }

  Case c_;
};

// Import of a possibly damaged model: any status is fine, crashing or leaking is not.
void TryImport(const std::vector<uint8_t>& bytes) {
  pqnn_onnx_model_t model = nullptr;
  if (pqnn_onnx_load_buffer(bytes.data(), bytes.size(), 0, &model) != pqnn_status_success) {
    EXPECT_EQ(nullptr, model);
    return;
  }
  size_t count = 0;
  if (pqnn_onnx_get_unsupported_count(model, &count) == pqnn_status_success && count == 0) {
    pqnn_onnx_runtime_t rt = nullptr;
    if (pqnn_onnx_create_runtime(model, nullptr, 0, &rt) == pqnn_status_success) {
      pqnn_onnx_delete_runtime(rt);
    }
  }
  pqnn_onnx_delete_model(model);
}

TEST(OnnxImport, ManifestIsThere) {
  ASSERT_NE("", UnitDir()) << "set PQNN_ONNX_UNIT_DIR";
  EXPECT_GE(ReadManifest().size(), 20u);
}

TEST(OnnxImport, DamagedModelsFailCleanly) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  uint64_t s = 12345;
  for (const Case& c : ReadManifest()) {
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(ReadFile(UnitDir() + "/" + c.name + ".onnx", &bytes));
    for (size_t len = 1; len < bytes.size(); len += 1 + len / 8) {
      TryImport(std::vector<uint8_t>(bytes.begin(), bytes.begin() + len));
    }
    for (int trial = 0; trial < 40; trial++) {
      std::vector<uint8_t> copy = bytes;
      for (int flips = 0; flips < 1 + trial % 4; flips++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        copy[(s >> 33) % copy.size()] ^= static_cast<uint8_t>(1u << ((s >> 20) % 8));
      }
      TryImport(copy);
    }
  }
}

// Malformed comparison / logic / Where models (scripts/onnx-unit-models.py
// hostile_logic_models, hostile.txt): `load` ones are refused by the load itself with a
// specific status, `malformed` ones load and listing their unsupported ops says
// invalid_parameter (as does creating a runtime), `listed:<Op>` ones load and list that op
// with a reason, and creating a runtime then fails with unsupported_parameter; never a crash.
TEST(OnnxImport, HostileLogicModelsGiveSpecificErrors) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  std::ifstream f(UnitDir() + "/hostile.txt");
  ASSERT_TRUE(f.good()) << "no hostile.txt in " << UnitDir();
  std::string name, expect;
  size_t cases = 0;
  while (f >> name >> expect) {
    cases++;
    pqnn_onnx_model_t model = nullptr;
    const enum pqnn_status status =
        pqnn_onnx_load_file((UnitDir() + "/" + name + ".onnx").c_str(), 0, &model);
    if (expect == "load") {
      EXPECT_TRUE(status == pqnn_status_invalid_parameter ||
                  status == pqnn_status_unsupported_parameter) << name << ": " << status;
      EXPECT_EQ(nullptr, model) << name;
      continue;
    }
    ASSERT_EQ(pqnn_status_success, status) << name;
    size_t count = 0;
    if (expect == "runfails") {
      // Imports and builds; ids outside the table (or outside int32) fail the run.
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &count)) << name;
      EXPECT_EQ(0u, count) << name;
      pqnn_onnx_runtime_t rt = nullptr;
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, 0, &rt)) << name;
      int64_t bound = 0;
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_input_index_bound(model, 0, &bound));
      ASSERT_GE(bound, 1) << name;
      pqnn_onnx_tensor_info in_info, out_info;
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_runtime_input(rt, 0, &in_info));
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_runtime_output(rt, 0, &out_info));
      std::vector<int64_t> ids(Elements(in_info), 0);
      std::vector<float> y(Elements(out_info));
      const void* in[1] = {ids.data()};
      float* out[1] = {y.data()};
      EXPECT_EQ(pqnn_status_success, pqnn_onnx_run_typed(rt, 1, in, 1, out)) << name;
      for (int64_t bad : {bound, -bound - 1, int64_t(1) << 40, INT64_MIN}) {
        ids.back() = bad;
        EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run_typed(rt, 1, in, 1, out))
            << name << " id " << bad;
      }
      pqnn_onnx_delete_runtime(rt);
      pqnn_onnx_delete_model(model);
      continue;
    }
    if (expect == "build") {
      // Loads and lists nothing, but the graph's outputs are not what the model declares
      // (an output declared int64 / bool that pqnn computes as float32): refused when built.
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &count)) << name;
      EXPECT_EQ(0u, count) << name;
      pqnn_onnx_runtime_t rt = nullptr;
      EXPECT_EQ(pqnn_status_unsupported_parameter,
                pqnn_onnx_create_runtime(model, nullptr, 0, &rt)) << name;
      EXPECT_EQ(nullptr, rt);
      pqnn_onnx_delete_model(model);
      continue;
    }
    if (expect == "malformed") {
      EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_get_unsupported_count(model, &count))
          << name;
      pqnn_onnx_runtime_t rt = nullptr;
      EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_create_runtime(model, nullptr, 0, &rt))
          << name;
      EXPECT_EQ(nullptr, rt);
      pqnn_onnx_delete_model(model);
      continue;
    }
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &count));
    ASSERT_GE(count, 1u) << name;
    const char *op_type, *node_name, *reason;
    ASSERT_EQ(pqnn_status_success,
              pqnn_onnx_get_unsupported(model, 0, &op_type, &node_name, &reason));
    EXPECT_EQ(expect.substr(expect.find(':') + 1), op_type) << name;
    EXPECT_NE(std::string(), reason) << name;
    pqnn_onnx_runtime_t rt = nullptr;
    EXPECT_EQ(pqnn_status_unsupported_parameter, pqnn_onnx_create_runtime(model, nullptr, 0, &rt))
        << name;
    EXPECT_EQ(nullptr, rt);
    pqnn_onnx_delete_model(model);
  }
  EXPECT_GE(cases, 14u);
}

// Token ids: the int64 input's type and index bound, the typed run (int64 narrowed to int32
// at the boundary, range-checked; ids outside the table fail the run), pqnn_onnx_run
// refusing the model, and the graph still running in f16 under f16 inference (the int32
// ids are not converted).
TEST(OnnxImport, Int64TokenIds) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  pqnn_onnx_model_t model = nullptr;
  ASSERT_EQ(pqnn_status_success,
            pqnn_onnx_load_file((UnitDir() + "/gather_embedding_ids_1x7.onnx").c_str(), 0, &model));
  pqnn_onnx_tensor_info info;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_input(model, 0, &info));
  EXPECT_EQ(PQNN_ONNX_INT64, info.elem_type);
  ASSERT_EQ(2u, info.num_dims);
  EXPECT_EQ(7, info.dims[1]);
  int64_t bound = 0;
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_get_input_index_bound(model, 1, &bound));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_get_input_index_bound(model, 0, nullptr));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_input_index_bound(model, 0, &bound));
  EXPECT_EQ(30, bound);  // the table's rows
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_output(model, 0, &info));
  ASSERT_EQ(3u, info.num_dims);
  EXPECT_EQ(16, info.dims[2]);
  pqnn_onnx_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, 0, &rt));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_runtime_input(rt, 0, &info));
  EXPECT_EQ(PQNN_ONNX_INT64, info.elem_type);
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_runtime_output(rt, 0, &info));
  EXPECT_EQ(PQNN_ONNX_FLOAT, info.elem_type);
  std::vector<int64_t> ids = {0, 29, -1, -30, 5, 5, 17};
  std::vector<float> y(7 * 16, NAN), y2(7 * 16, NAN);
  const void* in[1] = {ids.data()};
  float* out[1] = {y.data()};
  EXPECT_EQ(pqnn_status_invalid_parameter,
            pqnn_onnx_run(rt, 1, reinterpret_cast<const float* const*>(in), 1, out));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run_typed(rt, 0, in, 1, out));
  const void* null_in[1] = {nullptr};
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run_typed(rt, 1, null_in, 1, out));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_run_typed(rt, 1, in, 1, out));
  // Rows 5 and 5 are one row; -1 is row 29, -30 row 0.
  for (size_t j = 0; j < 16; j++) {
    EXPECT_EQ(y[0 * 16 + j], y[3 * 16 + j]) << j;
    EXPECT_EQ(y[1 * 16 + j], y[2 * 16 + j]) << j;
    EXPECT_EQ(y[4 * 16 + j], y[5 * 16 + j]) << j;
  }
  for (int64_t bad : {int64_t(30), int64_t(-31), int64_t(INT32_MAX) + 1, int64_t(INT32_MIN) - 1}) {
    ids[6] = bad;
    out[0] = y2.data();
    EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run_typed(rt, 1, in, 1, out)) << bad;
  }
  pqnn_onnx_delete_runtime(rt);
  pqnn_onnx_delete_model(model);

  // The tiny transformer under f16 inference: the graph runs in f16, and its one gather node
  // computes f16; no convert reads the ids.
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_load_file(
      (UnitDir() + "/tiny_transformer_int64_ids.onnx").c_str(), 0, &model));
  ASSERT_EQ(pqnn_status_success,
            pqnn_onnx_create_runtime(model, nullptr, PQNN_FLAG_FORCE_FP16_INFERENCE, &rt));
  pqnn_runtime_t prt = nullptr;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_pqnn_runtime(rt, &prt));
  enum pqnn_fp16_decision decision = pqnn_fp16_decision_none;
  ASSERT_EQ(pqnn_status_success, pqnn_get_runtime_fp16_decision(prt, &decision));
  EXPECT_EQ(pqnn_fp16_decision_forced, decision);
  size_t nodes = 0, gathers = 0;
  ASSERT_EQ(pqnn_status_success, pqnn_get_runtime_node_count(prt, &nodes));
  for (size_t k = 0; k < nodes; k++) {
    pqnn_runtime_node_info node;
    ASSERT_EQ(pqnn_status_success, pqnn_get_runtime_node_info(prt, k, &node));
    if (node.type != pqnn_node_type_gather) continue;
    gathers++;
    EXPECT_EQ(pqnn_datatype_fp16, node.compute_datatype);
    EXPECT_EQ(0u, k) << "the gather runs first: nothing converts the ids before it";
  }
  EXPECT_EQ(1u, gathers);
  pqnn_onnx_delete_runtime(rt);
  pqnn_onnx_delete_model(model);
}

TEST(OnnxImport, ArgumentsAreChecked) {
  pqnn_onnx_model_t model = nullptr;
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_load_file(nullptr, 0, &model));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_load_file("/nonexistent/model.onnx", 0, &model));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_load_buffer(nullptr, 10, 0, &model));
  const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff};
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_load_buffer(junk, sizeof(junk), 0, &model));
  EXPECT_EQ(nullptr, model);
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_delete_model(nullptr));
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_delete_runtime(nullptr));

  const std::string path = UnitDir() + "/conv3x3.onnx";
  ASSERT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_load_file(path.c_str(), 1, &model));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_load_file(path.c_str(), 0, &model));
  size_t n = 0;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_input_count(model, &n));
  ASSERT_EQ(1u, n);
  pqnn_onnx_tensor_info info;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_input(model, 0, &info));
  EXPECT_STREQ("x", info.name);
  EXPECT_EQ(PQNN_ONNX_FLOAT, info.elem_type);
  ASSERT_EQ(4u, info.num_dims);
  EXPECT_EQ(9, info.dims[2]);
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_get_input(model, 1, &info));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_output(model, 0, &info));
  EXPECT_STREQ("y", info.name);
  ASSERT_EQ(4u, info.num_dims);  // inferred by the importer: [1, 4, 9, 8]
  EXPECT_EQ(4, info.dims[1]);
  EXPECT_EQ(9, info.dims[2]);
  EXPECT_EQ(8, info.dims[3]);
  const int64_t good[4] = {1, 3, 9, 8}, wrong_static[4] = {1, 4, 9, 8}, zero[4] = {1, 3, 0, 8};
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_set_input_shape(model, "x", 3, good));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_set_input_shape(model, "nope", 4, good));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_set_input_shape(model, "x", 4, wrong_static));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_set_input_shape(model, "x", 4, zero));
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_set_input_shape(model, "x", 4, good));
  pqnn_onnx_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_create_runtime(model, nullptr, 0x1, &rt));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_create_runtime(model, nullptr, 0, nullptr));
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, 0, &rt));
  size_t transposes = 0;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_boundary_transpose_count(rt, &transposes));
  EXPECT_EQ(2u, transposes);  // the NCHW input in, the NCHW output out
  std::vector<float> x(3 * 9 * 8, 1.0f), y(4 * 9 * 8);
  const float* in[1] = {x.data()};
  float* out[1] = {y.data()};
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run(rt, 0, in, 1, out));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run(rt, 1, in, 2, out));
  float* null_out[1] = {nullptr};
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run(rt, 1, in, 1, null_out));
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_run(rt, 1, in, 1, out));
  pqnn_onnx_delete_runtime(rt);
  pqnn_onnx_delete_model(model);
}

// Typed outputs (argmax_argmin_model_order: int64, bool, int32 and float32 outputs): the
// model and the runtime report each output's type, the float32-output calls refuse the
// model, pqnn_onnx_run_typed_outputs checks its arguments and writes each type (indices in
// range, bools exactly 0 or 1).
TEST(OnnxImport, TypedOutputs) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  pqnn_onnx_model_t model = nullptr;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_load_file(
      (UnitDir() + "/argmax_argmin_model_order.onnx").c_str(), 0, &model));
  const int32_t kTypes[8] = {PQNN_ONNX_INT64, PQNN_ONNX_INT64, PQNN_ONNX_INT64, PQNN_ONNX_INT64,
      PQNN_ONNX_INT64, PQNN_ONNX_BOOL, PQNN_ONNX_INT32, PQNN_ONNX_FLOAT};
  pqnn_onnx_tensor_info info;
  for (size_t k = 0; k < 8; k++) {
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_output(model, k, &info));
    EXPECT_EQ(kTypes[k], info.elem_type) << k;
  }
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_output(model, 4, &info));
  EXPECT_EQ(0u, info.num_dims);  // ArgMax of a 1-D input without keepdims: a scalar
  pqnn_onnx_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, 0, &rt));
  std::vector<float> x(5 * 6 * 7, 1.0f), x2(9, 0.0f);
  x2[4] = 3.0f;
  const void* in[2] = {x.data(), x2.data()};
  std::vector<std::vector<int64_t>> out(8);  // room for any type
  std::vector<void*> out_ptr;
  std::vector<size_t> elements;
  for (size_t k = 0; k < 8; k++) {
    ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_runtime_output(rt, k, &info));
    EXPECT_EQ(kTypes[k], info.elem_type) << k;
    elements.push_back(Elements(info));
    out[k].assign(elements.back(), -1);
    out_ptr.push_back(out[k].data());
  }
  float* float_ptr[8];
  for (size_t k = 0; k < 8; k++) float_ptr[k] = reinterpret_cast<float*>(out[k].data());
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run(rt, 2,
      reinterpret_cast<const float* const*>(in), 8, float_ptr));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run_typed(rt, 2, in, 8, float_ptr));
  EXPECT_EQ(pqnn_status_invalid_parameter,
            pqnn_onnx_run_typed_outputs(nullptr, 2, in, 8, out_ptr.data()));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run_typed_outputs(rt, 1, in, 8, out_ptr.data()));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run_typed_outputs(rt, 2, in, 7, out_ptr.data()));
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run_typed_outputs(rt, 2, in, 8, nullptr));
  void* const saved = out_ptr[5];
  out_ptr[5] = nullptr;
  EXPECT_EQ(pqnn_status_invalid_parameter, pqnn_onnx_run_typed_outputs(rt, 2, in, 8, out_ptr.data()));
  out_ptr[5] = saved;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_run_typed_outputs(rt, 2, in, 8, out_ptr.data()));
  // All-equal x: the first index (0) everywhere for y0, y2, y6, y7; the last for y1 (6) and
  // y3 (6); y4 = 4 (the 3.0 of x2); y5 = 1 > 0.25 everywhere.
  for (size_t i = 0; i < elements[0]; i++) EXPECT_EQ(0, out[0][i]) << i;
  for (size_t i = 0; i < elements[1]; i++) EXPECT_EQ(6, out[1][i]) << i;
  for (size_t i = 0; i < elements[3]; i++) EXPECT_EQ(6, out[3][i]) << i;
  ASSERT_EQ(1u, elements[4]);
  EXPECT_EQ(4, out[4][0]);
  const uint8_t* bools = reinterpret_cast<const uint8_t*>(out[5].data());
  for (size_t i = 0; i < elements[5]; i++) EXPECT_EQ(1, bools[i]) << i;
  EXPECT_EQ(0xFF, bools[elements[5]]);  // nothing written past the output
  const int32_t* i32 = reinterpret_cast<const int32_t*>(out[6].data());
  for (size_t i = 0; i < elements[6]; i++) EXPECT_EQ(0, i32[i]) << i;
  const float* f = reinterpret_cast<const float*>(out[7].data());
  for (size_t i = 0; i < elements[7]; i++) EXPECT_EQ(0.0f, f[i]) << i;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_delete_runtime(rt));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_delete_model(model));
}

TEST(OnnxImport, DynamicDimsMustBeSet) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  pqnn_onnx_model_t model = nullptr;
  ASSERT_EQ(pqnn_status_success,
            pqnn_onnx_load_file((UnitDir() + "/dynamic_conv.onnx").c_str(), 0, &model));
  pqnn_onnx_tensor_info info;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_input(model, 0, &info));
  ASSERT_EQ(4u, info.num_dims);
  EXPECT_EQ(-1, info.dims[0]);
  EXPECT_EQ(3, info.dims[1]);
  EXPECT_EQ(-1, info.dims[2]);
  size_t unsupported = 99;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &unsupported));
  EXPECT_EQ(0u, unsupported);
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_output(model, 0, &info));
  EXPECT_EQ(4, info.dims[1]);
  EXPECT_EQ(-1, info.dims[2]);  // not known before H is set
  pqnn_onnx_runtime_t rt = nullptr;
  EXPECT_EQ(pqnn_status_invalid_state, pqnn_onnx_create_runtime(model, nullptr, 0, &rt));
  const int64_t dims[4] = {2, 3, 11, 6};
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_set_input_shape(model, "x", 4, dims));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_output(model, 0, &info));
  EXPECT_EQ(2, info.dims[0]);
  EXPECT_EQ(6, info.dims[2]);  // (11 + 2 - 3) / 2 + 1
  EXPECT_EQ(3, info.dims[3]);
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, 0, &rt));
  // Every output is Relu'd: non-negative, and a constant input gives finite values.
  std::vector<float> x(2 * 3 * 11 * 6, 0.25f), y(2 * 4 * 6 * 3, -1.0f);
  const float* in[1] = {x.data()};
  float* out[1] = {y.data()};
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_run(rt, 1, in, 1, out));
  for (float v : y) ASSERT_TRUE(v >= 0.0f && std::isfinite(v));
  pqnn_onnx_delete_runtime(rt);
  pqnn_onnx_delete_model(model);
}

// Planned pqnn nodes of a unit model (fused clamps and adds removed; the runtime's activation
// fusion off, so that a unary node the importer made from a pattern counts as one node, and
// its affine fusion off unless `fuse_affines`, so that a scale the importer made counts as
// one node), for the runtime flags.
size_t PlannedNodes(const std::string& name, uint32_t flags = 0, bool fuse_affines = false) {
  pqnn_onnx_model_t model = nullptr;
  pqnn_onnx_runtime_t rt = nullptr;
  pqnn_runtime_t prt = nullptr;
  size_t count = 0;
  pqnn_runtime_options options = {};
  options.no_activation_fusion = 1;
  options.no_affine_fusion = fuse_affines ? 0 : 1;
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_load_file((UnitDir() + "/" + name + ".onnx").c_str(), 0, &model));
  EXPECT_EQ(pqnn_status_success,
      pqnn_onnx_create_runtime_with_options(model, nullptr, flags, &options, &rt));
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_pqnn_runtime(rt, &prt));
  EXPECT_EQ(pqnn_status_success, pqnn_get_runtime_node_count(prt, &count));
  pqnn_onnx_delete_runtime(rt);
  pqnn_onnx_delete_model(model);
  return count;
}

TEST(OnnxImport, FoldsBatchNormAndScaleShiftIntoTheConv) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  // Each count includes the two boundary transposes (NCHW input in, NCHW output out).
  EXPECT_EQ(3u, PlannedNodes("conv_bn_relu"));           // conv (BN folded, Relu fused)
  EXPECT_EQ(3u, PlannedNodes("conv_scale_shift_fold"));  // Mul, Add, Div, Sub folded, Relu fused
  // The conv output has two readers: the scale (a 1x1 depthwise conv) and the add, which
  // fuses into the scale as its residual (fused_add).
  EXPECT_EQ(4u, PlannedNodes("conv_scale_two_readers"));
  EXPECT_EQ(3u, PlannedNodes("batchnorm_alone"));        // a 1x1 depthwise conv
}

TEST(OnnxImport, FoldsAffineBlockAddIntoTheChannelScale) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  // The two boundary transposes, the conv (Relu fused) and the Mul's 1x1 depthwise conv with
  // the Add / Sub constant as its bias.
  EXPECT_EQ(4u, PlannedNodes("affine_scalar_fold"));
  EXPECT_EQ(4u, PlannedNodes("affine_channel_const_first_fold"));
  EXPECT_EQ(4u, PlannedNodes("affine_channel_sub_fold"));
  // c - x, a constant varying along W, a Mul output with a second reader or that is a graph
  // output: the Add / Sub stays a node of its own.
  EXPECT_LT(4u, PlannedNodes("affine_rsub_no_fold"));
  EXPECT_LT(4u, PlannedNodes("affine_row_add_no_fold"));
  // (With a second reader the shift Add stays, and the runtime fuses it into the second
  // reader's add as its residual: 5 nodes, not 6.)
  EXPECT_EQ(5u, PlannedNodes("affine_two_readers_no_fold"));
  EXPECT_LT(4u, PlannedNodes("affine_mul_output_no_fold"));
  // A BatchNormalization alone takes the Add after it: one 1x1 depthwise conv.
  EXPECT_EQ(3u, PlannedNodes("batchnorm_add_fold"));
  // Dynamic quantization folds too; f16 inference keeps the two roundings of the model (the
  // Add stays a node; the f16 runtime also inserts a convert at the input and the output).
  const uint32_t qd8 = PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, f16 = PQNN_FLAG_FORCE_FP16_INFERENCE;
  EXPECT_EQ(4u, PlannedNodes("affine_scalar_fold", qd8));
  EXPECT_EQ(3u, PlannedNodes("batchnorm_add_fold", qd8));
  EXPECT_EQ(5u + 2, PlannedNodes("affine_scalar_fold", f16));
  EXPECT_EQ(5u + 2, PlannedNodes("affine_channel_sub_fold", f16));
  EXPECT_EQ(4u + 2, PlannedNodes("batchnorm_add_fold", f16));
  // The hint PQNN_FLAG_FP16_INFERENCE keeps the literal graph only where it runs f16 (a tier
  // with f16 arithmetic); elsewhere it plans exactly what f32 does.
  pqnn_fp16_decision hint = pqnn_fp16_decision_none;
  ASSERT_EQ(pqnn_status_success, pqnn_fp16_inference_decision(PQNN_FLAG_FP16_INFERENCE, &hint));
#if defined(__x86_64__) || defined(__wasm__)
  EXPECT_EQ(hint, pqnn_fp16_decision_fp32_no_arithmetic);
#endif
  const uint32_t like_hint = hint == pqnn_fp16_decision_fp16 ? f16 : 0;
  for (const char* name : {"affine_scalar_fold", "affine_channel_sub_fold", "batchnorm_add_fold",
           "hardswish_constant_nodes_after_add"}) {
    EXPECT_EQ(PlannedNodes(name, like_hint), PlannedNodes(name, PQNN_FLAG_FP16_INFERENCE)) << name;
  }
  // The runtime then fuses the scale (its bias the shift) into the conv before it, after the
  // conv's Relu (runtime-pass-affine.c): f32, DRQ and f16 (there the shift Add stays).
  EXPECT_EQ(3u, PlannedNodes("affine_scalar_fold", 0, true));
  EXPECT_EQ(3u, PlannedNodes("affine_scalar_fold", qd8, true));
  EXPECT_EQ(4u + 2, PlannedNodes("affine_scalar_fold", f16, true));
}

TEST(OnnxImport, FoldsScaleShiftIntoDeconvolutionAndFullyConnected) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  // NCHW in and out: the two boundary transposes plus the deconvolution (Add and BN folded,
  // Relu fused); one output channel needs no output transpose: the input transpose, the
  // deconvolution (Mul and Add folded) and the sigmoid.
  EXPECT_EQ(3u, PlannedNodes("convtranspose_add_bn_relu_fold"));
  EXPECT_EQ(3u, PlannedNodes("convtranspose_scalar_add_sigmoid_fold"));
  // t - c does not fold, and the deconvolution output has two readers: 2 + 2 nodes (the
  // add runs as the residual of the subtraction: fused_add).
  EXPECT_EQ(4u, PlannedNodes("convtranspose_add_two_readers"));
  // 2-D and 3-D model-order activations: no transposes, the FC alone.
  EXPECT_EQ(1u, PlannedNodes("gemm_scale_shift_fold"));
  EXPECT_EQ(1u, PlannedNodes("matmul_bias_div_fold"));
}

TEST(OnnxImport, OpsWithoutANodeLowerToTheirDocumentedChains) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  // [2, 49] in the model's order, no transposes: x * 0 and + ramp (2 nodes), then
  // Elu 6 + 6, Selu (gamma != 1) 7 + 7, Celu 6 (alpha 1) + 7 (alpha 0.6), Softplus 5
  // (docs/onnx.md, "Ops lowered to chains"); the runtime fuses the last add of each of the
  // six exponential units into the multiply before it (fused_add).
  EXPECT_EQ(2u + 6 + 6 + 7 + 7 + 6 + 7 + 5 - 6, PlannedNodes("activation_chains_extremes"));
  // Two convs (2 nodes, the input's transpose), Sum of 3 (2 adds), Mean of 3 (2 adds and a
  // multiply), Mean of a constant and c (an add and a multiply), Sum of one (a copy); the four
  // outputs leave through transposes.
  EXPECT_EQ(3u + 2 + 3 + 2 + 1 + 4, PlannedNodes("sum_mean_after_conv"));
  // Input transpose, conv, 9 nodes, output transpose.
  EXPECT_EQ(3u + 9, PlannedNodes("instancenorm_after_conv"));
  // DepthToSpace / SpaceToDepth: reshape, transpose, reshape each, in the input's layout.
  EXPECT_EQ(3u * 3, PlannedNodes("depth_space_model_order"));
  EXPECT_EQ(2u + 2 * 3 + 2, PlannedNodes("depth_to_space_b2"));
  // LogSoftmax: reduce max, clamp, subtract, exp, reduce sum, log, subtract (7 each, four
  // of them, the model's order: no transposes).
  EXPECT_EQ(4u * 7, PlannedNodes("logsoftmax_model_order"));
  // Opset 11 Softmax over dims 1 and 2 of a [3, 4, 5] input: reduce max, subtract, exp,
  // reduce sum, divide.
  EXPECT_EQ(5u, PlannedNodes("softmax_opset11_large"));
}

// Einsum equations that are matrix products run as one batch matrix multiply or fully
// connected node, with a transpose only where an operand or the output is not in the
// product's order and a reshape copy only where a group of labels merges into one dim.
TEST(OnnxImport, EinsumIsOneMatrixProductPlusTheLayoutChangesItNeeds) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  EXPECT_EQ(1u, PlannedNodes("einsum_bmm"));                  // bij,bjk->bik
  EXPECT_EQ(1u, PlannedNodes("einsum_matmul"));               // ij,jk->ik
  EXPECT_EQ(1u, PlannedNodes("einsum_attention_context"));    // bhqk,bhkd->bhqd
  EXPECT_EQ(2u, PlannedNodes("einsum_attention_scores"));     // K transposed
  EXPECT_EQ(1u, PlannedNodes("einsum_fc_constant"));          // bid,jd->bij: the FC alone
  EXPECT_EQ(2u, PlannedNodes("einsum_fc_constant_left"));     // jd,bid->bji: FC, transpose
  EXPECT_EQ(2u, PlannedNodes("einsum_transposed_output"));    // ik,kj->ji: bmm, transpose
  EXPECT_EQ(3u, PlannedNodes("einsum_grouped_labels"));       // ijk,jkl->il: 2 reshapes, bmm
}

// QuantizeLinear / DequantizeLinear with hostile or unsupported operands and attributes
// (scripts/onnx-unit-models.py write_qdq_hostile): listed as unsupported with a reason (or
// refused by the loader), or the import fails with invalid_parameter; never a runtime,
// never a crash.
TEST(OnnxImport, HostileQuantizeDequantizeAreRefused) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  std::ifstream list(UnitDir() + "/qdq_hostile.txt");
  ASSERT_TRUE(list.good()) << "qdq_hostile.txt";
  std::string name, op, kind;
  size_t seen = 0;
  while (list >> name >> op >> kind) {
    seen++;
    pqnn_onnx_model_t model = nullptr;
    const std::string path = UnitDir() + "/" + name + ".onnx";
    const pqnn_status loaded = pqnn_onnx_load_file(path.c_str(), 0, &model);
    if (loaded != pqnn_status_success) {
      // Refused by the loader already (a tensor type it does not decode, a uint8 graph
      // output): unsupported_parameter, or invalid_parameter for an invalid model.
      EXPECT_EQ(nullptr, model) << name;
      EXPECT_EQ(kind == "invalid" ? pqnn_status_invalid_parameter : pqnn_status_unsupported_parameter,
          loaded) << name << ": load failed (" << pqnn_status_string(loaded) << ")";
      continue;
    }
    size_t count = 0;
    const pqnn_status listed = pqnn_onnx_get_unsupported_count(model, &count);
    if (kind == "unsupported") {
      ASSERT_EQ(pqnn_status_success, listed) << name;
      ASSERT_EQ(1u, count) << name;
      const char *op_type, *node_name, *reason;
      ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported(model, 0, &op_type, &node_name, &reason));
      EXPECT_EQ(op, op_type) << name;
      EXPECT_NE(std::string(), reason) << name;
    } else {
      EXPECT_NE(pqnn_status_success, listed) << name << ": listed " << count;
    }
    pqnn_onnx_runtime_t rt = nullptr;
    EXPECT_NE(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, 0, &rt)) << name;
    EXPECT_EQ(nullptr, rt) << name;
    pqnn_onnx_delete_model(model);
  }
  EXPECT_GE(seen, 15u);
}

// Runs unit model `file` (outside the manifest) in f32 on one input x into `outputs`.
void RunFixedInput(const std::string& file, const float* x, size_t num_outputs, float** outputs) {
  pqnn_onnx_model_t model = nullptr;
  pqnn_onnx_runtime_t rt = nullptr;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_load_file((UnitDir() + "/" + file).c_str(), 0, &model));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, 0, &rt));
  const float* in[1] = {x};
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_run(rt, 1, in, num_outputs, outputs));
  pqnn_onnx_delete_runtime(rt);
  pqnn_onnx_delete_model(model);
}

TEST(OnnxImport, ReduceLogSumExpOfInfinitiesAsOnnxRuntime) {
  // ONNX Runtime 1.30 (scripts/ort-reference.sh) on these rows gives inf, -inf,
  // log(e + e^2), inf: the clamp of the max keeps inf - inf (NaN) out of the chain.
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  const float inf = INFINITY;
  const float x[12] = {inf, 1, 2, -inf, -inf, -inf, -inf, 1, 2, 3, -inf, inf};
  float y[4] = {0, 0, 0, 0};
  float* out[1] = {y};
  ASSERT_NO_FATAL_FAILURE(RunFixedInput("reducelogsumexp_infinities.onnx", x, 1, out));
  EXPECT_EQ(y[0], inf);
  EXPECT_EQ(y[1], -inf);
  EXPECT_NEAR(y[2], 2.3132617f, 1e-6f);
  EXPECT_EQ(y[3], inf);
}

TEST(OnnxImport, FlattenedSoftmaxOfInfinitiesAsOnnxRuntime) {
  // ONNX Runtime 1.30 (scripts/ort-reference.sh) on opset 11 Softmax(axis 1) of [3, 2, 3]:
  // a row holding +inf, and a row of -inf only, are NaN (inf - inf); a row with one -inf
  // is finite, that element 0.
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  const float inf = INFINITY;
  const float x[18] = {1, 2, inf, 0, 0, 0, 1, 2, 3, -inf, 0, 1,
                       -inf, -inf, -inf, -inf, -inf, -inf};
  const float want[6] = {0.08015893f, 0.21789455f, 0.5922988f, 0, 0.02948882f, 0.08015893f};
  float y[18];
  float* out[1] = {y};
  ASSERT_NO_FATAL_FAILURE(RunFixedInput("softmax_opset11_infinities.onnx", x, 1, out));
  for (size_t i = 0; i < 6; i++) {
    EXPECT_TRUE(std::isnan(y[i])) << i;
    EXPECT_NEAR(y[6 + i], want[i], 1e-6f) << 6 + i;
    EXPECT_TRUE(std::isnan(y[12 + i])) << 12 + i;
  }
}

TEST(OnnxImport, UnaryChainsOfNanAndInfinitiesAsOnnxRuntime) {
  // ONNX Runtime 1.30 (scripts/ort-reference.sh) on x = {NaN, 1, -2, inf, -inf, 0.2, -0, 0}:
  // Sign keeps NaN and the zeros, ThresholdedRelu and Shrink give 0 for NaN (their
  // comparisons are false) and for -inf where it is rejected, Softsign, Sin and Cos give
  // NaN for NaN and +-inf (inf / inf; sin(inf)).
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  const float inf = INFINITY, nan = NAN;
  const float x[8] = {nan, 1, -2, inf, -inf, 0.2f, -0.0f, 0};
  const float want[7][8] = {
      {nan, 1, -1, 1, -1, 1, 0, 0},                        // Sign
      {0, 0, 0, inf, 0, 0, 0, 0},                          // ThresholdedRelu (alpha 1)
      {0, 1, -2, inf, -inf, 0, 0, 0},                      // Shrink (lambd 0.5)
      {0, 0.7f, -1.7f, inf, -inf, 0, 0, 0},                // Shrink (bias 0.3)
      {nan, 0.5f, -2.0f / 3, nan, nan, 0.2f / 1.2f, 0, 0},  // Softsign
      {nan, 0.84147096f, -0.9092974f, nan, nan, 0.19866933f, 0, 0},  // Sin
      {nan, 0.5403023f, -0.4161468f, nan, nan, 0.9800666f, 1, 1}};   // Cos
  float y[7][8];
  float* out[7];
  for (size_t k = 0; k < 7; k++) out[k] = y[k];
  ASSERT_NO_FATAL_FAILURE(RunFixedInput("math_chains_nan_inf.onnx", x, 7, out));
  for (size_t k = 0; k < 7; k++) {
    for (size_t i = 0; i < 8; i++) {
      if (std::isnan(want[k][i])) {
        EXPECT_TRUE(std::isnan(y[k][i])) << "output " << k << " element " << i;
      } else if (std::isinf(want[k][i])) {
        EXPECT_EQ(want[k][i], y[k][i]) << "output " << k << " element " << i;
      } else {
        EXPECT_NEAR(want[k][i], y[k][i], 1e-6f) << "output " << k << " element " << i;
      }
    }
  }
}

// Transpose nodes in the planned runtime of a unit model.
size_t PlannedTransposes(const std::string& name, size_t* boundary) {
  pqnn_onnx_model_t model = nullptr;
  pqnn_onnx_runtime_t rt = nullptr;
  pqnn_runtime_t prt = nullptr;
  size_t count = 0, transposes = 0;
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_load_file((UnitDir() + "/" + name + ".onnx").c_str(), 0, &model));
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, 0, &rt));
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_pqnn_runtime(rt, &prt));
  EXPECT_EQ(pqnn_status_success, pqnn_get_runtime_node_count(prt, &count));
  for (size_t i = 0; i < count; i++) {
    pqnn_runtime_node_info info;
    EXPECT_EQ(pqnn_status_success, pqnn_get_runtime_node_info(prt, i, &info));
    transposes += info.type == pqnn_node_type_static_transpose;
  }
  EXPECT_EQ(pqnn_status_success, pqnn_onnx_get_boundary_transpose_count(rt, boundary));
  pqnn_onnx_delete_runtime(rt);
  pqnn_onnx_delete_model(model);
  return transposes;
}

TEST(OnnxImport, LayoutChangesAreTransposeNodesOncePerTensor) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  size_t boundary = 0;
  // A CNN: one transpose per input and per output, none inside.
  EXPECT_EQ(2u, PlannedTransposes("mobilenet_v1_like", &boundary) + 1);  // output is [1,10]
  EXPECT_EQ(1u, boundary);
  // x feeds a conv (transposed in), z only the NHWC Concat (transposed where it is read),
  // and the output leaves in the model's order: three.
  EXPECT_EQ(3u, PlannedTransposes("concat_height_with_input", &boundary));
  EXPECT_EQ(2u, boundary);
  // The Transpose op itself composes with the layout: one node (besides the input's).
  EXPECT_EQ(2u, PlannedTransposes("transpose_after_conv", &boundary));
  EXPECT_EQ(1u, boundary);
  // Model-order data movement needs no layout change at all.
  EXPECT_EQ(0u, PlannedTransposes("concat_model_order", &boundary));
  EXPECT_EQ(0u, boundary);
  // DepthToSpace / SpaceToDepth: one 6-D transpose each, in the input's layout.
  EXPECT_EQ(3u, PlannedTransposes("depth_space_model_order", &boundary));
  EXPECT_EQ(0u, boundary);
  EXPECT_EQ(2u + 3, PlannedTransposes("depth_to_space_b2", &boundary));
  EXPECT_EQ(3u, boundary);
}

TEST(OnnxImport, FusesHardswishAndSwishPatterns) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  // Besides the counted nodes: one transpose node where the NCHW input enters and one where
  // each output leaves (the layout changes at the boundary).
  EXPECT_EQ(2u + 2, PlannedNodes("hardswish_clip_opset9"));  // conv, hardswish (Add Clip Mul Div)
  EXPECT_EQ(2u + 2, PlannedNodes("hardswish_clip_opset13"));
  // The same with the Clip bounds in Constant nodes after the Add (constants fold first),
  // also under dynamic quantization; not under f16 inference, where nodes lower in model
  // order: the Add (Clip fused), the Mul and the Div stay, plus the two inserted converts.
  EXPECT_EQ(2u + 2, PlannedNodes("hardswish_constant_nodes_after_add"));
  EXPECT_EQ(2u + 2, PlannedNodes("hardswish_constant_nodes_after_add",
                                 PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION));
  EXPECT_EQ(4u + 2 + 2, PlannedNodes("hardswish_constant_nodes_after_add", PQNN_FLAG_FORCE_FP16_INFERENCE));
  // Attribute / initializer bounds fuse under f16 too.
  EXPECT_EQ(2u + 2 + 2, PlannedNodes("hardswish_clip_opset13", PQNN_FLAG_FORCE_FP16_INFERENCE));
  EXPECT_EQ(2u + 2, PlannedNodes("hardswish_hardsigmoid"));  // conv, hardswish (HardSigmoid Mul)
  EXPECT_EQ(3u + 3, PlannedNodes("swish_and_sigmoid"));      // conv, swish, the lone sigmoid; 2 outputs
  EXPECT_EQ(5u + 2, PlannedNodes("se_gate_hardsigmoid"));    // conv, pool, conv, hardsigmoid, mul
}

// MatMulNBits: an act-order g_idx is listed unsupported with its reason; zero points pqnn's
// symmetric 4-bit weights cannot hold exactly are requantized at import (the model runs, and
// plans a qbint4 FC).
TEST(OnnxImport, MatMulNBitsGIdxAndRequantizedZeroPoints) {
  ASSERT_EQ(pqnn_status_success, pqnn_initialize());
  pqnn_onnx_model_t model = nullptr;
  ASSERT_EQ(pqnn_status_success,
            pqnn_onnx_load_file((UnitDir() + "/matmulnbits_g_idx.onnx").c_str(), 0, &model));
  size_t count = 0;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &count));
  ASSERT_EQ(1u, count);
  const char *op_type, *node_name, *reason;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported(model, 0, &op_type, &node_name, &reason));
  EXPECT_STREQ("MatMulNBits", op_type);
  EXPECT_NE(nullptr, std::strstr(reason, "g_idx")) << reason;
  pqnn_onnx_delete_model(model);

  ASSERT_EQ(pqnn_status_success,
            pqnn_onnx_load_file((UnitDir() + "/matmulnbits_any_zero_points.onnx").c_str(), 0, &model));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_unsupported_count(model, &count));
  ASSERT_EQ(0u, count);
  pqnn_onnx_runtime_t rt = nullptr;
  pqnn_runtime_t prt = nullptr;
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_create_runtime(model, nullptr, 0, &rt));
  ASSERT_EQ(pqnn_status_success, pqnn_onnx_get_pqnn_runtime(rt, &prt));
  ASSERT_EQ(pqnn_status_success, pqnn_get_runtime_node_count(prt, &count));
  bool qbint4 = false;
  for (size_t i = 0; i < count; i++) {
    pqnn_runtime_node_info info;
    ASSERT_EQ(pqnn_status_success, pqnn_get_runtime_node_info(prt, i, &info));
    qbint4 |= info.qd8_decision == pqnn_qd8_decision_qbint4;
  }
  EXPECT_TRUE(qbint4);
  pqnn_onnx_delete_runtime(rt);
  pqnn_onnx_delete_model(model);
}

}  // namespace

int RegisterCases() {
  for (const Case& c : ReadManifest()) {
    testing::RegisterTest("OnnxUnitModel", c.name.c_str(), nullptr, c.expect.c_str(), __FILE__,
        __LINE__, [c]() -> testing::Test* { return new OnnxCase(c); });
  }
  return 0;
}

static const int kRegistered = RegisterCases();
