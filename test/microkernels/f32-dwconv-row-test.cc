// Kernel tests for every f32 dwconv row microkernel (src/microkernels.h, DWCONV row), each
// skipped only when the CPU or PQNN_ISA lacks its ISA. A row kernel must give, bit for
// bit, what the DWCONV kernel of the same tile (the one the config pairs it with, whose
// weights it shares) gives for the same pixels through an indirection buffer; that kernel
// is checked against the double reference by f32-dwconv-test. Each kernel row is its own
// exact-size heap buffer (AddressSanitizer catches a read past the last tap), pixels
// `pixel_stride` floats apart with NaN in the gaps; zero rows stand for vertical padding;
// output gaps are poisoned and checked untouched. Sweeps: channels 1..67, widths 1..19,
// strides 1..3, dilations 1..2, pixel strides wider than channels, every kernel row a zero
// row, clamping, and NaN inputs; border pixels (struct pqnn_dwconv_row_edges) under left
// and right padding of 0..4 columns, whose outside taps the DWCONV kernel reads from its
// zero row, at widths whose interiors take several strips and a partial one.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
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
  enum pqnn_isa isa;
};

struct PixelKernel {
  const char* name;
  pqnn_dwconv_ukernel_fn fn;
};

const std::vector<Kernel>& kernels() {
  static const std::vector<Kernel> list = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn, taps, ct, tier},
#include "microkernels/f32-dwconv-row/f32-dwconv-row.inc"
#undef PQNN_UKERNEL
  };
  return list;
}

// The DWCONV kernel of a row kernel's tile: the same name without "_row".
pqnn_dwconv_ukernel_fn pixel_kernel(const std::string& row_name) {
  static const std::vector<PixelKernel> list = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn},
#include "microkernels/f32-dwconv/f32-dwconv.inc"
#undef PQNN_UKERNEL
  };
  std::string name = row_name;
  name.erase(name.find("_row"), 4);
  for (const PixelKernel& k : list) {
    if (name == k.name) return k.fn;
  }
  return nullptr;
}

constexpr uint32_t kPoisonBits = 0x7FC0DEADu;

float poison() {
  float f;
  std::memcpy(&f, &kPoisonBits, sizeof(f));
  return f;
}

uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

struct Case {
  size_t channels = 1;
  size_t width = 1;
  size_t stride = 1;           // pixels between windows
  size_t dilation = 1;         // pixels between taps of a row
  size_t pixel_stride = 0;     // floats between input pixels; 0: channels
  size_t output_stride = 0;    // floats between output pixels; 0: channels
  size_t zero_row = SIZE_MAX;  // kernel row read from a zero row
  size_t pad_left = 0;         // padding columns: the row kernel's border pixels
  size_t pad_right = 0;
  bool nan = false;            // NaN in the middle channel of every input pixel
  float qmin = 0.0f, qmax = 1.0f;  // clamp bounds as fractions of [-2, 2]
};

