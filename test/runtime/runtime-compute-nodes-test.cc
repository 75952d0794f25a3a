// Runtime graphs of the compute nodes (layer normalization, average pooling 2D,
// deconvolution 2D, softmax over any axis, batch matrix multiply, reduce;
// src/runtime/nodes/) against double-precision references over random
// shapes, in f32 and under f16 inference, threaded; and their define-time rejections.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <pqnn.h>

#include "common/runtime-graph.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

// Max |y - ref| over max(1, max |ref|): f32 within 1e-5, f16 within 4e-3.
void expect_close(const std::vector<float>& y, const std::vector<double>& ref, bool fp16) {
  ASSERT_EQ(y.size(), ref.size());
  double scale = 1.0, err = 0.0;
  for (double r : ref) scale = std::max(scale, std::fabs(r));
  for (size_t i = 0; i < y.size(); i++) {
    ASSERT_FALSE(std::isnan(y[i])) << i;
    err = std::max(err, std::fabs(y[i] - ref[i]));
  }
  EXPECT_LE(err / scale, fp16 ? 4e-3 : 1e-5);
}

struct Pool {
  pthreadpool_t pool = create_pool(3);
  ~Pool() { destroy_pool(pool); }
};

std::vector<double> layer_norm_ref(const std::vector<float>& x, size_t rows, size_t c,
    const std::vector<float>& scale, const std::vector<float>* bias, float eps) {
  std::vector<double> y(x.size());
  for (size_t r = 0; r < rows; r++) {
    double mean = 0, var = 0;
    for (size_t i = 0; i < c; i++) mean += x[r * c + i];
    mean /= c;
    for (size_t i = 0; i < c; i++) var += (x[r * c + i] - mean) * (x[r * c + i] - mean);
    var /= c;
    for (size_t i = 0; i < c; i++) {
      y[r * c + i] = (x[r * c + i] - mean) / std::sqrt(var + eps) * scale[i] +
          (bias ? (*bias)[i] : 0.0);
    }
  }
  return y;
}

TEST(RuntimeComputeNodes, LayerNormalizationRandomShapes) {
  std::mt19937 rng(7);
  Pool p;
  for (int trial = 0; trial < 24; trial++) {
    const size_t rank = 1 + rng() % 4;
    std::vector<size_t> dims(rank);
    for (auto& d : dims) d = 1 + rng() % (rank > 2 ? 9 : 150);
    const size_t axis = rng() % rank;
    size_t rows = 1, c = 1;
    for (size_t d = 0; d < rank; d++) (d < axis ? rows : c) *= dims[d];
    const std::vector<size_t> norm(dims.begin() + axis, dims.end());
    const bool with_bias = trial % 3 != 0;
    const float eps = trial % 2 ? 1e-5f : 0.1f;
    const auto x = random_f32(rows * c, -3, 5, trial);
    const auto scale = random_f32(c, 0.5f, 2.0f, 100 + trial);
    const auto bias = random_f32(c, -1, 1, 200 + trial);
    const auto ref = layer_norm_ref(x, rows, c, scale, with_bias ? &bias : nullptr, eps);
    for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
      Graph g(2);
      const uint32_t in = g.input(0, dims);
      const uint32_t s = g.f32(norm, scale.data());
      const uint32_t b = with_bias ? g.f32(norm, bias.data()) : PQNN_INVALID_VALUE_ID;
      const uint32_t out = g.output(1, dims);
      ASSERT_EQ(pqnn_define_layer_normalization(g.sg, axis, eps, in, s, b, out, 0),
          pqnn_status_success);
      std::vector<float> y(x.size());
      pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}}, p.pool);
      const auto infos = node_infos(rt);
      pqnn_delete_runtime(rt);
      EXPECT_EQ(infos[flags ? 1 : 0].type, pqnn_node_type_layer_normalization);
      SCOPED_TRACE(trial);
      expect_close(y, ref, flags != 0);
    }
  }
}

