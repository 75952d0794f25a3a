// f16 packers against a reference unpacker: every element of the packed panels/tiles at
// its documented place (src/microkernels.h), padding zero, f32 inputs rounded to nearest even.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <fp16.h>

#include "common/test-utils.h"

extern "C" {
#include "packing.h"
}

namespace {

uint16_t f16_bits(size_t i) { return static_cast<uint16_t>(0x3C00 + (i * 7 % 1021)); }

void CheckGemm(size_t groups, size_t nc, size_t ks, size_t kc, size_t nr, size_t kr,
               bool transposed, bool with_bias) {
  const size_t count = groups * nc * ks * kc;
  std::vector<uint16_t> kernel(count), bias(groups * nc);
  for (size_t i = 0; i < count; i++) kernel[i] = f16_bits(i);
  for (size_t i = 0; i < bias.size(); i++) bias[i] = f16_bits(i + 5000);
  const size_t bytes = pqnn_packed_gemm_size(groups, nc, ks, kc, nr, kr, 2, 2, 0);
  ASSERT_NE(bytes, 0u);
  std::vector<uint16_t> packed(bytes / 2, 0xFFFF);
  pqnn_pack_f16_gemm(groups, nc, ks, kc, nr, kr, transposed, false, kernel.data(),
                     with_bias ? bias.data() : nullptr, packed.data());
  const size_t kcp = (kc + kr - 1) / kr * kr;
  const size_t panel = nr + ks * kcp * nr;
  const size_t group_bytes = pqnn_packed_gemm_group_size(nc, ks, kc, nr, kr, 2, 2, 0);
  for (size_t g = 0; g < groups; g++) {
    const uint16_t* gp = packed.data() + g * group_bytes / 2;
    for (size_t n = 0; n < (nc + nr - 1) / nr * nr; n++) {
      const uint16_t* p = gp + (n / nr) * panel;
      const size_t j = n % nr;
      const uint16_t want_bias = (n < nc && with_bias) ? bias[g * nc + n] : 0;
      ASSERT_EQ(p[j], want_bias) << "bias of column " << n;
      for (size_t t = 0; t < ks; t++) {
        for (size_t k = 0; k < kcp; k++) {
          const uint16_t got = p[nr + (t * kcp + k / kr * kr) * nr + j * kr + k % kr];
          uint16_t want = 0;
          if (n < nc && k < kc) {
            want = transposed ? kernel[k * nc + n] : kernel[((g * nc + n) * ks + t) * kc + k];
          }
          ASSERT_EQ(got, want) << "g=" << g << " n=" << n << " t=" << t << " k=" << k;
        }
      }
    }
  }
}

}  // namespace

TEST(F16Packing, gemm_layouts) {
  for (size_t nr : {4, 16, 32}) {
    for (size_t nc : {1, 3, 16, 33, 70}) {
      for (size_t kc : {1, 5, 64}) {
        CheckGemm(1, nc, 1, kc, nr, 1, false, true);
        CheckGemm(1, nc, 1, kc, nr, 1, true, true);
        CheckGemm(2, nc, 3, kc, nr, 1, false, false);
        CheckGemm(2, nc, 2, kc, nr, 4, false, true);
      }
    }
  }
}

TEST(F16Packing, dwconv_layout) {
  for (size_t ct : {1, 8, 16}) {
    for (size_t channels : {1, 7, 16, 35}) {
      for (size_t taps : {1, 9, 25}) {
        std::vector<uint16_t> kernel(taps * channels), bias(channels);
        for (size_t i = 0; i < kernel.size(); i++) kernel[i] = f16_bits(i);
        for (size_t i = 0; i < channels; i++) bias[i] = f16_bits(i + 900);
        const size_t bytes = pqnn_packed_dwconv_size(channels, taps, ct, 2, 2, 0);
        std::vector<uint16_t> packed(bytes / 2, 0xFFFF);
        pqnn_pack_f16_dwconv(channels, taps, ct, false, kernel.data(), bias.data(), packed.data());
        const size_t tile = ct * (1 + taps);
        for (size_t c = 0; c < (channels + ct - 1) / ct * ct; c++) {
          const uint16_t* p = packed.data() + (c / ct) * tile;
          ASSERT_EQ(p[c % ct], c < channels ? bias[c] : 0);
          for (size_t t = 0; t < taps; t++) {
            ASSERT_EQ(p[ct + t * ct + c % ct], c < channels ? kernel[t * channels + c] : 0);
          }
        }
      }
    }
  }
}

TEST(F16Packing, from_f32_rounds_to_nearest_even) {
  // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even gives 1 (0x3C00);
  // 1 + 3 * 2^-11 ties to 1 + 2^-9 (0x3C02); 1e6 overflows to +inf; NaN stays NaN.
  const float kernel[4] = {1.0f + 0x1.0p-11f, 1.0f + 3 * 0x1.0p-11f, 1e6f, NAN};
  const float bias[1] = {-2.5f};
  std::vector<uint16_t> packed(pqnn_packed_gemm_size(1, 1, 1, 4, 1, 1, 2, 2, 0) / 2);
  pqnn_pack_f16_gemm(1, 1, 1, 4, 1, 1, false, true, kernel, bias, packed.data());
  EXPECT_EQ(packed[0], 0xC100);
  EXPECT_EQ(packed[1], 0x3C00);
  EXPECT_EQ(packed[2], 0x3C02);
  EXPECT_EQ(packed[3], 0x7C00);
  EXPECT_EQ(packed[4] & 0x7C00, 0x7C00);
  EXPECT_NE(packed[4] & 0x03FF, 0);
  std::vector<uint16_t> dw(pqnn_packed_dwconv_size(1, 4, 2, 2, 2, 0) / 2, 0xFFFF);
  pqnn_pack_f16_dwconv(1, 4, 2, true, kernel, bias, dw.data());
  EXPECT_EQ(dw[0], 0xC100);
  EXPECT_EQ(dw[1], 0);
  EXPECT_EQ(dw[2], 0x3C00);
  EXPECT_EQ(dw[3], 0);
  EXPECT_EQ(dw[4], 0x3C02);
  EXPECT_EQ(dw[6], 0x7C00);
}
