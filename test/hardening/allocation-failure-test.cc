// Allocation failures: for every operator family (f32, f16, qs8, qs8_qc8w, qd8 f32/f16
// output; fully connected and convolution through the GEMM, IGEMM and depthwise paths,
// with and without the kernel rearrangement; the convert ops), a failure is injected at
// each allocation point of create and of reshape in turn. Each must return
// pqnn_status_out_of_memory, leave op_out untouched, leak nothing (the library's live
// allocation counter here; LeakSanitizer in the sanitize build), and the library must
// work afterwards: the same operator created and run again gives, bit for bit, the result
// of a run that never saw a failure.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

extern "C" {
#include "allocator.h"
#include "configs/config.h"
}

namespace {

const pqnn_operator_t kUntouched = reinterpret_cast<pqnn_operator_t>(uintptr_t(0x1234));

// One operator configuration: create, reshape (big = the shape checked; small = an
// earlier, smaller shape so that the checked reshape has to grow its buffers), setup.
struct Case {
  std::string name;
  std::function<pqnn_status(pqnn_operator_t*)> create;
  std::function<pqnn_status(pqnn_operator_t, bool big)> reshape;
  std::function<pqnn_status(pqnn_operator_t)> setup;
  std::vector<uint8_t>* output;
};

// Buffers shared by the cases (kept alive for the whole test).
struct Data {
  std::mt19937 rng{7};
  std::vector<float> f32(size_t n, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
  }
  std::vector<uint16_t> f16(size_t n) {
    std::vector<uint16_t> v(n);
    const std::vector<float> src = f32(n);
    for (size_t i = 0; i < n; i++) v[i] = fp16_ieee_from_fp32_value(src[i]);
    return v;
  }
  std::vector<int8_t> i8(size_t n, int lo = -127, int hi = 127) {
    std::uniform_int_distribution<int> d(lo, hi);
    std::vector<int8_t> v(n);
    for (auto& x : v) x = int8_t(d(rng));
    return v;
  }
  std::vector<int32_t> i32(size_t n) {
    std::uniform_int_distribution<int> d(-1000, 1000);
    std::vector<int32_t> v(n);
    for (auto& x : v) x = d(rng);
    return v;
  }
};

template <typename T>
std::vector<uint8_t>* bytes_of(std::vector<std::vector<uint8_t>>& store, const std::vector<T>& v) {
  store.emplace_back(v.size() * sizeof(T));
  std::memcpy(store.back().data(), v.data(), store.back().size());
  return &store.back();
}

void run_case(const Case& c) {
  SCOPED_TRACE(c.name);
  pqnn_testing_fail_allocation_after(-1);
  const long live0 = pqnn_testing_live_allocations();

  // A clean run: the golden output and the number of allocations of create and reshape.
  const unsigned long a0 = pqnn_testing_allocation_count();
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(c.create(&op), pqnn_status_success);
  const unsigned long a1 = pqnn_testing_allocation_count();
  ASSERT_EQ(c.reshape(op, true), pqnn_status_success);
  const unsigned long a2 = pqnn_testing_allocation_count();
  ASSERT_EQ(c.setup(op), pqnn_status_success);
  std::fill(c.output->begin(), c.output->end(), uint8_t(0xA5));
  ASSERT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  const std::vector<uint8_t> golden = *c.output;
  pqnn_delete_operator(op);
  ASSERT_EQ(pqnn_testing_live_allocations(), live0);
  const long create_points = long(a1 - a0), reshape_points = long(a2 - a1);
  ASSERT_GE(create_points, 1);  // at least the operator itself

  // Create + reshape + setup + run with no injection; must match the golden output.
  auto check_works = [&](const char* when) {
    SCOPED_TRACE(when);
    pqnn_operator_t op2 = nullptr;
    ASSERT_EQ(c.create(&op2), pqnn_status_success);
    ASSERT_EQ(c.reshape(op2, true), pqnn_status_success);
    ASSERT_EQ(c.setup(op2), pqnn_status_success);
    std::fill(c.output->begin(), c.output->end(), uint8_t(0x5A));
    ASSERT_EQ(pqnn_run_operator(op2, nullptr), pqnn_status_success);
    EXPECT_TRUE(*c.output == golden) << "result differs from the clean run";
    pqnn_delete_operator(op2);
    EXPECT_EQ(pqnn_testing_live_allocations(), live0);
  };

  for (long i = 0; i < create_points; i++) {
    SCOPED_TRACE("create, failing allocation " + std::to_string(i + 1) + " of " +
                 std::to_string(create_points));
    pqnn_operator_t out = kUntouched;
    pqnn_testing_fail_allocation_after(i);
    const pqnn_status status = c.create(&out);
    pqnn_testing_fail_allocation_after(-1);
    EXPECT_EQ(status, pqnn_status_out_of_memory);
    EXPECT_EQ(out, kUntouched);
    EXPECT_EQ(pqnn_testing_live_allocations(), live0) << "create leaked";
    if (status == pqnn_status_success && out != kUntouched) pqnn_delete_operator(out);
    check_works("after a failed create");
  }
  {
    // One allocation more than create makes: create succeeds.
    pqnn_operator_t out = nullptr;
    pqnn_testing_fail_allocation_after(create_points);
    EXPECT_EQ(c.create(&out), pqnn_status_success);
    pqnn_testing_fail_allocation_after(-1);
    pqnn_delete_operator(out);
    EXPECT_EQ(pqnn_testing_live_allocations(), live0);
  }

  for (int grow = 0; grow < 2; grow++) {
    for (long i = 0; i < reshape_points; i++) {
      SCOPED_TRACE(std::string(grow ? "growing " : "first ") + "reshape, failing allocation " +
                   std::to_string(i + 1) + " of " + std::to_string(reshape_points));
      pqnn_operator_t op2 = nullptr;
      ASSERT_EQ(c.create(&op2), pqnn_status_success);
      if (grow) {
        // A ready operator with a smaller shape: its buffers must be grown.
        ASSERT_EQ(c.reshape(op2, false), pqnn_status_success);
        ASSERT_EQ(c.setup(op2), pqnn_status_success);
        ASSERT_EQ(pqnn_run_operator(op2, nullptr), pqnn_status_success);
      }
      pqnn_testing_fail_allocation_after(i);
      const pqnn_status status = c.reshape(op2, true);
      pqnn_testing_fail_allocation_after(-1);
      EXPECT_EQ(status, pqnn_status_out_of_memory);
      // The operator is not runnable until a successful reshape.
      EXPECT_EQ(pqnn_run_operator(op2, nullptr), pqnn_status_invalid_state);
      EXPECT_EQ(c.setup(op2), pqnn_status_invalid_state);
      // The same operator recovers.
      ASSERT_EQ(c.reshape(op2, true), pqnn_status_success);
      ASSERT_EQ(c.setup(op2), pqnn_status_success);
      std::fill(c.output->begin(), c.output->end(), uint8_t(0x3C));
      ASSERT_EQ(pqnn_run_operator(op2, nullptr), pqnn_status_success);
      EXPECT_TRUE(*c.output == golden) << "result after a failed reshape differs";
      pqnn_delete_operator(op2);
      EXPECT_EQ(pqnn_testing_live_allocations(), live0) << "reshape leaked";
      check_works("after a failed reshape");
    }
  }
}

// Convolution geometry shared by the conv cases.
struct Conv {
  uint32_t kh, kw, stride, pad, groups;
  size_t gic, goc;
  bool depthwise_flag;
  size_t batch = 2, ih = 6, iw = 5;
  size_t small_h = 3, small_w = 3;
  size_t ic() const { return groups * gic; }
  size_t oc() const { return groups * goc; }
  size_t oh() const { return (ih + 2 * pad - kh) / stride + 1; }
  size_t ow() const { return (iw + 2 * pad - kw) / stride + 1; }
  size_t kernel_elements() const { return oc() * kh * kw * gic; }
  uint32_t flags() const { return depthwise_flag ? PQNN_FLAG_DEPTHWISE_CONVOLUTION : 0; }
  std::string describe() const {
    return std::to_string(kh) + "x" + std::to_string(kw) + " s" + std::to_string(stride) + " p" +
           std::to_string(pad) + " g" + std::to_string(groups) + " " + std::to_string(gic) +
           "->" + std::to_string(goc) + (depthwise_flag ? " depthwise-flag" : "");
  }
};

const Conv kConvs[] = {
  {1, 1, 1, 0, 1, 13, 9, false},   // GEMM path (IGEMM for qd8)
  {3, 3, 1, 1, 1, 5, 7, false},    // IGEMM
  {3, 2, 2, 1, 3, 4, 3, false},    // grouped IGEMM, stride 2
  {3, 3, 1, 1, 6, 1, 1, true},     // depthwise, kernel in depthwise layout
  {3, 3, 1, 1, 6, 1, 1, false},    // depthwise, kernel in OHWI layout (rearranged)
  {5, 5, 1, 2, 5, 1, 1, true},     // depthwise, 25 taps
};

class AllocationFailure : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(pqnn_initialize(), pqnn_status_success); }
  void TearDown() override { pqnn_testing_fail_allocation_after(-1); }
  Data d;
  std::vector<std::vector<uint8_t>> store;  // inputs and outputs (stable addresses: reserved)
  std::vector<std::vector<pqnn_quantization_params>> qstore;
  void reserve() { store.reserve(64); qstore.reserve(16); }
};

