/* Row-band execution of depthwise / pointwise chains (runtime-band.c). A chain is
 * [1x1 conv ->] depthwise conv [-> 1x1 conv] (at least one 1x1), f32, whose intermediate
 * tensors have no other reader: MobileNet v2's expand -> depthwise -> project (its residual
 * add fused into the project), v1's depthwise -> pointwise. Where it pays (the
 * intermediates would not stay in L2) the chain runs at its first op as bands of the
 * depthwise's output rows: each band's expansion rows go to a ring of input rows (halo rows
 * kept from the band before), its depthwise rows to a band buffer, the projection reads
 * that and writes the chain's output; the intermediates then never leave L2 and take no
 * arena memory. Under dynamic quantization the projection may be qd8 with its input
 * quantized per pixel (runtime-passes.c, projection_runs_pixel_rows): the chain then holds
 * the convert too, which quantizes each band's depthwise rows into a second band buffer
 * (int8 rows and their params) that the projection reads. Threads split the output rows (one ring per task, the halo recomputed at
 * task boundaries). Every row runs the operators' own kernels (operators/band-rows.h), so
 * banded and unbanded results are bit-identical.
 *
 * A second kind of chain: two direct deconvolutions (kernel == stride, e.g. 2x2 stride 2
 * upsampling), the first's output read only by the second (PaddleOCR det's head: 24 -> 24
 * then 24 -> 1). Each input row of the first writes its own stride rows, which are input
 * rows of the second, which writes its own stride rows from each: the pair runs as bands of
 * the first's input rows, its output rows in a per-task buffer the second reads right away
 * (runtime-band-deconv.c). */
#ifndef PQNN_RUNTIME_RUNTIME_BAND_H_
#define PQNN_RUNTIME_RUNTIME_BAND_H_

#include "runtime/runtime-types.h"

enum pqnn_rt_band_kind {
  pqnn_rt_band_dwconv,                  /* [1x1 ->] depthwise [-> 1x1] */
  pqnn_rt_band_deconv,                  /* direct deconvolution -> direct deconvolution */
};

struct pqnn_rt_band {
  enum pqnn_rt_band_kind kind;
  uint32_t expand, depthwise, project;  /* dwconv: op indices; PQNN_NO_NODE: none */
  uint32_t quantize;                    /* dwconv: the convert quantizing the depthwise's
                                           output per pixel for a qd8 projection, or
                                           PQNN_NO_NODE */
  uint32_t head, last;                  /* first and last op of the chain (deconv: the two) */
  /* set by reshape */
  bool enabled;
  size_t band_rows;                     /* depthwise output rows per band (deconv: the
                                           first's input rows) */
  size_t tasks;                         /* row ranges run in parallel */
  size_t ring_rows;                     /* depthwise input rows the ring holds */
  size_t ring_region, task_bytes;       /* per task: ring (+ skew), then band buffer */
  size_t deconv_slots[2];               /* deconv: offsets in a task's region of each op's
                                           row slot (tall path), after the band buffer; 0:
                                           none */
  void* scratch;
  size_t scratch_capacity;
};

/* Planning, after every op has its executor: finds the chains (none under the runtime
 * options no_banding or keep_values) and gives their ops the band executor, which wraps
 * theirs and decides at reshape whether the chain bands. */
PQNN_INTERNAL enum pqnn_status pqnn_rt_plan_bands(struct pqnn_runtime* rt);
/* Arena planning, after the lifetimes: a banded chain's intermediates leave the arena and
 * the tensors it reads or writes live across the whole chain (it runs at its first op). */
PQNN_INTERNAL void pqnn_rt_band_lifetimes(struct pqnn_runtime* rt);
/* Whether op runs banded at the current shapes. */
PQNN_INTERNAL bool pqnn_rt_op_banded(const struct pqnn_runtime* rt, const struct pqnn_rt_op* op);
/* Whether op is the first op (the one that runs the chain) of a chain that bands. */
PQNN_INTERNAL bool pqnn_rt_op_band_first(const struct pqnn_runtime* rt,
    const struct pqnn_rt_op* op);
PQNN_INTERNAL void pqnn_rt_release_bands(struct pqnn_runtime* rt);
/* Grows band->scratch to at least `bytes` (kept across reshapes). */
PQNN_INTERNAL enum pqnn_status pqnn_rt_band_reserve(struct pqnn_rt_band* band, size_t bytes);

/* Deconvolution pairs (runtime-band-deconv.c): at reshape, at the pair's second op, whether
 * it bands and how (sets band->enabled and the sizes); the banded run at the first op. */
PQNN_INTERNAL enum pqnn_status pqnn_rt_decide_deconv_band(struct pqnn_runtime* rt,
    struct pqnn_rt_band* band);
PQNN_INTERNAL void pqnn_rt_run_deconv_band(struct pqnn_runtime* rt,
    const struct pqnn_rt_band* band);

#endif  /* PQNN_RUNTIME_RUNTIME_BAND_H_ */
