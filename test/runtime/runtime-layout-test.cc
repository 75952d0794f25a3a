// Data-movement nodes (concatenate, split, slice, constant pad, transpose, resize) through a
// runtime against index-by-index references over random shapes: f32 (bit-exact; bilinear
// within float rounding), f16 inference (copies exact on f16 data; bilinear within f16
// rounding), qint8 copies, a threadpool, and rejected defines.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include <fp16.h>
#include <pqnn.h>

#include "common/runtime-graph.h"
#include "common/test-pool.h"

using namespace pqnn_test;

namespace {

using Dims = std::vector<size_t>;

size_t count(const Dims& d) {
  return std::accumulate(d.begin(), d.end(), size_t{1}, std::multiplies<size_t>());
}
// Multi-index of flat index i in dims.
Dims unflatten(size_t i, const Dims& d) {
  Dims idx(d.size());
  for (size_t k = d.size(); k-- > 0;) {
    idx[k] = i % d[k];
    i /= d[k];
  }
  return idx;
}
size_t flatten(const Dims& idx, const Dims& d) {
  size_t i = 0;
  for (size_t k = 0; k < d.size(); k++) i = i * d[k] + idx[k];
  return i;
}
Dims random_dims(std::mt19937& rng, size_t rank, size_t max_dim) {
  Dims d(rank);
  for (auto& x : d) x = 1 + rng() % max_dim;
  return d;
}
// Values exactly representable in f16, so f16 copies compare exactly.
std::vector<float> f16_exact(size_t n, uint32_t seed) {
  auto v = random_f32(n, -4, 4, seed);
  for (auto& x : v) x = fp16_ieee_to_fp32_value(fp16_ieee_from_fp32_value(x));
  return v;
}

const uint32_t kModes[] = {0u, unsigned(PQNN_FLAG_FORCE_FP16_INFERENCE)};

// Runs a one-node graph defined by `define(g, in, out)` and returns the output.
template <class Define>
std::vector<float> run_one(const Dims& xd, const Dims& yd, const std::vector<float>& x,
    uint32_t flags, Define define, pthreadpool_t pool = nullptr) {
  Graph g(2);
  const uint32_t in = g.input(0, xd);
  const uint32_t out = g.output(1, yd);
  EXPECT_EQ(define(g, in, out), pqnn_status_success);
  std::vector<float> y(count(yd), -12345.0f);
  pqnn_runtime_t rt = run_graph(g.sg, flags, {{0, (void*) x.data()}, {1, y.data()}}, pool);
  pqnn_delete_runtime(rt);
  return y;
}

TEST(RuntimeLayout, TransposeRandomRanksAndPermutations) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 60; trial++) {
    const size_t rank = 1 + trial % 6;
    const Dims xd = random_dims(rng, rank, rank > 4 ? 4 : 9);
    Dims perm(rank);
    std::iota(perm.begin(), perm.end(), size_t{0});
    std::shuffle(perm.begin(), perm.end(), rng);
    Dims yd(rank);
    for (size_t k = 0; k < rank; k++) yd[k] = xd[perm[k]];
    const auto x = f16_exact(count(xd), trial);
    for (uint32_t flags : kModes) {
      const auto y = run_one(xd, yd, x, flags, [&](Graph& g, uint32_t in, uint32_t out) {
        return pqnn_define_static_transpose(g.sg, rank, perm.data(), in, out, 0);
      });
      for (size_t i = 0; i < y.size(); i++) {
        const Dims oi = unflatten(i, yd);
        Dims xi(rank);
        for (size_t k = 0; k < rank; k++) xi[perm[k]] = oi[k];
        ASSERT_EQ(y[i], x[flatten(xi, xd)]) << "trial " << trial << " flags " << flags;
      }
    }
  }
}