TEST(RuntimeComputeNodes, LayerNormalizationActivationScaleAndNaN) {
  // scale from another external input; a NaN row stays NaN, the other rows are finite.
  std::vector<float> x = random_f32(3 * 10, -1, 1, 3);
  x[12] = NAN;
  const auto scale = random_f32(10, 0.5f, 2.0f, 4);
  Graph g(3);
  const uint32_t in = g.input(0, {3, 10});
  const uint32_t s = g.input(1, {10});
  const uint32_t out = g.output(2, {3, 10});
  ASSERT_EQ(pqnn_define_layer_normalization(g.sg, 1, 1e-5f, in, s, PQNN_INVALID_VALUE_ID, out, 0),
      pqnn_status_success);
  std::vector<float> y(30);
  pqnn_runtime_t rt = run_graph(g.sg, 0,
      {{0, (void*) x.data()}, {1, (void*) scale.data()}, {2, y.data()}});
  pqnn_delete_runtime(rt);
  for (size_t i = 0; i < 30; i++) EXPECT_EQ(std::isnan(y[i]), i / 10 == 1) << i;
}

struct PoolCase {
  size_t n, h, w, c;
  uint32_t pt, pr, pb, pl, kh, kw, sh, sw;
  uint32_t flags;
};

size_t pool_out(size_t in, uint32_t pb, uint32_t pa, uint32_t k, uint32_t s, bool ceil_mode) {
  const size_t padded = in + pb + pa;
  size_t o = ceil_mode ? (padded - k + s - 1) / s + 1 : (padded - k) / s + 1;
  if (ceil_mode && (o - 1) * s >= in + pb) o--;
  return o;
}

TEST(RuntimeComputeNodes, AveragePoolingRandomShapes) {
  std::mt19937 rng(11);
  Pool p;
  for (int trial = 0; trial < 40; trial++) {
    PoolCase t{};
    t.kh = 1 + rng() % 4;
    t.kw = 1 + rng() % 4;
    t.sh = 1 + rng() % 3;
    t.sw = 1 + rng() % 3;
    t.pt = rng() % t.kh; t.pb = rng() % t.kh;
    t.pl = rng() % t.kw; t.pr = rng() % t.kw;
    t.n = 1 + rng() % 2;
    t.h = t.kh + rng() % 9;
    t.w = t.kw + rng() % 9;
    t.c = 1 + rng() % 70;
    t.flags = (trial & 1 ? PQNN_FLAG_COUNT_INCLUDE_PAD : 0) | (trial & 2 ? PQNN_FLAG_CEIL_MODE : 0);
    const bool ceil_mode = (t.flags & PQNN_FLAG_CEIL_MODE) != 0;
    const bool include = (t.flags & PQNN_FLAG_COUNT_INCLUDE_PAD) != 0;
    const size_t oh = pool_out(t.h, t.pt, t.pb, t.kh, t.sh, ceil_mode);
    const size_t ow = pool_out(t.w, t.pl, t.pr, t.kw, t.sw, ceil_mode);
    const auto x = random_f32(t.n * t.h * t.w * t.c, -2, 2, trial);
    const float lo = trial % 5 == 0 ? -0.25f : -INFINITY;
    std::vector<double> ref(t.n * oh * ow * t.c);
    for (size_t n = 0; n < t.n; n++)
      for (size_t oy = 0; oy < oh; oy++)
        for (size_t ox = 0; ox < ow; ox++)
          for (size_t c = 0; c < t.c; c++) {
            double sum = 0;
            size_t count = 0;
            for (size_t ky = 0; ky < t.kh; ky++)
              for (size_t kx = 0; kx < t.kw; kx++) {
                const long iy = long(oy * t.sh + ky) - long(t.pt);
                const long ix = long(ox * t.sw + kx) - long(t.pl);
                const bool in_pad = iy < long(t.h + t.pb) && ix < long(t.w + t.pr);
                const bool inside = iy >= 0 && ix >= 0 && iy < long(t.h) && ix < long(t.w);
                if (inside) sum += x[((n * t.h + iy) * t.w + ix) * t.c + c];
                count += include ? in_pad : inside;
              }
            ref[((n * oh + oy) * ow + ox) * t.c + c] = std::max<double>(lo, sum / count);
          }
    for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
      Graph g(2);
      const uint32_t in = g.input(0, {t.n, t.h, t.w, t.c});
      const uint32_t out = g.output(1, {t.n, oh, ow, t.c});
      ASSERT_EQ(pqnn_define_average_pooling_2d(g.sg, t.pt, t.pr, t.pb, t.pl, t.kh, t.kw, t.sh,
          t.sw, lo, INFINITY, in, out, t.flags), pqnn_status_success) << trial;
      std::vector<float> y(ref.size());
      pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}}, p.pool);
      pqnn_delete_runtime(rt);
      SCOPED_TRACE(trial);
      expect_close(y, ref, flags != 0);
    }
  }
}

