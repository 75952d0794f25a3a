// Runs the importer's fuzz decoder over its seed corpus (the unit models, truncated and
// bit-flipped copies; directory in PQNN_ONNX_UNIT_DIR/corpus) and over any files in
// PQNN_ONNX_FUZZ_EXTRA (e.g. crashers a fuzzing run found). Any broken promise aborts.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "onnx-import-fuzz.h"

namespace {

size_t ReplayDir(const std::string& dir) {
  size_t n = 0;
  if (dir.empty() || !std::filesystem::is_directory(dir)) return 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream f(entry.path(), std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(entry.path().string());
    pqnn_onnx_fuzz::import_model(bytes.data(), bytes.size());
    n++;
  }
  return n;
}

TEST(OnnxFuzzReplay, SeedCorpus) {
  const char* dir = std::getenv("PQNN_ONNX_UNIT_DIR");
  ASSERT_NE(nullptr, dir);
  EXPECT_GE(ReplayDir(std::string(dir) + "/corpus"), 40u);
  const char* extra = std::getenv("PQNN_ONNX_FUZZ_EXTRA");
  if (extra != nullptr) ReplayDir(extra);
}

}  // namespace
