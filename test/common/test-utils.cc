#include "common/test-utils.h"

#include <pqnn.h>

namespace pqnn_test {

std::mt19937& rng() {
  static std::mt19937 generator([] {
    const char* seed = std::getenv("PQNN_TEST_SEED");
    return seed != nullptr ? static_cast<unsigned>(std::strtoul(seed, nullptr, 10)) : 1u;
  }());
  return generator;
}

size_t shape_count(size_t default_count) {
  if (const char* env = std::getenv("PQNN_TEST_SHAPES")) {
    const long n = std::strtol(env, nullptr, 10);
    if (n > 0) return static_cast<size_t>(n);
  }
#ifdef PQNN_TEST_SHAPES
  return PQNN_TEST_SHAPES;
#else
  return default_count;
#endif
}

bool requested_tier_available() {
  if (pqnn_initialize() != pqnn_status_success) return false;
  const char* cap = std::getenv("PQNN_ISA");
  if (cap == nullptr || cap[0] == '\0') return true;
  return pqnn_hardware.detected[pqnn_hardware.cap];
}

bool isa_enabled(enum pqnn_isa isa) {
  if (pqnn_initialize() != pqnn_status_success) return false;
  return pqnn_isa_enabled(isa);
}

}  // namespace pqnn_test
