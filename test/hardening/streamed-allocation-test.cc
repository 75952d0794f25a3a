// pqnn_allocate_streamed / pqnn_release_streamed (src/allocator.c): buffers of
// PQNN_SLAB_MIN bytes or more are carved out of shared 2 MiB-page slabs on Linux. Every
// buffer must be 64-byte aligned (2 MiB aligned from 2 MiB up, on Linux), disjoint from
// every other live buffer, counted like any allocation, released in any order without a
// leak, and subject to the failure-injection hook.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
#include "allocator.h"
}

namespace {

struct Buffer {
  uint8_t* ptr;
  size_t size;
  uint8_t fill;
};

// Sizes around the slab threshold, slab-filling and slab-spanning sizes, odd sizes.
const std::vector<size_t> kSizes = {
    PQNN_SLAB_MIN,     PQNN_SLAB_MIN - 1,         (700u << 10) + 3,  (1u << 20) + 4096,
    2u << 20,          (4u << 20) + 4096,         300u << 10,        600u << 10,
    (1u << 20) - 64,   (3u << 20) + 5,            PQNN_SLAB_MIN + 1, 64,
};

std::vector<Buffer> allocate_all() {
  std::vector<Buffer> buffers;
  for (size_t i = 0; i < kSizes.size(); i++) {
    uint8_t* p = static_cast<uint8_t*>(pqnn_allocate_streamed(kSizes[i]));
    EXPECT_NE(p, nullptr) << "size " << kSizes[i];
    if (p == nullptr) continue;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << "size " << kSizes[i];
#if defined(__linux__)
    if (kSizes[i] >= (2u << 20)) {
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % (2u << 20), 0u) << "size " << kSizes[i];
    }
#endif
    const uint8_t fill = static_cast<uint8_t>(0x11 * (i + 1));
    std::memset(p, fill, kSizes[i]);
    buffers.push_back({p, kSizes[i], fill});
  }
  return buffers;
}

void expect_intact(const std::vector<Buffer>& buffers) {
  for (const Buffer& b : buffers) {
    size_t bad = 0;
    for (size_t j = 0; j < b.size; j++) bad += b.ptr[j] != b.fill;
    EXPECT_EQ(bad, 0u) << "buffer of " << b.size << " bytes overwritten";
  }
}

TEST(StreamedAllocation, DisjointAlignedCountedAndReleasedInAnyOrder) {
  const long live0 = pqnn_testing_live_allocations();
  const unsigned long count0 = pqnn_testing_allocation_count();
  std::vector<Buffer> buffers = allocate_all();
  ASSERT_EQ(buffers.size(), kSizes.size());
  EXPECT_EQ(pqnn_testing_allocation_count() - count0, kSizes.size());
  EXPECT_EQ(pqnn_testing_live_allocations() - live0, long(kSizes.size()));
  expect_intact(buffers);
  // Release every other buffer, allocate again into the holes' slabs, check, release all.
  std::vector<Buffer> kept;
  for (size_t i = 0; i < buffers.size(); i++) {
    if (i % 2 == 0) {
      pqnn_release_streamed(buffers[i].ptr);
    } else {
      kept.push_back(buffers[i]);
    }
  }
  std::vector<Buffer> again = allocate_all();
  expect_intact(kept);
  expect_intact(again);
  for (size_t i = again.size(); i-- > 0;) pqnn_release_streamed(again[i].ptr);
  for (const Buffer& b : kept) pqnn_release_streamed(b.ptr);
  EXPECT_EQ(pqnn_testing_live_allocations(), live0);
}

TEST(StreamedAllocation, NullAndPlainPointers) {
  const long live0 = pqnn_testing_live_allocations();
  pqnn_release_streamed(nullptr);
  void* plain = pqnn_allocate(1000);
  ASSERT_NE(plain, nullptr);
  pqnn_release_streamed(plain);
  EXPECT_EQ(pqnn_testing_live_allocations(), live0);
}

TEST(StreamedAllocation, InjectedFailure) {
  const long live0 = pqnn_testing_live_allocations();
  for (size_t size : {size_t(100), PQNN_SLAB_MIN, size_t(3) << 20}) {
    pqnn_testing_fail_allocation_after(0);
    EXPECT_EQ(pqnn_allocate_streamed(size), nullptr) << "size " << size;
    EXPECT_EQ(pqnn_testing_live_allocations(), live0);
    void* p = pqnn_allocate_streamed(size);
    EXPECT_NE(p, nullptr) << "size " << size;
    pqnn_release_streamed(p);
    EXPECT_EQ(pqnn_testing_live_allocations(), live0);
  }
  pqnn_testing_fail_allocation_after(-1);
}

TEST(StreamedAllocation, ImpossibleSizeFails) {
  const long live0 = pqnn_testing_live_allocations();
  EXPECT_EQ(pqnn_allocate_streamed(SIZE_MAX - 100), nullptr);
  EXPECT_EQ(pqnn_testing_live_allocations(), live0);
}

}  // namespace