constexpr size_t kIC = 37, kOC = 19, kBatch = 5, kTailOC = 200;

TEST_F(AllocationFailure, FullyConnected) {
  reserve();
  const auto wf = d.f32(kIC * kOC), bf = d.f32(kOC);
  const auto wh = d.f16(kIC * kOC), bh = d.f16(kOC);
  const auto w8 = d.i8(kIC * kOC);
  const auto b32 = d.i32(kOC);
  const auto ks = d.f32(kOC, 0.5f, 2.0f);
  const auto ks_b32 = d.f32(kOC * ((kIC + 31) / 32), 0.5f, 2.0f);  // qb4w, block 32
  const uint8_t* w4 = reinterpret_cast<const uint8_t*>(w8.data());  // 4-bit: first kOC * 19 bytes
  auto* in_f32 = bytes_of(store, d.f32(kBatch * kIC));
  auto* in_f16 = bytes_of(store, d.f16(kBatch * kIC));
  auto* in_i8 = bytes_of(store, d.i8(kBatch * kIC, -128, 127));
  auto* out_f32 = bytes_of(store, std::vector<float>(kBatch * kOC));
  // N = 200 = 6 x 32 + 8: the column tail on AVX512 (packed once more, in a temporary buffer)
  const auto wt = d.f32(kIC * kTailOC), bt = d.f32(kTailOC);
  auto* out_tail = bytes_of(store, std::vector<float>(kBatch * kTailOC));
  auto* out_f16 = bytes_of(store, std::vector<uint16_t>(kBatch * kOC));
  auto* out_i8 = bytes_of(store, std::vector<int8_t>(kBatch * kOC));
  qstore.emplace_back(kBatch, pqnn_quantization_params{3, 0.01f});
  const pqnn_quantization_params* qp = qstore.back().data();
  auto reshape = [](pqnn_status (*fn)(pqnn_operator_t, size_t, pthreadpool_t)) {
    return [fn](pqnn_operator_t op, bool big) { return fn(op, big ? kBatch : 1, nullptr); };
  };
  const std::vector<Case> cases = {
    {"fc f32",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_f32(kIC, kOC, kIC, kOC, wf.data(), bf.data(), -0.5f,
           0.5f, 0, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_f32),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_f32(op, (const float*) in_f32->data(),
           (float*) out_f32->data());
     },
     out_f32},
    {"fc f32 column tail",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_f32(kIC, kTailOC, kIC, kTailOC, wt.data(),
           bt.data(), -0.5f, 0.5f, 0, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_f32),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_f32(op, (const float*) in_f32->data(),
           (float*) out_tail->data());
     },
     out_tail},
    {"fc f16",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_f16(kIC, kOC, kIC, kOC, wh.data(), bh.data(), -0.5f,
           0.5f, 0, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_f16),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_f16(op, in_f16->data(), out_f16->data());
     },
     out_f16},
    {"fc f16 fp32-static-weights, transposed",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_f16(kIC, kOC, kIC, kOC, wf.data(), bf.data(), -0.5f,
           0.5f, PQNN_FLAG_FP32_STATIC_WEIGHTS | PQNN_FLAG_TRANSPOSE_WEIGHTS, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_f16),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_f16(op, in_f16->data(), out_f16->data());
     },
     out_f16},
    {"fc qs8",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_qs8(kIC, kOC, kIC, kOC, 5, 0.02f, 0.01f, w8.data(),
           b32.data(), -3, 0.05f, -100, 110, 0, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_qs8),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_qs8(op, (const int8_t*) in_i8->data(),
           (int8_t*) out_i8->data());
     },
     out_i8},
    {"fc qs8_qc8w",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_qs8_qc8w(kIC, kOC, kIC, kOC, -2, 0.02f, ks.data(),
           w8.data(), b32.data(), 1, 4.0f, -128, 127, 0, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_qs8_qc8w),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_qs8_qc8w(op, (const int8_t*) in_i8->data(),
           (int8_t*) out_i8->data());
     },
     out_i8},
    {"fc qd8_f32_qc8w",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_qd8_f32_qc8w(kIC, kOC, kIC, kOC, ks.data(),
           w8.data(), bf.data(), -10.0f, 10.0f, 0, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_qd8_f32_qc8w),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_qd8_f32_qc8w(op, (const int8_t*) in_i8->data(),
           (float*) out_f32->data(), qp);
     },
     out_f32},
    {"fc qd8_f16_qc8w",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_qd8_f16_qc8w(kIC, kOC, kIC, kOC, ks.data(),
           w8.data(), bf.data(), -10.0f, 10.0f, PQNN_FLAG_TRANSPOSE_WEIGHTS, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_qd8_f16_qc8w),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_qd8_f16_qc8w(op, (const int8_t*) in_i8->data(),
           out_f16->data(), qp);
     },
     out_f16},
    {"fc qd8_f32_qc4w",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_qd8_f32_qc4w(kIC, kOC, kIC, kOC, ks.data(), w4,
           bf.data(), -10.0f, 10.0f, 0, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_qd8_f32_qc4w),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_qd8_f32_qc4w(op, (const int8_t*) in_i8->data(),
           (float*) out_f32->data(), qp);
     },
     out_f32},
    {"fc qd8_f16_qb4w",
     [&](pqnn_operator_t* op) {
       return pqnn_create_fully_connected_nc_qd8_f16_qb4w(kIC, kOC, kIC, kOC, 32, ks_b32.data(),
           w4, bf.data(), -10.0f, 10.0f, 0, op);
     },
     reshape(pqnn_reshape_fully_connected_nc_qd8_f16_qb4w),
     [&](pqnn_operator_t op) {
       return pqnn_setup_fully_connected_nc_qd8_f16_qb4w(op, (const int8_t*) in_i8->data(),
           out_f16->data(), qp);
     },
     out_f16},
  };
  for (const Case& c : cases) run_case(c);
}