TEST(RuntimeComputeNodes, DeconvolutionRandomShapes) {
  std::mt19937 rng(5);
  Pool p;
  for (int trial = 0; trial < 30; trial++) {
    const uint32_t kh = 1 + rng() % 4, kw = 1 + rng() % 4;
    const uint32_t sh = 1 + rng() % 3, sw = 1 + rng() % 3;
    const uint32_t dh = 1 + rng() % 2, dw = 1 + rng() % 2;
    const uint32_t ah = rng() % sh, aw = rng() % sw;
    const uint32_t groups = 1 + rng() % 3;
    const size_t gic = 1 + rng() % (trial % 4 == 0 ? 70 : 6);
    const size_t goc = 1 + rng() % (trial % 4 == 1 ? 70 : 6);
    const size_t n = 1 + rng() % 2, h = 1 + rng() % 5, w = 1 + rng() % 5;
    const uint32_t pt = rng() % kh, pb = rng() % kh, pl = rng() % kw, pr = rng() % kw;
    const long oh_signed = long((h - 1) * sh + (kh - 1) * dh + 1 + ah) - long(pt + pb);
    const long ow_signed = long((w - 1) * sw + (kw - 1) * dw + 1 + aw) - long(pl + pr);
    if (oh_signed <= 0 || ow_signed <= 0) continue;  // the padding leaves no output
    const size_t oh = size_t(oh_signed), ow = size_t(ow_signed);
    const size_t cin = groups * gic, cout = groups * goc;
    const auto x = random_f32(n * h * w * cin, -1, 1, trial);
    const auto f = random_f32(cout * kh * kw * gic, -1, 1, 50 + trial);
    const auto bias = random_f32(cout, -1, 1, 90 + trial);
    const bool with_bias = trial % 3 != 2;
    const float hi = trial % 4 == 3 ? 0.5f : INFINITY;
    std::vector<double> ref(n * oh * ow * cout, 0.0);
    for (size_t b = 0; b < n; b++)
      for (size_t oy = 0; oy < oh; oy++)
        for (size_t ox = 0; ox < ow; ox++)
          for (size_t oc = 0; oc < cout; oc++)
            ref[((b * oh + oy) * ow + ox) * cout + oc] = with_bias ? bias[oc] : 0.0;
    // Scatter form (the definition): each input pixel and tap adds to one output pixel.
    for (size_t b = 0; b < n; b++)
      for (size_t iy = 0; iy < h; iy++)
        for (size_t ix = 0; ix < w; ix++)
          for (size_t ky = 0; ky < kh; ky++)
            for (size_t kx = 0; kx < kw; kx++) {
              const long oy = long(iy * sh + ky * dh) - long(pt);
              const long ox = long(ix * sw + kx * dw) - long(pl);
              if (oy < 0 || ox < 0 || oy >= long(oh) || ox >= long(ow)) continue;
              for (size_t g = 0; g < groups; g++)
                for (size_t oc = 0; oc < goc; oc++)
                  for (size_t ic = 0; ic < gic; ic++) {
                    ref[((b * oh + oy) * ow + ox) * cout + g * goc + oc] +=
                        double(x[((b * h + iy) * w + ix) * cin + g * gic + ic]) *
                        f[(((g * goc + oc) * kh + ky) * kw + kx) * gic + ic];
                  }
            }
    for (auto& r : ref) r = std::min<double>(r, hi);
    for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
      Graph g(2);
      const uint32_t in = g.input(0, {n, h, w, cin});
      const uint32_t fid = g.f32({cout, kh, kw, gic}, f.data());
      const uint32_t bid = with_bias ? g.f32({cout}, bias.data()) : PQNN_INVALID_VALUE_ID;
      const uint32_t out = g.output(1, {n, oh, ow, cout});
      ASSERT_EQ(pqnn_define_deconvolution_2d(g.sg, pt, pr, pb, pl, ah, aw, kh, kw, sh, sw, dh,
          dw, groups, gic, goc, -INFINITY, hi, in, fid, bid, out, 0), pqnn_status_success) << trial;
      std::vector<float> y(ref.size());
      pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}}, p.pool);
      pqnn_delete_runtime(rt);
      SCOPED_TRACE(trial);
      // f16: inputs, filter and bias are rounded to f16 first; the sum over up to ~300
      // terms stays within the relative tolerance of the largest output.
      expect_close(y, ref, flags != 0);
    }
  }
}

