// The lifecycle part shared by the operator decoders: after create, the input is read as a
// sequence of steps (reshape, setup, run, reshape + setup + run) that may come in any
// order, so that out-of-order calls, repeated reshapes (growing and shrinking the
// indirection buffers) and runs on and off a thread pool are all exercised. A model of
// the operator state says which status each call must return.
//
// Setup binds exact-size buffers for the layout of the last successful reshape (only when
// that layout fits the caps of fuzz-input.h); after each successful run the engine checks
// that the input is unchanged, that no byte between a row's channels and its stride was
// written, and whatever the driver checks on the values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "decoders/fuzz-input.h"

namespace pqnn_fuzz {

// Buffer geometry of one reshape (element counts; *_elem in bytes).
struct Layout {
  size_t in_rows = 0, in_channels = 0, in_stride = 0, in_elem = 1;
  size_t out_rows = 0, out_channels = 0, out_stride = 0, out_elem = 1;
  size_t params = 0;         // quantization params entries (qd8 consumers and producers)
  bool params_out = false;   // the operator writes them (convert to qd8)
  uint64_t work = 0;         // multiply-accumulates or elements of one run (saturating)
  size_t in_bytes() const { return mul_sat(span_sat(in_rows, in_channels, in_stride), in_elem); }
  size_t out_bytes() const { return mul_sat(span_sat(out_rows, out_channels, out_stride), out_elem); }
  bool fits() const;
};

// Buffers bound at a setup.
struct Bound {
  Layout layout;
  Block input, output, params;
  std::vector<uint8_t> input_copy;
};

class OperatorDriver {
 public:
  virtual ~OperatorDriver() = default;
  // Reads the reshape arguments and returns the layout they imply (saturating sizes).
  // *oversized: the reshape may allocate more than the caps allow (AllocationGuard).
  virtual Layout decode_reshape(FuzzInput& in, bool* oversized) = 0;
  // Calls the reshape function with the arguments decoded last.
  virtual pqnn_status reshape(pqnn_operator_t op, pthreadpool_t threadpool) = 0;
  virtual pqnn_status setup(pqnn_operator_t op, const void* input, void* output,
      void* params) = 0;
  // Input contents (and consumer params) for a setup.
  virtual void fill(Bound& bound) = 0;
  // Checks the outputs of a successful run.
  virtual void check(const Bound& bound) = 0;
};

// Calls `create` (with every allocation failing when `oversized`: the case's buffers were
// not provided in full, so create must fail before touching them) and checks its status:
// a valid enum value, op_out untouched on failure, no success when oversized. Returns the
// operator, or nullptr when create failed.
pqnn_operator_t checked_create(bool oversized,
    const std::function<pqnn_status(pqnn_operator_t*)>& create);

// Runs the steps the rest of the input describes, then deletes `op`.
void run_operator_steps(FuzzInput& in, pqnn_operator_t op, OperatorDriver& driver);

// Helpers for drivers: the f16 / f32 value of output element (row, channel).
float output_f32(const Bound& bound, size_t row, size_t channel);
// Checks `v` lies in [lo, hi] (or is NaN when `nan_ok`).
void check_in_range(float v, float lo, float hi, bool nan_ok, const char* what, size_t row,
    size_t channel);

}  // namespace pqnn_fuzz
