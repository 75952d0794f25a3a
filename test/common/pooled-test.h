// The fixture of the operator tests: pqnn initialized, the test skipped when PQNN_ISA asks
// for a tier this CPU lacks, and a pool of kThreads threads (NULL in builds without
// pthreadpool: test-pool.h) in pool_, destroyed after the test.
#pragma once

#include <cstddef>
#include <cstdlib>

#include <gtest/gtest.h>
#include <pqnn.h>

#include "test-pool.h"
#include "test-utils.h"

namespace pqnn_test {

template <size_t kThreads = 2>
class PooledTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
    if (!requested_tier_available()) {
      GTEST_SKIP() << "this CPU lacks the ISA tier PQNN_ISA=" << std::getenv("PQNN_ISA");
    }
    pool_ = create_pool(kThreads);
  }
  void TearDown() override {
    if (pool_ != nullptr) destroy_pool(pool_);
  }
  pthreadpool_t pool_ = nullptr;
};

}  // namespace pqnn_test