// Dynamic quantization takes a deconvolution whose GEMM reduction (group input channels)
// reaches the runtime's qd8_min_reduction: an inserted convert quantizes its input per
// pixel and the node runs qd8 (f32 output; f16 output under f16 inference); a smaller one
// stays float and says why. Accuracy against the f32 run: max error within 2% of max |y|.
TEST(RuntimeComputeNodes, DeconvolutionDynamicQuantization) {
  Pool p;
  for (size_t gic : {24u, 64u}) {
    for (uint32_t f16 : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
      const size_t n = 2, h = 5, w = 7, goc = 19, kh = 3, kw = 3, sh = 2, sw = 2;
      const size_t oh = (h - 1) * sh + kh - 2 + 1, ow = (w - 1) * sw + kw - 2 + 1;
      const auto x = random_f32(n * h * w * gic, -1, 1, 3);
      const auto f = random_f32(goc * kh * kw * gic, -1, 1, 4);
      const auto bias = random_f32(goc, -1, 1, 5);
      std::vector<float> y32(n * oh * ow * goc), yq(y32.size());
      for (uint32_t drq : {0u, unsigned(PQNN_FLAG_DYNAMIC_RANGE_QUANTIZATION)}) {
        Graph g(2);
        const uint32_t in = g.input(0, {n, h, w, gic});
        const uint32_t fid = g.f32({goc, kh, kw, gic}, f.data());
        const uint32_t bid = g.f32({goc}, bias.data());
        const uint32_t out = g.output(1, {n, oh, ow, goc});
        ASSERT_EQ(pqnn_define_deconvolution_2d(g.sg, 1, 1, 1, 1, 1, 1, kh, kw, sh, sw, 1, 1, 1,
            gic, goc, -INFINITY, INFINITY, in, fid, bid, out, 0), pqnn_status_success);
        std::vector<float>& y = drq != 0 ? yq : y32;
        pqnn_runtime_t rt = run_graph(g.sg, drq | f16, {{0, (void*) x.data()}, {1, y.data()}},
            p.pool);
        ASSERT_NE(rt, nullptr);
        const auto infos = node_infos(rt);
        pqnn_delete_runtime(rt);
        const pqnn_runtime_node_info* deconv = nullptr;
        for (const auto& info : infos) {
          if (info.type == pqnn_node_type_deconvolution_2d) deconv = &info;
        }
        ASSERT_NE(deconv, nullptr);
        SCOPED_TRACE(std::to_string(gic) + (f16 ? " f16" : " f32") + (drq ? " drq" : ""));
        if (drq == 0) {
          EXPECT_EQ(deconv->qd8_decision, pqnn_qd8_decision_none);
          EXPECT_EQ(deconv->compute_datatype, f16 ? pqnn_datatype_fp16 : pqnn_datatype_fp32);
        } else if (gic < 64) {
          EXPECT_EQ(deconv->qd8_decision, pqnn_qd8_decision_float_small_reduction);
          EXPECT_EQ(deconv->compute_datatype, f16 ? pqnn_datatype_fp16 : pqnn_datatype_fp32);
        } else {
          EXPECT_EQ(deconv->qd8_decision, pqnn_qd8_decision_quantized);
          EXPECT_EQ(deconv->compute_datatype, pqnn_datatype_qdint8);
        }
      }
      double scale = 1e-6, err = 0;
      for (size_t i = 0; i < y32.size(); i++) {
        scale = std::max(scale, double(std::fabs(y32[i])));
        err = std::max(err, double(std::fabs(yq[i] - y32[i])));
      }
      EXPECT_LE(err / scale, 0.02) << gic << (f16 ? " f16" : " f32");
    }
  }
}

