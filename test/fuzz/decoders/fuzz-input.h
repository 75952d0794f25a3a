// Decoding of fuzz inputs and the helpers every decoder shares: exact-size buffers,
// seeded data, the allocation-failure guard for oversized cases, the check macro.
//
// Byte format (scripts/gen-fuzz-corpus.py writes the same; reads past the end give 0):
//   size    b < 0xF0: b;  0xF0: u16;  0xF1: u32;  0xF2: u64;  0xF3: SIZE_MAX - u8;
//           0xF4: 1 << (u8 % 64);  0xF5: SIZE_MAX / 2 + u8;  others: u16   (little endian)
//   dim     (uint32 geometry) b < 0xF0: b;  0xF0: u16;  0xF1: u32;  0xF3: UINT32_MAX - u8;
//           0xF4: 1 << (u8 % 32);  others: u16
//   stride  b < 0xFF: channels + b (saturating);  0xFF: an absolute size
//   float   t = 0: 0;  1: -0;  2: NaN;  3: +Inf;  4: -Inf;  5: (u8 + 1) * smallest subnormal;
//           6: FLT_MAX;  7: -FLT_MAX;  8: raw u32 bits;  9: FLT_MIN;  10..15: 1, -1, 6, -6,
//           0.5, 127;  t >= 16: i = t - 16, m = i % 120:
//           (i < 120 ? 1 : -1) * (1 + (m % 8) / 8) * 2^(m / 8 - 8)   (2^-8 .. 120)
//   zp      (int32 zero point) b != 0x80: (int8) b;  0x80 then e: 0: raw i32;
//           1: INT32_MIN;  2: INT32_MAX;  3: 128;  4: -129;  5: 255;  6: 256;  else -128
//   flags   b & 0x80: raw u32;  else b (bits 0x1..0x40: the known flags and unknown ones)
//   data    mode byte + u32 seed: see DataMode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <pqnn.h>

namespace pqnn_fuzz {

// Buffers whose implied size exceeds this are not allocated: the case still goes through
// create / reshape (validation), with the allocator set to fail (AllocationGuard).
constexpr size_t kMaxBufferBytes = size_t(4) << 20;
// Multiply-accumulates (or elements) above which run is skipped (keeps inputs fast).
constexpr uint64_t kMaxWork = uint64_t(1) << 20;

#define PQNN_FUZZ_CHECK(cond, ...)                                        \
  do {                                                                    \
    if (!(cond)) {                                                        \
      std::fprintf(stderr, "pqnn fuzz check failed at %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                                  \
      std::fprintf(stderr, "\n");                                         \
      std::abort();                                                       \
    }                                                                     \
  } while (0)

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t u16();
  uint32_t u32();
  uint64_t u64();
  size_t size_value();
  uint32_t dim();
  size_t stride(size_t channels);
  float real();
  int32_t zero_point();
  int8_t i8() { return static_cast<int8_t>(byte()); }
  uint32_t flags();

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// How buffer contents are generated (from a seeded generator, so that a few bytes of
// input describe arbitrarily large buffers).
enum class DataMode : uint8_t {
  kSmall = 0,     // floats in [-1, 1], int8 weights in [-127, 127], any int8 activation
  kZero = 1,      // all zero
  kExtreme = 2,   // floats up to +-1e30 (may overflow to Inf), int8 at +-127 / -128, 127
  kSpecial = 3,   // small values with NaN, Inf, subnormals; int8 weights include -128
  kRaw = 4,       // random bit patterns (floats may be anything, int8 weights -128 too)
  kSaturated = 5, // every value at its largest magnitude, one sign: floats FLT_MAX, int8
                  // weights 127 and activations -128 (int32 sums grow as fast as possible)
};

struct Data {
  DataMode mode = DataMode::kSmall;
  uint64_t seed = 0;
  static Data decode(FuzzInput& in);
  // True when the mode keeps every float finite and small enough that sums stay finite.
  bool finite() const { return mode == DataMode::kSmall || mode == DataMode::kZero; }
  // Fill `count` elements; `stream` distinguishes the buffers of one case.
  void fill_f32(float* p, size_t count, uint64_t stream) const;
  void fill_f16(uint16_t* p, size_t count, uint64_t stream) const;
  void fill_i8(int8_t* p, size_t count, uint64_t stream, bool weights) const;
  void fill_i32(int32_t* p, size_t count, uint64_t stream) const;
  // Positive scales (kSmall / kZero / kExtreme), with specials in kSpecial / kRaw.
  void fill_scales(float* p, size_t count, uint64_t stream) const;
};

// A heap block of exactly `bytes` bytes (ASan reports any access past them), filled with
// kPoison.
constexpr uint8_t kPoison = 0xA5;
struct Block {
  std::unique_ptr<uint8_t[]> storage;
  size_t bytes = 0;
  static Block make(size_t bytes);
  void* data() { return storage.get(); }
  const void* data() const { return storage.get(); }
};

// While alive, and when `armed`, the library's next allocation fails: a case whose
// buffers would be too large still runs create / reshape (their validation), and must not
// succeed. Disarmed again on destruction.
class AllocationGuard {
 public:
  explicit AllocationGuard(bool armed);
  ~AllocationGuard();
  AllocationGuard(const AllocationGuard&) = delete;
  AllocationGuard& operator=(const AllocationGuard&) = delete;

 private:
  bool armed_;
};

// pqnn_initialize once (PQNN_ISA in the environment caps the tier).
void initialize();
// A shared 2-thread pool (nullptr when pqnn is built without pthreadpool).
pthreadpool_t shared_threadpool();
// nullptr or the shared pool, by one input bit.
pthreadpool_t pick_threadpool(uint8_t selector);
// Every status the API defines.
bool valid_status(pqnn_status status);

// Overflow-checked arithmetic saturating at SIZE_MAX.
size_t mul_sat(size_t a, size_t b);
size_t add_sat(size_t a, size_t b);
// Elements spanned by `rows` rows of `channels` `stride` apart (saturating).
size_t span_sat(size_t rows, size_t channels, size_t stride);

}  // namespace pqnn_fuzz
