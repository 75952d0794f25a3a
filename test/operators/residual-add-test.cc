// The residual add of fully connected and convolution operators (src/operators/residual.c,
// internal: the runtime fuses adds through it): every path (GEMM, IGEMM, PATCH, DWCONV,
// Winograd) with strided outputs and residuals, several images, with and without a pool,
// bit-identical to the operator's plain output followed by the add and the clamp; gaps of
// the output untouched; the argument checks and the state rules.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"
#include "common/test-pool.h"

extern "C" {
#include "operator.h"
}

using namespace pqnn_test;

namespace {

struct Shape {
  size_t images = 2, h = 5, w = 6, cin = 16, cout = 24;
  size_t in_stride = 19, out_stride = 29, res_stride = 27;
};

// Sets up `op` for `x` -> `y` (reshaped already).
using SetupFn = std::function<pqnn_status(pqnn_operator_t, const void*, float*)>;

// Runs op plain and with a residual; the residual run must give clamp(plain + r) bit for
// bit at every output element and leave the gaps between pixels alone.
void check_residual(pqnn_operator_t op, const Shape& s, size_t pixels, const void* x,
    const SetupFn& setup, pthreadpool_t pool) {
  const float lo = -0.75f, hi = 1.5f;
  const size_t out_size = (pixels - 1) * s.out_stride + s.cout;
  std::vector<float> plain(out_size, -123.0f), fused(out_size, -123.0f);
  const auto r = random_f32((pixels - 1) * s.res_stride + s.cout, -1, 1, 9);
  ASSERT_EQ(setup(op, x, plain.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  ASSERT_EQ(setup(op, x, fused.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_setup_residual_add(op, r.data(), s.res_stride, lo, hi), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  for (size_t p = 0; p < pixels; p++) {
    for (size_t c = 0; c < s.out_stride && p * s.out_stride + c < out_size; c++) {
      const size_t i = p * s.out_stride + c;
      if (c >= s.cout) {
        ASSERT_EQ(fused[i], -123.0f) << "gap of pixel " << p;
        continue;
      }
      const float sum = plain[i] + r[p * s.res_stride + c];
      const float expected = sum < lo ? lo : sum > hi ? hi : sum;
      ASSERT_EQ(fused[i], expected) << "pixel " << p << " channel " << c;
    }
  }
  // A new setup binds no residual: the plain output again.
  std::vector<float> again(out_size, -123.0f);
  ASSERT_EQ(setup(op, x, again.data()), pqnn_status_success);
  ASSERT_EQ(pqnn_run_operator(op, pool), pqnn_status_success);
  ASSERT_EQ(std::memcmp(again.data(), plain.data(), out_size * sizeof(float)), 0);
}

struct Conv {
  uint32_t k = 3, pad = 1, groups = 1;
  uint32_t flags = 0;
  bool qd8 = false;
  const char* path = nullptr;  // the compute path reshape must choose (nullptr: any)
};

void run_conv_case(const Shape& s0, const Conv& cv, pthreadpool_t pool) {
  Shape s = s0;
  const bool dw = (cv.flags & PQNN_FLAG_DEPTHWISE_CONVOLUTION) != 0;
  const size_t gic = dw ? 1 : s.cin, goc = dw ? 1 : s.cout;
  const uint32_t groups = dw ? (uint32_t) s.cout : 1;
  if (dw) s.cin = s.cout, s.in_stride = s.cout + 3;
  const auto w = random_f32(groups * goc * cv.k * cv.k * gic, -0.5f, 0.5f, 3);
  const auto b = random_f32(s.cout, -1, 1, 4);
  const auto x = random_f32(s.images * s.h * s.w * s.in_stride, -1, 1, 5);
  pqnn_operator_t op = nullptr;
  std::vector<int8_t> qw(w.size()), qx(x.size());
  std::vector<float> scales(s.cout, 1.0f / 64);
  std::vector<pqnn_quantization_params> qp(s.images, {3, 1.0f / 100});
  if (cv.qd8) {
    for (size_t i = 0; i < w.size(); i++) qw[i] = (int8_t) std::lrint(w[i] * 64);
    for (size_t i = 0; i < x.size(); i++) qx[i] = (int8_t) std::lrint(x[i] * 100);
    ASSERT_EQ(pqnn_create_convolution2d_nhwc_qd8_f32_qc8w(cv.pad, cv.pad, cv.pad, cv.pad, cv.k,
        cv.k, 1, 1, 1, 1, groups, gic, goc, s.in_stride, s.out_stride, scales.data(), qw.data(),
        b.data(), -INFINITY, INFINITY, cv.flags, &op), pqnn_status_success);
  } else {
    ASSERT_EQ(pqnn_create_convolution2d_nhwc_f32(cv.pad, cv.pad, cv.pad, cv.pad, cv.k, cv.k, 1,
        1, 1, 1, groups, gic, goc, s.in_stride, s.out_stride, w.data(), b.data(), -2.0f, 2.0f,
        cv.flags, &op), pqnn_status_success);
  }
  size_t oh = 0, ow = 0;
  const pqnn_status reshaped = cv.qd8
      ? pqnn_reshape_convolution2d_nhwc_qd8_f32_qc8w(op, s.images, s.h, s.w, &oh, &ow, pool)
      : pqnn_reshape_convolution2d_nhwc_f32(op, s.images, s.h, s.w, &oh, &ow, pool);
  ASSERT_EQ(reshaped, pqnn_status_success);
  const std::string path = pqnn_operator_compute_path(op);
  if (cv.path != nullptr) {
    EXPECT_EQ(path, cv.path);
  } else {
    EXPECT_TRUE(path == "patch" || path == "igemm") << path;
    // The tier this suite is usually measured on has the path.
    if (std::strcmp(pqnn_isa_name(), "avx512vnni") == 0) {
      EXPECT_EQ(path, "patch");
    }
  }
  const SetupFn setup = [&](pqnn_operator_t o, const void*, float* y) {
    return cv.qd8 ? pqnn_setup_convolution2d_nhwc_qd8_f32_qc8w(o, qx.data(), y, qp.data())
                  : pqnn_setup_convolution2d_nhwc_f32(o, x.data(), y);
  };
  check_residual(op, s, s.images * oh * ow, x.data(), setup, pool);
  pqnn_delete_operator(op);
}

TEST(ResidualAdd, EveryConvolutionPath) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  pthreadpool_t pool = create_pool(2);
  Conv gemm;
  gemm.k = 1, gemm.pad = 0, gemm.path = "gemm";
  Conv igemm;
  igemm.flags = PQNN_FLAG_NO_WINOGRAD, igemm.path = "igemm";
  Conv winograd;
  winograd.path = "winograd";
  Conv dwconv;
  dwconv.flags = PQNN_FLAG_DEPTHWISE_CONVOLUTION, dwconv.path = "dwconv";
  Conv qd8;
  qd8.qd8 = true, qd8.path = "igemm";
  for (pthreadpool_t p : {(pthreadpool_t) nullptr, pool}) {
    for (const Conv& cv : {gemm, igemm, winograd, dwconv, qd8}) {
      SCOPED_TRACE(cv.path);
      run_conv_case(Shape(), cv, p);
    }
    // 3 input channels: the int8 stem (PATCH) path where the tier has it, IGEMM elsewhere.
    Shape stem;
    stem.cin = 3, stem.in_stride = 5;
    Conv patch;
    patch.qd8 = true;
    run_conv_case(stem, patch, p);
  }
  destroy_pool(pool);
}

TEST(ResidualAdd, FullyConnectedRows) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const Shape s;
  const size_t rows = 37;
  const auto w = random_f32(s.cout * s.cin, -1, 1, 3);
  const auto x = random_f32(rows * s.in_stride, -1, 1, 5);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f32(s.cin, s.cout, s.in_stride, s.out_stride,
      w.data(), nullptr, -INFINITY, INFINITY, 0, &op), pqnn_status_success);
  pthreadpool_t pool = create_pool(2);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, rows, pool), pqnn_status_success);
  check_residual(op, s, rows, x.data(), [&](pqnn_operator_t o, const void*, float* y) {
    return pqnn_setup_fully_connected_nc_f32(o, x.data(), y);
  }, pool);
  destroy_pool(pool);
  pqnn_delete_operator(op);
}