TEST(RuntimeComputeNodes, SoftmaxAxisRandomShapes) {
  std::mt19937 rng(13);
  Pool p;
  for (int trial = 0; trial < 30; trial++) {
    const size_t rank = 1 + rng() % 4;
    std::vector<size_t> dims(rank);
    for (auto& d : dims) d = 1 + rng() % (trial % 3 == 0 ? 90 : 7);
    const size_t axis = rng() % rank;
    size_t outer = 1, inner = 1, n = dims[axis];
    for (size_t d = 0; d < rank; d++) {
      if (d < axis) outer *= dims[d];
      if (d > axis) inner *= dims[d];
    }
    const auto x = random_f32(outer * n * inner, -8, 8, trial);
    std::vector<double> ref(x.size());
    for (size_t o = 0; o < outer; o++)
      for (size_t i = 0; i < inner; i++) {
        double m = -INFINITY, sum = 0;
        for (size_t k = 0; k < n; k++) m = std::max<double>(m, x[(o * n + k) * inner + i]);
        for (size_t k = 0; k < n; k++) sum += std::exp(x[(o * n + k) * inner + i] - m);
        for (size_t k = 0; k < n; k++) {
          ref[(o * n + k) * inner + i] = std::exp(x[(o * n + k) * inner + i] - m) / sum;
        }
      }
    for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
      Graph g(2);
      const uint32_t in = g.input(0, dims);
      const uint32_t out = g.output(1, dims);
      ASSERT_EQ(pqnn_define_softmax_axis(g.sg, axis, in, out, 0), pqnn_status_success);
      std::vector<float> y(x.size());
      pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}}, p.pool);
      const auto infos = node_infos(rt);
      pqnn_delete_runtime(rt);
      EXPECT_EQ(infos[flags ? 1 : 0].type, axis + 1 == rank ? pqnn_node_type_softmax
                                                            : pqnn_node_type_softmax_axis);
      SCOPED_TRACE(trial);
      expect_close(y, ref, flags != 0);
    }
  }
}

TEST(RuntimeComputeNodes, SoftmaxAxisNaN) {
  // [2][3][4] over axis 1: a NaN at (0, 1, 2) makes line (0, *, 2) NaN, nothing else.
  auto x = random_f32(24, -1, 1, 9);
  x[(0 * 3 + 1) * 4 + 2] = NAN;
  Graph g(2);
  const uint32_t in = g.input(0, {2, 3, 4});
  const uint32_t out = g.output(1, {2, 3, 4});
  ASSERT_EQ(pqnn_define_softmax_axis(g.sg, 1, in, out, 0), pqnn_status_success);
  std::vector<float> y(24);
  pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) x.data()}, {1, y.data()}});
  pqnn_delete_runtime(rt);
  for (size_t i = 0; i < 24; i++) EXPECT_EQ(std::isnan(y[i]), i < 12 && i % 4 == 2) << i;
}

