// aarch64 feature detection: cpuinfo and the auxiliary-vector fallback (PQNN_NO_CPUINFO=1)
// must report the same Arm tiers, and, where the test runner knows the CPU (qemu-aarch64
// with a named -cpu; see test/CMakeLists.txt), exactly the tiers that CPU has:
// PQNN_EXPECT_ARM_TIERS is a comma-separated list of the tiers that must be detected, every
// other Arm tier must not be. Built and registered on aarch64 only.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <sstream>
#include <string>

#include <pqnn.h>

extern "C" {
#include "hardware.h"
}

namespace {

const enum pqnn_isa kArmTiers[] = {pqnn_isa_neon, pqnn_isa_neonfp16arith, pqnn_isa_neondot};

// Detects with (use_cpuinfo) or without cpuinfo and returns the copy, restoring the
// environment; the library's own state is restored by the caller.
struct pqnn_hardware detect(bool use_cpuinfo) {
  if (use_cpuinfo) {
    unsetenv("PQNN_NO_CPUINFO");
  } else {
    setenv("PQNN_NO_CPUINFO", "1", 1);
  }
  EXPECT_TRUE(pqnn_detect_hardware());
  struct pqnn_hardware result = pqnn_hardware;
  unsetenv("PQNN_NO_CPUINFO");
  return result;
}

std::set<std::string> expected_tiers() {
  std::set<std::string> tiers;
  std::stringstream list(std::getenv("PQNN_EXPECT_ARM_TIERS"));
  for (std::string tier; std::getline(list, tier, ',');) tiers.insert(tier);
  return tiers;
}

class ArmDetection : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
    saved_ = pqnn_hardware;
  }
  void TearDown() override { pqnn_hardware = saved_; }
  struct pqnn_hardware saved_;
};

TEST_F(ArmDetection, AuxvFallbackAgreesWithCpuinfo) {
  const struct pqnn_hardware fallback = detect(false);
  EXPECT_FALSE(fallback.from_cpuinfo);
  EXPECT_TRUE(fallback.detected[pqnn_isa_neon]);
  const struct pqnn_hardware with_cpuinfo = detect(true);
  if (!with_cpuinfo.from_cpuinfo) {
    GTEST_SKIP() << "cpuinfo did not initialize; the auxv fallback is the detection";
  }
  for (enum pqnn_isa isa : kArmTiers) {
    EXPECT_EQ(fallback.detected[isa], with_cpuinfo.detected[isa]) << pqnn_isa_string(isa);
  }
  EXPECT_EQ(fallback.tier, with_cpuinfo.tier);
}

TEST_F(ArmDetection, ReportsTheEmulatedCpusTiers) {
  if (std::getenv("PQNN_EXPECT_ARM_TIERS") == nullptr) {
    GTEST_SKIP() << "not run under an emulator with a known -cpu (PQNN_EXPECT_ARM_TIERS unset)";
  }
  const std::set<std::string> expected = expected_tiers();
  for (bool use_cpuinfo : {true, false}) {
    const struct pqnn_hardware hw = detect(use_cpuinfo);
    for (enum pqnn_isa isa : kArmTiers) {
      EXPECT_EQ(hw.detected[isa], expected.count(pqnn_isa_string(isa)) != 0)
          << pqnn_isa_string(isa) << (use_cpuinfo ? " (cpuinfo)" : " (auxv)");
    }
  }
}

TEST_F(ArmDetection, IsaNameIsAnArmTier) {
  const std::string name = pqnn_isa_name();
  EXPECT_TRUE(name == "scalar" || name == "neon" || name == "neonfp16arith" || name == "neondot")
      << name;
}

}  // namespace
