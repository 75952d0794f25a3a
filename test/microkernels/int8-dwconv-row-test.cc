// Kernel tests for every int8 depthwise row microkernel (qs8-dwconv-row, qd8-f32-qc8w-dwconv-row;
// src/microkernels.h, DWCONV row), each skipped only when the CPU or PQNN_ISA lacks its ISA
// (the emulated build runs them everywhere). A row kernel must give, bit for bit, what the
// DWCONV kernel of the same tile (the one the config pairs it with, whose packed weights
// it reads) gives for the same pixels through an indirection buffer; qs8-dwconv-test and
// qd8-f32-qc8w-dwconv-test check that kernel against the plain reference. Each kernel row
// is its own exact-size heap buffer (AddressSanitizer catches a read past the last tap),
// pixels `pixel_stride` bytes apart; zero rows (vertical padding) hold the input zero
// point; output gaps are poisoned and checked untouched. Sweeps: channels 1..133 (whole
// tiles, masked tails), widths 1..19 (pixel pairs and the odd one), strides 1..3 and
// dilations 1..2 (the pair path only where they are equal), pixel strides wider than the
// channels, every kernel row a zero row, zero points, clamping and extreme inputs and
// weights. The row kernels take no border pixels (edges zero).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/test-utils.h"

#include <pqnn.h>  // before extern "C": it includes pthreadpool.h, which has C++ templates

extern "C" {
#include "configs/config.h"
#include "packing.h"
}

namespace {

struct Kernel {
  const char* name;
  pqnn_dwconv_row_ukernel_fn fn;
  size_t taps;
  size_t ct;
  size_t kr;
  enum pqnn_isa isa;
  bool qd8;
};

struct PixelKernel {
  const char* name;
  pqnn_dwconv_ukernel_fn fn;
};

const std::vector<Kernel>& kernels() {
  static const std::vector<Kernel> list = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn, taps, ct, kr, tier, false},
#include "microkernels/qs8-dwconv-row/qs8-dwconv-row.inc"
#undef PQNN_UKERNEL
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn, taps, ct, kr, tier, true},
#include "microkernels/qd8-f32-qc8w-dwconv-row/qd8-f32-qc8w-dwconv-row.inc"
#undef PQNN_UKERNEL
  };
  return list;
}

// The DWCONV kernel of a row kernel's tile: the same name without "_row".
pqnn_dwconv_ukernel_fn pixel_kernel(const std::string& row_name) {
  static const std::vector<PixelKernel> list = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn},
#include "microkernels/qs8-dwconv/qs8-dwconv.inc"
#include "microkernels/qd8-f32-qc8w-dwconv/qd8-f32-qc8w-dwconv.inc"
#undef PQNN_UKERNEL
  };
  std::string name = row_name;
  name.erase(name.find("_row"), 4);
  for (const PixelKernel& k : list) {
    if (name == k.name) return k.fn;
  }
  return nullptr;
}

struct Case {
  size_t channels = 1;
  size_t width = 1;
  size_t stride = 1;           // pixels between windows
  size_t dilation = 1;         // pixels between taps of a row
  size_t pixel_stride = 0;     // bytes between input pixels; 0: channels
  size_t output_stride = 0;    // elements between output pixels; 0: channels
  size_t zero_row = SIZE_MAX;  // kernel row read from a zero row
  int32_t zero_point = 0;      // input zero point (qs8) / image zero point (qd8)
  bool extreme = false;        // inputs and weights at their extremes
  bool clamp = false;          // narrow output bounds
};

constexpr uint8_t kPoisonByte = 0xA7;