TEST(ResidualAdd, ArgumentsAndState) {
  ASSERT_EQ(pqnn_initialize(), pqnn_status_success);
  const size_t ic = 8, oc = 8, rows = 4;
  const auto w = random_f32(ic * oc, -1, 1, 3);
  const auto x = random_f32(rows * ic, -1, 1, 5);
  std::vector<float> y(rows * oc), r(rows * oc + 4);
  pqnn_operator_t op = nullptr;
  ASSERT_EQ(pqnn_create_fully_connected_nc_f32(ic, oc, ic, oc, w.data(), nullptr, -INFINITY,
      INFINITY, 0, &op), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_residual_add(nullptr, r.data(), oc, 0, 1), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_setup_residual_add(op, r.data(), oc, 0, 1), pqnn_status_invalid_state);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_f32(op, rows, nullptr), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_residual_add(op, r.data(), oc, 0, 1), pqnn_status_invalid_state);
  const auto setup = [&]() {
    ASSERT_EQ(pqnn_setup_fully_connected_nc_f32(op, x.data(), y.data()), pqnn_status_success);
  };
  struct Bad { const void* r; size_t stride; float lo, hi; };
  const Bad bad[] = {
    {nullptr, oc, 0, 1},                  // NULL residual
    {r.data(), oc - 1, 0, 1},             // stride below the channels
    {r.data(), oc, NAN, 1},               // NaN bounds
    {r.data(), oc, 1, 1},                 // empty range
    {y.data() + 4, oc, 0, 1},             // overlaps the output
    {r.data(), SIZE_MAX / 2, 0, 1},       // the span overflows
  };
  for (const Bad& b : bad) {
    setup();
    EXPECT_EQ(pqnn_setup_residual_add(op, b.r, b.stride, b.lo, b.hi),
        pqnn_status_invalid_parameter);
    // A failed call leaves the operator needing a new setup.
    EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_invalid_state);
  }
  setup();
  EXPECT_EQ(pqnn_setup_residual_add(op, r.data() + 4, oc, 0, 1), pqnn_status_success);
  EXPECT_EQ(pqnn_run_operator(op, nullptr), pqnn_status_success);
  pqnn_delete_operator(op);

  // Operators without a residual epilogue: qs8 output.
  std::vector<int8_t> qw(ic * oc, 1);
  ASSERT_EQ(pqnn_create_fully_connected_nc_qs8(ic, oc, ic, oc, 0, 1.0f, 1.0f, qw.data(), nullptr,
      0, 1.0f, -128, 127, 0, &op), pqnn_status_success);
  ASSERT_EQ(pqnn_reshape_fully_connected_nc_qs8(op, rows, nullptr), pqnn_status_success);
  std::vector<int8_t> qx(rows * ic), qy(rows * oc);
  ASSERT_EQ(pqnn_setup_fully_connected_nc_qs8(op, qx.data(), qy.data()), pqnn_status_success);
  EXPECT_EQ(pqnn_setup_residual_add(op, r.data(), oc, 0, 1), pqnn_status_invalid_parameter);
  pqnn_delete_operator(op);
}

}  // namespace
