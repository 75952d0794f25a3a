/* Per-image output ranges merged by an operator's epilogue (output-range.h). */
#include "operators/output-range.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "allocator.h"
#include "configs/config.h"

/* An image's range: the float bits of min (<= 0) and max (>= 0), and whether a NaN or an
 * infinity was seen. */
struct range_slot {
  _Atomic uint32_t min_bits, max_bits;
  atomic_bool nonfinite;
};

struct pqnn_output_ranges {
  pqnn_qd8_range_ukernel_fn kernel;
  size_t pixels;       /* output rows per image */
  size_t images;       /* slots in use */
  size_t capacity;     /* slots allocated */
  struct range_slot slots[];
};

static uint32_t float_bits(float v) {
  uint32_t bits;
  memcpy(&bits, &v, sizeof(bits));
  return bits;
}

static float bits_float(uint32_t bits) {
  float v;
  memcpy(&v, &bits, sizeof(v));
  return v;
}

struct pqnn_output_ranges* pqnn_output_ranges_reserve(struct pqnn_output_ranges* ranges,
    size_t images, size_t pixels) {
  const struct pqnn_convert_config* config = pqnn_get_convert_config();
  if (config == NULL || config->f32_qd8_range == NULL || images == 0 || pixels == 0) {
    pqnn_output_ranges_release(ranges);
    return NULL;
  }
  if (ranges == NULL || ranges->capacity < images) {
    pqnn_output_ranges_release(ranges);
    if (images > (SIZE_MAX - sizeof(struct pqnn_output_ranges)) / sizeof(struct range_slot)) {
      return NULL;
    }
    ranges = pqnn_allocate(sizeof(struct pqnn_output_ranges) +
        images * sizeof(struct range_slot));
    if (ranges == NULL) return NULL;
    ranges->capacity = images;
  }
  ranges->kernel = config->f32_qd8_range;
  ranges->pixels = pixels;
  ranges->images = images;
  pqnn_output_ranges_reset(ranges);
  return ranges;
}

void pqnn_output_ranges_release(struct pqnn_output_ranges* ranges) {
  pqnn_release(ranges);
}

void pqnn_output_ranges_reset(struct pqnn_output_ranges* ranges) {
  for (size_t i = 0; i < ranges->images; i++) {
    atomic_init(&ranges->slots[i].min_bits, float_bits(0.0f));
    atomic_init(&ranges->slots[i].max_bits, float_bits(0.0f));
    atomic_init(&ranges->slots[i].nonfinite, false);
  }
}

/* slot = min(slot, v) / max(slot, v) as floats (a slot keeps its value on ties, as the
 * convert's own merge keeps the first chunk's). */
static void merge_min(_Atomic uint32_t* slot, float v) {
  uint32_t old = atomic_load_explicit(slot, memory_order_relaxed);
  while (v < bits_float(old) &&
      !atomic_compare_exchange_weak_explicit(slot, &old, float_bits(v), memory_order_relaxed,
          memory_order_relaxed)) {
  }
}

static void merge_max(_Atomic uint32_t* slot, float v) {
  uint32_t old = atomic_load_explicit(slot, memory_order_relaxed);
  while (v > bits_float(old) &&
      !atomic_compare_exchange_weak_explicit(slot, &old, float_bits(v), memory_order_relaxed,
          memory_order_relaxed)) {
  }
}

void pqnn_output_ranges_merge(struct pqnn_output_ranges* ranges, const void* c,
    size_t c_stride, size_t pixel, size_t pixels, size_t columns) {
  size_t p = 0;
  while (p < pixels) {
    const size_t image = (pixel + p) / ranges->pixels;
    size_t end = (image + 1) * ranges->pixels - pixel;
    if (end > pixels) end = pixels;
    struct pqnn_qd8_range tile = {0.0f, 0.0f, false};
    if (c_stride == columns * sizeof(float)) {
      /* Dense rows (a tile of every column): one call, one horizontal reduction. */
      ranges->kernel((end - p) * columns, (const char*) c + p * c_stride, &tile);
      p = end;
    }
    for (; p < end; p++) {
      struct pqnn_qd8_range row;
      ranges->kernel(columns, (const char*) c + p * c_stride, &row);
      tile.min = row.min < tile.min ? row.min : tile.min;
      tile.max = row.max > tile.max ? row.max : tile.max;
      tile.nonfinite = tile.nonfinite || row.nonfinite;
    }
    if (image >= ranges->images) continue;  /* never: the runtime sizes the slots */
    struct range_slot* slot = &ranges->slots[image];
    if (tile.nonfinite) {
      atomic_store_explicit(&slot->nonfinite, true, memory_order_relaxed);
    } else {
      merge_min(&slot->min_bits, tile.min);
      merge_max(&slot->max_bits, tile.max);
    }
  }
}

void pqnn_output_ranges_read(const struct pqnn_output_ranges* ranges, size_t images,
    struct pqnn_qd8_range* ranges_out) {
  for (size_t i = 0; i < images && i < ranges->images; i++) {
    struct range_slot* slot = (struct range_slot*) &ranges->slots[i];
    ranges_out[i] = (struct pqnn_qd8_range) {
      bits_float(atomic_load_explicit(&slot->min_bits, memory_order_relaxed)),
      bits_float(atomic_load_explicit(&slot->max_bits, memory_order_relaxed)),
      atomic_load_explicit(&slot->nonfinite, memory_order_relaxed)};
  }
}
