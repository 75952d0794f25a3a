// The lifecycle steps shared by the operator decoders (see operator-steps.h).
#include "decoders/operator-steps.h"

#include <cmath>
#include <cstring>
#include <memory>

#include <fp16.h>

namespace pqnn_fuzz {

bool Layout::fits() const {
  return in_bytes() <= kMaxBufferBytes && out_bytes() <= kMaxBufferBytes &&
         mul_sat(params, sizeof(pqnn_quantization_params)) <= kMaxBufferBytes &&
         work <= kMaxWork;
}

namespace {

// What the library's state must be, as far as the calls so far tell.
enum class Model { kCreated, kReshaped, kReady, kUnknown };

std::unique_ptr<Bound> make_bound(const Layout& layout, OperatorDriver& driver) {
  auto bound = std::make_unique<Bound>();
  bound->layout = layout;
  bound->input = Block::make(layout.in_bytes());
  bound->output = Block::make(layout.out_bytes());
  bound->params = Block::make(layout.params * sizeof(pqnn_quantization_params));
  driver.fill(*bound);
  const uint8_t* in = static_cast<const uint8_t*>(bound->input.data());
  bound->input_copy.assign(in, in + bound->input.bytes);
  return bound;
}

// The bytes of every output row between its channels and its stride are never written,
// and the input is never written.
void check_untouched(const Bound& b) {
  const Layout& l = b.layout;
  PQNN_FUZZ_CHECK(b.input.bytes == 0 ||
      std::memcmp(b.input.data(), b.input_copy.data(), b.input.bytes) == 0,
      "the input was modified");
  const uint8_t* out = static_cast<const uint8_t*>(b.output.data());
  const size_t row_bytes = l.out_stride * l.out_elem;
  const size_t used = l.out_channels * l.out_elem;
  for (size_t r = 0; r + 1 < l.out_rows; r++) {
    for (size_t i = used; i < row_bytes; i++) {
      PQNN_FUZZ_CHECK(out[r * row_bytes + i] == kPoison,
          "output row %zu byte %zu (channels end at byte %zu) was written", r, i, used);
    }
  }
}

void step_reshape(FuzzInput& in, pqnn_operator_t op, OperatorDriver& driver, Model* model,
    Layout* reshaped, bool* has_layout) {
  bool oversized = false;
  const Layout layout = driver.decode_reshape(in, &oversized);
  pthreadpool_t pool = pick_threadpool(in.byte());
  pqnn_status status;
  {
    AllocationGuard guard(oversized);
    status = driver.reshape(op, pool);
  }
  PQNN_FUZZ_CHECK(valid_status(status), "reshape returned %d", int(status));
  if (status == pqnn_status_success) {
    *model = Model::kReshaped;
    *reshaped = layout;
    *has_layout = true;
  } else if (status == pqnn_status_out_of_memory) {
    *model = Model::kCreated;
    *has_layout = false;
  } else if (*model != Model::kCreated) {
    // A rejected reshape leaves the operator as it was, or not runnable; either is fine.
    *model = Model::kUnknown;
  }
}

void step_setup(FuzzInput& in, pqnn_operator_t op, OperatorDriver& driver, Model* model,
    const Layout& reshaped, bool has_layout, std::unique_ptr<Bound>* bound) {
  const uint8_t nulls = in.byte();
  if (*model == Model::kCreated || !has_layout) {
    Block dummy = Block::make(0);
    const pqnn_status status = driver.setup(op, dummy.data(), dummy.data(), dummy.data());
    PQNN_FUZZ_CHECK(valid_status(status), "setup returned %d", int(status));
    if (*model == Model::kCreated) {
      PQNN_FUZZ_CHECK(status == pqnn_status_invalid_state,
          "setup before reshape returned %d", int(status));
    }
    return;
  }
  if (!reshaped.fits()) return;
  std::unique_ptr<Bound> next = make_bound(reshaped, driver);
  const bool batch = reshaped.in_rows != 0;
  const bool null_input = (nulls & 1) != 0 && batch;
  const bool null_output = (nulls & 2) != 0 && batch;
  const bool null_params = (nulls & 4) != 0 && batch && reshaped.params != 0;
  const pqnn_status status = driver.setup(op, null_input ? nullptr : next->input.data(),
      null_output ? nullptr : next->output.data(), null_params ? nullptr : next->params.data());
  PQNN_FUZZ_CHECK(valid_status(status), "setup returned %d", int(status));
  if (null_input || null_output || null_params) {
    PQNN_FUZZ_CHECK(status != pqnn_status_success, "setup accepted a NULL buffer");
    // pqnn.h: a failed setup leaves the operator needing a setup (no run on old pointers).
    if (*model == Model::kReady) *model = Model::kReshaped;
    return;
  }
  if (*model != Model::kUnknown) {
    PQNN_FUZZ_CHECK(status == pqnn_status_success, "setup after reshape returned %d",
        int(status));
  }
  if (status == pqnn_status_success) {
    *model = Model::kReady;
    *bound = std::move(next);
  }
}

// qd8 consumers reject zero points outside int8 at run.
bool params_rejected(const Bound& b) {
  if (b.layout.params_out || b.layout.in_rows == 0) return false;
  const auto* q = static_cast<const pqnn_quantization_params*>(b.params.data());
  for (size_t i = 0; i < b.layout.params; i++) {
    if (q[i].zero_point < -128 || q[i].zero_point > 127) return true;
  }
  return false;
}

void step_run(FuzzInput& in, pqnn_operator_t op, OperatorDriver& driver, Model model,
    const Bound* bound) {
  pthreadpool_t pool = pick_threadpool(in.byte());
  const pqnn_status status = pqnn_run_operator(op, pool);
  PQNN_FUZZ_CHECK(valid_status(status), "run returned %d", int(status));
  if (bound != nullptr && model == Model::kReady && params_rejected(*bound)) {
    PQNN_FUZZ_CHECK(status == pqnn_status_invalid_parameter,
        "run with a zero point outside int8 returned %d", int(status));
    return;
  }
  switch (model) {
    case Model::kCreated:
    case Model::kReshaped:
      PQNN_FUZZ_CHECK(status == pqnn_status_invalid_state,
          "run without setup returned %d", int(status));
      return;
    case Model::kReady:
      PQNN_FUZZ_CHECK(status == pqnn_status_success, "run after setup returned %d", int(status));
      break;
    case Model::kUnknown:
      break;
  }
  if (status == pqnn_status_success && bound != nullptr) {
    check_untouched(*bound);
    driver.check(*bound);
  }
}

}  // namespace

pqnn_operator_t checked_create(bool oversized,
    const std::function<pqnn_status(pqnn_operator_t*)>& create) {
  const pqnn_operator_t untouched = reinterpret_cast<pqnn_operator_t>(uintptr_t(0x1234));
  pqnn_operator_t op = untouched;
  pqnn_status status;
  {
    AllocationGuard guard(oversized);
    status = create(&op);
  }
  PQNN_FUZZ_CHECK(valid_status(status), "create returned %d", int(status));
  if (status != pqnn_status_success) {
    PQNN_FUZZ_CHECK(op == untouched, "a failed create wrote op_out");
    return nullptr;
  }
  PQNN_FUZZ_CHECK(!oversized, "create succeeded with every allocation failing");
  return op;
}

void run_operator_steps(FuzzInput& in, pqnn_operator_t op, OperatorDriver& driver) {
  Model model = Model::kCreated;
  Layout reshaped;
  bool has_layout = false;
  // Buffers stay alive until a later setup replaces them: after a rejected reshape the
  // operator may still point at them.
  std::unique_ptr<Bound> bound;
  for (int step = 0; step < 16 && !in.empty(); step++) {
    switch (in.byte() % 4) {
      case 0:
        step_reshape(in, op, driver, &model, &reshaped, &has_layout);
        break;
      case 1:
        step_setup(in, op, driver, &model, reshaped, has_layout, &bound);
        break;
      case 2:
        step_run(in, op, driver, model, bound.get());
        break;
      default:
        step_reshape(in, op, driver, &model, &reshaped, &has_layout);
        if (model == Model::kReshaped) {
          step_setup(in, op, driver, &model, reshaped, has_layout, &bound);
          if (model == Model::kReady) step_run(in, op, driver, model, bound.get());
        }
        break;
    }
  }
  PQNN_FUZZ_CHECK(pqnn_delete_operator(op) == pqnn_status_success, "delete failed");
}

float output_f32(const Bound& bound, size_t row, size_t channel) {
  const Layout& l = bound.layout;
  const uint8_t* p = static_cast<const uint8_t*>(bound.output.data()) +
      (row * l.out_stride + channel) * l.out_elem;
  switch (l.out_elem) {
    case 4: {
      float f;
      std::memcpy(&f, p, sizeof(f));
      return f;
    }
    case 2: {
      uint16_t h;
      std::memcpy(&h, p, sizeof(h));
      return fp16_ieee_to_fp32_value(h);
    }
    default:
      return float(static_cast<int8_t>(*p));
  }
}

void check_in_range(float v, float lo, float hi, bool nan_ok, const char* what, size_t row,
    size_t channel) {
  if (std::isnan(v)) {
    PQNN_FUZZ_CHECK(nan_ok, "%s output [%zu][%zu] is NaN", what, row, channel);
    return;
  }
  PQNN_FUZZ_CHECK(v >= lo && v <= hi, "%s output [%zu][%zu] = %g outside [%g, %g]", what, row,
      channel, double(v), double(lo), double(hi));
}

}  // namespace pqnn_fuzz
