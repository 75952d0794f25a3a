/* The per-image range of an operator's f32 output, merged tile by tile in its epilogue
 * (src/operators/epilogue.c, the last step), for the f32 -> qd8 convert that quantizes that
 * output per image: the convert then computes each image's params from the merged range and
 * runs only its apply pass (pqnn_run_convert_ranged), instead of a range pass that reads the
 * whole image again. Each tile row goes through the tier's f32 range kernel (the convert's
 * own first step: min(0, min x), max(0, max x), NaN / Inf seen) and the rows' ranges merge
 * by min / max / or, which is exact in any order, so the params and the quantized data are
 * bit-identical to the convert's own run whatever the tiling and the thread count. Tiles
 * from the pool's threads merge into an image's slot with atomic compare-and-swap. */
#ifndef PQNN_OPERATORS_OUTPUT_RANGE_H_
#define PQNN_OPERATORS_OUTPUT_RANGE_H_

#include <stdbool.h>
#include <stddef.h>

#include "common.h"
#include "microkernels.h"

struct pqnn_output_ranges;

/* Slots for `images` images of `pixels` output rows each (GEMM rows: an FC's rows, a
 * convolution's output pixels), reusing *ranges when it holds enough (grown only; NULL
 * first). Returns NULL when out of memory or when the tier has no f32 range kernel; the
 * slots are reset. */
PQNN_INTERNAL struct pqnn_output_ranges* pqnn_output_ranges_reserve(
    struct pqnn_output_ranges* ranges, size_t images, size_t pixels);
PQNN_INTERNAL void pqnn_output_ranges_release(struct pqnn_output_ranges* ranges);
/* Every slot back to the empty range {0, 0, finite}. */
PQNN_INTERNAL void pqnn_output_ranges_reset(struct pqnn_output_ranges* ranges);
/* Merges `pixels` rows of `columns` f32 at c (c_stride bytes apart) of output rows [pixel,
 * pixel + pixels) into their images' slots (epilogue step; any thread). */
PQNN_INTERNAL void pqnn_output_ranges_merge(struct pqnn_output_ranges* ranges, const void* c,
    size_t c_stride, size_t pixel, size_t pixels, size_t columns);
/* The merged range of each image: ranges_out[i] for i < images. */
PQNN_INTERNAL void pqnn_output_ranges_read(const struct pqnn_output_ranges* ranges,
    size_t images, struct pqnn_qd8_range* ranges_out);

#endif  /* PQNN_OPERATORS_OUTPUT_RANGE_H_ */