TEST(RuntimeLayout, TransposeNchwNhwcFastPathWithPool) {
  pthreadpool_t pool = create_pool(3);
  for (const Dims& perm : {Dims{0, 2, 3, 1}, Dims{0, 3, 1, 2}}) {
    for (size_t n : {1u, 2u}) {
      const Dims xd = {n, 37, 19, 23};
      Dims yd(4);
      for (size_t k = 0; k < 4; k++) yd[k] = xd[perm[k]];
      const auto x = random_f32(count(xd), -1, 1, 3);
      const auto y = run_one(xd, yd, x, 0, [&](Graph& g, uint32_t in, uint32_t out) {
        return pqnn_define_static_transpose(g.sg, 4, perm.data(), in, out, 0);
      }, pool);
      for (size_t i = 0; i < y.size(); i++) {
        const Dims oi = unflatten(i, yd);
        Dims xi(4);
        for (size_t k = 0; k < 4; k++) xi[perm[k]] = oi[k];
        ASSERT_EQ(y[i], x[flatten(xi, xd)]);
      }
    }
  }
  destroy_pool(pool);
}

// NCHW -> NHWC with few channels (the narrow interleaving path, C <= 4, and C = 5 past it):
// plane sizes below, at and across its 1024-pixel tile, f32 and f16, with a pool.
TEST(RuntimeLayout, TransposeNarrowChannelsToNhwc) {
  pthreadpool_t pool = create_pool(2);
  const Dims perm = {0, 2, 3, 1};
  for (size_t c : {1u, 2u, 3u, 4u, 5u}) {
    for (const Dims& hw : {Dims{1, 1}, Dims{1, 1023}, Dims{32, 32}, Dims{33, 35}, Dims{64, 48}}) {
      for (size_t n : {1u, 2u}) {
        const Dims xd = {n, c, hw[0], hw[1]};
        const Dims yd = {n, hw[0], hw[1], c};
        const auto x = f16_exact(count(xd), uint32_t(c * 131 + hw[1]));
        for (uint32_t flags : kModes) {
          const auto y = run_one(xd, yd, x, flags, [&](Graph& g, uint32_t in, uint32_t out) {
            return pqnn_define_static_transpose(g.sg, 4, perm.data(), in, out, 0);
          }, pool);
          for (size_t i = 0; i < y.size(); i++) {
            const Dims oi = unflatten(i, yd);
            ASSERT_EQ(y[i], x[flatten({oi[0], oi[3], oi[1], oi[2]}, xd)])
                << "C " << c << " " << hw[0] << "x" << hw[1] << " N " << n << " flags " << flags;
          }
        }
      }
    }
  }
  destroy_pool(pool);
}

TEST(RuntimeLayout, SliceRandomWindowsAndSteps) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 60; trial++) {
    const size_t rank = 1 + trial % 6;
    const Dims xd = random_dims(rng, rank, rank > 4 ? 5 : 12);
    Dims off(rank), size(rank), step(rank);
    for (size_t k = 0; k < rank; k++) {
      step[k] = 1 + rng() % 3;
      off[k] = rng() % xd[k];
      size[k] = 1 + rng() % ((xd[k] - 1 - off[k]) / step[k] + 1);
    }
    const auto x = f16_exact(count(xd), trial);
    for (uint32_t flags : kModes) {
      const auto y = run_one(xd, size, x, flags, [&](Graph& g, uint32_t in, uint32_t out) {
        return pqnn_define_static_slice(g.sg, rank, off.data(), size.data(), step.data(), in,
            out, 0);
      });
      for (size_t i = 0; i < y.size(); i++) {
        const Dims oi = unflatten(i, size);
        Dims xi(rank);
        for (size_t k = 0; k < rank; k++) xi[k] = off[k] + oi[k] * step[k];
        ASSERT_EQ(y[i], x[flatten(xi, xd)]) << "trial " << trial;
      }
    }
  }
}