void run(const Kernel& k, pqnn_dwconv_ukernel_fn pixel, const Case& c) {
  const size_t kh = 3;
  const size_t taps = kh * kh;
  const size_t channels = c.channels;
  const size_t ps = c.pixel_stride == 0 ? channels : c.pixel_stride;
  const size_t os = c.output_stride == 0 ? channels : c.output_stride;
  const size_t row_pixels = (c.width - 1) * c.stride + (kh - 1) * c.dilation + 1;
  const size_t row_bytes = (row_pixels - 1) * ps + channels;
  SCOPED_TRACE(std::string(k.name) + " channels " + std::to_string(channels) + " width " +
      std::to_string(c.width) + " stride " + std::to_string(c.stride) + " dilation " +
      std::to_string(c.dilation) + " pixel_stride " + std::to_string(ps) + " output_stride " +
      std::to_string(os) + " zero_row " + std::to_string(c.zero_row) + " zero_point " +
      std::to_string(c.zero_point) + (c.extreme ? " extreme" : "") + (c.clamp ? " clamp" : ""));
  auto& gen = pqnn_test::rng();
  std::uniform_int_distribution<int> x8(-128, 127), w8(-127, 127);

  pqnn_test::ExactBuffer<int8_t> zero(row_bytes);
  std::fill(zero.begin(), zero.end(), static_cast<int8_t>(c.zero_point));
  std::vector<std::unique_ptr<pqnn_test::ExactBuffer<int8_t>>> rows;
  std::vector<const void*> row_ptrs(kh);
  for (size_t r = 0; r < kh; r++) {
    rows.emplace_back(new pqnn_test::ExactBuffer<int8_t>(row_bytes));
    for (int8_t& v : *rows.back()) {
      v = static_cast<int8_t>(c.extreme ? (x8(gen) < 0 ? -128 : 127) : x8(gen));
    }
    row_ptrs[r] = r == c.zero_row ? zero.data() : rows.back()->data();
  }
  std::vector<int8_t> kernel(taps * channels);
  for (int8_t& v : kernel) v = static_cast<int8_t>(c.extreme ? (w8(gen) < 0 ? -127 : 127) : w8(gen));

  const size_t quads = (taps + 3) / 4;
  std::vector<uint8_t> packed;
  pqnn_qs8_minmax_params qs8_params{};
  pqnn_qd8_dwconv_params qd8_params{};
  const void* params;
  if (!k.qd8) {
    std::uniform_int_distribution<int> b32(-20000, 20000);
    std::vector<int32_t> bias(channels);
    std::vector<float> scale(channels);
    for (size_t i = 0; i < channels; i++) {
      bias[i] = b32(gen);
      scale[i] = std::ldexp(1.0f + static_cast<float>(i % 13) / 16.0f, -9);
    }
    packed.assign(pqnn_packed_dwconv_size(channels, 4 * quads, k.ct, 1, 4, 4), 0xEE);
    pqnn_pack_qs8_dwconv(channels, taps, k.ct, 4, kernel.data(), bias.data(), scale.data(),
        c.zero_point + 128, packed.data());
    const int32_t ozp = 5;
    const int32_t qmin = c.clamp ? -40 : -128, qmax = c.clamp ? 60 : 127;
    qs8_params.output_min_less_zero_point = static_cast<float>(qmin - ozp);
    qs8_params.output_max_less_zero_point = static_cast<float>(qmax - ozp);
    qs8_params.output_zero_point = ozp;
    qs8_params.output_min = static_cast<int8_t>(qmin);
    qs8_params.output_max = static_cast<int8_t>(qmax);
    params = &qs8_params;
  } else {
    std::uniform_real_distribution<float> f(-1.0f, 1.0f);
    std::vector<float> kscale(channels), bias(channels);
    for (size_t i = 0; i < channels; i++) {
      kscale[i] = 0.01f + 0.001f * static_cast<float>(i % 17);
      bias[i] = f(gen);
    }
    packed.assign(pqnn_packed_dwconv_size(channels, 4 * quads, k.ct, 1, 4, 8), 0xEE);
    pqnn_pack_qd8_dwconv(channels, taps, k.ct, 4, kernel.data(), kscale.data(), bias.data(),
        packed.data());
    qd8_params.min = c.clamp ? -0.5f : -INFINITY;
    qd8_params.max = c.clamp ? 0.75f : +INFINITY;
    qd8_params.zero_point = c.zero_point;
    qd8_params.scale = 0.0123f;
    params = &qd8_params;
  }

  const size_t esize = k.qd8 ? sizeof(float) : 1;
  const size_t out_bytes = pqnn_test::span(c.width, channels, os) * esize;
  pqnn_test::ExactBuffer<uint8_t> out(out_bytes);
  std::fill(out.begin(), out.end(), kPoisonByte);
  const struct pqnn_dwconv_row_edges edges = {};
  k.fn(channels, c.width, row_ptrs.data(), c.stride * ps, c.dilation * ps, packed.data(),
      out.data(), os * esize, params, &edges);

  // The same pixels through the DWCONV kernel: an indirection of taps per pixel.
  std::vector<const void*> indirection(c.width * taps);
  for (size_t x = 0; x < c.width; x++) {
    for (size_t t = 0; t < taps; t++) {
      const size_t ky = t / kh, kx = t % kh;
      indirection[x * taps + t] = ky == c.zero_row
          ? static_cast<const void*>(zero.data())
          : static_cast<const void*>(rows[ky]->data() + (x * c.stride + kx * c.dilation) * ps);
    }
  }
  pqnn_test::ExactBuffer<uint8_t> expected(out_bytes);
  std::fill(expected.begin(), expected.end(), kPoisonByte);
  pixel(channels, c.width, taps, indirection.data(), packed.data(), expected.data(),
      taps * sizeof(void*), (os - channels) * esize, 0, zero.data(), params);

  for (size_t i = 0; i < out_bytes; i++) {
    ASSERT_EQ(out[i], expected[i]) << "byte " << i << " (pixel " << i / (os * esize)
                                   << ", channel " << (i % (os * esize)) / esize << ")";
  }
}