void run(const Kernel& k, pqnn_dwconv_ukernel_fn pixel, const Case& c) {
  const size_t kh = k.taps == 9 ? 3 : 5;
  const size_t channels = c.channels;
  const size_t ps = c.pixel_stride == 0 ? channels : c.pixel_stride;
  const size_t os = c.output_stride == 0 ? channels : c.output_stride;
  // The output row's windows span `span_pixels` columns, of which the first pad_left and
  // the last pad_right are padding: the input row has row_pixels.
  const size_t span_pixels = (c.width - 1) * c.stride + (kh - 1) * c.dilation + 1;
  if (span_pixels <= c.pad_left + c.pad_right) return;  // no input column
  const size_t row_pixels = span_pixels - c.pad_left - c.pad_right;
  const size_t row_floats = (row_pixels - 1) * ps + channels;
  // Interior pixels [begin, end): every tap inside the row; the others are border pixels.
  const size_t begin = (c.pad_left + c.stride - 1) / c.stride;
  size_t end = c.width;
  while (end > begin &&
         (end - 1) * c.stride + (kh - 1) * c.dilation >= c.pad_left + row_pixels) {
    end--;
  }
  if (end <= begin || begin > PQNN_DWCONV_ROW_EDGES || c.width - end > PQNN_DWCONV_ROW_EDGES) {
    return;  // not a row the path gives the row kernel
  }
  struct pqnn_dwconv_row_edges edges = {};
  edges.left = begin;
  edges.right = c.width - end;
  auto inside = [&](size_t x, size_t kx) {
    const size_t col = x * c.stride + kx * c.dilation;  // padded coordinates
    return col >= c.pad_left && col - c.pad_left < row_pixels;
  };
  for (size_t e = 0; e < edges.left + edges.right; e++) {
    const size_t x = e < edges.left ? e : end + e - edges.left;
    unsigned m = 0;
    for (size_t kx = 0; kx < kh; kx++) m |= inside(x, kx) ? 1u << kx : 0u;
    (e < edges.left ? edges.left_taps[e] : edges.right_taps[e - edges.left]) = (uint8_t) m;
  }
  const size_t first = (begin * c.stride - c.pad_left) * ps;  // floats: interior's column
  SCOPED_TRACE(std::string(k.name) + " channels " + std::to_string(channels) + " width " +
      std::to_string(c.width) + " stride " + std::to_string(c.stride) + " dilation " +
      std::to_string(c.dilation) + " pixel_stride " + std::to_string(ps) + " output_stride " +
      std::to_string(os) + " zero_row " + std::to_string(c.zero_row) + " pad " +
      std::to_string(c.pad_left) + "," + std::to_string(c.pad_right));
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  auto& gen = pqnn_test::rng();

  pqnn_test::ExactBuffer<float> zero(row_floats);
  std::fill(zero.begin(), zero.end(), 0.0f);
  std::vector<std::unique_ptr<pqnn_test::ExactBuffer<float>>> rows;
  std::vector<const void*> row_ptrs(kh);
  for (size_t r = 0; r < kh; r++) {
    rows.emplace_back(new pqnn_test::ExactBuffer<float>(row_floats));
    auto& row = *rows.back();
    for (size_t i = 0; i < row_floats; i++) {
      const size_t ch = i % ps;
      row[i] = ch >= channels ? std::numeric_limits<float>::quiet_NaN()
               : (c.nan && ch == channels / 2) ? std::numeric_limits<float>::quiet_NaN()
               : dist(gen);
    }
    row_ptrs[r] = (r == c.zero_row ? zero.data() : row.data()) + first;
  }
  std::vector<float> kernel(k.taps * channels), bias(channels);
  for (float& v : kernel) v = dist(gen);
  for (float& v : bias) v = dist(gen);
  const size_t packed_bytes =
      pqnn_packed_dwconv_size(channels, k.taps, k.ct, sizeof(float), sizeof(float), 0);
  ASSERT_NE(packed_bytes, 0u);
  std::vector<float> packed(packed_bytes / sizeof(float), 0.0f);
  pqnn_pack_f32_dwconv(channels, k.taps, k.ct, kernel.data(), bias.data(), packed.data());
  struct pqnn_f32_minmax_params params;
  params.min = c.qmin <= 0.0f ? -INFINITY : -2.0f + 4.0f * c.qmin;
  params.max = c.qmax >= 1.0f ? +INFINITY : -2.0f + 4.0f * c.qmax;

  pqnn_test::ExactBuffer<float> out(pqnn_test::span(c.width, channels, os));
  std::fill(out.begin(), out.end(), poison());
  k.fn(channels, end - begin, row_ptrs.data(), c.stride * ps * sizeof(float),
      c.dilation * ps * sizeof(float), packed.data(), out.data(), os * sizeof(float), &params,
      &edges);

  // The same pixels through the DWCONV kernel: an indirection of taps per pixel.
  std::vector<const void*> indirection(c.width * k.taps);
  for (size_t x = 0; x < c.width; x++) {
    for (size_t t = 0; t < k.taps; t++) {
      const size_t ky = t / kh, kx = t % kh;
      indirection[x * k.taps + t] = ky == c.zero_row || !inside(x, kx)
          ? static_cast<const void*>(zero.data())
          : static_cast<const void*>(rows[ky]->data() +
                (x * c.stride + kx * c.dilation - c.pad_left) * ps);
    }
  }
  pqnn_test::ExactBuffer<float> expected(pqnn_test::span(c.width, channels, os));
  std::fill(expected.begin(), expected.end(), poison());
  pixel(channels, c.width, k.taps, indirection.data(), packed.data(), expected.data(),
      k.taps * sizeof(void*), (os - channels) * sizeof(float), 0, zero.data(), &params);

  for (size_t i = 0; i < out.size(); i++) {
    ASSERT_EQ(bits(out[i]), bits(expected[i]))
        << "pixel " << i / os << ", channel " << i % os << ": row kernel " << out[i]
        << ", DWCONV kernel " << expected[i];
  }
}

class F32DwconvRow : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override {
    if (!pqnn_test::isa_enabled(GetParam().isa)) {
      GTEST_SKIP() << "ISA " << pqnn_isa_string(GetParam().isa) << " not enabled here";
    }
    pixel_ = pixel_kernel(GetParam().name);
    ASSERT_NE(pixel_, nullptr) << "no f32-dwconv kernel of the tile of " << GetParam().name;
  }
  void Run(const Case& c) { run(GetParam(), pixel_, c); }
  pqnn_dwconv_ukernel_fn pixel_ = nullptr;
};

