// pqnn_pack_qs8_gemm / pqnn_pack_qd8_gemm against a reference unpacker: every weight,
// padding byte, prefix (bias' / ksum) and suffix (scales, bias) is read back from the
// documented layout (src/microkernels.h) and compared with the source.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "common/test-utils.h"

extern "C" {
#include "packing.h"
}

namespace {

struct Geometry {
  size_t groups, nc, ks, kc, nr, kr;
  bool transposed;
};

int8_t KernelAt(const Geometry& g, const std::vector<int8_t>& kernel, size_t grp, size_t n,
    size_t t, size_t k) {
  return g.transposed ? kernel[k * g.nc + n] : kernel[((grp * g.nc + n) * g.ks + t) * g.kc + k];
}

template <typename T>
T Load(const int8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Unpacks and checks one packed buffer; qs8 when `qs8`, else qd8.
void Check(const Geometry& g, bool qs8) {
  auto& rng = pqnn_test::rng();
  std::uniform_int_distribution<int> w8(-127, 127), b32(-1000000, 1000000), zp(-128, 255);
  std::uniform_real_distribution<float> f(-2.0f, 2.0f);
  std::vector<int8_t> kernel(g.groups * g.nc * g.ks * g.kc);
  for (auto& x : kernel) x = static_cast<int8_t>(w8(rng));
  std::vector<int32_t> bias(g.groups * g.nc);
  std::vector<float> scale(g.groups * g.nc), fbias(g.groups * g.nc);
  for (auto& x : bias) x = b32(rng);
  for (auto& x : scale) x = f(rng);
  for (auto& x : fbias) x = f(rng);
  const int32_t adjust = zp(rng);
  const size_t suffix = qs8 ? 4 : 8;
  const size_t size = pqnn_packed_gemm_size(g.groups, g.nc, g.ks, g.kc, g.nr, g.kr, 1, 4, suffix);
  const size_t group_size = pqnn_packed_gemm_group_size(g.nc, g.ks, g.kc, g.nr, g.kr, 1, 4, suffix);
  ASSERT_EQ(size, group_size * g.groups);
  std::vector<int8_t> packed(size, 0x77);
  if (qs8) {
    pqnn_pack_qs8_gemm(g.groups, g.nc, g.ks, g.kc, g.nr, g.kr, g.transposed, kernel.data(),
        bias.data(), scale.data(), adjust, packed.data());
  } else {
    pqnn_pack_qd8_gemm(g.groups, g.nc, g.ks, g.kc, g.nr, g.kr, g.transposed, kernel.data(),
        scale.data(), fbias.data(), packed.data());
  }
  const size_t kcp = (g.kc + g.kr - 1) / g.kr * g.kr;
  const int8_t* p = packed.data();
  for (size_t grp = 0; grp < g.groups; grp++) {
    ASSERT_EQ(p, packed.data() + grp * group_size);
    for (size_t n0 = 0; n0 < g.nc; n0 += g.nr) {
      const int8_t* prefix = p;
      const int8_t* data = p + g.nr * 4;
      const int8_t* suf = data + g.ks * kcp * g.nr;
      for (size_t j = 0; j < g.nr; j++) {
        const size_t n = n0 + j;
        const bool valid = n < g.nc;
        int32_t sum = 0;
        for (size_t t = 0; t < g.ks; t++)
          for (size_t k = 0; k < kcp; k++) {
            // Group k / kr of tap t, column j, position k % kr.
            const int8_t got = data[(t * kcp / g.kr + k / g.kr) * g.nr * g.kr + j * g.kr + k % g.kr];
            const int8_t want = (valid && k < g.kc) ? KernelAt(g, kernel, grp, n, t, k) : 0;
            ASSERT_EQ(got, want) << "group " << grp << " n " << n << " tap " << t << " k " << k;
            sum += want;
          }
        const size_t ch = grp * g.nc + n;
        if (qs8) {
          EXPECT_EQ(Load<int32_t>(prefix + 4 * j), valid ? bias[ch] - adjust * sum : 0);
          EXPECT_EQ(Load<float>(suf + 4 * j), valid ? scale[ch] : 0.0f);
        } else {
          EXPECT_EQ(Load<int32_t>(prefix + 4 * j), valid ? sum : 0);
          EXPECT_EQ(Load<float>(suf + 4 * j), valid ? scale[ch] : 0.0f);
          EXPECT_EQ(Load<float>(suf + 4 * (g.nr + j)), valid ? fbias[ch] : 0.0f);
        }
      }
      p = suf + suffix * g.nr;
    }
  }
  ASSERT_EQ(p, packed.data() + size);
}

const Geometry kGeometries[] = {
    {1, 1, 1, 1, 4, 1, false},   {1, 7, 1, 13, 4, 1, false},  {1, 17, 1, 33, 8, 8, false},
    {1, 17, 1, 33, 8, 8, true},  {3, 5, 9, 3, 16, 4, false},  {2, 70, 3, 37, 64, 4, false},
    {1, 64, 1, 4096, 16, 4, true}, {4, 3, 2, 9, 4, 8, false}, {1, 129, 1, 5, 64, 4, true},
};

TEST(Int8Packing, Qs8) {
  for (const auto& g : kGeometries) Check(g, true);
}

TEST(Int8Packing, Qd8) {
  for (const auto& g : kGeometries) Check(g, false);
}

TEST(Int8Packing, Qs8NullBias) {
  const std::vector<int8_t> kernel = {1, -2, 3, 127, -127, 5};  // nc = 2, kc = 3
  const float scale[2] = {0.5f, 0.25f};
  std::vector<int8_t> packed(pqnn_packed_gemm_size(1, 2, 1, 3, 4, 4, 1, 4, 4));
  pqnn_pack_qs8_gemm(1, 2, 1, 3, 4, 4, false, kernel.data(), nullptr, scale, 10, packed.data());
  EXPECT_EQ(Load<int32_t>(packed.data()), -10 * 2);
  EXPECT_EQ(Load<int32_t>(packed.data() + 4), -10 * 5);
  std::vector<int8_t> qd(pqnn_packed_gemm_size(1, 2, 1, 3, 4, 4, 1, 4, 8));
  pqnn_pack_qd8_gemm(1, 2, 1, 3, 4, 4, false, kernel.data(), scale, nullptr, qd.data());
  EXPECT_EQ(Load<int32_t>(qd.data() + 4), 5);
  EXPECT_EQ(Load<float>(qd.data() + 16 + 16 + 16 + 4), 0.0f);  // bias of column 1
}

}  // namespace
