// pqnn_initialize, pqnn_isa_name, pqnn_status_string and the PQNN_ISA cap.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <pqnn.h>

extern "C" {
#include "hardware.h"
}

TEST(Init, StatusStringsAreNeverNull) {
  for (int s = -2; s < 10; s++) {
    const char* text = pqnn_status_string(static_cast<enum pqnn_status>(s));
    ASSERT_NE(text, nullptr);
    EXPECT_GT(std::strlen(text), 0u);
  }
  EXPECT_STREQ(pqnn_status_string(pqnn_status_success), "success");
}

TEST(Init, InitializeIsIdempotentAndThreadSafe) {
  std::vector<int> results(8, -1);
#if defined(__wasm__)
  // WASM builds have no threads: the calls run one after another.
  for (int i = 0; i < 8; i++) results[i] = pqnn_initialize();
#else
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; i++) {
    threads.emplace_back([&results, i] { results[i] = pqnn_initialize(); });
  }
  for (auto& t : threads) t.join();
#endif
  for (int r : results) EXPECT_EQ(r, pqnn_status_success);
  EXPECT_EQ(pqnn_initialize(), pqnn_status_success);
  const std::string name = pqnn_isa_name();
  EXPECT_NE(name, "uninitialized");
  EXPECT_EQ(name, pqnn_isa_string(pqnn_hardware.tier));
}

TEST(Init, TierIsDetectedAndWithinCap) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  EXPECT_TRUE(pqnn_hardware.detected[pqnn_hardware.tier]);
  EXPECT_LE(pqnn_hardware.tier, pqnn_hardware.cap);
  EXPECT_TRUE(pqnn_isa_enabled(pqnn_isa_scalar));
  EXPECT_TRUE(pqnn_isa_enabled(pqnn_hardware.tier));
  const char* cap = std::getenv("PQNN_ISA");
  if (cap != nullptr && cap[0] != '\0') {
    // The selected tier never exceeds the cap.
    EXPECT_LE(static_cast<int>(pqnn_hardware.tier), static_cast<int>(pqnn_hardware.cap));
    EXPECT_STREQ(pqnn_isa_string(pqnn_hardware.cap), cap);
  }
}

TEST(Init, CapSelectsLowerTiers) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const struct pqnn_hardware saved = pqnn_hardware;
  ASSERT_EQ(setenv("PQNN_ISA", "scalar", 1), 0);
  ASSERT_TRUE(pqnn_detect_hardware());
  EXPECT_EQ(pqnn_hardware.tier, pqnn_isa_scalar);
#if defined(__x86_64__)
  ASSERT_EQ(setenv("PQNN_ISA", "sse2", 1), 0);
  ASSERT_TRUE(pqnn_detect_hardware());
  EXPECT_EQ(pqnn_hardware.tier, pqnn_isa_sse2);
  EXPECT_FALSE(pqnn_isa_enabled(pqnn_isa_avx2));
#elif defined(__wasm_simd128__)
  // SIMD128 is part of the module: the wasmsimd tier is always detected.
  ASSERT_EQ(setenv("PQNN_ISA", "wasmsimd", 1), 0);
  ASSERT_TRUE(pqnn_detect_hardware());
  EXPECT_EQ(pqnn_hardware.tier, pqnn_isa_wasmsimd);
  EXPECT_STREQ(pqnn_isa_string(pqnn_hardware.tier), "wasmsimd");
#endif
  ASSERT_EQ(setenv("PQNN_ISA", "no-such-tier", 1), 0);
  EXPECT_FALSE(pqnn_detect_hardware());
  unsetenv("PQNN_ISA");
  pqnn_hardware = saved;
}

TEST(Init, FallbackDetectionAgreesWithCpuinfo) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const struct pqnn_hardware saved = pqnn_hardware;
  if (!saved.from_cpuinfo) GTEST_SKIP() << "cpuinfo did not initialize; the fallback is the detection";
  ASSERT_EQ(setenv("PQNN_NO_CPUINFO", "1", 1), 0);
  ASSERT_TRUE(pqnn_detect_hardware());
  EXPECT_FALSE(pqnn_hardware.from_cpuinfo);
  for (int isa = 0; isa < pqnn_isa_count; isa++) {
    EXPECT_EQ(pqnn_hardware.detected[isa], saved.detected[isa]) << pqnn_isa_string((enum pqnn_isa) isa);
  }
  EXPECT_EQ(pqnn_hardware.tier, saved.tier);
  unsetenv("PQNN_NO_CPUINFO");
  pqnn_hardware = saved;
}
