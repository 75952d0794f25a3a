// Kernel tests for every f32 depthwise row kernel with the output epilogue in its
// registers (f32-dwconv-row-epi, src/microkernels.h), through the table the epilogue
// binds them from (src/configs/epilogue-config.c): each must give, bit for bit, what its
// row kernel followed by the epilogue's passes gives (the activation's f32-vunary kernel on
// each output pixel, then the affine's 1x1 DWCONV kernel in place, one tap per pixel), the
// two-pass path of src/operators/epilogue.c. Sweeps channels 1..67 (the last partial
// vector, and a range through more than one affine tile), widths 1..19, border pixels under
// left / right padding of 0..kh columns, strides, pixel strides wider than channels (output
// gaps poisoned and checked untouched), a zero row, activation and affine clamps, NaN and
// inputs around hardswish's corners (-3, 3). Skipped only when the CPU or PQNN_ISA lacks
// the kernel's ISA.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "common/convert-reference.h"
#include "common/test-utils.h"

#include <pqnn.h>  // before extern "C": it includes pthreadpool.h, which has C++ templates

extern "C" {
#include "configs/config.h"
#include "packing.h"
}

namespace {

struct RowKernel {
  const char* name;
  pqnn_dwconv_row_ukernel_fn fn;
  size_t taps;
  size_t ct;
  enum pqnn_isa isa;
};

// The f32-dwconv-row kernels (taps, tile and ISA of a table row's row kernel).
const RowKernel* row_kernel(pqnn_dwconv_row_ukernel_fn fn) {
  static const std::vector<RowKernel> list = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) {#fn, fn, taps, ct, tier},
#include "microkernels/f32-dwconv-row/f32-dwconv-row.inc"
#undef PQNN_UKERNEL
  };
  for (const RowKernel& k : list) {
    if (k.fn == fn) return &k;
  }
  return nullptr;
}

struct Entry {
  struct pqnn_dwconv_row_epilogue_kernel k;
  const RowKernel* row;
};

std::vector<Entry> entries() {
  size_t count = 0;
  const struct pqnn_dwconv_row_epilogue_kernel* table = pqnn_dwconv_row_epilogue_kernels(&count);
  std::vector<Entry> out;
  for (size_t i = 0; i < count; i++) out.push_back({table[i], row_kernel(table[i].row)});
  return out;
}

struct Case {
  size_t channels = 1;
  size_t width = 1;
  size_t stride = 1;
  size_t extra = 0;        // floats of gap after each input and output pixel
  size_t pad_left = 0, pad_right = 0;
  bool zero_row = false;   // kernel row 0 reads the zero row
  bool nan = false;        // NaN in channel channels / 2 of every input pixel
  bool corners = false;    // inputs at hardswish's corners and signed zeros
  float act_min = -INFINITY, act_max = INFINITY;     // clamp activation
  float affine_min = -INFINITY, affine_max = INFINITY;
};

