/* Trilu: the upper (upper = 1, the default) or lower triangle of the last two dims of a
 * float activation, k diagonals above the main one (k: the optional constant input 1,
 * default 0; negative below), everything else 0. One select node by a constant 0 / 1 mask
 * of the last two dims ([M][N], broadcast over the batch dims): the kept elements copied
 * and the others +0, so an infinity or NaN outside the triangle never leaks (x * mask would
 * make it NaN), as in ONNX Runtime. */
#include "onnx/internal.h"

enum pqnn_status ox_lower_trilu(struct ox_pass* p) {
  struct ox_tensor *x, *y;
  enum pqnn_status status = ox_io(p, &x, &y);
  if (status != pqnn_status_success) return status;
  if (x->is_const) return ox_unsupported(p, "Trilu of a constant");
  if (x->elem_type != OX_FLOAT && x->elem_type != 0) {
    return ox_unsupported(p, "Trilu of a non-float activation");
  }
  if (x->rank < 2) return ox_invalid(p, "Trilu needs at least 2 dims");
  int64_t upper;
  status = ox_attr_int(p, "upper", 1, &upper);
  if (status != pqnn_status_success) return status;
  int64_t k = 0;
  if (p->node->num_inputs > 1 && p->node->inputs[1] >= 0) {
    struct ox_tensor* kt;
    status = ox_input(p, 1, &kt);
    if (status != pqnn_status_success) return status;
    int64_t count;
    if (!kt->is_const || kt->i == NULL || !ox_elements(kt, &count) || count != 1) {
      return ox_unsupported(p, "k must be a constant integer scalar");
    }
    k = kt->i[0];
  }
  const int64_t rows = x->dims[x->rank - 2], cols = x->dims[x->rank - 1];
  struct ox_tensor mask = ox_scalar_constant(NULL);
  mask.rank = 2;
  mask.dims[0] = rows > 0 ? rows : 1;  /* listing before the dims are set */
  mask.dims[1] = cols > 0 ? cols : 1;
  static const float kOne = 1.0f;
  mask.f = &kOne;  /* listing: the data is not read */
  if (ox_emitting(p)) {
    if (rows < 0 || cols < 0) return ox_invalid(p, "shape of '%s' is not known", x->name);
    int64_t n;
    if (!ox_elements(&mask, &n)) return ox_invalid(p, "Trilu of %lld x %lld", (long long) rows,
        (long long) cols);
    float* data = ox_pass_alloc(p, (size_t) n, sizeof(float));
    if (data == NULL) return pqnn_status_out_of_memory;
    for (int64_t i = 0; i < rows; i++) {
      for (int64_t j = 0; j < cols; j++) {
        /* j - i is small (dims <= 2^30); k may be any int64, only compared */
        const int64_t diagonal = j - i;
        data[i * cols + j] = (upper != 0 ? diagonal >= k : diagonal <= k) ? 1.0f : 0.0f;
      }
    }
    mask.f = data;
  }
  const float zero = 0.0f;
  struct ox_tensor z = ox_scalar_constant(&zero);
  return ox_emit_where(p, &mask, x, &z, false, y);
}
