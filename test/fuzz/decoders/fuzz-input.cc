// Input decoding and shared helpers of the fuzz decoders (see fuzz-input.h).
#include "decoders/fuzz-input.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

#include <fp16.h>

extern "C" {
#include "allocator.h"
}

namespace pqnn_fuzz {

uint16_t FuzzInput::u16() {
  const uint16_t lo = byte();
  return static_cast<uint16_t>(lo | (uint16_t(byte()) << 8));
}

uint32_t FuzzInput::u32() {
  const uint32_t lo = u16();
  return lo | (uint32_t(u16()) << 16);
}

uint64_t FuzzInput::u64() {
  const uint64_t lo = u32();
  return lo | (uint64_t(u32()) << 32);
}

size_t FuzzInput::size_value() {
  const uint8_t b = byte();
  if (b < 0xF0) return b;
  switch (b) {
    case 0xF1: return u32();
    case 0xF2: return static_cast<size_t>(u64());
    case 0xF3: return SIZE_MAX - byte();
    case 0xF4: return size_t(1) << (byte() % (8 * sizeof(size_t)));
    case 0xF5: return SIZE_MAX / 2 + byte();
    default: return u16();
  }
}

uint32_t FuzzInput::dim() {
  const uint8_t b = byte();
  if (b < 0xF0) return b;
  switch (b) {
    case 0xF1: return u32();
    case 0xF3: return UINT32_MAX - byte();
    case 0xF4: return uint32_t(1) << (byte() % 32);
    default: return u16();
  }
}

size_t FuzzInput::stride(size_t channels) {
  const uint8_t b = byte();
  if (b == 0xFF) return size_value();
  return add_sat(channels, b);
}

float FuzzInput::real() {
  const uint8_t t = byte();
  switch (t) {
    case 0: return 0.0f;
    case 1: return -0.0f;
    case 2: return std::numeric_limits<float>::quiet_NaN();
    case 3: return INFINITY;
    case 4: return -INFINITY;
    case 5: return std::numeric_limits<float>::denorm_min() * float(byte() + 1);
    case 6: return FLT_MAX;
    case 7: return -FLT_MAX;
    case 8: {
      const uint32_t bits = u32();
      float f;
      std::memcpy(&f, &bits, sizeof(f));
      return f;
    }
    case 9: return FLT_MIN;
    case 10: return 1.0f;
    case 11: return -1.0f;
    case 12: return 6.0f;
    case 13: return -6.0f;
    case 14: return 0.5f;
    case 15: return 127.0f;
    default: break;
  }
  const int i = t - 16;
  const int m = i % 120;
  const float magnitude = std::ldexp(1.0f + float(m % 8) / 8.0f, m / 8 - 8);
  return i < 120 ? magnitude : -magnitude;
}

int32_t FuzzInput::zero_point() {
  const uint8_t b = byte();
  if (b != 0x80) return static_cast<int8_t>(b);
  switch (byte()) {
    case 0: return static_cast<int32_t>(u32());
    case 1: return INT32_MIN;
    case 2: return INT32_MAX;
    case 3: return 128;
    case 4: return -129;
    case 5: return 255;
    case 6: return 256;
    default: return -128;
  }
}

uint32_t FuzzInput::flags() {
  const uint8_t b = byte();
  return (b & 0x80) != 0 ? u32() : b;
}

// ---- data generation ----

namespace {

// splitmix64: a small, good generator; the seed and the stream make buffers independent.
struct Rng {
  uint64_t state;
  Rng(uint64_t seed, uint64_t stream) : state(seed * 0x9E3779B97F4A7C15ull + stream * 0xD1B54A32D192ED03ull + 1) {}
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [-1, 1].
  float unit() { return float(int32_t(next() >> 40) - (1 << 23)) / float(1 << 23); }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
};

float bits_to_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

float special_value(Rng& rng) {
  switch (rng.below(6)) {
    case 0: return std::numeric_limits<float>::quiet_NaN();
    case 1: return INFINITY;
    case 2: return -INFINITY;
    case 3: return std::numeric_limits<float>::denorm_min() * float(rng.below(1000) + 1);
    case 4: return -0.0f;
    default: return FLT_MAX;
  }
}

float value_f32(Rng& rng, DataMode mode) {
  switch (mode) {
    case DataMode::kZero: return 0.0f;
    case DataMode::kExtreme: {
      const float v = rng.unit();
      return rng.below(4) == 0 ? v * 1e30f : v * 1e4f;
    }
    case DataMode::kSpecial: return rng.below(8) == 0 ? special_value(rng) : rng.unit();
    case DataMode::kRaw: return bits_to_float(static_cast<uint32_t>(rng.next()));
    case DataMode::kSaturated: return FLT_MAX;
    case DataMode::kSmall: break;
  }
  return rng.unit();
}

}  // namespace

Data Data::decode(FuzzInput& in) {
  Data d;
  d.mode = static_cast<DataMode>(in.byte() % 6);
  d.seed = in.u32();
  return d;
}

void Data::fill_f32(float* p, size_t count, uint64_t stream) const {
  Rng rng(seed, stream);
  for (size_t i = 0; i < count; i++) p[i] = value_f32(rng, mode);
}

void Data::fill_f16(uint16_t* p, size_t count, uint64_t stream) const {
  Rng rng(seed, stream);
  for (size_t i = 0; i < count; i++) {
    p[i] = mode == DataMode::kRaw ? static_cast<uint16_t>(rng.next())
                                  : fp16_ieee_from_fp32_value(value_f32(rng, mode));
  }
}

void Data::fill_i8(int8_t* p, size_t count, uint64_t stream, bool weights) const {
  Rng rng(seed, stream);
  for (size_t i = 0; i < count; i++) {
    int v;
    switch (mode) {
      case DataMode::kZero: v = 0; break;
      case DataMode::kExtreme:
        v = rng.below(2) == 0 ? 127 : (weights ? -127 : -128);
        break;
      case DataMode::kSpecial:
        v = rng.below(64) == 0 ? -128 : int(rng.below(255)) - 127;
        break;
      case DataMode::kRaw: v = int(rng.below(256)) - 128; break;
      case DataMode::kSaturated: v = weights ? 127 : -128; break;
      case DataMode::kSmall:
      default:
        v = weights ? int(rng.below(255)) - 127 : int(rng.below(256)) - 128;
        break;
    }
    p[i] = static_cast<int8_t>(v);
  }
}

void Data::fill_i32(int32_t* p, size_t count, uint64_t stream) const {
  Rng rng(seed, stream);
  for (size_t i = 0; i < count; i++) {
    switch (mode) {
      case DataMode::kZero: p[i] = 0; break;
      case DataMode::kExtreme: p[i] = rng.below(2) == 0 ? INT32_MAX / 2 : INT32_MIN / 2; break;
      case DataMode::kRaw: p[i] = static_cast<int32_t>(rng.next()); break;
      case DataMode::kSaturated: p[i] = INT32_MIN; break;
      default: p[i] = int32_t(rng.below(20001)) - 10000; break;
    }
  }
}

void Data::fill_scales(float* p, size_t count, uint64_t stream) const {
  Rng rng(seed, stream);
  for (size_t i = 0; i < count; i++) {
    switch (mode) {
      case DataMode::kSpecial:
        p[i] = rng.below(8) == 0 ? special_value(rng) : std::ldexp(1.0f + rng.unit() * 0.5f, -7);
        break;
      case DataMode::kRaw: p[i] = bits_to_float(static_cast<uint32_t>(rng.next())); break;
      case DataMode::kExtreme: p[i] = std::ldexp(1.0f, int(rng.below(60)) - 30); break;
      default: p[i] = std::ldexp(1.0f + rng.unit() * 0.5f, -7); break;
    }
  }
}

Block Block::make(size_t bytes) {
  // new[] of 0 bytes still gives a distinct pointer, and ASan reports any access to it.
  Block b;
  b.bytes = bytes;
  b.storage.reset(new uint8_t[bytes]);
  std::memset(b.storage.get(), kPoison, bytes);
  return b;
}

AllocationGuard::AllocationGuard(bool armed) : armed_(armed) {
  if (armed_) pqnn_testing_fail_allocation_after(0);
}

AllocationGuard::~AllocationGuard() {
  if (armed_) pqnn_testing_fail_allocation_after(-1);
}

void initialize() {
  static const pqnn_status status = pqnn_initialize();
  PQNN_FUZZ_CHECK(status == pqnn_status_success, "pqnn_initialize: %d", int(status));
}

pthreadpool_t shared_threadpool() {
#if PQNN_FUZZ_THREADPOOL
  static pthreadpool_t pool = pthreadpool_create(2);
  return pool;
#else
  return nullptr;
#endif
}

pthreadpool_t pick_threadpool(uint8_t selector) {
  return (selector & 1) != 0 ? shared_threadpool() : nullptr;
}

bool valid_status(pqnn_status status) {
  switch (status) {
    case pqnn_status_success:
    case pqnn_status_uninitialized:
    case pqnn_status_invalid_parameter:
    case pqnn_status_invalid_state:
    case pqnn_status_unsupported_parameter:
    case pqnn_status_unsupported_hardware:
    case pqnn_status_out_of_memory:
      return true;
  }
  return false;
}

size_t mul_sat(size_t a, size_t b) {
  size_t r;
  return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}

size_t add_sat(size_t a, size_t b) {
  size_t r;
  return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}

size_t span_sat(size_t rows, size_t channels, size_t stride) {
  return rows == 0 ? 0 : add_sat(mul_sat(rows - 1, stride), channels);
}

}  // namespace pqnn_fuzz
