/* Resize kernels (NHWC, ONNX Resize semantics, computed in float as ONNX Runtime does):
 * nearest (a pixel copy per output pixel) and bilinear (f32, and f16 through f32 blocks).
 * Contracts: layout-kernels.h. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "configs/config.h"
#include "runtime/node-kernels.h"
#include "runtime/nodes/layout-kernels.h"

float pqnn_layout_source_coordinate(enum pqnn_resize_coordinates coordinates, size_t o,
    size_t in, size_t out, float scale) {
  switch (coordinates) {
    case pqnn_resize_pytorch_half_pixel:
      if (out <= 1) return 0.0f;
      return ((float) o + 0.5f) / scale - 0.5f;
    case pqnn_resize_asymmetric:
      return (float) o / scale;
    case pqnn_resize_align_corners:
      if (out <= 1) return 0.0f;
      return (float) o * (float) (in - 1) / (float) (out - 1);
    case pqnn_resize_half_pixel:
    default:
      return ((float) o + 0.5f) / scale - 0.5f;
  }
}

size_t pqnn_layout_nearest_index(enum pqnn_resize_coordinates coordinates,
    enum pqnn_resize_nearest_rounding rounding, size_t o, size_t in, size_t out, float scale) {
  const float c = pqnn_layout_source_coordinate(coordinates, o, in, out, scale);
  float r;
  switch (rounding) {
    case pqnn_resize_floor: r = floorf(c); break;
    case pqnn_resize_ceil: r = ceilf(c); break;
    case pqnn_resize_round_prefer_ceil: r = roundf(c); break;
    case pqnn_resize_round_prefer_floor:
    default:
      r = c - floorf(c) == 0.5f ? floorf(c) : roundf(c);
      break;
  }
  if (!(r > 0.0f)) return 0;  /* also NaN (cannot happen for valid scales) */
  return r >= (float) (in - 1) ? in - 1 : (size_t) r;
}

/* Source columns are computed once per block of this many output columns (per call). */
#define NEAREST_COLUMN_BLOCK 256

/* Per block of output columns: their source columns, then each output row of [start, end)
 * as a copy of the previous output row when both read the same source row (an integer
 * upscale repeats each row), else pixel by pixel (a pixel repeated along a run of equal
 * source columns is copied from the output pixel before it, still in L1). */
void pqnn_layout_resize_nearest(const struct pqnn_layout_geometry* g,
    enum pqnn_resize_coordinates coordinates, enum pqnn_resize_nearest_rounding rounding,
    size_t start, size_t end, const void* x, void* y) {
  const size_t pixel = g->channels * g->element_size;
  size_t sx[NEAREST_COLUMN_BLOCK];
  for (size_t ox0 = 0; ox0 < g->out_width; ox0 += NEAREST_COLUMN_BLOCK) {
    const size_t cols = g->out_width - ox0 < NEAREST_COLUMN_BLOCK ? g->out_width - ox0
                                                                  : NEAREST_COLUMN_BLOCK;
    for (size_t i = 0; i < cols; i++) {
      sx[i] = pqnn_layout_nearest_index(coordinates, rounding, ox0 + i, g->in_width,
          g->out_width, g->width_scale);
    }
    size_t previous_source = SIZE_MAX;  /* image * in_height + source row of row - 1 */
    for (size_t row = start; row < end; row++) {
      const size_t n = row / g->out_height, oy = row % g->out_height;
      const size_t source = n * g->in_height + pqnn_layout_nearest_index(coordinates,
          rounding, oy, g->in_height, g->out_height, g->height_scale);
      char* dst = (char*) y + (row * g->out_width + ox0) * pixel;
      if (source == previous_source) {
        memcpy(dst, dst - g->out_width * pixel, cols * pixel);
        continue;
      }
      previous_source = source;
      const char* src = (const char*) x + source * g->in_width * pixel;
      for (size_t i = 0; i < cols; i++) {
        const char* from = i > 0 && sx[i] == sx[i - 1] ? dst + (i - 1) * pixel
                                                       : src + sx[i] * pixel;
        pqnn_layout_copy_run(dst + i * pixel, from, pixel);
      }
    }
  }
}