TEST_F(AllocationFailure, Convolution) {
  reserve();
  for (const Conv& cv : kConvs) {
    store.clear();
    qstore.clear();
    const size_t in_n = cv.batch * cv.ih * cv.iw * cv.ic();
    const size_t out_n = cv.batch * cv.oh() * cv.ow() * cv.oc();
    const auto wf = d.f32(cv.kernel_elements()), bf = d.f32(cv.oc());
    const auto wh = d.f16(cv.kernel_elements()), bh = d.f16(cv.oc());
    const auto w8 = d.i8(cv.kernel_elements());
    const auto b32 = d.i32(cv.oc());
    const auto ks = d.f32(cv.oc(), 0.5f, 2.0f);
    auto* in_f32 = bytes_of(store, d.f32(in_n));
    auto* in_f16 = bytes_of(store, d.f16(in_n));
    auto* in_i8 = bytes_of(store, d.i8(in_n, -128, 127));
    auto* out_f32 = bytes_of(store, std::vector<float>(out_n));
    auto* out_f16 = bytes_of(store, std::vector<uint16_t>(out_n));
    auto* out_i8 = bytes_of(store, std::vector<int8_t>(out_n));
    qstore.emplace_back(std::vector<pqnn_quantization_params>{{-4, 0.01f}, {7, 0.02f}});
    const pqnn_quantization_params* qp = qstore.back().data();
    using ReshapeFn = pqnn_status (*)(pqnn_operator_t, size_t, size_t, size_t, size_t*, size_t*,
        pthreadpool_t);
    auto reshape = [cv](ReshapeFn fn) {
      return [cv, fn](pqnn_operator_t op, bool big) {
        size_t oh = 0, ow = 0;
        return fn(op, big ? cv.batch : 1, big ? cv.ih : cv.small_h, big ? cv.iw : cv.small_w,
            &oh, &ow, nullptr);
      };
    };
    const uint32_t p = cv.pad;
#define PQNN_CONV_GEOMETRY p, p, p, p, cv.kh, cv.kw, cv.stride, cv.stride, 1, 1, cv.groups, \
    cv.gic, cv.goc, cv.ic(), cv.oc()
    const std::vector<Case> cases = {
      {"conv f32 " + cv.describe(),
       [&](pqnn_operator_t* op) {
         return pqnn_create_convolution2d_nhwc_f32(PQNN_CONV_GEOMETRY, wf.data(), bf.data(),
             -0.7f, 0.7f, cv.flags(), op);
       },
       reshape(pqnn_reshape_convolution2d_nhwc_f32),
       [&](pqnn_operator_t op) {
         return pqnn_setup_convolution2d_nhwc_f32(op, (const float*) in_f32->data(),
             (float*) out_f32->data());
       },
       out_f32},
      {"conv f16 " + cv.describe(),
       [&](pqnn_operator_t* op) {
         return pqnn_create_convolution2d_nhwc_f16(PQNN_CONV_GEOMETRY, wh.data(), bh.data(),
             -0.7f, 0.7f, cv.flags(), op);
       },
       reshape(pqnn_reshape_convolution2d_nhwc_f16),
       [&](pqnn_operator_t op) {
         return pqnn_setup_convolution2d_nhwc_f16(op, in_f16->data(), out_f16->data());
       },
       out_f16},
      {"conv qs8 " + cv.describe(),
       [&](pqnn_operator_t* op) {
         return pqnn_create_convolution2d_nhwc_qs8(PQNN_CONV_GEOMETRY, 5, 0.02f, 0.01f,
             w8.data(), b32.data(), -3, 0.05f, -100, 110, cv.flags(), op);
       },
       reshape(pqnn_reshape_convolution2d_nhwc_qs8),
       [&](pqnn_operator_t op) {
         return pqnn_setup_convolution2d_nhwc_qs8(op, (const int8_t*) in_i8->data(),
             (int8_t*) out_i8->data());
       },
       out_i8},
      {"conv qs8_qc8w " + cv.describe(),
       [&](pqnn_operator_t* op) {
         return pqnn_create_convolution2d_nhwc_qs8_qc8w(PQNN_CONV_GEOMETRY, -2, 0.02f,
             ks.data(), w8.data(), b32.data(), 1, 4.0f, -128, 127, cv.flags(), op);
       },
       reshape(pqnn_reshape_convolution2d_nhwc_qs8_qc8w),
       [&](pqnn_operator_t op) {
         return pqnn_setup_convolution2d_nhwc_qs8_qc8w(op, (const int8_t*) in_i8->data(),
             (int8_t*) out_i8->data());
       },
       out_i8},
      {"conv qd8_f32_qc8w " + cv.describe(),
       [&](pqnn_operator_t* op) {
         return pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(PQNN_CONV_GEOMETRY, ks.data(),
             w8.data(), bf.data(), -10.0f, 10.0f, cv.flags(), op);
       },
       reshape(pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w),
       [&](pqnn_operator_t op) {
         return pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(op, (const int8_t*) in_i8->data(),
             (float*) out_f32->data(), qp);
       },
       out_f32},
      {"conv qd8_f16_qc8w " + cv.describe(),
       [&](pqnn_operator_t* op) {
         return pqnn_create_convolution2d_nhwc_qd8_f16_qc8w(PQNN_CONV_GEOMETRY, ks.data(),
             w8.data(), bf.data(), -10.0f, 10.0f, cv.flags(), op);
       },
       reshape(pqnn_reshape_convolution2d_nhwc_qd8_f16_qc8w),
       [&](pqnn_operator_t op) {
         return pqnn_setup_convolution2d_nhwc_qd8_f16_qc8w(op, (const int8_t*) in_i8->data(),
             out_f16->data(), qp);
       },
       out_f16},
    };
#undef PQNN_CONV_GEOMETRY
    for (const Case& c : cases) run_case(c);
  }
}