TEST(RuntimeComputeNodes, BatchMatrixMultiplyRandomShapes) {
  std::mt19937 rng(17);
  Pool p;
  for (int trial = 0; trial < 40; trial++) {
    const size_t batch = rng() % 4;  // output batch dims
    std::vector<size_t> bd(batch);
    for (auto& d : bd) d = 1 + rng() % 3;
    // f32 runs MR-row GEMM kernels on packed panels of b: more rows than a tile (32) and,
    // every seventh trial, a K too large for the stack panel (the block loop instead).
    const size_t m = 1 + rng() % (trial % 5 == 4 ? 70 : 9);
    const size_t k = 1 + rng() % (trial % 7 == 6 ? 600 : trial % 3 ? 20 : 150);
    const size_t n = 1 + rng() % (trial % 2 ? 9 : 100);
    // Each operand: a suffix of the batch dims, some of them set to 1 (broadcast).
    auto operand_dims = [&](size_t r, size_t c, std::vector<size_t>& full) {
      const size_t keep = batch == 0 ? 0 : rng() % (batch + 1);
      std::vector<size_t> dims;
      full.assign(batch, 1);
      for (size_t i = batch - keep; i < batch; i++) {
        const size_t d = rng() % 3 == 0 ? 1 : bd[i];
        dims.push_back(d);
        full[i] = d;
      }
      dims.push_back(r);
      dims.push_back(c);
      return dims;
    };
    std::vector<size_t> fa, fb;
    const auto da = operand_dims(m, k, fa);
    const auto db = operand_dims(k, n, fb);
    std::vector<size_t> yd(batch);
    for (size_t i = 0; i < batch; i++) yd[i] = std::max(fa[i], fb[i]);
    size_t count = 1, ca = 1, cb = 1;
    for (size_t i = 0; i < batch; i++) { count *= yd[i]; ca *= fa[i]; cb *= fb[i]; }
    const auto a = random_f32(ca * m * k, -1, 1, trial);
    const auto b = random_f32(cb * k * n, -1, 1, 40 + trial);
    std::vector<double> ref(count * m * n);
    for (size_t bi = 0; bi < count; bi++) {
      size_t rem = bi, ia = 0, ib = 0, sa = 1, sb = 1;
      for (size_t i = batch; i-- > 0;) {
        const size_t idx = rem % yd[i];
        rem /= yd[i];
        ia += (fa[i] == 1 ? 0 : idx) * sa;
        ib += (fb[i] == 1 ? 0 : idx) * sb;
        sa *= fa[i];
        sb *= fb[i];
      }
      for (size_t r = 0; r < m; r++)
        for (size_t c = 0; c < n; c++) {
          double acc = 0;
          for (size_t j = 0; j < k; j++) acc += double(a[(ia * m + r) * k + j]) * b[(ib * k + j) * n + c];
          ref[(bi * m + r) * n + c] = acc;
        }
    }
    // The output has the longer operand's rank (leading dims beyond both are 1 in yd).
    const size_t out_batch = std::max(da.size(), db.size()) - 2;
    std::vector<size_t> ydims(yd.end() - out_batch, yd.end());
    ydims.push_back(m);
    ydims.push_back(n);
    for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
      Graph g(3);
      const uint32_t ia = g.input(0, da);
      const uint32_t ib = g.input(1, db);
      const uint32_t out = g.output(2, ydims);
      ASSERT_EQ(pqnn_define_batch_matrix_multiply(g.sg, ia, ib, out, 0), pqnn_status_success)
          << trial;
      std::vector<float> y(ref.size());
      pqnn_runtime_t rt = run_graph(g.sg, flags,
          {{0, (void*) a.data()}, {1, (void*) b.data()}, {2, y.data()}}, p.pool);
      pqnn_delete_runtime(rt);
      SCOPED_TRACE(trial);
      expect_close(y, ref, flags != 0);
    }
  }
}