TEST(RuntimeLayout, ConcatenateAndSplitRoundTrip) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 40; trial++) {
    const size_t rank = 1 + trial % 5;
    const size_t axis = rng() % rank;
    const size_t parts = 1 + rng() % 5;
    const Dims base = random_dims(rng, rank, 7);
    std::vector<Dims> in_dims(parts, base);
    Dims yd = base;
    yd[axis] = 0;
    for (auto& d : in_dims) {
      d[axis] = 1 + rng() % 6;
      yd[axis] += d[axis];
    }
    std::vector<std::vector<float>> xs;
    for (size_t k = 0; k < parts; k++) xs.push_back(f16_exact(count(in_dims[k]), trial * 8 + k));
    for (uint32_t flags : kModes) {
      // inputs -> concatenate -> split back into the same parts: outputs 0..parts-1 are the
      // split parts, `parts` is the concatenation.
      Graph g(2 * parts + 1);
      std::vector<uint32_t> ins, outs;
      for (size_t k = 0; k < parts; k++) ins.push_back(g.input(k, in_dims[k]));
      const uint32_t cat = g.output(parts, yd);
      for (size_t k = 0; k < parts; k++) outs.push_back(g.output(parts + 1 + k, in_dims[k]));
      ASSERT_EQ(pqnn_define_concatenate(g.sg, axis, parts, ins.data(), cat, 0),
          pqnn_status_success);
      ASSERT_EQ(pqnn_define_split(g.sg, axis, cat, parts, outs.data(), 0), pqnn_status_success);
      std::vector<float> y(count(yd));
      std::vector<std::vector<float>> back(parts);
      std::vector<pqnn_external_value> ext;
      for (size_t k = 0; k < parts; k++) ext.push_back({uint32_t(k), (void*) xs[k].data()});
      ext.push_back({uint32_t(parts), y.data()});
      for (size_t k = 0; k < parts; k++) {
        back[k].assign(count(in_dims[k]), 0.0f);
        ext.push_back({uint32_t(parts + 1 + k), back[k].data()});
      }
      pqnn_runtime_t rt = run_graph(g.sg, flags, ext);
      const auto infos = node_infos(rt);
      pqnn_delete_runtime(rt);
      EXPECT_EQ(std::count_if(infos.begin(), infos.end(), [](const pqnn_runtime_node_info& i) {
        return i.type == pqnn_node_type_split; }), long(parts));
      for (size_t i = 0; i < y.size(); i++) {
        Dims oi = unflatten(i, yd);
        size_t k = 0;
        while (oi[axis] >= in_dims[k][axis]) oi[axis] -= in_dims[k++][axis];
        ASSERT_EQ(y[i], xs[k][flatten(oi, in_dims[k])]) << "trial " << trial;
      }
      for (size_t k = 0; k < parts; k++) ASSERT_EQ(back[k], xs[k]) << "trial " << trial;
    }
  }
}

TEST(RuntimeLayout, ConstantPadRandom) {
  std::mt19937 rng(13);
  for (int trial = 0; trial < 40; trial++) {
    const size_t rank = 1 + trial % 6;
    const Dims xd = random_dims(rng, rank, rank > 4 ? 4 : 8);
    Dims pre(rank), post(rank), yd(rank);
    for (size_t k = 0; k < rank; k++) {
      pre[k] = rng() % 3;
      post[k] = rng() % 3;
      yd[k] = pre[k] + xd[k] + post[k];
    }
    const float value = trial % 3 == 0 ? -INFINITY : 0.75f;
    const auto x = f16_exact(count(xd), trial);
    for (uint32_t flags : kModes) {
      const auto y = run_one(xd, yd, x, flags, [&](Graph& g, uint32_t in, uint32_t out) {
        return pqnn_define_static_constant_pad(g.sg, rank, pre.data(), post.data(), value, in,
            out, 0);
      });
      for (size_t i = 0; i < y.size(); i++) {
        const Dims oi = unflatten(i, yd);
        Dims xi(rank);
        bool inside = true;
        for (size_t k = 0; k < rank; k++) {
          inside &= oi[k] >= pre[k] && oi[k] - pre[k] < xd[k];
          xi[k] = oi[k] - pre[k];
        }
        ASSERT_EQ(y[i], inside ? x[flatten(xi, xd)] : value) << "trial " << trial;
      }
    }
  }
}

