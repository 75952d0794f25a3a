// See onnx-import-fuzz.h.
#include "onnx-import-fuzz.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "pqnn-onnx.h"

namespace pqnn_onnx_fuzz {
namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "onnx-import-fuzz: broken promise: %s\n", what);
    std::abort();
  }
}

bool valid_status(pqnn_status s) {
  return s >= pqnn_status_success && s <= pqnn_status_out_of_memory;
}

// Inputs and outputs of at most this many elements each are run.
constexpr int64_t kMaxElements = 4096;

bool small(const pqnn_onnx_tensor_info& info, size_t* elements) {
  int64_t n = 1;
  for (size_t d = 0; d < info.num_dims; d++) {
    if (info.dims[d] < 1 || info.dims[d] > kMaxElements) return false;
    n *= info.dims[d];
    if (n > kMaxElements) return false;
  }
  *elements = static_cast<size_t>(n);
  return true;
}

void run(pqnn_onnx_model_t model, uint32_t flags, size_t ni, size_t no) {
  pqnn_onnx_runtime_t rt = nullptr;
  const pqnn_status s = pqnn_onnx_create_runtime(model, nullptr, flags, &rt);
  check(valid_status(s), "create_runtime status");
  check((s == pqnn_status_success) == (rt != nullptr), "runtime only on success");
  if (rt == nullptr) return;
  // Float inputs hold 0.5; integer ones (token ids) -3 .. 3, so that a Gather meets negative,
  // valid and (for small tables) out-of-range ids.
  std::vector<std::vector<int64_t>> in(ni);
  // Outputs: room for int64 elements (ArgMax indices); float views for the float calls.
  std::vector<std::vector<int64_t>> out(no);
  std::vector<const void*> in_ptr;
  std::vector<float*> out_ptr;
  std::vector<void*> typed_ptr;
  bool ok = true, typed = false, typed_outputs = false;
  for (size_t k = 0; k < ni; k++) {
    pqnn_onnx_tensor_info info;
    check(pqnn_onnx_get_runtime_input(rt, k, &info) == pqnn_status_success, "runtime input");
    size_t n = 0;
    ok &= small(info, &n);
    in[k].assign(n == 0 ? 1 : n, 0);
    for (size_t i = 0; i < in[k].size(); i++) {
      if (info.elem_type == PQNN_ONNX_INT64) {
        in[k][i] = int64_t(i % 7) - 3;
      } else if (info.elem_type == PQNN_ONNX_INT32) {
        const int32_t v[2] = {int32_t(2 * i % 7) - 3, int32_t((2 * i + 1) % 7) - 3};
        std::memcpy(&in[k][i], v, sizeof(v));
      } else {
        const float v[2] = {0.5f, 0.5f};
        std::memcpy(&in[k][i], v, sizeof(v));
      }
    }
    typed |= info.elem_type != PQNN_ONNX_FLOAT;
    in_ptr.push_back(in[k].data());
  }
  for (size_t k = 0; k < no; k++) {
    pqnn_onnx_tensor_info info;
    check(pqnn_onnx_get_runtime_output(rt, k, &info) == pqnn_status_success, "runtime output");
    size_t n = 0;
    ok &= small(info, &n);
    out[k].assign(n == 0 ? 1 : n, 0);
    out_ptr.push_back(reinterpret_cast<float*>(out[k].data()));
    typed_ptr.push_back(out[k].data());
    typed_outputs |= info.elem_type != PQNN_ONNX_FLOAT;
  }
  if (ok && (typed || typed_outputs)) {
    check(pqnn_onnx_run(rt, ni, reinterpret_cast<const float* const*>(in_ptr.data()), no,
        out_ptr.data()) == pqnn_status_invalid_parameter, "run refuses integer inputs / outputs");
  }
  if (ok && typed_outputs) {
    check(pqnn_onnx_run_typed(rt, ni, in_ptr.data(), no, out_ptr.data()) ==
        pqnn_status_invalid_parameter, "run_typed refuses integer / bool outputs");
  }
  if (ok) {
    check(valid_status(typed_outputs
                           ? pqnn_onnx_run_typed_outputs(rt, ni, in_ptr.data(), no, typed_ptr.data())
                           : pqnn_onnx_run_typed(rt, ni, in_ptr.data(), no, out_ptr.data())),
        "run status");
  }
  check(pqnn_onnx_delete_runtime(rt) == pqnn_status_success, "delete runtime");
}

}  // namespace

void import_model(const uint8_t* data, size_t size) {
  static const bool initialized = pqnn_initialize() == pqnn_status_success;
  pqnn_onnx_model_t model = nullptr;
  const pqnn_status s = pqnn_onnx_load_buffer(data, size, 0, &model);
  check(valid_status(s), "load status");
  check((s == pqnn_status_success) == (model != nullptr), "model only on success");
  if (model == nullptr) return;
  size_t ni = 0, no = 0, nu = 0;
  check(pqnn_onnx_get_input_count(model, &ni) == pqnn_status_success, "input count");
  check(pqnn_onnx_get_output_count(model, &no) == pqnn_status_success, "output count");
  bool inputs_small = true;
  for (size_t k = 0; k < ni; k++) {
    pqnn_onnx_tensor_info info;
    check(pqnn_onnx_get_input(model, k, &info) == pqnn_status_success, "input info");
    check(info.name != nullptr && info.num_dims <= PQNN_ONNX_MAX_DIMS, "input info contents");
    // Dynamic dims get 2; then the whole input must be small.
    int64_t dims[PQNN_ONNX_MAX_DIMS];
    for (size_t d = 0; d < info.num_dims; d++) dims[d] = info.dims[d] < 0 ? 2 : info.dims[d];
    check(valid_status(pqnn_onnx_set_input_shape(model, info.name, info.num_dims, dims)),
          "set shape status");
    pqnn_onnx_tensor_info set;
    pqnn_onnx_get_input(model, k, &set);
    size_t n;
    inputs_small &= small(set, &n);
  }
  const pqnn_status ls = pqnn_onnx_get_unsupported_count(model, &nu);
  check(valid_status(ls), "listing status");
  if (ls == pqnn_status_success) {
    for (size_t k = 0; k < nu; k++) {
      const char *op, *name, *reason;
      check(pqnn_onnx_get_unsupported(model, k, &op, &name, &reason) == pqnn_status_success &&
                op != nullptr && name != nullptr && reason != nullptr,
            "unsupported entry");
    }
    for (size_t k = 0; k < no; k++) {
      pqnn_onnx_tensor_info info;
      check(pqnn_onnx_get_output(model, k, &info) == pqnn_status_success, "output info");
    }
  }
  if (initialized && ls == pqnn_status_success && nu == 0 && inputs_small) {
    run(model, 0, ni, no);
    run(model, PQNN_FLAG_FORCE_FP16_INFERENCE | PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION, ni, no);
  }
  check(pqnn_onnx_delete_model(model) == pqnn_status_success, "delete model");
}

}  // namespace pqnn_onnx_fuzz