TEST_P(F32DwconvRow, channels_and_width) {
  for (size_t channels = 1; channels <= 67; channels++) {
    for (size_t width : {size_t{1}, size_t{2}, size_t{5}, size_t{19}}) {
      Case c;
      c.channels = channels;
      c.width = width;
      Run(c);
    }
  }
}

TEST_P(F32DwconvRow, widths) {
  for (size_t width = 1; width <= 19; width++) {
    for (size_t channels : {size_t{1}, size_t{16}, size_t{24}, size_t{33}}) {
      Case c;
      c.channels = channels;
      c.width = width;
      Run(c);
    }
  }
}

TEST_P(F32DwconvRow, stride_dilation_pixel_stride) {
  for (size_t stride = 1; stride <= 3; stride++) {
    for (size_t dilation = 1; dilation <= 2; dilation++) {
      for (size_t channels : {size_t{3}, size_t{16}, size_t{40}, size_t{67}}) {
        for (size_t extra : {size_t{0}, size_t{5}}) {
          Case c;
          c.channels = channels;
          c.width = 7;
          c.stride = stride;
          c.dilation = dilation;
          c.pixel_stride = channels + extra;
          c.output_stride = channels + 2 * extra;
          Run(c);
        }
      }
    }
  }
}

TEST_P(F32DwconvRow, zero_rows) {
  const size_t kh = GetParam().taps == 9 ? 3 : 5;
  for (size_t zr = 0; zr < kh; zr++) {
    for (size_t channels : {size_t{1}, size_t{17}, size_t{48}}) {
      Case c;
      c.channels = channels;
      c.width = 9;
      c.stride = 2;
      c.zero_row = zr;
      Run(c);
    }
  }
}

TEST_P(F32DwconvRow, clamp_and_nan) {
  for (size_t channels : {size_t{1}, size_t{7}, size_t{32}, size_t{49}}) {
    for (bool nan : {false, true}) {
      Case c;
      c.channels = channels;
      c.width = 6;
      c.nan = nan;
      c.qmin = 0.4f;
      Run(c);
      c.qmax = 0.6f;
      Run(c);
      c.qmin = 0.0f;
      Run(c);
    }
  }
}

TEST_P(F32DwconvRow, border_pixels) {
  const size_t kh = GetParam().taps == 9 ? 3 : 5;
  for (size_t pl = 0; pl <= kh; pl++) {
    for (size_t pr = 0; pr <= kh; pr++) {
      for (size_t stride = 1; stride <= 2; stride++) {
        for (size_t dilation = 1; dilation <= 2; dilation++) {
          for (size_t channels : {size_t{1}, size_t{16}, size_t{37}, size_t{64}}) {
            // 21: interiors of 13..21 pixels, from one strip of the whole row to strips
            // of 8 and a partial one (f32_dwconv_row.py STRIP), the borders in the first
            // and last strip's passes.
            for (size_t width : {size_t{1}, size_t{3}, size_t{8}, size_t{21}}) {
              Case c;
              c.channels = channels;
              c.width = width;
              c.stride = stride;
              c.dilation = dilation;
              c.pad_left = pl;
              c.pad_right = pr;
              c.zero_row = channels == 37 ? 1 : SIZE_MAX;
              c.pixel_stride = channels == 16 ? 19 : 0;
              c.qmin = 0.3f;
              Run(c);
            }
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32DwconvRow, ::testing::ValuesIn(kernels()),
    [](const ::testing::TestParamInfo<Kernel>& info) {
      std::string name = info.param.name;
      const std::string prefix = "pqnn_f32_dwconv_row_minmax_ukernel_";
      if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
      return name;
    });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(F32DwconvRow);

// The config of this tier: a kernel with a row kernel pairs it with its own tile (the
// row kernel of the same name), for a square kernel of its taps.
TEST(F32DwconvRowConfig, row_kernels_match_their_tile) {
  const struct pqnn_dwconv_config* config = pqnn_get_f32_dwconv_config();
  ASSERT_NE(config, nullptr);
  for (uint32_t i = 0; i < config->count; i++) {
    const struct pqnn_dwconv_kernel& k = config->kernels[i];
    const pqnn_dwconv_row_ukernel_fn row = pqnn_dwconv_config_row(config, &k);
    if (row == nullptr) continue;
    EXPECT_TRUE(k.taps == 9 || k.taps == 25) << k.name;
    bool found = false;
    for (const Kernel& r : kernels()) {
      if (r.fn == row) {
        found = true;
        EXPECT_EQ(r.taps, k.taps) << k.name;
        EXPECT_EQ(r.ct, k.channel_tile) << k.name;
        EXPECT_EQ(pixel_kernel(r.name), k.ukernel) << k.name;
      }
    }
    EXPECT_TRUE(found) << k.name << ": its row kernel is not in the f32-dwconv-row list";
  }
}

}  // namespace