void run(const Entry& e, const Case& c) {
  const RowKernel& rk = *e.row;
  const size_t kh = rk.taps == 9 ? 3 : 5;
  const size_t channels = c.channels, ps = channels + c.extra, os = channels + 2 * c.extra;
  const size_t span = (c.width - 1) * c.stride + kh;
  if (span <= c.pad_left + c.pad_right) return;
  const size_t row_pixels = span - c.pad_left - c.pad_right;
  const size_t begin = (c.pad_left + c.stride - 1) / c.stride;
  size_t end = c.width;
  while (end > begin && (end - 1) * c.stride + kh - 1 >= c.pad_left + row_pixels) end--;
  if (end <= begin || begin > PQNN_DWCONV_ROW_EDGES || c.width - end > PQNN_DWCONV_ROW_EDGES) {
    return;  // a row the path runs per pixel
  }
  struct pqnn_dwconv_row_edges edges = {};
  edges.left = begin;
  edges.right = c.width - end;
  for (size_t i = 0; i < edges.left + edges.right; i++) {
    const size_t x = i < edges.left ? i : end + i - edges.left;
    unsigned m = 0;
    for (size_t kx = 0; kx < kh; kx++) {
      const size_t col = x * c.stride + kx;
      m |= col >= c.pad_left && col - c.pad_left < row_pixels ? 1u << kx : 0u;
    }
    (i < edges.left ? edges.left_taps[i] : edges.right_taps[i - edges.left]) = (uint8_t) m;
  }
  SCOPED_TRACE(std::string(rk.name) + " channels " + std::to_string(channels) + " width " +
      std::to_string(c.width) + " stride " + std::to_string(c.stride) + " extra " +
      std::to_string(c.extra) + " pad " + std::to_string(c.pad_left) + "," +
      std::to_string(c.pad_right) + (e.k.affine != nullptr ? " +affine" : "") +
      (c.nan ? " nan" : "") + (c.corners ? " corners" : ""));
  std::uniform_real_distribution<float> dist(-4.0f, 4.0f);
  auto& gen = pqnn_test::rng();
  const float corner[] = {-3.0f, 3.0f, -0.0f, 0.0f, -3.0000002f, 2.9999998f, 6.0f};
  const size_t row_floats = (row_pixels - 1) * ps + channels;
  std::vector<float> zero(row_floats, 0.0f);
  std::vector<std::vector<float>> rows(kh, std::vector<float>(row_floats));
  std::vector<const void*> row_ptrs(kh);
  const size_t first = (begin * c.stride - c.pad_left) * ps;
  for (size_t r = 0; r < kh; r++) {
    for (size_t i = 0; i < row_floats; i++) {
      const size_t ch = i % ps;
      rows[r][i] = ch >= channels ? std::numeric_limits<float>::quiet_NaN()
          : c.nan && ch == channels / 2 ? std::numeric_limits<float>::quiet_NaN()
          : c.corners && i % 3 == 0 ? corner[(i / 3) % 7] : dist(gen);
    }
    row_ptrs[r] = (c.zero_row && r == 0 ? zero.data() : rows[r].data()) + first;
  }
  // Weights: small ones, and with `corners` a single centre tap of 1 with zero bias, so
  // that outputs land on hardswish's corners.
  std::vector<float> kernel(rk.taps * channels), bias(channels);
  for (float& v : kernel) v = c.corners ? 0.0f : dist(gen) / 8.0f;
  for (size_t ch = 0; ch < channels; ch++) {
    if (c.corners) kernel[(rk.taps / 2) * channels + ch] = 1.0f;
    bias[ch] = c.corners ? 0.0f : dist(gen) / 4.0f;
  }
  std::vector<float> packed(
      pqnn_packed_dwconv_size(channels, rk.taps, rk.ct, sizeof(float), sizeof(float), 0) /
      sizeof(float), 0.0f);
  pqnn_pack_f32_dwconv(channels, rk.taps, rk.ct, kernel.data(), bias.data(), packed.data());
  const struct pqnn_f32_minmax_params params = {-5.0f, 5.5f};

  // The affine: a 1x1 depthwise kernel's packed tiles [tile bias][tile scale].
  const size_t tile = e.k.affine != nullptr ? e.k.tile : 0;
  std::vector<float> scale(channels), shift(channels), affine;
  for (size_t ch = 0; ch < channels; ch++) {
    scale[ch] = dist(gen);
    shift[ch] = dist(gen);
  }
  if (tile != 0) {
    affine.assign(pqnn_packed_dwconv_size(channels, 1, tile, sizeof(float), sizeof(float), 0) /
        sizeof(float), 0.0f);
    pqnn_pack_f32_dwconv(channels, 1, tile, scale.data(), shift.data(), affine.data());
  }
  struct pqnn_f32_elementwise_params act = {c.act_min, c.act_max, 0.0f, 0.0f};
  struct pqnn_f32_minmax_params affine_params = {c.affine_min, c.affine_max};

  const size_t out_floats = (c.width - 1) * os + channels;
  const float poison = -1234.5f;
  std::vector<float> expected(out_floats, poison), out(out_floats, poison);
  const size_t step = c.stride * ps * sizeof(float), ts = ps * sizeof(float);
  // Two passes: the row kernel, the activation per pixel, the affine in place.
  rk.fn(channels, end - begin, row_ptrs.data(), step, ts, packed.data(), expected.data(),
      os * sizeof(float), &params, &edges);
  std::vector<const void*> pixels(c.width);
  for (size_t x = 0; x < c.width; x++) {
    float* y = expected.data() + x * os;
    if (e.k.activation != nullptr) e.k.activation(channels, y, y, &act);
    pixels[x] = y;
  }
  if (tile != 0) {
    e.k.affine(channels, c.width, 1, pixels.data(), affine.data(), expected.data(),
        sizeof(void*), (os - channels) * sizeof(float), 0, nullptr, &affine_params);
  }
  // One pass: the fused row kernel.
  const struct pqnn_dwconv_row_epilogue epi = {
      tile != 0 ? affine.data() : nullptr, tile, &act, &affine_params};
  e.k.fused(channels, end - begin, row_ptrs.data(), step, ts, packed.data(), out.data(),
      os * sizeof(float), &params, &edges, &epi);
  for (size_t i = 0; i < out_floats; i++) {
    ASSERT_EQ(pqnn_test::float_bits(out[i]), pqnn_test::float_bits(expected[i]))
        << "pixel " << i / os << ", channel " << i % os << ": fused " << out[i]
        << ", two passes " << expected[i];
  }
}