TEST(RuntimeComputeNodes, ReduceRandomShapes) {
  std::mt19937 rng(19);
  Pool p;
  const pqnn_reduce_operator kOps[] = {pqnn_reduce_sum, pqnn_reduce_mean, pqnn_reduce_max};
  for (int trial = 0; trial < 36; trial++) {
    const size_t rank = 1 + rng() % 5;
    std::vector<size_t> dims(rank);
    for (auto& d : dims) d = 1 + rng() % (trial % 4 == 0 ? 80 : 6);
    const size_t first = rng() % rank, count = 1 + rng() % (rank - first);
    const pqnn_reduce_operator op = kOps[trial % 3];
    const bool keep = trial % 2 == 0;
    size_t outer = 1, n = 1, inner = 1;
    std::vector<size_t> ydims;
    for (size_t d = 0; d < rank; d++) {
      const bool reduced = d >= first && d < first + count;
      (d < first ? outer : reduced ? n : inner) *= dims[d];
      if (!reduced) ydims.push_back(dims[d]);
      if (reduced && keep) ydims.push_back(1);
    }
    if (ydims.empty()) ydims.push_back(1);
    const auto x = random_f32(outer * n * inner, -4, 4, trial);
    std::vector<double> ref(outer * inner);
    for (size_t o = 0; o < outer; o++)
      for (size_t i = 0; i < inner; i++) {
        double acc = op == pqnn_reduce_max ? -INFINITY : 0.0;
        for (size_t k = 0; k < n; k++) {
          const double v = x[(o * n + k) * inner + i];
          acc = op == pqnn_reduce_max ? std::max(acc, v) : acc + v;
        }
        ref[o * inner + i] = op == pqnn_reduce_mean ? acc / n : acc;
      }
    std::vector<size_t> axes(count);
    for (size_t i = 0; i < count; i++) axes[i] = first + i;
    for (uint32_t flags : {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)}) {
      Graph g(2);
      const uint32_t in = g.input(0, dims);
      const uint32_t out = g.output(1, ydims);
      ASSERT_EQ(pqnn_define_reduce(g.sg, op, count, axes.data(), in, out,
          keep ? PQNN_FLAG_KEEP_DIMS : 0), pqnn_status_success) << trial;
      std::vector<float> y(ref.size());
      pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}}, p.pool);
      pqnn_delete_runtime(rt);
      SCOPED_TRACE(trial);
      expect_close(y, ref, flags != 0);
    }
  }
}

TEST(RuntimeComputeNodes, ReduceMaxNaN) {
  // Global max pooling of [1][2][2][3] (axes 1, 2): a NaN in channel 1 gives NaN there only.
  auto x = random_f32(12, -1, 1, 21);
  x[3 * 3 + 1] = NAN;
  Graph g(2);
  const uint32_t in = g.input(0, {1, 2, 2, 3});
  const uint32_t out = g.output(1, {1, 1, 1, 3});
  const size_t axes[2] = {1, 2};
  ASSERT_EQ(pqnn_define_reduce(g.sg, pqnn_reduce_max, 2, axes, in, out, PQNN_FLAG_KEEP_DIMS),
      pqnn_status_success);
  std::vector<float> y(3);
  pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, (void*) x.data()}, {1, y.data()}});
  pqnn_delete_runtime(rt);
  EXPECT_FALSE(std::isnan(y[0]));
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_FALSE(std::isnan(y[2]));
}