// Resize reference, written from the ONNX operator definition (float arithmetic).
float source(pqnn_resize_coordinates c, size_t o, size_t in, size_t out, float scale) {
  switch (c) {
    case pqnn_resize_half_pixel: return (o + 0.5f) / scale - 0.5f;
    case pqnn_resize_pytorch_half_pixel: return out > 1 ? (o + 0.5f) / scale - 0.5f : 0.0f;
    case pqnn_resize_asymmetric: return o / scale;
    default: return out > 1 ? o * float(in - 1) / float(out - 1) : 0.0f;
  }
}
size_t nearest(pqnn_resize_nearest_rounding r, float c, size_t in) {
  float v;
  switch (r) {
    case pqnn_resize_round_prefer_floor: v = (c - std::floor(c) == 0.5f) ? std::floor(c) : std::round(c); break;
    case pqnn_resize_round_prefer_ceil: v = std::round(c); break;
    case pqnn_resize_floor: v = std::floor(c); break;
    default: v = std::ceil(c); break;
  }
  return size_t(std::min<float>(std::max(v, 0.0f), float(in - 1)));
}

TEST(RuntimeLayout, ResizeModesAgainstReference) {
  struct Case { size_t h, w, oh, ow; float sh, sw; };
  const Case cases[] = {{5, 7, 10, 14, 0, 0}, {8, 8, 32, 32, 4, 4}, {6, 9, 4, 5, 0, 0},
                        {3, 4, 7, 9, 0, 0}, {4, 6, 10, 15, 2.5f, 2.5f}, {5, 5, 1, 1, 0, 0},
                        // wider than the nearest kernel's block of 256 source columns
                        {2, 150, 3, 520, 0, 0}};
  const pqnn_resize_coordinates coords[] = {pqnn_resize_half_pixel,
      pqnn_resize_pytorch_half_pixel, pqnn_resize_asymmetric, pqnn_resize_align_corners};
  for (const Case& cs : cases) {
    const size_t n = 2, c = 67;  // channels above one f16 block
    const Dims xd = {n, cs.h, cs.w, c}, yd = {n, cs.oh, cs.ow, c};
    const auto x = f16_exact(count(xd), uint32_t(cs.h * 31 + cs.w));
    for (auto co : coords) {
      for (int mode = 0; mode < 5; mode++) {
        pqnn_resize_params p = {};
        p.mode = mode == 4 ? pqnn_resize_bilinear : pqnn_resize_nearest;
        p.coordinates = co;
        p.rounding = pqnn_resize_nearest_rounding(mode % 4);
        p.output_height = cs.oh;
        p.output_width = cs.ow;
        p.height_scale = cs.sh;
        p.width_scale = cs.sw;
        const float sh = cs.sh > 0 ? cs.sh : float(cs.oh) / float(cs.h);
        const float sw = cs.sw > 0 ? cs.sw : float(cs.ow) / float(cs.w);
        for (uint32_t flags : kModes) {
          const auto y = run_one(xd, yd, x, flags, [&](Graph& g, uint32_t in, uint32_t out) {
            return pqnn_define_static_resize_2d(g.sg, &p, in, out, 0);
          });
          for (size_t i = 0; i < y.size(); i++) {
            const Dims oi = unflatten(i, yd);
            const float fy = source(co, oi[1], cs.h, cs.oh, sh);
            const float fx = source(co, oi[2], cs.w, cs.ow, sw);
            auto at = [&](size_t yy, size_t xx) { return x[flatten({oi[0], yy, xx, oi[3]}, xd)]; };
            if (p.mode == pqnn_resize_nearest) {
              ASSERT_EQ(y[i], at(nearest(p.rounding, fy, cs.h), nearest(p.rounding, fx, cs.w)));
              continue;
            }
            const double cy = std::min(std::max(double(fy), 0.0), double(cs.h - 1));
            const double cx = std::min(std::max(double(fx), 0.0), double(cs.w - 1));
            const size_t y0 = size_t(cy), x0 = size_t(cx);
            const size_t y1 = std::min(y0 + 1, cs.h - 1), x1 = std::min(x0 + 1, cs.w - 1);
            const double dy = cy - y0, dx = cx - x0;
            const double r = (1 - dy) * ((1 - dx) * at(y0, x0) + dx * at(y0, x1)) +
                             dy * ((1 - dx) * at(y1, x0) + dx * at(y1, x1));
            ASSERT_NEAR(y[i], r, flags ? 2e-3 * std::max(1.0, std::fabs(r)) : 2e-6)
                << "coords " << co << " case " << cs.h << "x" << cs.w;
          }
        }
      }
    }
  }
}