/* Output columns per block of the resized concatenation (source offsets of every part on
 * the stack). */
#define CONCAT_COLUMN_BLOCK 64

void pqnn_layout_concatenate_resized(const struct pqnn_layout_geometry* g,
    const struct pqnn_layout_nearest_source* resized, size_t start, size_t end,
    const void* const* x, void* y) {
  const size_t size = g->element_size, width = g->out_width;
  size_t total = 0;
  for (size_t k = 0; k < g->num_parts; k++) total += g->part[k];
  const size_t pixel = total * size;
  size_t column[PQNN_MAX_CONCAT_INPUTS][CONCAT_COLUMN_BLOCK];  /* source byte offsets */
  const char* row_of[PQNN_MAX_CONCAT_INPUTS];
  for (size_t ox0 = 0; ox0 < width; ox0 += CONCAT_COLUMN_BLOCK) {
    const size_t cols = width - ox0 < CONCAT_COLUMN_BLOCK ? width - ox0 : CONCAT_COLUMN_BLOCK;
    for (size_t k = 0; k < g->num_parts; k++) {
      const size_t bytes = g->part[k] * size;
      if ((g->resized_parts >> k & 1) == 0) {
        for (size_t i = 0; i < cols; i++) column[k][i] = i * bytes;
        continue;
      }
      const struct pqnn_layout_geometry* r = resized[k].geometry;
      for (size_t i = 0; i < cols; i++) {
        column[k][i] = bytes * pqnn_layout_nearest_index(resized[k].coordinates,
            resized[k].rounding, ox0 + i, r->in_width, r->out_width, r->width_scale);
      }
    }
    for (size_t row = start; row < end; row++) {
      const size_t n = row / g->out_height, oy = row % g->out_height;
      for (size_t k = 0; k < g->num_parts; k++) {
        const size_t bytes = g->part[k] * size;
        if ((g->resized_parts >> k & 1) == 0) {
          row_of[k] = (const char*) x[k] + (row * width + ox0) * bytes;
          continue;
        }
        const struct pqnn_layout_geometry* r = resized[k].geometry;
        const size_t sy = pqnn_layout_nearest_index(resized[k].coordinates,
            resized[k].rounding, oy, r->in_height, r->out_height, r->height_scale);
        row_of[k] = (const char*) x[k] + (n * r->in_height + sy) * r->in_width * bytes;
      }
      char* dst = (char*) y + (row * width + ox0) * pixel;
      for (size_t i = 0; i < cols; i++, dst += pixel) {
        char* d = dst;
        for (size_t k = 0; k < g->num_parts; k++) {
          const size_t bytes = g->part[k] * size;
          pqnn_layout_copy_run(d, row_of[k] + column[k][i], bytes);
          d += bytes;
        }
      }
    }
  }
}

/* Neighbours and weights along one axis, as ONNX Runtime's linear mode: the coordinate
 * clamped to [0, in - 1]; w0 for i0, w1 for i1 (both 0.5 when i0 = i1). */
struct lerp { size_t i0, i1; float w0, w1; };
static struct lerp lerp_at(enum pqnn_resize_coordinates coordinates, size_t o, size_t in,
    size_t out, float scale) {
  float c = pqnn_layout_source_coordinate(coordinates, o, in, out, scale);
  const float top = (float) (in - 1);
  c = c > 0.0f ? c : 0.0f;
  c = c < top ? c : top;
  struct lerp l;
  l.i0 = (size_t) c;
  if (l.i0 > in - 1) l.i0 = in - 1;
  l.i1 = l.i0 + 1 < in ? l.i0 + 1 : in - 1;
  if (l.i0 == l.i1) {
    l.w0 = l.w1 = 0.5f;
  } else {
    l.w0 = fabsf(c - (float) l.i1);
    l.w1 = fabsf(c - (float) l.i0);
  }
  return l;
}

