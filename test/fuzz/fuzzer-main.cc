// libFuzzer entry point of one fuzz target: PQNN_FUZZ_ENTRY names its decoder
// (test/fuzz/fuzz-targets.h), chosen per executable by test/fuzz/CMakeLists.txt.
#include <cstddef>
#include <cstdint>

#include "fuzz-targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pqnn_fuzz::PQNN_FUZZ_ENTRY(data, size);
  return 0;
}