TEST(RuntimeLayout, NanPassesThrough) {
  std::vector<float> x = {1.0f, NAN, 3.0f, 4.0f};
  pqnn_resize_params p = {};
  p.mode = pqnn_resize_bilinear;
  p.output_height = 2;
  p.output_width = 4;
  const auto y = run_one({1, 2, 2, 1}, {1, 2, 4, 1}, x, 0, [&](Graph& g, uint32_t in, uint32_t out) {
    return pqnn_define_static_resize_2d(g.sg, &p, in, out, 0);
  });
  EXPECT_TRUE(std::isnan(y[2]));
  const size_t perm[2] = {1, 0};
  const auto t = run_one({2, 2}, {2, 2}, x, 0, [&](Graph& g, uint32_t in, uint32_t out) {
    return pqnn_define_static_transpose(g.sg, 2, perm, in, out, 0);
  });
  EXPECT_TRUE(std::isnan(t[2]));
}

TEST(RuntimeLayout, Qint8CopiesAndPadValue) {
  Graph g(3);
  const Dims xd = {2, 3, 4};
  std::vector<int8_t> a(24), b(24);
  for (size_t i = 0; i < 24; i++) a[i] = int8_t(i * 5 - 60), b[i] = int8_t(100 - i * 7);
  const uint32_t ia = g.q8(xd, 3, 0.5f, nullptr, 0, PQNN_VALUE_FLAG_EXTERNAL_INPUT);
  const uint32_t ib = g.q8(xd, 3, 0.5f, b.data());
  const uint32_t cat = g.q8({2, 6, 4}, 3, 0.5f);
  const uint32_t out = g.q8({2, 6, 6}, 3, 0.5f, nullptr, 1, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  const uint32_t ids[2] = {ia, ib};
  ASSERT_EQ(pqnn_define_concatenate(g.sg, 1, 2, ids, cat, 0), pqnn_status_success);
  const size_t pre[3] = {0, 0, 1}, post[3] = {0, 0, 1};
  ASSERT_EQ(pqnn_define_static_constant_pad(g.sg, 3, pre, post, 2.0f, cat, out, 0),
      pqnn_status_success);
  std::vector<int8_t> y(72);
  pqnn_runtime_t rt = run_graph(g.sg, 0, {{0, a.data()}, {1, y.data()}});
  pqnn_delete_runtime(rt);
  for (size_t n = 0; n < 2; n++)
    for (size_t r = 0; r < 6; r++)
      for (size_t c = 0; c < 6; c++) {
        const int8_t want = (c == 0 || c == 5) ? int8_t(2.0f / 0.5f + 3)
            : r < 3 ? a[(n * 3 + r) * 4 + c - 1] : b[(n * 3 + r - 3) * 4 + c - 1];
        ASSERT_EQ(y[(n * 6 + r) * 6 + c], want);
      }
}

TEST(RuntimeLayout, BadDefines) {
  Graph g(4);
  const uint32_t x = g.input(0, {2, 3, 4, 5});
  const uint32_t y = g.output(1, {2, 3, 4, 5});
  const size_t bad_perm[4] = {0, 1, 1, 2};
  EXPECT_EQ(pqnn_define_static_transpose(g.sg, 4, bad_perm, x, y, 0), pqnn_status_invalid_parameter);
  const size_t perm7[7] = {0, 1, 2, 3, 4, 5, 6};
  EXPECT_EQ(pqnn_define_static_transpose(g.sg, 7, perm7, x, y, 0), pqnn_status_unsupported_parameter);
  EXPECT_EQ(pqnn_define_static_transpose(g.sg, 4, nullptr, x, y, 0), pqnn_status_invalid_parameter);
  const size_t perm[4] = {0, 2, 3, 1};
  EXPECT_EQ(pqnn_define_static_transpose(g.sg, 4, perm, x, y, 0), pqnn_status_invalid_parameter);  // shape
  const size_t off[4] = {0, 0, 0, 1}, size[4] = {2, 3, 4, 5};
  EXPECT_EQ(pqnn_define_static_slice(g.sg, 4, off, size, nullptr, x, y, 0), pqnn_status_invalid_parameter);
  const size_t zero[4] = {0, 0, 0, 0};
  EXPECT_EQ(pqnn_define_static_slice(g.sg, 4, zero, zero, nullptr, x, y, 0), pqnn_status_invalid_parameter);
  const uint32_t two[2] = {x, x};
  EXPECT_EQ(pqnn_define_concatenate(g.sg, 1, 2, two, y, 0), pqnn_status_invalid_parameter);  // shape
  EXPECT_EQ(pqnn_define_concatenate(g.sg, 4, 1, two, y, 0), pqnn_status_invalid_parameter);  // axis
  uint32_t many[17];
  std::fill(many, many + 17, x);
  EXPECT_EQ(pqnn_define_concatenate(g.sg, 0, 17, many, y, 0), pqnn_status_unsupported_parameter);
  const uint32_t a = g.f32({2, 1, 4, 5}), b = g.f32({2, 1, 4, 5});
  const uint32_t parts[2] = {a, b};
  EXPECT_EQ(pqnn_define_split(g.sg, 1, x, 2, parts, 0), pqnn_status_invalid_parameter);  // 2 != 3
  const uint32_t c = g.f32({2, 1, 4, 5});
  const uint32_t clash[3] = {a, b, a};  // the same output twice: nothing stays defined
  EXPECT_EQ(pqnn_define_split(g.sg, 1, x, 3, clash, 0), pqnn_status_invalid_parameter);
  const uint32_t good[3] = {a, b, c};
  EXPECT_EQ(pqnn_define_split(g.sg, 1, x, 3, good, 0), pqnn_status_success);
  pqnn_resize_params p = {};
  p.output_height = 4;
  p.output_width = 5;
  p.coordinates = pqnn_resize_coordinates(9);
  EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &p, x, y, 0), pqnn_status_invalid_parameter);
  p.coordinates = pqnn_resize_half_pixel;
  p.height_scale = -1.0f;
  EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &p, x, y, 0), pqnn_status_invalid_parameter);
  EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, nullptr, x, y, 0), pqnn_status_invalid_parameter);
  const uint32_t q = g.q8({1, 2, 2, 1}, 0, 1.0f, nullptr, 2, PQNN_VALUE_FLAG_EXTERNAL_INPUT);
  const uint32_t qy = g.q8({1, 4, 4, 1}, 0, 1.0f, nullptr, 3, PQNN_VALUE_FLAG_EXTERNAL_OUTPUT);
  pqnn_resize_params bl = {};
  bl.mode = pqnn_resize_bilinear;
  bl.height_scale = bl.width_scale = 2.0f;
  EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &bl, q, qy, 0), pqnn_status_unsupported_parameter);
  bl.mode = pqnn_resize_nearest;
  EXPECT_EQ(pqnn_define_static_resize_2d(g.sg, &bl, q, qy, 0), pqnn_status_success);
  const uint32_t yf = g.f32({2, 3, 4, 5});
  EXPECT_EQ(pqnn_define_concatenate(g.sg, 0, 1, &q, yf, 0), pqnn_status_invalid_parameter);  // dtype
}

}  // namespace
