/* Deconvolution pairs as row bands (runtime-band.h): the reshape-time decision and band
 * size, and the banded run. Two direct deconvolutions (kernel == stride) with no vertical
 * crop: input row iy of the first writes its output rows iy * s1 .. + s1, each of which the
 * second turns into its own s2 output rows. A band of the first's input rows therefore
 * needs nothing from other bands: its s1 * rows intermediate rows go to the task's buffer
 * and the second reads them from there at once, writing its final rows. The 9.8 MB of
 * PaddleOCR det's 320x320x24 head map then never leave L2 (and the arena). */
#include "allocator.h"
#include "hardware.h"
#include "operator.h"
#include "operators/band-rows.h"
#include "runtime/runtime-band.h"
#include "threadpool.h"

enum pqnn_status pqnn_rt_decide_deconv_band(struct pqnn_runtime* rt, struct pqnn_rt_band* band) {
  band->enabled = false;
  const struct pqnn_rt_op* first = &rt->ops[band->head];
  const struct pqnn_rt_op* second = &rt->ops[band->last];
  struct pqnn_deconv_rows a, b;
  if (!pqnn_deconv_rows_fit(first->op, &a) || !pqnn_deconv_rows_fit(second->op, &b) ||
      b.quantized || a.output_row_bytes != b.input_row_bytes ||
      a.input_height * a.output_rows != b.input_height) {
    return pqnn_status_success;
  }
  /* Only where the intermediate of one image would not stay in L2. */
  const struct pqnn_rt_tensor* mid = &rt->tensors[first->output];
  const size_t images = mid->shape.dim[0];
  if (images == 0 || mid->bytes / images <= pqnn_hardware.l2_cache_size) {
    return pqnn_status_success;
  }
  /* Bands whose intermediate rows take at most an eighth of L2 (at least one input row of
   * the first): the rest holds the rows streaming in and out. */
  const size_t budget = pqnn_hardware.l2_cache_size / 8;
  const size_t row_bytes = a.output_rows * a.output_row_bytes;
  size_t rows = budget / row_bytes;
  if (rows == 0) rows = 1;
  if (rows > a.input_height) rows = a.input_height;
  const size_t threads = pqnn_threadpool_threads(rt->threadpool);
  const size_t total = images * a.input_height;
  const size_t tasks = threads < total ? threads : total;
  const size_t mid_region = pqnn_round_up(rows * row_bytes, PQNN_ALIGNMENT);
  const size_t slot_a = pqnn_round_up(a.slot_bytes, PQNN_ALIGNMENT);
  const size_t slot_b = pqnn_round_up(b.slot_bytes, PQNN_ALIGNMENT);
  const size_t task_bytes = mid_region + slot_a + slot_b;
  const enum pqnn_status status = pqnn_rt_band_reserve(band, tasks * task_bytes);
  if (status != pqnn_status_success) return status;
  band->band_rows = rows;
  band->tasks = tasks;
  band->task_bytes = task_bytes;
  band->deconv_slots[0] = slot_a != 0 ? mid_region : 0;
  band->deconv_slots[1] = slot_b != 0 ? mid_region + slot_a : 0;
  band->enabled = true;
  return pqnn_status_success;
}

struct deconv_task {
  const struct pqnn_rt_band* band;
  const struct pqnn_operator *first, *second;
  struct pqnn_deconv_rows a, b;
  const char* x;    /* the first's input */
  char* y;          /* the second's output */
  size_t images;
};

/* The first's input rows [part * total / tasks, (part + 1) * total / tasks) of all images
 * (total: images * its input height), band by band within each image. */
static void run_part(void* context, size_t part) {
  const struct deconv_task* t = (const struct deconv_task*) context;
  const struct pqnn_deconv_rows* a = &t->a;
  const struct pqnn_deconv_rows* b = &t->b;
  const struct pqnn_rt_band* band = t->band;
  char* mid = (char*) band->scratch + part * band->task_bytes;
  void* slot_a = band->deconv_slots[0] != 0 ? mid + band->deconv_slots[0] : NULL;
  void* slot_b = band->deconv_slots[1] != 0 ? mid + band->deconv_slots[1] : NULL;
  const size_t total = t->images * a->input_height;
  const size_t end = (part + 1) * total / band->tasks;
  for (size_t r = part * total / band->tasks; r < end;) {
    const size_t iy = r % a->input_height;
    size_t rows = band->band_rows;
    if (rows > end - r) rows = end - r;
    if (rows > a->input_height - iy) rows = a->input_height - iy;  /* within one image */
    pqnn_deconv_rows(t->first, t->x + r * a->input_row_bytes, mid, r * a->input_width, rows,
        slot_a);
    /* Its output rows: the second's input rows from r * s1 (over all images). */
    const size_t r2 = r * a->output_rows;
    pqnn_deconv_rows(t->second, mid, t->y + r2 * b->output_rows * b->output_row_bytes,
        r2 * b->input_width, rows * a->output_rows, slot_b);
    r += rows;
  }
}

void pqnn_rt_run_deconv_band(struct pqnn_runtime* rt, const struct pqnn_rt_band* band) {
  const struct pqnn_rt_op* first = &rt->ops[band->head];
  const struct pqnn_rt_op* second = &rt->ops[band->last];
  struct deconv_task t = {.band = band, .first = first->op, .second = second->op,
      .x = rt->tensors[first->inputs[0]].data, .y = rt->tensors[second->output].data,
      .images = rt->tensors[first->output].shape.dim[0]};
  pqnn_deconv_rows_fit(t.first, &t.a);
  pqnn_deconv_rows_fit(t.second, &t.b);
  pqnn_parallelize_1d(rt->threadpool, run_part, &t, band->tasks);
}