TEST_F(AllocationFailure, Convert) {
  reserve();
  constexpr size_t kC = 28;  // kBatch * kC bytes: the params that follow need no padding
  auto* in_f32 = bytes_of(store, d.f32(kBatch * kC));
  auto* in_f16 = bytes_of(store, d.f16(kBatch * kC));
  auto* out_i8 = bytes_of(store, std::vector<int8_t>(kBatch * kC));
  auto* out_f16 = bytes_of(store, std::vector<uint16_t>(kBatch * kC));
  auto* out_f32 = bytes_of(store, std::vector<float>(kBatch * kC));
  // qd8 conversions write the quantization parameters too: check them with the data.
  // (the parameters at an aligned offset after the data; no unwritten padding between).
  constexpr size_t kParamsOffset =
      (kBatch * kC + alignof(pqnn_quantization_params) - 1) / alignof(pqnn_quantization_params) *
      alignof(pqnn_quantization_params);
  static_assert(kParamsOffset == kBatch * kC, "unwritten padding before the params");
  auto* out_qd8 = &store.emplace_back(kParamsOffset + kBatch * sizeof(pqnn_quantization_params));
  auto reshape = [](pqnn_status (*fn)(pqnn_operator_t, size_t, pthreadpool_t)) {
    return [fn](pqnn_operator_t op, bool big) { return fn(op, big ? kBatch : 1, nullptr); };
  };
  auto qd8_params = [out_qd8]() {
    return reinterpret_cast<pqnn_quantization_params*>(out_qd8->data() + kParamsOffset);
  };
  (void) out_i8;
  const std::vector<Case> cases = {
    {"convert f32->qd8",
     [](pqnn_operator_t* op) { return pqnn_create_convert_nc_f32_qd8(kC, kC, kC, 0, op); },
     reshape(pqnn_reshape_convert_nc_f32_qd8),
     [&](pqnn_operator_t op) {
       return pqnn_setup_convert_nc_f32_qd8(op, (const float*) in_f32->data(),
           (int8_t*) out_qd8->data(), qd8_params());
     },
     out_qd8},
    {"convert f16->qd8",
     [](pqnn_operator_t* op) { return pqnn_create_convert_nc_f16_qd8(kC, kC, kC, 0, op); },
     reshape(pqnn_reshape_convert_nc_f16_qd8),
     [&](pqnn_operator_t op) {
       return pqnn_setup_convert_nc_f16_qd8(op, in_f16->data(), (int8_t*) out_qd8->data(),
           qd8_params());
     },
     out_qd8},
    {"convert f32->f16",
     [](pqnn_operator_t* op) { return pqnn_create_convert_nc_f32_f16(kC, kC, kC, 0, op); },
     reshape(pqnn_reshape_convert_nc_f32_f16),
     [&](pqnn_operator_t op) {
       return pqnn_setup_convert_nc_f32_f16(op, (const float*) in_f32->data(), out_f16->data());
     },
     out_f16},
    {"convert f16->f32",
     [](pqnn_operator_t* op) { return pqnn_create_convert_nc_f16_f32(kC, kC, kC, 0, op); },
     reshape(pqnn_reshape_convert_nc_f16_f32),
     [&](pqnn_operator_t op) {
       return pqnn_setup_convert_nc_f16_f32(op, in_f16->data(), (float*) out_f32->data());
     },
     out_f32},
  };
  for (const Case& c : cases) run_case(c);
}