class Int8DwconvRow : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) {
      GTEST_SKIP() << "ISA " << pqnn_isa_string(GetParam().isa) << " not enabled here";
    }
    ASSERT_EQ(GetParam().taps, 9u);
    pixel_ = pixel_kernel(GetParam().name);
    ASSERT_NE(pixel_, nullptr) << "no DWCONV kernel of the tile of " << GetParam().name;
  }
  void Run(const Case& c) { run(GetParam(), pixel_, c); }
  pqnn_dwconv_ukernel_fn pixel_ = nullptr;
};

TEST_P(Int8DwconvRow, channels_and_width) {
  for (size_t channels = 1; channels <= 133; channels++) {
    for (size_t width : {size_t{1}, size_t{2}, size_t{5}}) {
      Case c;
      c.channels = channels;
      c.width = width;
      c.zero_point = static_cast<int32_t>(channels % 9) - 4;
      Run(c);
    }
  }
}

TEST_P(Int8DwconvRow, widths) {
  for (size_t width = 1; width <= 19; width++) {
    for (size_t channels : {size_t{1}, size_t{32}, size_t{64}, size_t{100}}) {
      Case c;
      c.channels = channels;
      c.width = width;
      Run(c);
    }
  }
}

TEST_P(Int8DwconvRow, stride_dilation_pixel_stride) {
  for (size_t stride = 1; stride <= 3; stride++) {
    for (size_t dilation = 1; dilation <= 2; dilation++) {
      for (size_t channels : {size_t{3}, size_t{40}, size_t{64}, size_t{67}}) {
        for (size_t extra : {size_t{0}, size_t{5}}) {
          Case c;
          c.channels = channels;
          c.width = 7;
          c.stride = stride;
          c.dilation = dilation;
          c.pixel_stride = channels + extra;
          c.output_stride = channels + 2 * extra;
          c.zero_point = -7;
          Run(c);
        }
      }
    }
  }
}

TEST_P(Int8DwconvRow, zero_rows) {
  for (size_t zr = 0; zr < 3; zr++) {
    for (size_t channels : {size_t{1}, size_t{17}, size_t{64}, size_t{129}}) {
      for (size_t stride : {size_t{1}, size_t{2}}) {
        Case c;
        c.channels = channels;
        c.width = 9;
        c.stride = stride;
        c.zero_row = zr;
        c.zero_point = 23;
        Run(c);
      }
    }
  }
}

TEST_P(Int8DwconvRow, zero_points_extremes_and_clamping) {
  for (int32_t zp : {-128, -1, 0, 1, 127}) {
    for (bool extreme : {false, true}) {
      for (bool clamp : {false, true}) {
        for (size_t channels : {size_t{7}, size_t{64}, size_t{96}}) {
          Case c;
          c.channels = channels;
          c.width = 6;
          c.zero_point = zp;
          c.extreme = extreme;
          c.clamp = clamp;
          c.zero_row = zp == 1 ? 2 : SIZE_MAX;
          Run(c);
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, Int8DwconvRow, ::testing::ValuesIn(kernels()),
    [](const ::testing::TestParamInfo<Kernel>& info) {
      std::string name = info.param.name;
      for (const char* prefix : {"pqnn_qs8_qc8w_dwconv_row_minmax_fp32_ukernel_",
               "pqnn_qd8_f32_qc8w_dwconv_row_minmax_ukernel_"}) {
        const std::string p = prefix;
        if (name.rfind(p, 0) == 0) name = (info.param.qd8 ? "qd8_" : "qs8_") + name.substr(p.size());
      }
      return name;
    });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Int8DwconvRow);

// The int8 configs of this tier: a kernel with a row kernel pairs it with its own tile (the
// row kernel of the same name) for 9 taps, and those row kernels take no border pixels.
TEST(Int8DwconvRowConfig, row_kernels_match_their_tile) {
  for (const struct pqnn_dwconv_config* config :
       {pqnn_get_qs8_qc8w_dwconv_config(), pqnn_get_qd8_f32_qc8w_dwconv_config()}) {
    ASSERT_NE(config, nullptr);
    for (uint32_t i = 0; i < config->count; i++) {
      const struct pqnn_dwconv_kernel& k = config->kernels[i];
      const pqnn_dwconv_row_ukernel_fn row = pqnn_dwconv_config_row(config, &k);
      if (row == nullptr) continue;
      EXPECT_EQ(k.taps, 9u) << k.name;
      EXPECT_EQ(config->tap_group, 4u) << k.name;
      EXPECT_TRUE(config->rows_without_edges) << k.name;
      bool found = false;
      for (const Kernel& r : kernels()) {
        if (r.fn == row) {
          found = true;
          EXPECT_EQ(pixel_kernel(r.name), k.ukernel) << k.name;
        }
      }
      EXPECT_TRUE(found) << k.name;
    }
  }
}

}  // namespace
