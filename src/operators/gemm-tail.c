/* The column tail of a GEMM / IGEMM on a narrower tile. A layer whose N is not a multiple
 * of the main tile's NR runs its full main panels on the main tile and the last N % NR
 * columns on the config's column_tail tile, where that pads fewer columns (f32 avx512f:
 * N = 240 is 7 panels of 32 and one of 16 on 7x16 / 8x16 instead of a masked 32-column
 * one). Every output column is the same dot product in the same K order on either tile, so
 * the outputs keep their bits. The rule (pqnn_gemm_tail_config), the packing and the
 * reshape-time kernels live here; gemm-path.c and igemm-path.c split each column tile at
 * the tail. */
#include <string.h>

#include "allocator.h"
#include "logging.h"
#include "operators/paths.h"
#include "packing.h"

static bool has_kernel(const struct pqnn_gemm_config* config, bool dynamic_quantization,
    bool igemm, size_t slot) {
  return igemm
      ? (dynamic_quantization ? config->dqigemm[slot] != NULL : config->igemm[slot] != NULL)
      : (dynamic_quantization ? config->dqgemm[slot] != NULL : config->gemm[slot] != NULL);
}

/* Whether `tail` has a kernel for every tile `rows` (config or its other_mr) runs: its MR
 * kernel and, where `rows` has one, the mr = 1 kernel, at `nr` columns of `kr`. */
static bool covers(const struct pqnn_gemm_config* tail, const struct pqnn_gemm_config* rows,
    uint32_t nr, uint32_t kr, bool dynamic_quantization, bool igemm) {
  return tail != NULL && tail->mr == rows->mr && tail->nr == nr && tail->kr == kr &&
      tail->input_offset == rows->input_offset &&
      has_kernel(tail, dynamic_quantization, igemm, 1) &&
      (!has_kernel(rows, dynamic_quantization, igemm, 0) ||
       has_kernel(tail, dynamic_quantization, igemm, 0));
}

const struct pqnn_gemm_config* pqnn_gemm_tail_config(const struct pqnn_gemm_config* config,
    size_t n, bool dynamic_quantization, bool igemm) {
  const struct pqnn_gemm_config* tail = config->column_tail[0];
  if (tail == NULL || config->nr % tail->nr != 0 || n <= config->nr) return NULL;
  const size_t rest = n % config->nr;
  if (rest == 0 || pqnn_round_up(rest, tail->nr) >= config->nr) return NULL;
  if (!covers(tail, config, tail->nr, tail->kr, dynamic_quantization, igemm)) return NULL;
  if (config->other_mr != NULL && !covers(config->column_tail[1], config->other_mr, tail->nr,
          tail->kr, dynamic_quantization, igemm)) {
    return NULL;
  }
  return tail;
}

enum pqnn_status pqnn_pack_gemm_tail(const char* function, pqnn_operator_t op,
    const struct pqnn_gemm_op_spec* spec, const struct pqnn_gemm_config* tail, size_t groups,
    size_t nc, size_t ks, size_t kc, bool transposed, const void* kernel, size_t packed_size) {
  op->tail_config = NULL;
  op->tail_n = nc;
  op->tail_panel_stride = 0;
  if (tail == NULL) return pqnn_status_success;
  const struct pqnn_gemm_config* config = spec->gemm_config;
  /* The whole weights packed for the tail's tile, from which the tail panels are copied. */
  const size_t narrow_size = spec->packed_gemm_size != NULL
      ? (groups == 1 && ks == 1 ? spec->packed_gemm_size(spec->spec_context, nc, kc, tail->nr,
            tail->kr) : 0)
      : pqnn_packed_gemm_size(groups, nc, ks, kc, tail->nr, tail->kr,
            spec->packed_element_size, spec->packed_prefix_size, spec->packed_suffix_size);
  const size_t main_group = packed_size / groups, narrow_group = narrow_size / groups;
  const size_t main_panel = main_group / pqnn_divide_round_up(nc, config->nr);
  const size_t narrow_panel = narrow_group / pqnn_divide_round_up(nc, tail->nr);
  const size_t first = pqnn_round_down(nc, config->nr);
  const size_t tail_bytes = pqnn_divide_round_up(nc - first, tail->nr) * narrow_panel;
  /* The tail panels take the last main panel's place (fewer columns: fewer bytes). */
  if (narrow_size == 0 || tail_bytes > main_panel) return pqnn_status_success;
  void* temp = pqnn_allocate(narrow_size);
  if (temp == NULL) {
    pqnn_log_error(function, "cannot allocate %zu bytes to pack the column tail", narrow_size);
    return pqnn_status_out_of_memory;
  }
  spec->pack_gemm(spec->spec_context, groups, nc, ks, kc, tail->nr, tail->kr, transposed,
      kernel, temp);
  for (size_t g = 0; g < groups; g++) {
    memcpy((char*) op->packed_weights + g * main_group + first / config->nr * main_panel,
        (const char*) temp + g * narrow_group + first / tail->nr * narrow_panel, tail_bytes);
  }
  pqnn_release(temp);
  op->tail_config = tail;
  op->tail_n = first;
  op->tail_panel_stride = narrow_panel;
  return pqnn_status_success;
}

void pqnn_prepare_gemm_tail(const struct pqnn_operator* op, const struct pqnn_gemm_config* rows,
    bool mr1, bool igemm, struct pqnn_gemm_tail* tail) {
  memset(tail, 0, sizeof(*tail));
  tail->n = op->group_output_channels;
  if (op->tail_config == NULL) return;
  /* column_tail[0] in tiles of the main MR (and mr = 1), [1] in other_mr's */
  const struct pqnn_gemm_config* narrow =
      op->gemm_config->column_tail[rows == op->gemm_config ? 0 : 1];
  const size_t slot = mr1 ? 0 : 1;
  const bool dq = op->spec.dynamic_quantization;
  if (igemm) {
    if (dq) {
      tail->dqigemm = narrow->dqigemm[slot];
    } else {
      tail->igemm = narrow->igemm[slot];
    }
  } else if (dq) {
    tail->dqgemm = narrow->dqgemm[slot];
  } else {
    tail->gemm = narrow->gemm[slot];
  }
  tail->n = op->tail_n;
  tail->nr = narrow->nr;
  tail->w_offset = op->tail_n / rows->nr * op->packed_panel_stride;
  tail->w_panel_stride = op->tail_panel_stride;
  tail->cn_stride = narrow->nr * op->spec.output_element_size;
}
