// Replays every committed fuzz input through its decoder, without libFuzzer, in the normal
// test build (any compiler; under ASan/UBSan in scripts/test.sh --sanitize):
//   test/fuzz/corpus/<target>/*       seed corpus (scripts/gen-fuzz-corpus.py)
//   test/fuzz/regressions/<target>/*  inputs that once crashed a fuzzer or broke a check
// A decoder aborts on a broken check, which fails this test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz-targets.h"

namespace {

namespace fs = std::filesystem;

size_t replay(const std::string& target, void (*decoder)(const uint8_t*, size_t)) {
  size_t files = 0;
  for (const char* kind : {"corpus", "regressions"}) {
    const fs::path dir = fs::path(PQNN_FUZZ_DIR) / kind / target;
    if (!fs::is_directory(dir)) continue;
    std::vector<fs::path> paths;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file()) paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());
    for (const fs::path& path : paths) {
      std::ifstream file(path, std::ios::binary);
      const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)),
          std::istreambuf_iterator<char>());
      SCOPED_TRACE(path.string());
      // PQNN_FUZZ_VERBOSE=1 (with PQNN_LOG_LEVEL=1): which input each message comes from.
      if (std::getenv("PQNN_FUZZ_VERBOSE") != nullptr) {
        std::fprintf(stderr, "-- %s\n", path.string().c_str());
      }
      decoder(bytes.data(), bytes.size());
      files++;
    }
  }
  return files;
}

TEST(FuzzReplay, FullyConnected) {
  EXPECT_GE(replay("fully-connected", pqnn_fuzz::fully_connected), 20u);
}

TEST(FuzzReplay, Convolution) {
  EXPECT_GE(replay("convolution", pqnn_fuzz::convolution), 20u);
}

TEST(FuzzReplay, Convert) {
  EXPECT_GE(replay("convert", pqnn_fuzz::convert), 10u);
}

TEST(FuzzReplay, Runtime) {
  EXPECT_GE(replay("runtime", pqnn_fuzz::runtime), 20u);
}

TEST(FuzzReplay, QuantizeWeights) {
  EXPECT_GE(replay("quantize-weights", pqnn_fuzz::quantize_weights), 10u);
}

}  // namespace
