// Shared helpers for the test suites: seeded random data, shape counts, exact-size
// buffers and the ISA gate for kernel testers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <vector>

extern "C" {
#include "hardware.h"
}

namespace pqnn_test {

// One generator per test binary, seeded from PQNN_TEST_SEED (default 1) so failures
// reproduce.
std::mt19937& rng();

// Number of random shapes an operator test runs: PQNN_TEST_SHAPES (env or build
// definition) overrides the test's default.
size_t shape_count(size_t default_count);

// Initializes pqnn and says whether kernels of `isa` may run here (CPU and PQNN_ISA).
bool isa_enabled(enum pqnn_isa isa);

// False when PQNN_ISA names a tier this CPU lacks: an operator suite run for that tier
// would only repeat a lower tier's run, so it skips (the emulated build covers it).
bool requested_tier_available();

// A heap buffer of exactly `count` elements (no slack), so AddressSanitizer catches any
// access past the end; filled with a poison value by default.
template <typename T>
class ExactBuffer {
 public:
  explicit ExactBuffer(size_t count) : count_(count), data_(new T[count == 0 ? 1 : count]) {}
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  size_t size() const { return count_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T* begin() { return data_.get(); }
  T* end() { return data_.get() + count_; }

 private:
  size_t count_;
  std::unique_ptr<T[]> data_;
};

inline size_t span(size_t rows, size_t cols, size_t stride) {
  return rows == 0 ? 0 : (rows - 1) * stride + cols;
}

}  // namespace pqnn_test