/* y[c] = w00 * a[c] + w01 * b[c] + w10 * c[c] + w11 * d[c] for n <= PQNN_NODE_BLOCK channels
 * of four source pixels, summed in ONNX Runtime's order. A full block has a constant trip
 * count, which gcc -O2 vectorizes (node-kernels.h); y never overlaps the input (a resize
 * output is its own tensor). */
static void bilinear_block(size_t n, const float* restrict a, const float* restrict b,
    const float* restrict c, const float* restrict d, float w00, float w01, float w10, float w11,
    float* restrict y) {
  if (n == PQNN_NODE_BLOCK) {
    for (size_t i = 0; i < PQNN_NODE_BLOCK; i++) {
      y[i] = w00 * a[i] + w01 * b[i] + w10 * c[i] + w11 * d[i];
    }
    return;
  }
  for (size_t i = 0; i < n; i++) {
    y[i] = w00 * a[i] + w01 * b[i] + w10 * c[i] + w11 * d[i];
  }
}

/* Calls pixel(ctx, four source pixel offsets (in pixels), weights, output pixel offset) for
 * every output pixel of rows [start, end). */
#define BILINEAR_WALK(BODY) \
  for (size_t row = start; row < end; row++) { \
    const size_t n = row / g->out_height, oy = row % g->out_height; \
    const struct lerp ly = lerp_at(coordinates, oy, g->in_height, g->out_height, \
        g->height_scale); \
    const size_t r0 = (n * g->in_height + ly.i0) * g->in_width; \
    const size_t r1 = (n * g->in_height + ly.i1) * g->in_width; \
    for (size_t ox = 0; ox < g->out_width; ox++) { \
      const struct lerp lx = lerp_at(coordinates, ox, g->in_width, g->out_width, \
          g->width_scale); \
      const size_t pa = r0 + lx.i0, pb = r0 + lx.i1, pc = r1 + lx.i0, pd = r1 + lx.i1; \
      const float w00 = lx.w0 * ly.w0, w01 = lx.w1 * ly.w0; \
      const float w10 = lx.w0 * ly.w1, w11 = lx.w1 * ly.w1; \
      const size_t po = row * g->out_width + ox; \
      BODY \
    } \
  }

void pqnn_layout_f32_resize_bilinear(const struct pqnn_layout_geometry* g,
    enum pqnn_resize_coordinates coordinates, size_t start, size_t end, const float* x,
    float* y) {
  const size_t channels = g->channels;
  BILINEAR_WALK({
    for (size_t k = 0; k < channels; k += PQNN_NODE_BLOCK) {
      const size_t nb = channels - k < PQNN_NODE_BLOCK ? channels - k : PQNN_NODE_BLOCK;
      bilinear_block(nb, x + pa * channels + k, x + pb * channels + k, x + pc * channels + k,
          x + pd * channels + k, w00, w01, w10, w11, y + po * channels + k);
    }
  })
}

void pqnn_layout_f16_resize_bilinear(const struct pqnn_layout_geometry* g,
    enum pqnn_resize_coordinates coordinates, size_t start, size_t end, const uint16_t* x,
    uint16_t* y) {
  const size_t channels = g->channels;
  const struct pqnn_convert_config* cvt = pqnn_get_convert_config();
  float a[PQNN_NODE_BLOCK], b[PQNN_NODE_BLOCK], c[PQNN_NODE_BLOCK], d[PQNN_NODE_BLOCK];
  float out[PQNN_NODE_BLOCK];
  BILINEAR_WALK({
    for (size_t k = 0; k < channels; k += PQNN_NODE_BLOCK) {
      const size_t nb = channels - k < PQNN_NODE_BLOCK ? channels - k : PQNN_NODE_BLOCK;
      cvt->f16_f32(nb, x + pa * channels + k, a);
      cvt->f16_f32(nb, x + pb * channels + k, b);
      cvt->f16_f32(nb, x + pc * channels + k, c);
      cvt->f16_f32(nb, x + pd * channels + k, d);
      bilinear_block(nb, a, b, c, d, w00, w01, w10, w11, out);
      cvt->f32_f16(nb, out, y + po * channels + k);
    }
  })
}
