#include "indirection.h"

static inline const void* tap_pointer(const struct pqnn_conv_geometry* g, size_t oy, size_t ox,
    size_t ky, size_t kx, const void* zero) {
  /* Input coordinate = out * stride + k * dilation - padding, in unsigned arithmetic:
   * a coordinate "below zero" wraps to a huge value and fails the bounds check. */
  const size_t iy = oy * g->stride_height + ky * g->dilation_height - g->padding_top;
  const size_t ix = ox * g->stride_width + kx * g->dilation_width - g->padding_left;
  if (iy < g->input_height && ix < g->input_width) {
    return (const void*) (uintptr_t) ((iy * g->input_width + ix) * g->pixel_stride_bytes);
  }
  return zero;
}

size_t pqnn_indirection_igemm_count(const struct pqnn_conv_geometry* g, size_t mr) {
  size_t pixels, taps, count;
  if (!pqnn_mul_sz(g->output_height, g->output_width, &pixels)) return 0;
  if (!pqnn_mul_sz((size_t) g->kernel_height, g->kernel_width, &taps)) return 0;
  if (!pqnn_mul_sz(pqnn_divide_round_up(pixels, mr), mr, &count)) return 0;
  if (!pqnn_mul_sz(count, taps, &count)) return 0;
  if (count > SIZE_MAX / sizeof(void*)) return 0;
  return count;
}

void pqnn_indirection_init_igemm(const void** buffer, const struct pqnn_conv_geometry* g,
    size_t mr, const void* zero) {
  const size_t pixels = g->output_height * g->output_width;
  const size_t taps = (size_t) g->kernel_height * g->kernel_width;
  const size_t tiles = pqnn_divide_round_up(pixels, mr);
  for (size_t t = 0; t < tiles; t++) {
    for (size_t i = 0; i < mr; i++) {
      const size_t p = pqnn_min_sz(t * mr + i, pixels - 1);
      const size_t oy = p / g->output_width, ox = p % g->output_width;
      for (size_t ky = 0; ky < g->kernel_height; ky++) {
        for (size_t kx = 0; kx < g->kernel_width; kx++) {
          const size_t k = ky * g->kernel_width + kx;
          buffer[(t * taps + k) * mr + i] = tap_pointer(g, oy, ox, ky, kx, zero);
        }
      }
    }
  }
}

size_t pqnn_indirection_dwconv_count(const struct pqnn_conv_geometry* g) {
  size_t pixels, taps, count;
  if (!pqnn_mul_sz(g->output_height, g->output_width, &pixels)) return 0;
  if (!pqnn_mul_sz((size_t) g->kernel_height, g->kernel_width, &taps)) return 0;
  if (!pqnn_mul_sz(pixels, taps, &count)) return 0;
  if (count > SIZE_MAX / sizeof(void*)) return 0;
  return count;
}

void pqnn_indirection_init_dwconv(const void** buffer, const struct pqnn_conv_geometry* g,
    const void* zero) {
  const size_t taps = (size_t) g->kernel_height * g->kernel_width;
  for (size_t oy = 0; oy < g->output_height; oy++) {
    for (size_t ox = 0; ox < g->output_width; ox++) {
      const void** out = buffer + (oy * g->output_width + ox) * taps;
      for (size_t ky = 0; ky < g->kernel_height; ky++) {
        for (size_t kx = 0; kx < g->kernel_width; kx++) {
          out[ky * g->kernel_width + kx] = tap_pointer(g, oy, ox, ky, kx, zero);
        }
      }
    }
  }
}
