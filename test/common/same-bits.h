// Bit-for-bit equality of two f32 results, the tests' check that a fused or reordered path
// gives the plain path's bits. On WebAssembly a NaN matches any NaN: WASM leaves NaN
// payloads and signs unspecified (V8's baseline and optimizing compilers differ, so the same
// graph can return a different NaN after tier-up, docs/wasm.md); every other element, and
// every element on the other targets, compares bit for bit.
#pragma once

#include <cmath>
#include <cstring>
#include <vector>

namespace pqnn_test {

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
#if defined(__wasm__)
  for (size_t i = 0; i < a.size(); i++) {
    if (std::isnan(a[i]) && std::isnan(b[i])) continue;
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0) return false;
  }
  return true;
#else
  return a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
#endif
}

}  // namespace pqnn_test