class F32DwconvRowEpi : public ::testing::TestWithParam<Entry> {
 protected:
  void SetUp() override {
    ASSERT_NE(GetParam().row, nullptr) << "a table row's row kernel is not an f32-dwconv-row kernel";
    if (!pqnn_test::isa_enabled(GetParam().row->isa)) {
      GTEST_SKIP() << "ISA " << pqnn_isa_string(GetParam().row->isa) << " not enabled here";
    }
  }
};

TEST_P(F32DwconvRowEpi, channels_and_width) {
  for (size_t channels = 1; channels <= 67; channels++) {
    for (size_t width : {size_t{1}, size_t{2}, size_t{5}, size_t{19}}) {
      Case c;
      c.channels = channels;
      c.width = width;
      run(GetParam(), c);
    }
  }
}

TEST_P(F32DwconvRowEpi, borders_strides_gaps) {
  const size_t kh = GetParam().row->taps == 9 ? 3 : 5;
  for (size_t pl = 0; pl <= kh; pl++) {
    for (size_t pr = 0; pr <= kh; pr++) {
      for (size_t stride = 1; stride <= 2; stride++) {
        for (size_t channels : {size_t{3}, size_t{16}, size_t{37}, size_t{64}}) {
          for (size_t width : {size_t{1}, size_t{4}, size_t{9}, size_t{22}}) {
            Case c;
            c.channels = channels;
            c.width = width;
            c.stride = stride;
            c.pad_left = pl;
            c.pad_right = pr;
            c.extra = channels == 16 ? 3 : 0;
            c.zero_row = channels == 37;
            run(GetParam(), c);
          }
        }
      }
    }
  }
}

TEST_P(F32DwconvRowEpi, clamps_nan_corners) {
  for (size_t channels : {size_t{1}, size_t{7}, size_t{32}, size_t{49}}) {
    for (int variant = 0; variant < 4; variant++) {
      Case c;
      c.channels = channels;
      c.width = 6;
      c.pad_left = 1;
      c.pad_right = 1;
      c.nan = variant == 1;
      c.corners = variant == 2;
      if (variant == 3) {
        c.act_min = -0.5f;
        c.act_max = 0.75f;
        c.affine_min = -1.0f;
        c.affine_max = 1.5f;
      }
      run(GetParam(), c);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, F32DwconvRowEpi, ::testing::ValuesIn(entries()),
    [](const ::testing::TestParamInfo<Entry>& info) {
      std::string name = info.param.row != nullptr ? info.param.row->name : "unknown";
      const std::string prefix = "pqnn_f32_dwconv_row_minmax_ukernel_";
      if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
      return name + "_" + std::to_string(info.index);
    });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(F32DwconvRowEpi);

// Every f32-dwconv-row-epi kernel this architecture builds has a table row, and each row
// pairs an affine tile that is a multiple of its row kernel's channel tile.
TEST(F32DwconvRowEpiTable, every_kernel_bound_once) {
  std::vector<pqnn_dwconv_row_epi_ukernel_fn> built = {
#define PQNN_UKERNEL(tier, taps, ct, kr, input_offset, fn) fn,
#include "microkernels/f32-dwconv-row-epi/f32-dwconv-row-epi.inc"
#undef PQNN_UKERNEL
  };
  const std::vector<Entry> table = entries();
  for (pqnn_dwconv_row_epi_ukernel_fn fn : built) {
    size_t n = 0;
    for (const Entry& e : table) n += e.k.fused == fn ? 1 : 0;
    EXPECT_EQ(n, 1u);
  }
  for (const Entry& e : table) {
    ASSERT_NE(e.row, nullptr);
    if (e.k.affine != nullptr) {
      EXPECT_EQ(e.k.tile % e.row->ct, 0u) << e.row->name;
    }
    EXPECT_EQ(pqnn_dwconv_row_epilogue_kernel(e.k.row, e.k.affine, e.k.tile, e.k.activation),
        e.k.fused);
  }
}

}  // namespace