// The allocation points are really exercised: the conv paths allocate more than FC.
TEST_F(AllocationFailure, ConvolutionAllocationPointsAreCounted) {
  const auto w = d.f32(3 * 3 * 6);
  pqnn_operator_t op = nullptr;
  const unsigned long a0 = pqnn_testing_allocation_count();
  // Depthwise kernel given in OHWI layout: operator, packed weights, padding and (on the
  // DWCONV path) the rearranged kernel.
  ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 6, 1, 1, 6, 6,
      w.data(), nullptr, -1.0f, 1.0f, 0, &op), pqnn_status_success);
  EXPECT_GE(pqnn_testing_allocation_count() - a0, 3u);
  size_t oh, ow;
  const unsigned long a1 = pqnn_testing_allocation_count();
  ASSERT_EQ(pqnn_reshape_convolution2d_nhwc_f32(op, 1, 4, 4, &oh, &ow, nullptr),
      pqnn_status_success);
  // The indirection buffer; or, where the tier has a row kernel for 3x3 depthwise, the
  // padding row grown to a whole input row and no indirection: that kernel takes every
  // column of this layer (src/operators/dwconv-path.c). One allocation either way.
  const struct pqnn_dwconv_config* config = pqnn_get_f32_dwconv_config();
  const struct pqnn_dwconv_kernel* dw = pqnn_dwconv_config_select(config, 9);
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(pqnn_testing_allocation_count() - a1, 1u);
  pqnn_delete_operator(op);
}

}  // namespace