TEST(RuntimeComputeNodes, BadDefinitions) {
  Graph g(4);
  const uint32_t x = g.input(0, {1, 4, 4, 3});
  const uint32_t x2 = g.input(1, {2, 3});
  const std::vector<float> w(6 * 2 * 2 * 3, 0.5f);
  const uint32_t fid = g.f32({6, 2, 2, 3}, w.data());
  const uint32_t s3 = g.f32({3}, w.data());
  const uint32_t act_filter = g.f32({6, 2, 2, 3});
  const uint32_t y = g.output(2, {1, 8, 8, 6});
  const uint32_t y2 = g.output(3, {2, 3});
  // layer norm: axis out of range, bad epsilon, scale of the wrong shape
  EXPECT_EQ(pqnn_define_layer_normalization(g.sg, 2, 1e-5f, x2, s3, PQNN_INVALID_VALUE_ID, y2, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_layer_normalization(g.sg, 1, NAN, x2, s3, PQNN_INVALID_VALUE_ID, y2, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_layer_normalization(g.sg, 0, 1e-5f, x2, s3, PQNN_INVALID_VALUE_ID, y2, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_layer_normalization(nullptr, 1, 1e-5f, x2, s3, PQNN_INVALID_VALUE_ID, y2,
      0), pqnn_status_invalid_parameter);
  // pooling: zero stride, padding as large as the window, unknown flag
  EXPECT_EQ(pqnn_define_average_pooling_2d(g.sg, 0, 0, 0, 0, 2, 2, 0, 2, -INFINITY, INFINITY, x,
      y, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_average_pooling_2d(g.sg, 2, 0, 0, 0, 2, 2, 2, 2, -INFINITY, INFINITY, x,
      y, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_average_pooling_2d(g.sg, 0, 0, 0, 0, 2, 2, 2, 2, -INFINITY, INFINITY, x,
      y, PQNN_FLAG_TRANSPOSE_WEIGHTS), pqnn_status_invalid_parameter);
  // deconvolution: adjustment >= upsampling, non-static filter, wrong output shape
  EXPECT_EQ(pqnn_define_deconvolution_2d(g.sg, 0, 0, 0, 0, 2, 0, 2, 2, 2, 2, 1, 1, 1, 3, 6,
      -INFINITY, INFINITY, x, fid, PQNN_INVALID_VALUE_ID, y, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_deconvolution_2d(g.sg, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 3, 6,
      -INFINITY, INFINITY, x, act_filter, PQNN_INVALID_VALUE_ID, y, 0),
      pqnn_status_unsupported_parameter);
  EXPECT_EQ(pqnn_define_deconvolution_2d(g.sg, 1, 0, 0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 3, 6,
      -INFINITY, INFINITY, x, fid, PQNN_INVALID_VALUE_ID, y, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_deconvolution_2d(g.sg, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 1, 1, 1, 3, 6,
      -INFINITY, INFINITY, x, fid, PQNN_INVALID_VALUE_ID, y, 0), pqnn_status_success);
  // softmax over an axis out of range; batch matmul: inner dims differ, 1-D input,
  // batch dims that do not broadcast
  EXPECT_EQ(pqnn_define_softmax_axis(g.sg, 2, x2, y2, 0), pqnn_status_invalid_parameter);
  const uint32_t m23 = g.f32({2, 3}), m1 = g.f32({3}), b23 = g.f32({3, 2, 3});
  const uint32_t b33 = g.f32({2, 3, 3}), m32 = g.f32({3, 3});
  EXPECT_EQ(pqnn_define_batch_matrix_multiply(g.sg, x2, m23, m32, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_batch_matrix_multiply(g.sg, m1, m32, m1, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_batch_matrix_multiply(g.sg, b23, b33, b33, 0),
      pqnn_status_invalid_parameter);
  // reduce: unknown operator, axes not ascending, not consecutive, out of range
  const size_t ax01[2] = {0, 1}, ax10[2] = {1, 0}, ax02[2] = {0, 2}, ax3[1] = {3};
  const uint32_t r1 = g.f32({1, 1, 4, 3}), r2 = g.f32({3});
  EXPECT_EQ(pqnn_define_reduce(g.sg, pqnn_reduce_invalid, 2, ax01, x, r1, PQNN_FLAG_KEEP_DIMS),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_reduce(g.sg, pqnn_reduce_sum, 2, ax10, x, r1, PQNN_FLAG_KEEP_DIMS),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_reduce(g.sg, pqnn_reduce_sum, 2, ax02, x, r1, 0),
      pqnn_status_unsupported_parameter);
  EXPECT_EQ(pqnn_define_reduce(g.sg, pqnn_reduce_sum, 1, ax3, x2, r2, 0),
      pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_reduce(g.sg, pqnn_reduce_sum, 2, ax01, x, r1, PQNN_FLAG_KEEP_DIMS),
      pqnn_status_success);
}

}  // namespace
